/**
 * The one source of "now" for business logic.
 *
 * It reads the process clock on purpose: the whole 30-day invoice lifecycle is exercised by shifting
 * the process clock from outside (libfaketime), so nothing in the business path may ask the database
 * for the time. Pass `clock.now()` into the pure domain functions; never call `new Date()` there.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = {
  now: () => new Date(Date.now()),
};

/**
 * The process clock shifted by an offset that only moves forward: what libfaketime does from outside,
 * done in-process so tests and the demo can walk an invoice through 30 days in seconds.
 */
export class ShiftedClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    if (ms < 0) throw new RangeError('time only moves forward');
    this.offsetMs += ms;
  }

  advanceDays(days: number): void {
    this.advance(days * 24 * 60 * 60 * 1000);
  }
}

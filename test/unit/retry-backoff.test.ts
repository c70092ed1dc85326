import { afterFailure, DEFAULT_RETRY_POLICY, maxAttemptsWithin, plannedDelayMs, retryDelayMs } from '../../src/domain/retry-backoff.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const policy = DEFAULT_RETRY_POLICY;

describe('inbox retry backoff', () => {
  test('planned delays start at a minute, double, and stop at six hours', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((n) => plannedDelayMs(n, policy) / MINUTE)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360]);
    expect(plannedDelayMs(10_000, policy)).toBe(6 * HOUR);
  });

  test('equal jitter: every delay lies within [planned/2, planned], spread by the random input', () => {
    for (const attempt of [1, 3, 9, 40]) {
      const planned = plannedDelayMs(attempt, policy);
      expect(retryDelayMs(attempt, 0, policy)).toBe(planned / 2);
      expect(retryDelayMs(attempt, 0.999999, policy)).toBeLessThanOrEqual(planned);
      expect(retryDelayMs(attempt, 0.999999, policy)).toBeGreaterThan(planned * 0.99);
      expect(retryDelayMs(attempt, 0.5, policy)).toBe(Math.round(planned * 0.75));
    }
    // Out-of-range randoms are clamped, never a negative or overlong delay.
    expect(retryDelayMs(2, -1, policy)).toBe(MINUTE);
    expect(retryDelayMs(2, 7, policy)).toBe(2 * MINUTE);
  });

  test('after a failure: the next attempt within the window, the last one at its end, then give up', () => {
    const start = new Date('2026-11-02T10:00:00Z');
    const at = (ms: number) => new Date(start.getTime() + ms);
    expect(afterFailure({ failedAt: at(0), windowStartedAt: start, attempt: 1, random: 0 }, policy)).toEqual({ giveUp: false, nextAttemptAt: at(30_000) });
    // Near the end of the three days, the delay is cut to the window's end.
    expect(afterFailure({ failedAt: at(71 * HOUR), windowStartedAt: start, attempt: 20, random: 0.9 }, policy)).toEqual({ giveUp: false, nextAttemptAt: at(72 * HOUR) });
    expect(afterFailure({ failedAt: at(72 * HOUR), windowStartedAt: start, attempt: 21, random: 0.9 }, policy)).toEqual({ giveUp: true });
  });

  test('attempts are bounded: at most 10 in a six-hour outage, at most 32 over the three days', () => {
    expect(maxAttemptsWithin(6 * HOUR, policy)).toBe(10);
    // 9 growing delays (255.5 min at their shortest), then one every 3 hours at the most: 22 more in 72 hours.
    expect(maxAttemptsWithin(72 * HOUR, policy)).toBe(32);
    expect(maxAttemptsWithin(72 * HOUR, { ...policy, firstMs: 0 })).toBe(Infinity);
  });
});

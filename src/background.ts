import type { Logger } from './log.js';

/**
 * Work a webhook route starts after answering (so the sender never waits on Slack, SMTP or a
 * back-end). Stopping the bot drains it first: a half-processed event must not meet a closed
 * database pool. A failure is only logged here; the event stays unprocessed in the inbox and the
 * sweep retries it.
 */
export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  /** Starts `work` once the current I/O callbacks are done (the HTTP response goes out first). */
  start(what: string, work: () => Promise<void>): void {
    const task: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((err: unknown) => this.log.error({ what, err: err instanceof Error ? err.message : String(err) }, 'background work failed; the sweep retries it'))
      .finally(() => this.running.delete(task));
    this.running.add(task);
  }

  /** Tracks work already under way (a Slack listener that goes on after its ack) until it settles. */
  async track<T>(work: Promise<T>): Promise<T> {
    const settled: Promise<void> = work.then(
      () => undefined,
      () => undefined,
    );
    const task = settled.finally(() => this.running.delete(task));
    this.running.add(task);
    return work;
  }

  /** Resolves when nothing started before or during the wait is still running. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}

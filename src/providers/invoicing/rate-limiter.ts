import pLimit from 'p-limit';

export interface RateLimiterOptions {
  /** Requests in flight at once (QuickBooks: 10 per realm and app). */
  concurrency: number;
  /** Requests started per window (QuickBooks: 500 per minute per realm). */
  perWindow: number;
  windowMs: number;
  /** Injectable for tests; real time otherwise (this is transport pacing, not business time). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Told each time a request is held back for the window, with how long (the metrics). */
  onWait?: (ms: number) => void;
}

export type RateLimiter = <T>(work: () => Promise<T>) => Promise<T>;

/**
 * Keeps one account's requests under its provider limits: p-limit caps concurrency, and a sliding
 * window of start times holds a request back until the window has room, so duebot waits instead of
 * earning a 429 (and QuickBooks' 60-second penalty).
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const limit = pLimit(options.concurrency);
  const now = options.now ?? (() => Date.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const starts: number[] = [];

  async function admit(): Promise<void> {
    for (;;) {
      const t = now();
      while (starts.length > 0 && starts[0]! <= t - options.windowMs) starts.shift();
      if (starts.length < options.perWindow) {
        starts.push(t);
        return;
      }
      const wait = starts[0]! + options.windowMs - t;
      options.onWait?.(wait);
      await sleep(wait);
    }
  }

  return (work) =>
    limit(async () => {
      await admit();
      return work();
    });
}

/** One limiter per key (QuickBooks realm), created on first use. */
export function keyedRateLimiter(options: RateLimiterOptions): (key: string) => RateLimiter {
  const limiters = new Map<string, RateLimiter>();
  return (key) => {
    let limiter = limiters.get(key);
    if (!limiter) limiters.set(key, (limiter = createRateLimiter(options)));
    return limiter;
  };
}

/**
 * When a failed inbox event is tried again: exponential backoff with equal jitter (half of each delay
 * fixed, half random, so two processes that failed together drift apart, yet no retry comes sooner than
 * half the planned delay), capped, and given up after a window measured from the event's arrival (or
 * from an approver's Retry).
 */
export interface RetryPolicy {
  /** The planned delay after the first failure (INBOX_RETRY_FIRST). */
  firstMs: number;
  /** No two attempts further apart than this (INBOX_RETRY_MAX_DELAY). */
  maxDelayMs: number;
  /** Failures after this long become dead letters (INBOX_GIVE_UP_AFTER). */
  giveUpAfterMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const DEFAULT_RETRY_POLICY: RetryPolicy = { firstMs: MINUTE, maxDelayMs: 6 * HOUR, giveUpAfterMs: 72 * HOUR };

/** The planned (pre-jitter) delay after failure number `attempt` (1-based): first, doubling, capped. */
export function plannedDelayMs(attempt: number, policy: RetryPolicy): number {
  const doublings = Math.min(Math.max(attempt, 1) - 1, 52);
  return Math.min(policy.maxDelayMs, policy.firstMs * 2 ** doublings);
}

/** The delay after failure number `attempt`; `random` in [0, 1) picks it within [planned/2, planned]. */
export function retryDelayMs(attempt: number, random: number, policy: RetryPolicy): number {
  const planned = plannedDelayMs(attempt, policy);
  const unit = Math.min(Math.max(random, 0), 1);
  return Math.round(planned / 2 + (unit * planned) / 2);
}

export type AfterFailure = { giveUp: true } | { giveUp: false; nextAttemptAt: Date };

/**
 * What follows failure number `attempt` of the current window: the next attempt, never later than the
 * window's end (so the last one happens right at it), or giving up once the window is over.
 */
export function afterFailure(o: { failedAt: Date; windowStartedAt: Date; attempt: number; random: number }, policy: RetryPolicy): AfterFailure {
  const deadline = o.windowStartedAt.getTime() + policy.giveUpAfterMs;
  if (o.failedAt.getTime() >= deadline) return { giveUp: true };
  const next = o.failedAt.getTime() + retryDelayMs(o.attempt, o.random, policy);
  return { giveUp: false, nextAttemptAt: new Date(Math.min(next, deadline)) };
}

/**
 * The most attempts a window of `spanMs` can hold (the first try included), every delay at its shortest:
 * an upper bound for tests and the README.
 */
export function maxAttemptsWithin(spanMs: number, policy: RetryPolicy): number {
  let elapsed = 0;
  let attempts = 1;
  while (true) {
    const shortest = retryDelayMs(attempts, 0, policy);
    if (shortest <= 0) return Infinity;
    elapsed += shortest;
    if (elapsed > spanMs) return attempts;
    attempts += 1;
  }
}

export type BackendErrorCode = 'rate_limited' | 'auth' | 'invalid' | 'unavailable' | 'not_found' | 'not_connected';

/**
 * A back-end failure by cause, so callers decide retry vs. give up by type (stripe-node's habit).
 * Every adapter throws these. A 429 is never slept on inside an adapter: it surfaces at once as a
 * retryable `rate_limited` error carrying the provider's Retry-After, and the job that called retries.
 */
export class BackendError extends Error {
  override readonly name = 'BackendError';
  /** HTTP status from the provider, when there was a response. */
  readonly status: number | null;
  /** From Retry-After on a 429, in milliseconds, when the provider said. */
  readonly retryAfterMs: number | null;
  constructor(
    message: string,
    readonly code: BackendErrorCode,
    readonly retryable: boolean,
    details: { status?: number | null; cause?: unknown; retryAfterMs?: number | null } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status ?? null;
    this.retryAfterMs = details.retryAfterMs ?? null;
  }
}

/**
 * The back-end answered with a failure it may have stored under the request's idempotency key (Stripe
 * saves every result once a request starts executing, 4xx and 500s included, and replays it for 24 h):
 * the next try must use fresh keys. 409 (a concurrent request on the key) and 429 (refused before
 * running) store nothing; no answer at all (timeout, reset) is an unknown outcome, retried on the same
 * keys so a replay returns what happened.
 */
export function isDefiniteFailure(err: unknown): boolean {
  if (!(err instanceof BackendError) || err.status === null) return false;
  return err.status !== 409 && err.status !== 429;
}

/** A failure's code for the metrics (`status` of duebot_provider_calls_total). */
export function backendErrorCode(err: unknown): string {
  return err instanceof BackendError ? err.code : 'error';
}

/** Retry-After as seconds or an HTTP date → milliseconds (null when absent or unreadable). */
export function retryAfterMs(header: string | string[] | undefined | null, now: Date): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

/** Sorts an HTTP status into the codes above (shared by the OAuth back-ends). */
export function backendErrorFor(message: string, status: number | null, cause: unknown, retryAfter: number | null = null): BackendError {
  const make = (code: BackendErrorCode, retryable: boolean) => new BackendError(message, code, retryable, { status, cause, retryAfterMs: retryAfter });
  if (status === null) return make('unavailable', true);
  if (status === 429) return make('rate_limited', true);
  if (status === 401 || status === 403) return make('auth', false);
  if (status === 404) return make('not_found', false);
  if (status >= 500) return make('unavailable', true);
  return make('invalid', false);
}

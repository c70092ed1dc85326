/**
 * What the adapters tell about their calls to outside APIs (invoicing back-ends, project tools), for the
 * metrics. Bound to one provider; `operation` must be a fixed name ("create invoice", "GET"), never a
 * path or id, so the metric's label set stays small.
 */
export interface CallObserver {
  /** One call finished: `status` is "ok" or the error's code (rate_limited, auth, unavailable, …). */
  call(operation: string, status: string, seconds: number): void;
  /** duebot held a request back for a rate limit: its own window, or the provider's Retry-After. */
  rateLimitWait(seconds: number): void;
}

/** Per-provider observers, e.g. `observers.for('stripe')`. */
export interface CallObservers {
  for(provider: string): CallObserver;
}

export const unobserved: CallObserver = { call: () => undefined, rateLimitWait: () => undefined };
export const unobservedCalls: CallObservers = { for: () => unobserved };

/** Runs `work`, telling `observer` how it went; the error code comes from the adapter's own error type. */
export async function observeCall<T>(observer: CallObserver, operation: string, work: () => Promise<T>, codeOf: (err: unknown) => string): Promise<T> {
  const started = performance.now();
  try {
    const result = await work();
    observer.call(operation, 'ok', (performance.now() - started) / 1000);
    return result;
  } catch (err) {
    observer.call(operation, codeOf(err), (performance.now() - started) / 1000);
    throw err;
  }
}

/**
 * An adapter's `call(operation, work)`: `work` observed, and whatever it throws turned into the adapter's
 * own error (`toError`, whose code `codeOf` reads), so the metrics count that code.
 */
export function observedCalls(observer: CallObserver, toError: (operation: string, err: unknown) => Error, codeOf: (err: unknown) => string) {
  return <T>(operation: string, work: () => Promise<T>): Promise<T> =>
    observeCall(
      observer,
      operation,
      async () => {
        try {
          return await work();
        } catch (err) {
          throw toError(operation, err);
        }
      },
      codeOf,
    );
}

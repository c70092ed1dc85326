import type { RecordedRequest } from './fake-stripe.js';

/**
 * Idempotency keys the fake saw with more than one set of parameters (Stripe answers those with an
 * `idempotency_error`): empty when every retry sent exactly what its key first carried.
 */
export function keysReusedWithOtherParameters(requests: readonly RecordedRequest[]): string[] {
  const bodies = new Map<string, Set<string>>();
  for (const r of requests) if (r.idempotencyKey) bodies.set(r.idempotencyKey, (bodies.get(r.idempotencyKey) ?? new Set()).add(`${r.path} ${JSON.stringify(r.body)}`));
  return [...bodies].filter(([, seen]) => seen.size > 1).map(([key]) => key);
}

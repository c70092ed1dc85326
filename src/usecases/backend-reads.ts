import { backendDisplayName } from '../domain/tax.js';
import type { InvoicingBackend } from '../providers/invoicing/backend.js';
import type { Services } from '../services.js';
import { TimeoutError, withTimeout } from './time-budget.js';

export type BackendRead<T> = { backend: InvoicingBackend; ok: true; value: T } | { backend: InvoicingBackend; ok: false; why: string };

/**
 * Asks every back-end that can (`read` returns null for one that cannot) at the same time, each within
 * `timeoutMs`: the forecast answers while Slack waits, so a slow or failing back-end is left out, logged,
 * and explained (`why`: "did not arrive within 2 s" or "could not be read"), never fatal.
 */
export async function readEachBackend<T>(services: Services, what: string, timeoutMs: number, read: (backend: InvoicingBackend) => Promise<T> | null): Promise<BackendRead<T>[]> {
  const asked = Object.values(services.backends).flatMap((backend) => {
    const work = read(backend);
    return work ? [{ backend, work }] : [];
  });
  return Promise.all(
    asked.map(async ({ backend, work }): Promise<BackendRead<T>> => {
      try {
        return { backend, ok: true, value: await withTimeout(work, timeoutMs) };
      } catch (err) {
        services.log.warn({ backend: backend.name, err: err instanceof Error ? err.message : String(err) }, `${what} not read`);
        return { backend, ok: false, why: err instanceof TimeoutError ? `did not arrive within ${timeoutMs / 1000} s` : 'could not be read' };
      }
    }),
  );
}

export const displayName = (backend: InvoicingBackend) => backendDisplayName(backend.name);

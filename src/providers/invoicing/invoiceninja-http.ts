import { BackendError, backendErrorFor, retryAfterMs } from './errors.js';
import type { RateLimiter } from './rate-limiter.js';
import { observeCall, type CallObserver } from '../call-observer.js';

/**
 * The Invoice Ninja v5 REST API as duebot calls it: `X-API-TOKEN` (a company token) and
 * `X-Requested-With: XMLHttpRequest` on every request, JSON both ways, `{data}` / `{data, meta.pagination}`
 * answers, and `{message, errors}` on failure (a bad token is a 403 "Invalid token"). No SDK exists for
 * Node, so this is plain fetch; no retries here (a 429 surfaces at once, the calling job retries).
 */
/** The hosted service; self-hosted installs set INVOICENINJA_URL. */
export const DEFAULT_INVOICENINJA_URL = 'https://invoicing.co';

export interface InvoiceNinjaHttpOptions {
  /** e.g. https://invoicing.co or a self-hosted https://billing.example.com (no /api/v1). */
  baseUrl: string;
  apiToken: string;
  limiter: RateLimiter;
  observe: CallObserver;
  now: () => Date;
  timeoutMs?: number;
}

export type InvoiceNinjaCall = <T>(
  what: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  options?: { query?: Record<string, string>; body?: unknown },
) => Promise<T>;

/** https is required off this machine: the API token travels in a header on every request. */
export function checkInvoiceNinjaUrl(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a URL';
  }
  const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) return 'must be an https URL (http only for 127.0.0.1 or localhost)';
  if (url.search || url.hash || url.username || url.password) return 'must be a plain base URL (no query, fragment or credentials)';
  if (/\/api\/v1\/?$/.test(url.pathname)) return 'must be the base URL without /api/v1';
  return null;
}

export function invoiceNinjaClient(options: InvoiceNinjaHttpOptions): InvoiceNinjaCall {
  const base = options.baseUrl.replace(/\/+$/, '');
  return async function call<T>(
    what: string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    request: { query?: Record<string, string>; body?: unknown } = {},
  ): Promise<T> {
    const query = request.query ? `?${new URLSearchParams(request.query).toString()}` : '';
    return options.limiter(() =>
      observeCall(
        options.observe,
        what,
        async () => {
          let res: Response;
          try {
            res = await fetch(`${base}/api/v1${path}${query}`, {
              method,
              headers: {
                'X-API-TOKEN': options.apiToken,
                'X-Requested-With': 'XMLHttpRequest',
                Accept: 'application/json',
                ...(request.body === undefined ? {} : { 'Content-Type': 'application/json' }),
              },
              body: request.body === undefined ? undefined : JSON.stringify(request.body),
              signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
            });
          } catch (err) {
            // No `cause`: nothing that carries the request (and its token) may reach a log.
            throw backendErrorFor(`Invoice Ninja ${what} failed: ${err instanceof Error ? err.message : 'no answer'}`, null, undefined);
          }
          const text = await res.text();
          if (!res.ok) {
            const retryAfter = res.status === 429 ? retryAfterMs(res.headers.get('retry-after'), options.now()) : null;
            const mapped = backendErrorFor(`Invoice Ninja ${what} failed (${res.status}): ${describeError(text)}`, res.status, undefined, retryAfter);
            throw new InvoiceNinjaError(mapped, errorFields(text));
          }
          try {
            return (text ? JSON.parse(text) : {}) as T;
          } catch {
            throw new BackendError(`Invoice Ninja ${what} answered ${res.status} with a body that is not JSON`, 'unavailable', true, { status: null });
          }
        },
        (err) => (err instanceof BackendError ? err.code : 'error'),
      ),
    );
  };
}

/** `{message, errors: {field: [text]}}` → "message: field: text"; short, and never the whole body. */
export function describeError(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; errors?: Record<string, unknown> };
    const fields = Object.entries(parsed.errors ?? {})
      .map(([field, texts]) => `${field}: ${Array.isArray(texts) ? texts.join(' ') : String(texts)}`)
      .join('; ');
    const message = typeof parsed.message === 'string' ? parsed.message : '';
    return [message, fields].filter(Boolean).join(' ').slice(0, 300) || '(no message)';
  } catch {
    return body.slice(0, 200) || '(no body)';
  }
}

/** A BackendError that also names the fields a 422 refused, to tell "this number is taken" from other refusals. */
export class InvoiceNinjaError extends BackendError {
  constructor(
    mapped: BackendError,
    readonly fields: string[],
  ) {
    super(mapped.message, mapped.code, mapped.retryable, { status: mapped.status, retryAfterMs: mapped.retryAfterMs });
  }
}

function errorFields(body: string): string[] {
  try {
    return Object.keys((JSON.parse(body) as { errors?: Record<string, unknown> }).errors ?? {});
  } catch {
    return [];
  }
}

/** True for a 422 that refused `field` (e.g. an invoice `number` already taken). */
export function refusedField(err: unknown, field: string): boolean {
  return err instanceof InvoiceNinjaError && err.status === 422 && err.fields.includes(field);
}

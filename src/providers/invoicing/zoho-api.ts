import { BackendError, backendErrorFor, retryAfterMs } from './errors.js';

/**
 * One Zoho Invoice v3 request over fetch. Every answer is JSON `{code, message, …}` with code 0 for
 * success; anything else becomes a BackendError sorted by HTTP status (Zoho answers 400 for bad input,
 * 401 for a bad or expired token, 404, 429 "too many requests", 5xx), so `isDefiniteFailure` and the
 * retry logic work as for the other back-ends. Tokens are never put in an error.
 */
export interface ZohoRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Under `<api>/invoice/v3`, e.g. `/invoices/123`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
}

/** A Zoho answer with a non-zero `code`: kept so callers can branch on it (1001: the number exists). */
export class ZohoApiError extends BackendError {
  constructor(
    message: string,
    readonly zohoCode: number | null,
    base: BackendError,
  ) {
    super(message, base.code, base.retryable, { status: base.status, retryAfterMs: base.retryAfterMs });
  }
}

/** Zoho's error code for "This invoice number already exists" on create. */
export const ZOHO_DUPLICATE_NUMBER = 1001;
/** "Invoice does not exist." (also "Contact Person does not exist" on the invoices page). */
export const ZOHO_NOT_FOUND = 1002;

export async function zohoRequest<T>(apiRoot: string, accessToken: string, organizationId: string | null, what: string, req: ZohoRequest, now: Date): Promise<T> {
  const url = new URL(`${apiRoot.replace(/\/$/, '')}/invoice/v3${req.path}`);
  for (const [key, value] of Object.entries(req.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
  const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Zoho-oauthtoken ${accessToken}` };
  if (organizationId) headers['X-com-zoho-invoice-organizationid'] = organizationId;
  if (req.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, { method: req.method, headers, ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}), signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    // No answer: the outcome is unknown (retried on the same terms).
    throw backendErrorFor(`Zoho Invoice ${what} failed: ${err instanceof Error ? err.message : 'no answer'}`, null, undefined);
  }
  const text = await response.text().catch(() => '');
  const data = parseJson(text);
  const code = typeof data?.code === 'number' ? data.code : null;
  if (response.ok && code === 0) return data as T;
  const status = response.ok ? (code === ZOHO_NOT_FOUND ? 404 : 400) : response.status;
  const message = typeof data?.message === 'string' ? data.message.slice(0, 300) : response.statusText || 'unexpected answer';
  const failure = `Zoho Invoice ${what} failed (${response.status}${code !== null ? `, code ${code}` : ''}): ${message}`;
  const base = backendErrorFor(
    failure,
    status === 400 && code === ZOHO_NOT_FOUND ? 404 : status,
    undefined,
    status === 429 ? retryAfterMs(response.headers.get('retry-after'), now) : null,
  );
  throw new ZohoApiError(failure, code, base);
}

function parseJson(text: string): { code?: unknown; message?: unknown } | null {
  try {
    const value: unknown = text ? JSON.parse(text) : null;
    return value && typeof value === 'object' ? (value as { code?: unknown; message?: unknown }) : null;
  } catch {
    return null;
  }
}

/** Shared plumbing of the project-tool adapters: coded errors and a JSON call with timeout and 429 retries. */
import { observeCall, unobserved, type CallObserver } from '../call-observer.js';

export type ProjectToolErrorCode = 'not_found' | 'auth' | 'rate_limited' | 'invalid' | 'unavailable';

export class ProjectToolError extends Error {
  override readonly name = 'ProjectToolError';
  constructor(
    message: string,
    readonly code: ProjectToolErrorCode,
    readonly retryable: boolean,
    /** On a 429: how long the tool asked us to wait (Retry-After, capped). */
    readonly retryAfterMs: number | null = null,
    /** The tool's HTTP status, when it answered (a 401 tells an expired OAuth token from a 403). */
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

const MAX_RETRIES = 3;
const MAX_WAIT_MS = 10_000;
const DEFAULT_WAIT_MS = 1_000;

export interface JsonClientOptions {
  /** Names the tool in every error, e.g. "ClickUp". */
  label: string;
  baseUrl: string;
  headers: Record<string, string>;
  timeoutMs?: number;
  /** Pulls a readable message out of an error body. */
  describeError?: (body: string) => string;
  /** Told about every attempt (operation: the HTTP method) and every 429 wait; default: nobody. */
  observe?: CallObserver;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type JsonCall = <T>(method: HttpMethod, path: string, body?: unknown) => Promise<T>;

/** A JSON client for one tool: errors name the tool, the call and the status, and say whether to retry. */
export function jsonClient(options: JsonClientOptions): JsonCall {
  const base = options.baseUrl.replace(/\/+$/, '');
  const describe = options.describeError ?? ((body: string) => body.slice(0, 200) || '(no body)');
  const observer = options.observe ?? unobserved;
  return async function call<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
    const what = [options.label, method, path.split('?')[0]].filter(Boolean).join(' ');
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await observeCall(
          observer,
          method,
          () => once<T>(method, path, body, what),
          (err) => (err instanceof ProjectToolError ? err.code : 'error'),
        );
      } catch (err) {
        if (!(err instanceof ProjectToolError && err.retryAfterMs !== null && attempt < MAX_RETRIES)) throw err;
        observer.rateLimitWait(err.retryAfterMs / 1000);
        await new Promise((r) => setTimeout(r, err.retryAfterMs!));
      }
    }
  };

  async function once<T>(method: HttpMethod, path: string, body: unknown, what: string): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { Accept: 'application/json', ...options.headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
    } catch (err) {
      throw new ProjectToolError(`${options.label} unreachable (${what}): ${err instanceof Error ? err.message : String(err)}`, 'unavailable', true);
    }
    if (res.ok) {
      const text = await res.text();
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ProjectToolError(`${what} answered ${res.status} with a body that is not JSON`, 'unavailable', true);
      }
    }
    const detail = await res.text().catch(() => '');
    const message = `${what} answered ${res.status}: ${describe(detail)}`;
    if (res.status === 429) throw new ProjectToolError(message, 'rate_limited', true, retryAfterMs(res.headers.get('retry-after')));
    throw errorForStatus(message, res.status);
  }
}

/** A delete that finds the thing already gone (404) has done its job. */
export async function deleteUnlessGone(request: Promise<unknown>): Promise<void> {
  try {
    await request;
  } catch (err) {
    if (!(err instanceof ProjectToolError && err.code === 'not_found')) throw err;
  }
}

export function errorForStatus(message: string, status: number): ProjectToolError {
  if (status === 404) return new ProjectToolError(message, 'not_found', false, null, status);
  if (status === 401 || status === 403) return new ProjectToolError(message, 'auth', false, null, status);
  if (status === 429) return new ProjectToolError(message, 'rate_limited', true, null, status);
  if (status >= 500) return new ProjectToolError(message, 'unavailable', true, null, status);
  return new ProjectToolError(message, 'invalid', false, null, status);
}

/** `Retry-After` is seconds or an HTTP date; capped so a webhook job never stalls for minutes. */
export function retryAfterMs(header: string | null): number {
  if (header === null || header.trim() === '') return DEFAULT_WAIT_MS;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.min(MAX_WAIT_MS, Math.max(0, seconds * 1000));
  const at = Date.parse(header);
  return Number.isNaN(at) ? DEFAULT_WAIT_MS : Math.min(MAX_WAIT_MS, Math.max(0, at - Date.now()));
}

/** "Yes", "true", "✓", "y" (any case) mean yes in a text, label or checkbox-like field. */
export function isYes(value: unknown): boolean {
  if (value === true) return true;
  return typeof value === 'string' && ['yes', 'true', '✓', 'y'].includes(value.trim().toLowerCase());
}

/** A number as the tool returned it, or a decimal string that looks like one; anything else is "not set". */
export function numericValue(value: unknown): number | string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const text = typeof value === 'string' ? value.trim() : '';
  return text && /^-?[\d,]*\.?\d+$/.test(text) ? text : null;
}

/** One header value (Node gives arrays for repeated headers). */
export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

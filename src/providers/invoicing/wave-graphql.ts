import { BackendError, backendErrorFor, retryAfterMs } from './errors.js';

/**
 * A tiny typed client for Wave's public GraphQL API (`POST {apiUrl}` with `{ query, variables }` and a
 * Bearer token). Wave answers HTTP 200 for most failures, with `errors[]` whose `extensions.code` says
 * what went wrong; mutations report refused input as `didSucceed: false` + `inputErrors`. Both layers
 * become BackendErrors here with an HTTP-like `status`, so retry logic (`isDefiniteFailure`) and the
 * refresh-on-401 loop work as for the REST back-ends.
 */

/** One GraphQL document with its result and variables types (the query text names the operation). */
export interface WaveOperation<TData, TVariables> {
  readonly name: string;
  readonly query: string;
  /** Phantom: ties the types to the constant. */
  readonly types?: { data: TData; variables: TVariables };
}

export function operation<TData, TVariables>(name: string, query: string): WaveOperation<TData, TVariables> {
  return { name, query };
}

export interface WaveGraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; id?: string };
}

export interface WaveInputError {
  code?: string | null;
  message: string;
  path?: string[] | null;
}

/** What every Wave mutation answers. */
export interface WaveMutationResult {
  didSucceed: boolean;
  inputErrors?: WaveInputError[] | null;
}

export interface WaveGraphQLOptions {
  /** https://gql.waveapps.com/graphql/public unless pointed elsewhere (tests). */
  apiUrl: string;
  now: () => Date;
}

/**
 * `missingAt`: field paths (e.g. ["business", "invoice"]) where Wave's NOT_FOUND means "there is none":
 * the data comes back with that field null instead of an error (a deleted invoice, a business gone).
 */
export type WaveRequest = <TData, TVariables>(op: WaveOperation<TData, TVariables>, variables: TVariables, accessToken: string, missingAt?: string[][]) => Promise<TData>;

/** HTTP-like status per GraphQL error code (codes seen from Wave; rate-limit names are a guess, unconfirmed). */
function statusOfCode(code: string | undefined): number | null {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
    case 'PERMISSION_DENIED':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'GRAPHQL_PARSE_FAILED':
    case 'GRAPHQL_VALIDATION_FAILED':
    case 'BAD_USER_INPUT':
      return 400;
    case 'RATE_LIMITED':
    case 'TOO_MANY_REQUESTS':
    case 'THROTTLED':
      return 429;
    default:
      // INTERNAL_SERVER_ERROR and anything unknown: the outcome of a mutation is not known.
      return null;
  }
}

export function createWaveGraphQL(options: WaveGraphQLOptions): WaveRequest {
  return async <TData, TVariables>(op: WaveOperation<TData, TVariables>, variables: TVariables, accessToken: string, missingAt: string[][] = []): Promise<TData> => {
    const what = `Wave ${op.name}`;
    let response: Response;
    try {
      response = await fetch(options.apiUrl, {
        method: 'POST',
        headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ query: op.query, variables }),
      });
    } catch (err) {
      // No `cause`: the request carries the bearer token.
      throw backendErrorFor(`${what} failed: ${err instanceof Error ? err.message : 'no answer'}`, null, undefined);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      const retry = response.status === 429 ? retryAfterMs(response.headers.get('retry-after'), options.now()) : null;
      throw backendErrorFor(`${what} failed (${response.status})`, response.status, undefined, retry);
    }
    let body: { data?: TData | null; errors?: WaveGraphQLError[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new BackendError(`${what} answered something that is not JSON`, 'unavailable', true);
    }
    const missing = (e: WaveGraphQLError) => e.extensions?.code === 'NOT_FOUND' && missingAt.some((path) => (e.path ?? []).join('.') === path.join('.'));
    if (body.data && body.errors?.length && body.errors.every(missing)) return body.data;
    const first = body.errors?.[0];
    if (first) {
      const code = first.extensions?.code;
      const status = statusOfCode(code);
      const message = `${what} failed${code ? ` (${code})` : ''}: ${first.message}`;
      if (status === null) throw new BackendError(message, 'unavailable', true);
      throw backendErrorFor(message, status, undefined, status === 429 ? retryAfterMs(response.headers.get('retry-after'), options.now()) : null);
    }
    if (!body.data) throw new BackendError(`${what} answered without data`, 'unavailable', true);
    return body.data;
  };
}

/** A mutation's payload, or a definite refusal (400-like: Wave stored nothing) naming Wave's input errors. */
export function succeeded<T extends WaveMutationResult>(payload: T | null | undefined, what: string): T {
  if (payload?.didSucceed) return payload;
  const reasons = (payload?.inputErrors ?? []).map((e) => (e.path?.length ? `${e.path.join('.')}: ${e.message}` : e.message));
  return failWith(`Wave refused to ${what}: ${reasons.join('; ') || 'no reason given'}`);
}

function failWith(message: string): never {
  throw new BackendError(message, 'invalid', false, { status: 400 });
}

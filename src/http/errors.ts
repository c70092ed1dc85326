import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from '../log.js';
import { UnstorableError } from '../store/storable.js';
import { requestLog } from './request-id.js';

/**
 * How every route answers what goes wrong: a JSON `{error}` with the reason, never HTML, a stack trace
 * or a path. 4xx for input that will never succeed (the sender should stop), 5xx only for faults a
 * retry can fix (the database is unreachable) or a bug (500, logged).
 */
export interface Failure {
  status: number;
  reason: string;
}

/** body-parser / raw-body error types (all carry `status` and `expose`) and what they mean to the sender. */
const BODY_ERRORS: Record<string, (err: { limit?: number }) => string> = {
  'entity.too.large': (err) => `body is larger than this route accepts${err.limit ? ` (${err.limit} bytes)` : ''}`,
  'request.size.invalid': () => 'body length does not match Content-Length',
  'request.aborted': () => 'request aborted before the body was read',
  'encoding.unsupported': () => 'unsupported Content-Encoding',
  'charset.unsupported': () => 'unsupported charset',
  'entity.parse.failed': () => 'body is not valid JSON',
  'entity.verify.failed': () => 'body could not be verified',
};

/** SQLSTATE classes a retry can fix: connection exception, insufficient resources, operator intervention, rollbacks. */
const TRANSIENT_SQLSTATE = /^(08|53|57P|40001|40P01)/;
const TRANSIENT_NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
const TRANSIENT_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end/i;

export const RETRY_LATER = 'temporarily unable to store the request; please retry';
export const INTERNAL_ERROR = 'internal error';

/** What to answer for an error thrown while handling a request. */
export function classifyFailure(err: unknown): Failure {
  if (err instanceof UnstorableError) return { status: 400, reason: `cannot be stored: ${err.message}` };
  // The router's answer to a path segment that is not valid percent-encoding.
  if (err instanceof URIError) return { status: 400, reason: 'the path is not valid percent-encoding' };
  const e = (err && typeof err === 'object' ? err : {}) as { type?: unknown; status?: unknown; expose?: unknown; code?: unknown; message?: unknown; limit?: number };
  // http-errors from body-parser and the router (an undecodable path): client errors meant to be shown.
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true) {
    const describe = typeof e.type === 'string' && Object.hasOwn(BODY_ERRORS, e.type) ? BODY_ERRORS[e.type] : undefined;
    return { status: e.status, reason: describe ? describe(e) : typeof e.message === 'string' ? e.message : 'bad request' };
  }
  const code = typeof e.code === 'string' ? e.code : '';
  // SQLSTATE class 22 (data exception): invalid text, an out-of-range date, an untranslatable character.
  if (/^22[0-9A-Z]{3}$/.test(code)) return { status: 400, reason: `cannot be stored: the database refuses this data (SQLSTATE ${code})` };
  if (TRANSIENT_SQLSTATE.test(code) || TRANSIENT_NETWORK.has(code) || (typeof e.message === 'string' && TRANSIENT_MESSAGE.test(e.message))) {
    return { status: 503, reason: RETRY_LATER };
  }
  return { status: 500, reason: INTERNAL_ERROR };
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Answers a failure caught by a route; faults (5xx) are logged with their cause, refusals by `logRefusals`. */
export function answerFailure(res: Response, log: Logger, err: unknown, context: Record<string, unknown> = {}): void {
  const failure = classifyFailure(err);
  if (failure.status >= 500) requestLog(res, log).error({ ...context, err: message(err) }, 'request failed');
  if (!res.headersSent) res.status(failure.status).json({ error: failure.reason });
}

/** The last middleware: every error a route or body parser passes on becomes a JSON answer. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const route = routeOf(req.originalUrl, req.method);
    if (!res.headersSent) return answerFailure(res, log, err, { route });
    // The answer is under way and cannot become an error any more: log it and cut the connection.
    requestLog(res, log).error({ route, err: message(err) }, 'request failed after the answer began');
    req.socket.destroy();
  };
}

export const notFound: RequestHandler = (_req, res) => void res.status(404).json({ error: 'not found' });

/** `METHOD /path`, without the query string (it may carry a state, a code or a registration token). */
/**
 * The route as logged: no query, and a long token in the path (Zoho's webhook secret,
 * `/webhooks/zoho/<secret>`) replaced, so a refused delivery never writes a secret to the log.
 */
function routeOf(url: string, method: string): string {
  return `${method} ${url.split('?')[0]!.replace(/\/[\w-]{24,}(?=\/|$)/g, '/…')}`;
}

/**
 * Logs every answer of 400 or more once, when it is sent: route, status and the `{error}` reason the
 * route gave. Never a header, signature or body, so no secret reaches the log.
 */
export function logRefusals(log: Logger): RequestHandler {
  return (req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const reason = (body as { error?: unknown } | null)?.error;
      if (typeof reason === 'string') res.locals.refusalReason = reason;
      return json(body);
    };
    res.on('finish', () => {
      if (res.statusCode < 400) return;
      const entry = { route: routeOf(req.originalUrl, req.method), status: res.statusCode, reason: (res.locals.refusalReason as string | undefined) ?? null };
      if (res.statusCode >= 500) requestLog(res, log).error(entry, 'request failed');
      else requestLog(res, log).warn(entry, 'request refused');
    });
    next();
  };
}

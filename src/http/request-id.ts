import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from '../log.js';

/** An id a proxy or caller may set: short, printable, nothing that could forge a log line or a header. */
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Every request gets an id: the caller's `X-Request-Id` when it looks like one, otherwise a fresh
 * UUID. It is echoed in the response and carried by a child logger (`res.locals.log`), so each line a
 * request causes can be found together.
 */
export function requestIds(log: Logger): RequestHandler {
  return (req, res, next) => {
    const offered = req.header('x-request-id');
    const requestId = offered && SANE_ID.test(offered) ? offered : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    res.locals.requestId = requestId;
    res.locals.log = log.child({ requestId });
    next();
  };
}

/** The request's own logger when the request-id middleware ran, else `fallback`. */
export function requestLog(res: Response, fallback: Logger): Logger {
  return (res.locals.log as Logger | undefined) ?? fallback;
}

import express, { type Response } from 'express';
import { HTTPModuleFunctions, verifySlackRequest, type ExpressReceiverOptions } from '@slack/bolt';
import type { Logger } from '../log.js';
import { BODY_LIMITS, bodyBuffer } from './raw-body.js';
import { INTERNAL_ERROR } from './errors.js';
import { timestampProblem } from './signatures.js';

/** Slack's window for `X-Slack-Request-Timestamp`; Bolt enforces it only for old timestamps. */
const SLACK_WINDOW_SECONDS = 5 * 60;

/**
 * Stands in front of Bolt's ExpressReceiver on the Slack endpoint so that every refusal is a JSON
 * `{error}` with the reason (Bolt answers 401/400/413 with an empty body) and a timestamp from the
 * future is refused like a stale one (Bolt lets it through). It reads the body once within Bolt's
 * limit, verifies and parses it as Bolt will, and hands the bytes on as `req.rawBody`, which Bolt
 * reads instead of the stream. It is the only signature check: the receiver runs with
 * `signatureVerification: false` (src/app.ts), and nothing reaches Bolt's router around it.
 */
export function slackGate(signingSecret: string, endpoint: string): express.Router {
  const router = express.Router();
  router.post(endpoint, express.raw({ type: () => true, limit: BODY_LIMITS.slack, inflate: false }), (req, res, next) => {
    const raw = bodyBuffer(req.body);
    const signature = req.header('x-slack-signature');
    const timestamp = req.header('x-slack-request-timestamp');
    if (!signature) return void res.status(401).json({ error: 'missing X-Slack-Signature' });
    // Real time, as Slack signs and Bolt checks; not the business clock.
    const problem = timestampProblem(timestamp, Date.now(), SLACK_WINDOW_SECONDS);
    if (problem) return void res.status(401).json({ error: `X-Slack-Request-Timestamp: ${problem}` });
    try {
      verifySlackRequest({ signingSecret, body: raw.toString(), headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(timestamp) } });
    } catch {
      return void res.status(401).json({ error: 'X-Slack-Signature does not match' });
    }
    let parsed: unknown;
    try {
      parsed = HTTPModuleFunctions.parseHTTPRequestBody({ rawBody: raw, headers: req.headers } as Parameters<typeof HTTPModuleFunctions.parseHTTPRequestBody>[0]);
    } catch {
      parsed = null;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      return void res.status(400).json({ error: 'malformed Slack request body (expected a form or a JSON object)' });
    (req as typeof req & { rawBody?: Buffer }).rawBody = raw;
    next();
  });
  return router;
}

/** Bolt's answers when no listener acknowledged in time, or one threw before acknowledging: JSON too. */
export function slackReceiverErrorHandlers(log: Logger): Pick<ExpressReceiverOptions, 'unhandledRequestHandler' | 'processEventErrorHandler'> {
  return {
    unhandledRequestHandler: ({ response }) => {
      if (!response.headersSent) (response as unknown as Response).status(404).json({ error: 'no listener acknowledged this Slack request' });
    },
    processEventErrorHandler: async ({ error, response }) => {
      log.error({ err: error.message }, 'Slack request failed');
      if (response.headersSent) return false;
      (response as unknown as Response).status(500).json({ error: INTERNAL_ERROR });
      return true;
    },
  };
}

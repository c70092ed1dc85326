import express from 'express';
import { defaultBodyLimit } from '@slack/bolt';

/** The most each route reads (docs/setup.md, "HTTP endpoints"); a larger body is refused with 413. */
export const BODY_LIMITS = {
  /** Project tools, Stripe and the accounting back-ends send small JSON or form deliveries. */
  webhook: 1024 * 1024,
  /** Client replies carry attachments (a screenshot, a PDF); mail services forward up to 25 MB. */
  email: 25 * 1024 * 1024,
  /** Bolt's own limit for Slack requests (4 MB). */
  slack: defaultBodyLimit,
} as const;

/** Webhook routes need the exact bytes for signature checks, so they parse nothing before verifying. */
export const rawBody = express.raw({ type: () => true, limit: BODY_LIMITS.webhook });

export function bodyBuffer(body: unknown): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
}

export function parseJson(raw: Buffer): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) };
  } catch {
    return { ok: false, reason: 'body is not valid JSON' };
  }
}

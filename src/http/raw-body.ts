import express from 'express';

/** Webhook routes need the exact bytes for signature checks, so they parse nothing before verifying. */
export const rawBody = express.raw({ type: () => true, limit: '1mb' });

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

import { createHmac, timingSafeEqual } from 'node:crypto';

/** Webhook signature helpers: tiny pure functions, timing-safe compares (octokit/webhooks style). */
export function hmacDigest(algorithm: 'sha1' | 'sha256', key: string, data: string | Buffer, encoding: 'hex' | 'base64'): string {
  return createHmac(algorithm, key).update(data).digest(encoding);
}

/** Constant-time string comparison; false for different lengths. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Asana: `X-Hook-Signature` is the hex HMAC-SHA256 of the raw body with the handshake secret. */
export function verifyAsanaSignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header || !secret) return false;
  return safeEqual(hmacDigest('sha256', secret, rawBody, 'hex'), header.trim().toLowerCase());
}

/**
 * Why a signed timestamp (Unix seconds) is refused, or null when it is within `windowSeconds` of now
 * on either side: a stale one may be a replay, a future one is a replay prepared in advance.
 */
export function timestampProblem(timestamp: string | number | undefined, nowMs: number, windowSeconds: number): string | null {
  const text = String(timestamp ?? '').trim();
  if (!/^\d{1,12}$/.test(text)) return text ? 'timestamp is not a number of seconds' : 'missing timestamp';
  const skew = Number(text) - nowMs / 1000;
  if (skew < -windowSeconds) return 'stale timestamp';
  if (skew > windowSeconds) return 'timestamp is in the future';
  return null;
}

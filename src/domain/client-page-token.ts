import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Client page tokens (docs/client-page.md). A token is HMAC-SHA256(page key, salt): 256 bits, base64url.
 * The database keeps the random salt and the token's SHA-256, never the token, so a copy of the database
 * alone opens no page; with ENCRYPTION_KEY the bot can repeat the token in every email.
 */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The key tokens are made with: derived from ENCRYPTION_KEY for this one purpose (HKDF), never the key itself. */
export function clientPageKey(encryptionKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'duebot client page links v1', 32));
}

/** A fresh salt for a new link (128 random bits). */
export const newSalt = (): string => randomBytes(16).toString('base64url');

export const tokenFor = (key: Buffer, salt: string): string => createHmac('sha256', key).update(salt).digest('base64url');

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The shape of a token; anything else is refused before the database is asked. */
export const looksLikeToken = (text: string): boolean => TOKEN.test(text);

/** Compares the digests in constant time: the answer's timing says nothing about how close a guess was. */
export const sameToken = (presented: string, expected: string): boolean =>
  timingSafeEqual(createHash('sha256').update(presented).digest(), createHash('sha256').update(expected).digest());

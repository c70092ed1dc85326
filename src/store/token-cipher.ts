import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for OAuth tokens at rest. Each value gets its own random 12-byte nonce; the stored
 * text is `v1.<nonce>.<tag>.<ciphertext>` (base64url), so a tampered value or a wrong key fails the
 * authentication tag instead of decrypting to garbage. The key itself never leaves this object.
 */
export interface TokenCipher {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

export class TokenCipherError extends Error {
  override readonly name = 'TokenCipherError';
}

/** `ENCRYPTION_KEY` text → 32 raw bytes (64 hex digits or base64 of 32 bytes), or null when it is neither. */
export function parseEncryptionKey(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const bytes = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return bytes.length === 32 ? bytes : null;
  }
  return null;
}

export function createTokenCipher(key: Buffer): TokenCipher {
  if (key.length !== 32) throw new TokenCipherError('the encryption key must be 32 bytes');
  const secret = Buffer.from(key);
  return {
    encrypt(plain) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', secret, nonce);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', nonce.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    decrypt(sealed) {
      const [version, nonce, tag, body] = sealed.split('.');
      if (version !== 'v1' || nonce === undefined || tag === undefined || body === undefined) throw new TokenCipherError('not a sealed token');
      try {
        const decipher = createDecipheriv('aes-256-gcm', secret, Buffer.from(nonce, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        // No detail: the cause is a wrong key or a changed value, and neither should leak anything.
        throw new TokenCipherError('token could not be decrypted (wrong ENCRYPTION_KEY or tampered value)');
      }
    },
  };
}

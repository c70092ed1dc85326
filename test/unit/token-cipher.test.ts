import { randomBytes } from 'node:crypto';
import { createTokenCipher, parseEncryptionKey, TokenCipherError } from '../../src/store/token-cipher.js';

const key = randomBytes(32);

test('round trip; the same plain text seals differently each time', () => {
  const cipher = createTokenCipher(key);
  const a = cipher.encrypt('AB11-refresh-token-ü');
  const b = cipher.encrypt('AB11-refresh-token-ü');
  expect(a).not.toBe(b);
  expect(a).not.toContain('refresh');
  expect(cipher.decrypt(a)).toBe('AB11-refresh-token-ü');
  expect(cipher.decrypt(b)).toBe('AB11-refresh-token-ü');
});

test('a tampered value fails the authentication tag', () => {
  const cipher = createTokenCipher(key);
  const sealed = cipher.encrypt('secret-token');
  const parts = sealed.split('.');
  const body = Buffer.from(parts[3]!, 'base64url');
  body[0] = body[0]! ^ 1;
  parts[3] = body.toString('base64url');
  expect(() => cipher.decrypt(parts.join('.'))).toThrow(TokenCipherError);
  expect(() => cipher.decrypt('not-sealed')).toThrow(TokenCipherError);
});

test('a wrong key cannot decrypt, and the error names no secret', () => {
  const sealed = createTokenCipher(key).encrypt('secret-token');
  const err = (() => {
    try {
      createTokenCipher(randomBytes(32)).decrypt(sealed);
    } catch (e) {
      return e as Error;
    }
    return null;
  })();
  expect(err).toBeInstanceOf(TokenCipherError);
  expect(err!.message).not.toContain('secret-token');
});

test('keys are 32 bytes as hex or base64', () => {
  expect(parseEncryptionKey(key.toString('hex'))).toEqual(key);
  expect(parseEncryptionKey(key.toString('base64'))).toEqual(key);
  expect(parseEncryptionKey(key.toString('base64url'))).toEqual(key);
  expect(parseEncryptionKey(randomBytes(16).toString('hex'))).toBeNull();
  expect(parseEncryptionKey(randomBytes(16).toString('base64'))).toBeNull();
  expect(parseEncryptionKey('correct horse battery staple')).toBeNull();
  expect(() => createTokenCipher(randomBytes(16))).toThrow('32 bytes');
});

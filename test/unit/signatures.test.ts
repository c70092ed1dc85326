import { hmacDigest, safeEqual, verifyAsanaSignature } from '../../src/http/signatures.js';

describe('webhook signatures', () => {
  const secret = 'hook-secret';
  const body = Buffer.from('{"events":[{"action":"changed","resource":{"gid":"1203"}}]}');
  const good = hmacDigest('sha256', secret, body, 'hex');
  const tamperedBody = Buffer.from(body.toString('utf8').replace('1203', '1204'));

  test.each([
    ['the right signature', body, good, true],
    ['upper-case hex', body, good.toUpperCase(), true],
    ['surrounding whitespace from a proxy', body, ` ${good}\n`, true],
    ['a signature from another secret', body, hmacDigest('sha256', 'other', body, 'hex'), false],
    ['a tampered body under the original signature', tamperedBody, good, false],
    ['a base64 digest instead of hex', body, hmacDigest('sha256', secret, body, 'base64'), false],
    ['a SHA-1 digest', body, hmacDigest('sha1', secret, body, 'hex'), false],
    ['a truncated signature', body, good.slice(0, 20), false],
    ['a same-length non-hex string', body, 'z'.repeat(good.length), false],
    ['a header with a sha256= prefix', body, `sha256=${good}`, false],
    ['no signature', body, undefined, false],
    ['an empty signature', body, '', false],
  ])('Asana: %s', (_label, raw, header, expected) => {
    expect(verifyAsanaSignature(secret, raw, header)).toBe(expected);
  });

  test('no secret never verifies, even against a digest made with the empty key', () => {
    expect(verifyAsanaSignature('', body, hmacDigest('sha256', '', body, 'hex'))).toBe(false);
  });

  test.each([
    ['equal', 'abc', 'abc', true],
    ['one character differs', 'abc', 'abd', false],
    ['longer right side', 'abc', 'abcd', false],
    ['longer left side', 'abcd', 'abc', false],
    ['both empty', '', '', true],
    ['multi-byte vs ascii of the same string length', 'é', 'e', false],
  ])('safeEqual: %s', (_label, a, b, expected) => {
    expect(safeEqual(a, b)).toBe(expected);
  });

  test('hmacDigest matches RFC 4231 test case 2 and openssl (sha1, base64)', () => {
    expect(hmacDigest('sha256', 'Jefe', 'what do ya want for nothing?', 'hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(hmacDigest('sha1', 'k', 'data', 'base64')).toBe('lw3CJvIePCdAJLmp9cy/j+SsqqA=');
  });

  test('a Buffer and its UTF-8 string sign the same', () => {
    const text = '{"name":"Café ✓"}';
    expect(hmacDigest('sha256', secret, Buffer.from(text, 'utf8'), 'hex')).toBe(hmacDigest('sha256', secret, text, 'hex'));
  });
});

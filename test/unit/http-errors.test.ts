import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import createError from 'http-errors';
import { pino } from 'pino';
import pg from 'pg';
import { classifyFailure, errorHandler, INTERNAL_ERROR, logRefusals, notFound, RETRY_LATER } from '../../src/http/errors.js';
import { timestampProblem } from '../../src/http/signatures.js';
import { assertStorable, unstorableReason, UnstorableError } from '../../src/store/storable.js';
import { ownValue } from '../../src/own-key.js';

const pgError = (code: string, message = 'x') => Object.assign(new pg.DatabaseError(message, 0, 'error'), { code });
const system = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });

describe('classifyFailure: 4xx for input that never succeeds, 503 for what a retry fixes', () => {
  test.each<[string, unknown, number, string | RegExp]>([
    ['a payload with a NUL', new UnstorableError('a NUL character (\\u0000) in text'), 400, 'cannot be stored: a NUL character (\\u0000) in text'],
    [
      'a body over the limit',
      createError(413, 'request entity too large', { type: 'entity.too.large', limit: 1048576 }),
      413,
      'body is larger than this route accepts (1048576 bytes)',
    ],
    ['an unknown Content-Encoding', createError(415, 'unsupported content encoding "zz"', { type: 'encoding.unsupported' }), 415, 'unsupported Content-Encoding'],
    ['an unsupported charset', createError(415, 'unsupported charset "UTF-7"', { type: 'charset.unsupported' }), 415, 'unsupported charset'],
    ['an aborted upload', createError(400, 'request aborted', { type: 'request.aborted' }), 400, 'request aborted before the body was read'],
    ['an exposed client error', createError(400, 'invalid query'), 400, 'invalid query'],
    ['a path that does not decode', Object.assign(new URIError("Failed to decode param '%E0%A4%A'"), { status: 400 }), 400, 'the path is not valid percent-encoding'],
    ['an upstream API error carrying its 404 (not exposed)', Object.assign(new Error('Request failed with status code 404'), { status: 404 }), 500, INTERNAL_ERROR],
    ['SQLSTATE 22021 (invalid byte sequence, a NUL in text)', pgError('22021'), 400, /^cannot be stored: .*22021/],
    ['SQLSTATE 22P05 (untranslatable character in jsonb)', pgError('22P05'), 400, /^cannot be stored/],
    ['SQLSTATE 22008 (datetime field overflow)', pgError('22008'), 400, /^cannot be stored/],
    ['SQLSTATE 08006 (connection failure)', pgError('08006'), 503, RETRY_LATER],
    ['SQLSTATE 57P01 (administrator shut the server down)', pgError('57P01'), 503, RETRY_LATER],
    ['SQLSTATE 53300 (too many connections)', pgError('53300'), 503, RETRY_LATER],
    ['SQLSTATE 40001 (serialization failure)', pgError('40001'), 503, RETRY_LATER],
    ['the server refusing connections', system('ECONNREFUSED'), 503, RETRY_LATER],
    ['a connection cut mid-query', new Error('Connection terminated unexpectedly'), 503, RETRY_LATER],
    ['SQLSTATE 23505 (a bug: unique violation)', pgError('23505'), 500, INTERNAL_ERROR],
    ['SQLSTATE 42P01 (a bug: missing table)', pgError('42P01'), 500, INTERNAL_ERROR],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'x')"), 500, INTERNAL_ERROR],
    ['a server-side http-error (not exposed)', createError(500, 'stream encoding should not be set', { type: 'stream.encoding.set' }), 500, INTERNAL_ERROR],
    ['a thrown string', 'boom', 500, INTERNAL_ERROR],
  ])('%s', (_name, err, status, reason) => {
    const failure = classifyFailure(err);
    expect(failure.status).toBe(status);
    if (typeof reason === 'string') expect(failure.reason).toBe(reason);
    else expect(failure.reason).toMatch(reason);
    expect(failure.reason).not.toMatch(/\/work\/|\n\s+at /);
  });
});

describe('unstorableReason: what PostgreSQL text and jsonb refuse', () => {
  test.each<[string, unknown, string | null]>([
    ['plain text, emoji and accents', { from: 'a@b.example', text: 'Voilà 👍 ✓', n: 3, list: ['x', null, true] }, null],
    ['a NUL in a nested field', { email: { headers: { Subject: 'hi\u0000there' } } }, 'a NUL character (\\u0000) in email.headers.Subject'],
    ['a NUL in an array item', { lines: [{ description: 'ok' }, { description: '\u0000' }] }, 'a NUL character (\\u0000) in lines.1.description'],
    ['a NUL in a field name', { ['bad\u0000key']: 'x' }, 'a NUL character (\\u0000) in a field name under the top level'],
    ['a lone high surrogate', { text: 'abc\uD83D' }, 'a lone UTF-16 surrogate in text'],
    ['a lone low surrogate', { text: '\uDC4Dabc' }, 'a lone UTF-16 surrogate in text'],
    ['a bare string with a NUL', 'x\u0000', 'a NUL character (\\u0000) in the value'],
  ])('%s', (_name, value, reason) => {
    expect(unstorableReason(value)).toBe(reason);
  });

  test('assertStorable throws UnstorableError only for unstorable values', () => {
    expect(() => assertStorable({ ok: 'fine' })).not.toThrow();
    expect(() => assertStorable({ bad: '\u0000' })).toThrow(UnstorableError);
  });

  test('deeply nested values are walked without recursion', () => {
    let deep: unknown = '\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(unstorableReason(deep)).toMatch(/^a NUL character/);
  });
});

describe('timestampProblem: stale and future timestamps alike', () => {
  const now = Date.UTC(2026, 11, 3, 8, 0, 0);
  const seconds = now / 1000;
  test.each<[string, string | number | undefined, string | null]>([
    ['now', seconds, null],
    ['just inside the window, behind', seconds - 300, null],
    ['just inside the window, ahead', String(seconds + 300), null],
    ['one second too old', seconds - 301, 'stale timestamp'],
    ['one second too far ahead', seconds + 301, 'timestamp is in the future'],
    ['a year ahead', seconds + 365 * 86400, 'timestamp is in the future'],
    ['missing', undefined, 'missing timestamp'],
    ['empty', '', 'missing timestamp'],
    ['NaN', 'NaN', 'timestamp is not a number of seconds'],
    ['negative', '-5', 'timestamp is not a number of seconds'],
    ['milliseconds-sized', String(now * 1000), 'timestamp is not a number of seconds'],
    ['a fraction', '1700000000.5', 'timestamp is not a number of seconds'],
  ])('%s', (_name, timestamp, problem) => {
    expect(timestampProblem(timestamp, now, 300)).toBe(problem);
  });
});

describe('ownValue: names from outside never find inherited members', () => {
  const tools: Record<string, string> = { clickup: 'ClickUp', trello: 'Trello' };
  test.each([
    ['clickup', 'ClickUp'],
    ['__proto__', undefined],
    ['constructor', undefined],
    ['toString', undefined],
    ['hasOwnProperty', undefined],
    ['unknown', undefined],
  ])('%s', (name, expected) => {
    expect(ownValue(tools, name)).toBe(expected);
  });
});

describe('one refusal log line per refused request, and JSON for thrown errors', () => {
  const lines: Record<string, unknown>[] = [];
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const app = express();
    app.use(logRefusals(log));
    app.post('/refuse', (_req, res) => void res.status(401).json({ error: 'X-Signature does not match' }));
    app.post('/ok', (_req, res) => void res.status(200).json({ accepted: 1 }));
    app.post('/limited', express.raw({ type: () => true, limit: 10 }), (_req, res) => void res.json({ read: true }));
    app.get('/throws', () => {
      throw new TypeError('secret internals at /work/src/x.ts');
    });
    app.use(notFound);
    app.use(errorHandler(log));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => void lines.splice(0));

  const signed = { 'x-signature': 'sig-value-never-logged', authorization: 'Bearer token-never-logged' };

  test('a 4xx is logged once with route, status and reason; never headers, query or body', async () => {
    const res = await fetch(`${url}/refuse?hook=registration-token`, { method: 'POST', headers: signed, body: 'body-never-logged' });
    expect([res.status, await res.json()]).toEqual([401, { error: 'X-Signature does not match' }]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([expect.objectContaining({ level: 40, route: 'POST /refuse', status: 401, reason: 'X-Signature does not match', msg: 'request refused' })]);
    expect(JSON.stringify(lines)).not.toMatch(/never-logged|registration-token/);
  });

  test('a secret in the path (a Zoho webhook URL) is not logged', async () => {
    const secret = 'zohoSecret_0123456789abcdefghijklmnop';
    expect((await fetch(`${url}/webhooks/zoho/${secret}`, { method: 'POST', body: '{}' })).status).toBe(404);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([expect.objectContaining({ route: 'POST /webhooks/zoho/…', status: 404 })]);
    expect(JSON.stringify(lines)).not.toContain(secret);
  });

  test('a success is not logged', async () => {
    expect((await fetch(`${url}/ok`, { method: 'POST', body: '{}' })).status).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([]);
  });

  test('a body over the limit is a JSON 413, logged once', async () => {
    const res = await fetch(`${url}/limited`, { method: 'POST', body: 'x'.repeat(11) });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect([res.status, await res.json()]).toEqual([413, { error: 'body is larger than this route accepts (10 bytes)' }]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([expect.objectContaining({ route: 'POST /limited', status: 413 })]);
  });

  test('a thrown error is a generic JSON 500: its cause goes to the log, not to the client', async () => {
    const res = await fetch(`${url}/throws`);
    const text = await res.text();
    expect([res.status, res.headers.get('content-type'), JSON.parse(text)]).toEqual([500, expect.stringMatching(/^application\/json/), { error: INTERNAL_ERROR }]);
    expect(text).not.toMatch(/secret internals|\/work\//);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([
      expect.objectContaining({ level: 50, route: 'GET /throws', err: 'secret internals at /work/src/x.ts', msg: 'request failed' }),
      expect.objectContaining({ level: 50, route: 'GET /throws', status: 500, reason: INTERNAL_ERROR }),
    ]);
  });

  test('an unknown path is a JSON 404', async () => {
    const res = await fetch(`${url}/__proto__`);
    expect([res.status, await res.json()]).toEqual([404, { error: 'not found' }]);
  });
});

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { requestIds, requestLog } from '../../src/http/request-id.js';
import { logRefusals } from '../../src/http/errors.js';

describe('request ids', () => {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => void (lines.push(JSON.parse(String(chunk))), done()) }));
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const web = express();
    web.use(requestIds(log), logRefusals(log));
    web.get('/work', (_req, res) => {
      requestLog(res, log).info('working');
      res.status(400).json({ error: 'bad input' });
    });
    server = await new Promise<Server>((resolve) => {
      const s = web.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/work`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => void lines.splice(0));

  test('a sane X-Request-Id is kept, echoed and carried by every line of the request', async () => {
    const res = await fetch(url, { headers: { 'X-Request-Id': 'lb-7f3a.42:1' } });
    expect(res.headers.get('x-request-id')).toBe('lb-7f3a.42:1');
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.msg, l.requestId])).toEqual([
      ['working', 'lb-7f3a.42:1'],
      ['request refused', 'lb-7f3a.42:1'],
    ]);
  });

  test.each([
    ['missing', undefined],
    ['too long', 'a'.repeat(129)],
    ['with spaces and quotes', 'x" y'],
    ['empty', ''],
  ])('an id that is %s is replaced by a fresh UUID', async (_what, offered) => {
    const res = await fetch(url, { headers: offered === undefined ? {} : { 'X-Request-Id': offered } });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await new Promise((r) => setImmediate(r));
    expect(lines.every((l) => l.requestId === id)).toBe(true);
  });
});

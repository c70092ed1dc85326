import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A minimal HTTP server for the local stand-ins: raw body collected, one handler for everything. */
export interface StubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

/** `drop`: cut the connection instead of answering (the caller cannot tell whether the request ran). */
export type StubReply = { status: number; body?: unknown; headers?: Record<string, string>; drop?: boolean };

export async function startStub(handler: (req: StubRequest) => StubReply | Promise<StubReply>): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      Promise.resolve(handler({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }))
        .then((reply) => {
          if (reply.drop) {
            req.socket.destroy();
            return;
          }
          // Bytes (a PDF) go out as they are, with the reply's own content-type.
          if (Buffer.isBuffer(reply.body)) {
            res.writeHead(reply.status, { 'content-type': 'application/octet-stream', ...(reply.headers ?? {}) });
            res.end(reply.body);
            return;
          }
          const isText = typeof reply.body === 'string';
          res.writeHead(reply.status, { 'content-type': isText ? 'text/html; charset=utf-8' : 'application/json', ...(reply.headers ?? {}) });
          res.end(reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body));
        })
        .catch((err: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: String(err) }));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * How long the test helpers wait for something the bot does asynchronously. Generous on purpose: it
 * costs nothing when the bot is on time and keeps a loaded 2-core CI machine from failing a test.
 */
export const WAIT_MS = 15_000;

/** Polls until `probe` yields something truthy (sync or async), or fails with a useful message. */
export async function waitFor<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = WAIT_MS, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  // Quick conditions are seen within milliseconds; a long wait polls every 50 ms, since most probes query
  // the database and polling it every 10 ms cost about a tenth of an end-to-end file's CPU.
  for (let pause = 5; ; pause = Math.min(pause * 2, 50)) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pause));
  }
}

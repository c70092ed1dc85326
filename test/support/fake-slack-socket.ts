import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { waitFor } from './http-stub.js';

/**
 * Local stand-in for Slack's Socket Mode socket (wss://wss-primary.slack.com/link/?ticket=…), served on the
 * fake Web API's own port: apps.connections.open hands out a one-use ticket URL, the client connects,
 * gets `hello`, then envelopes `{envelope_id, type, payload, accepts_response_payload}` that it acks with
 * `{envelope_id, payload}`. Slack also pings (the client must pong) and may ask for a refresh with
 * `{"type":"disconnect","reason":"refresh_requested"}`, after which the client opens a new connection.
 */
export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface FakeSlackSocket {
  /** The app-level tokens apps.connections.open was called with, one per connection handed out. */
  openedWith: string[];
  /** Connections that completed the WebSocket handshake, ever, and those still open. */
  connections: number;
  openConnections(): number;
  /** Pongs received in answer to Slack's pings, and close codes the client sent. */
  pongs: string[];
  closes: number[];
  acks: SocketAck[];
  /** Answers apps.connections.open: a fresh ticket URL (null: not an app-level token). */
  open(authorization: string | undefined): string | null;
  /** Sends one envelope on the newest open connection and waits for its ack. */
  deliver(type: EnvelopeType, payload: Record<string, unknown>, acceptsResponsePayload: boolean): Promise<SocketAck>;
  /** Asks the client to reconnect, as Slack does every few hours. */
  requestRefresh(): void;
  waitForConnections(count: number): Promise<void>;
  /** Ends every connection (a test's bot should already have closed its own). */
  close(): void;
}

export function attachFakeSlackSocket(server: Server, port: number): FakeSlackSocket {
  const tickets = new Set<string>();
  const live: WebSocket[] = [];
  const sockets = new WebSocketServer({ noServer: true });
  const isOpen = (ws: WebSocket) => ws.readyState === ws.OPEN;
  const fake: FakeSlackSocket = {
    openedWith: [],
    connections: 0,
    pongs: [],
    closes: [],
    acks: [],
    openConnections: () => live.filter(isOpen).length,
    open(authorization) {
      const token = /^Bearer (xapp-\S+)$/.exec(authorization ?? '')?.[1];
      if (!token) return null;
      fake.openedWith.push(token);
      const ticket = randomUUID();
      tickets.add(ticket);
      return `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=A0DUEBOT`;
    },
    async deliver(type, payload, acceptsResponsePayload) {
      const connection = live.filter(isOpen).at(-1);
      if (!connection) throw new Error('no open Socket Mode connection');
      const envelopeId = randomUUID();
      const envelope = {
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: acceptsResponsePayload,
        ...(type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}),
      };
      connection.send(JSON.stringify(envelope));
      return waitFor(() => fake.acks.find((a) => a.envelope_id === envelopeId), undefined, `the ack of a ${type} envelope`);
    },
    requestRefresh() {
      for (const ws of live.filter(isOpen)) ws.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'applink-fake' } }));
    },
    async waitForConnections(count) {
      await waitFor(() => live.some(isOpen) && fake.connections >= count, undefined, `${count} Socket Mode connection(s)`);
    },
    close() {
      for (const ws of sockets.clients) ws.terminate();
      sockets.close();
    },
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    // A ticket is good for one connection, like Slack's.
    if (url.pathname !== '/link/' || !tickets.delete(url.searchParams.get('ticket') ?? '')) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => {
      live.push(ws);
      fake.connections += 1;
      ws.on('pong', (data) => fake.pongs.push(data.toString()));
      ws.on('close', (code) => fake.closes.push(code));
      ws.on('message', (data) => fake.acks.push(JSON.parse(data.toString()) as SocketAck));
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: live.filter(isOpen).length,
          debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 },
          connection_info: { app_id: 'A0DUEBOT' },
        }),
      );
      ws.ping(`ping ${fake.connections}`);
    });
  });
  return fake;
}

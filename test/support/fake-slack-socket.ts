import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { waitFor } from './http-stub.js';

/**
 * Local stand-in for Slack's Socket Mode socket (wss://wss-primary.slack.com/link/?ticket=…), served on the
 * fake Web API's own port: apps.connections.open hands out a one-use ticket URL, the client connects,
 * gets `hello`, then envelopes `{envelope_id, type, payload, accepts_response_payload}` that it acks with
 * `{envelope_id, payload}`. Slack also pings (the client must pong) and may ask for a refresh with
 * `{"type":"disconnect","reason":"refresh_requested"}`, after which the client opens a new connection.
 *
 * The WebSocket framing (RFC 6455) is written out here because no WebSocket server package is installed
 * (@slack/socket-mode 3 connects with undici's client); `ws` as a devDependency would replace it.
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

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP = { text: 0x1, close: 0x8, ping: 0x9, pong: 0xa } as const;

interface Connection {
  socket: Duplex;
  open: boolean;
  send(opcode: number, data: Buffer | string): void;
}

export function attachFakeSlackSocket(server: Server, port: number): FakeSlackSocket {
  const tickets = new Set<string>();
  const live: Connection[] = [];
  const all = new Set<Duplex>();
  const fake: FakeSlackSocket = {
    openedWith: [],
    connections: 0,
    pongs: [],
    closes: [],
    acks: [],
    openConnections: () => live.filter((c) => c.open).length,
    open(authorization) {
      const token = /^Bearer (xapp-\S+)$/.exec(authorization ?? '')?.[1];
      if (!token) return null;
      fake.openedWith.push(token);
      const ticket = randomUUID();
      tickets.add(ticket);
      return `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=A0DUEBOT`;
    },
    async deliver(type, payload, acceptsResponsePayload) {
      const connection = live.filter((c) => c.open).at(-1);
      if (!connection) throw new Error('no open Socket Mode connection');
      const envelopeId = randomUUID();
      const envelope = { envelope_id: envelopeId, type, payload, accepts_response_payload: acceptsResponsePayload, ...(type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}) };
      connection.send(OP.text, JSON.stringify(envelope));
      return waitFor(() => fake.acks.find((a) => a.envelope_id === envelopeId), undefined, `the ack of a ${type} envelope`);
    },
    requestRefresh() {
      for (const c of live.filter((x) => x.open)) c.send(OP.text, JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'applink-fake' } }));
    },
    async waitForConnections(count) {
      await waitFor(() => live.filter((c) => c.open).length > 0 && fake.connections >= count, undefined, `${count} Socket Mode connection(s)`);
    },
    close() {
      for (const socket of all) socket.destroy();
    },
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    all.add(socket);
    socket.on('close', () => all.delete(socket));
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://fake');
    const ticket = url.searchParams.get('ticket') ?? '';
    const key = req.headers['sec-websocket-key'];
    // A ticket is good for one connection, like Slack's.
    if (url.pathname !== '/link/' || !tickets.delete(ticket) || typeof key !== 'string' || req.headers.upgrade?.toLowerCase() !== 'websocket') {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const accept = createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    const connection: Connection = {
      socket,
      open: true,
      send(opcode, data) {
        if (!connection.open && opcode !== OP.close) return;
        socket.write(frame(opcode, typeof data === 'string' ? Buffer.from(data) : data));
      },
    };
    live.push(connection);
    fake.connections += 1;
    socket.on('close', () => {
      connection.open = false;
    });
    if (head.length) socket.unshift(head);
    readFrames(socket, (opcode, data) => {
      if (opcode === OP.ping) connection.send(OP.pong, data);
      else if (opcode === OP.pong) fake.pongs.push(data.toString());
      else if (opcode === OP.close) {
        const code = data.length >= 2 ? data.readUInt16BE(0) : 1005;
        fake.closes.push(code);
        if (connection.open) connection.send(OP.close, data.subarray(0, 2));
        connection.open = false;
        socket.end();
      } else if (opcode === OP.text) {
        fake.acks.push(JSON.parse(data.toString()) as SocketAck);
      }
    });
    connection.send(OP.text, JSON.stringify({ type: 'hello', num_connections: live.filter((c) => c.open).length, debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 }, connection_info: { app_id: 'A0DUEBOT' } }));
    connection.send(OP.ping, `ping ${fake.connections}`);
  });
  return fake;
}

/** One unfragmented, unmasked frame (the server side never masks). */
function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.alloc(2) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = 0x80 | opcode;
  if (length < 126) header[1] = length;
  else if (length < 65536) {
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** Parses the client's frames (always masked, per RFC 6455), joining fragmented messages. */
function readFrames(socket: Duplex, onMessage: (opcode: number, data: Buffer) => void): void {
  let buffered = Buffer.alloc(0);
  let fragments: { opcode: number; parts: Buffer[] } | null = null;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      if (buffered.length < 2) return;
      const fin = (buffered[0]! & 0x80) !== 0;
      const opcode = buffered[0]! & 0x0f;
      const masked = (buffered[1]! & 0x80) !== 0;
      let length = buffered[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffered.length < 4) return;
        length = buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffered.length < 10) return;
        length = Number(buffered.readBigUInt64BE(2));
        offset = 10;
      }
      if (!masked) {
        socket.destroy(); // a client frame without a mask is a protocol error
        return;
      }
      if (buffered.length < offset + 4 + length) return;
      const mask = buffered.subarray(offset, offset + 4);
      const data = Buffer.from(buffered.subarray(offset + 4, offset + 4 + length));
      for (let i = 0; i < data.length; i++) data[i]! ^= mask[i % 4]!;
      buffered = buffered.subarray(offset + 4 + length);
      if (opcode >= 0x8) onMessage(opcode, data); // control frames may arrive between fragments
      else if (opcode !== 0 && fin) onMessage(opcode, data);
      else {
        fragments = opcode !== 0 ? { opcode, parts: [data] } : fragments && { ...fragments, parts: [...fragments.parts, data] };
        if (fin && fragments) {
          onMessage(fragments.opcode, Buffer.concat(fragments.parts));
          fragments = null;
        }
      }
    }
  });
}

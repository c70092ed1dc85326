import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { simpleParser, type AddressObject } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { WAIT_MS } from './http-stub.js';

/** One message as the local SMTP server received and parsed it. */
export interface ReceivedEmail {
  /** Address from the From header. */
  from: string;
  /** Envelope recipients the server accepted (RCPT TO), so Bcc-style delivery is visible too. */
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  replyTo: string | null;
  /** Raw header values by lower-case name (unfolded; a repeated header keeps its last value). */
  headers: Record<string, string>;
  /** Attachments as decoded from the MIME parts (bytes exactly as sent). */
  attachments: { filename: string | null; contentType: string; content: Buffer; cid: string | null }[];
  /** The message exactly as it came over DATA (dot-unstuffed), e.g. to verify a DKIM signature. */
  raw: Buffer;
  receivedAt: Date;
}

export interface FakeSmtp {
  /** `smtp://user:pass@127.0.0.1:PORT` when credentials are required, otherwise `smtp://127.0.0.1:PORT`. */
  url: string;
  port: number;
  messages: ReceivedEmail[];
  /** SMTP sessions opened so far (shows whether a client pools its connections). */
  readonly connections: number;
  /** Resolves with the first stored message matching `predicate`, now or as soon as one arrives. */
  waitFor(predicate: (m: ReceivedEmail) => boolean, timeoutMs?: number): Promise<ReceivedEmail>;
  /** Refuses the next `count` messages at RCPT TO with `code` (550 permanent, 4xx transient). */
  rejectNext(count: number, code?: number): void;
  /** Refuses this recipient at RCPT TO in every message from now on (a mailbox that does not exist). */
  rejectRecipient(address: string, code?: number, reply?: string): void;
  /** Holds each message's 250 reply this long (0: answer at once), as a slow mail server would. */
  delayReplies(ms: number): void;
  close(): Promise<void>;
}

const addresses = (a: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => v.address ?? '')).filter(Boolean);

/** A real SMTP server on 127.0.0.1 (no TLS) that parses and keeps every message: tests and the demo. */
export async function startFakeSmtp(options: { user?: string; pass?: string } = {}): Promise<FakeSmtp> {
  const messages: ReceivedEmail[] = [];
  let rejections = { left: 0, code: 550 };
  let connections = 0;
  let replyDelayMs = 0;
  // Rejection is decided per message (at MAIL FROM) so every recipient of a refused message is refused.
  const refusing = new Set<string>();
  const deadMailboxes = new Map<string, { code: number; reply: string }>();

  const serverOptions: SMTPServerOptions = {
    disabledCommands: ['STARTTLS'],
    authOptional: options.user === undefined,
    allowInsecureAuth: true,
    logger: false,
    // Closing must not wait 30 s for clients (a pooled mailer) that keep idle connections open.
    closeTimeout: 100,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onAuth(auth, _session, callback) {
      if (options.user === undefined || (auth.username === options.user && auth.password === (options.pass ?? ''))) {
        callback(null, { user: auth.username });
      } else {
        callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      }
    },
    onMailFrom(_address, session, callback) {
      refusing.delete(session.id);
      if (rejections.left > 0) {
        rejections.left -= 1;
        refusing.add(session.id);
      }
      callback();
    },
    onRcptTo(address, session, callback) {
      const dead = deadMailboxes.get(address.address.toLowerCase());
      if (dead) {
        callback(Object.assign(new Error(dead.reply), { responseCode: dead.code }));
        return;
      }
      if (refusing.has(session.id)) {
        callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: rejections.code }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      new Promise<Buffer>((resolve, reject) => {
        stream.on('end', () => resolve(Buffer.concat(chunks)));
        stream.on('error', reject);
      })
        .then(async (raw) => ({ raw, mail: await simpleParser(raw) }))
        .then(({ raw, mail }) => {
          const headers: Record<string, string> = {};
          for (const { key, line } of mail.headerLines)
            headers[key] = line
              .slice(line.indexOf(':') + 1)
              .replace(/\r?\n[ \t]+/g, ' ')
              .trim();
          const refs = mail.references;
          const received: ReceivedEmail = {
            from: addresses(mail.from)[0] ?? '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
            messageId: mail.messageId ?? '',
            inReplyTo: mail.inReplyTo ?? null,
            references: Array.isArray(refs) ? refs : refs ? [refs] : [],
            replyTo: addresses(mail.replyTo)[0] ?? null,
            headers,
            attachments: mail.attachments.map((a) => ({ filename: a.filename ?? null, contentType: a.contentType, content: a.content, cid: a.cid ?? null })),
            raw,
            receivedAt: new Date(),
          };
          // Stored only once the 250 reply is on its way, so a waiter never sees a message the client
          // has not yet been told was accepted.
          const accept = () => {
            callback();
            messages.push(received);
          };
          if (replyDelayMs > 0) setTimeout(accept, replyDelayMs);
          else accept();
        })
        .catch((err: Error) => callback(err));
    },
    onClose(session) {
      refusing.delete(session.id);
    },
  };

  const server = new SMTPServer(serverOptions);
  // A client killed mid-message (the crash trials SIGKILL bot processes while they send) resets its socket:
  // smtp-server re-emits that as an 'error' event, which without a listener would crash the test run. A real
  // server logs it and carries on; the half-sent message is never stored, as there.
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  const auth = options.user !== undefined ? `${encodeURIComponent(options.user)}:${encodeURIComponent(options.pass ?? '')}@` : '';

  return {
    url: `smtp://${auth}127.0.0.1:${port}`,
    port,
    messages,
    get connections() {
      return connections;
    },
    waitFor(predicate, timeoutMs = WAIT_MS) {
      return new Promise<ReceivedEmail>((resolve, reject) => {
        const finish = (outcome: () => void) => {
          clearTimeout(timer);
          clearInterval(poll);
          outcome();
        };
        // Polled rather than woken on arrival: predicates may also read state outside the mailbox.
        const check = () => {
          try {
            const found = messages.find(predicate);
            if (found) finish(() => resolve(found));
          } catch (err) {
            finish(() => reject(err));
          }
        };
        const timer = setTimeout(() => {
          const seen = messages.map((m) => JSON.stringify(m.subject)).join(', ') || 'none';
          finish(() => reject(new Error(`fake SMTP: no matching email within ${timeoutMs} ms; received: ${seen}`)));
        }, timeoutMs);
        const poll = setInterval(check, 10);
        check();
      });
    },
    rejectNext(count, code = 550) {
      rejections = { left: count, code };
    },
    rejectRecipient(address, code = 550, reply = '5.1.1 Mailbox does not exist') {
      deadMailboxes.set(address.toLowerCase(), { code, reply });
    },
    delayReplies(ms) {
      replyDelayMs = ms;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

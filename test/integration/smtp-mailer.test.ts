import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createSmtpMailer, MailError, newMessageId } from '../../src/providers/mail/smtp.js';
import type { Mailer } from '../../src/providers/mail/mailer.js';
import { startFakeSmtp, type FakeSmtp } from '../support/fake-smtp.js';
import { countingMailer, Metrics } from '../../src/metrics.js';
import { parseMetrics } from '../support/prometheus-text.js';

const email = (n = 0) => ({
  kind: 'invoice' as const,
  to: ['ap@acme.example', 'cfo@acme.example'],
  subject: `Invoice ${n}`,
  text: `Plain ${n}`,
  html: `<p>Html ${n}</p>`,
  messageId: newMessageId('pixel.example', `inv-${n}`),
});

/** A bare TCP server speaking just enough SMTP to take a message body and then drop the connection. */
async function startDroppingServer(): Promise<{ port: number; bodies: number; close(): Promise<void> }> {
  const state = { bodies: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    let inData = false;
    socket.write('220 dropper ready\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (let i = buffer.indexOf('\r\n'); i >= 0; i = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (inData) {
          if (line === '.') {
            state.bodies += 1;
            socket.destroy(); // the body is in; the client never hears "250"
            return;
          }
        } else if (/^DATA/i.test(line)) {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else {
          socket.write('250 ok\r\n');
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get bodies() {
      return state.bodies;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('SMTP mailer (real nodemailer → local SMTP server)', () => {
  let smtp: FakeSmtp | undefined;
  let mailer: Mailer | undefined;
  afterEach(async () => {
    await mailer?.close();
    await smtp?.close();
    mailer = undefined;
    smtp = undefined;
  });

  test('delivers text and html with our Message-ID, threading headers and reply-to', async () => {
    smtp = await startFakeSmtp();
    mailer = createSmtpMailer({ url: smtp.url, from: 'Pixel & Co <billing@pixel.example>' });
    const first = email(1);
    const sent = await mailer.send({
      ...first,
      replyTo: 'replies@pixel.example',
      inReplyTo: '<orig@pixel.example>',
      references: ['<root@pixel.example>', '<orig@pixel.example>'],
    });
    expect(sent).toEqual({ messageId: first.messageId, accepted: ['ap@acme.example', 'cfo@acme.example'] });
    const got = await smtp.waitFor((m) => m.subject === 'Invoice 1');
    expect(got).toMatchObject({
      from: 'billing@pixel.example',
      to: ['ap@acme.example', 'cfo@acme.example'],
      messageId: first.messageId,
      inReplyTo: '<orig@pixel.example>',
      references: ['<root@pixel.example>', '<orig@pixel.example>'],
      replyTo: 'replies@pixel.example',
    });
    expect(got.headers['message-id']).toBe(first.messageId);
    expect(got.headers['from']).toBe('"Pixel & Co" <billing@pixel.example>');
    expect(got.text.trim()).toBe('Plain 1');
    expect(got.html).toContain('<p>Html 1</p>');
  });

  test('without threading fields no In-Reply-To, References or Reply-To header is sent', async () => {
    smtp = await startFakeSmtp();
    mailer = createSmtpMailer({ url: smtp.url, from: 'billing@pixel.example' });
    await mailer.send(email(7));
    const got = await smtp.waitFor((m) => m.subject === 'Invoice 7');
    expect(got.inReplyTo).toBeNull();
    expect(got.references).toEqual([]);
    expect(got.replyTo).toBeNull();
    expect(got.headers['in-reply-to']).toBeUndefined();
    expect(got.headers['references']).toBeUndefined();
    expect(got.headers['reply-to']).toBeUndefined();
  });

  test('newMessageId makes unique, well-formed ids for the given domain', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newMessageId('Pixel.Example', 'inv-0042.r1')));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^<inv-0042\.r1\.[0-9a-f]{32}@pixel\.example>$/);
    expect(newMessageId('pixel.example', 'a b<c>')).toMatch(/^<a-b-c-\.[0-9a-f]+@pixel\.example>$/);
  });

  test('authenticates with the credentials in SMTP_URL; wrong ones are an "auth" MailError', async () => {
    smtp = await startFakeSmtp({ user: 'mailer', pass: 'p@ss word' });
    expect(smtp.url).toBe(`smtp://mailer:p%40ss%20word@127.0.0.1:${smtp.port}`);
    mailer = createSmtpMailer({ url: smtp.url, from: 'billing@pixel.example' });
    await mailer.send(email(2));
    expect(smtp.messages).toHaveLength(1);

    const wrong = createSmtpMailer({ url: smtp.url.replace('p%40ss%20word', 'nope'), from: 'billing@pixel.example' });
    const err = await wrong.send(email(3)).catch((e: unknown) => e);
    await wrong.close();
    expect(err).toBeInstanceOf(MailError);
    expect(err).toMatchObject({ code: 'auth', retryable: false });
    const anonymous = createSmtpMailer({ url: `smtp://127.0.0.1:${smtp.port}`, from: 'billing@pixel.example' });
    await expect(anonymous.send(email(4))).rejects.toMatchObject({ name: 'MailError', code: 'auth', retryable: false });
    await anonymous.close();
    expect(smtp.messages).toHaveLength(1);
  });

  test('a 550 refusal is a permanent "rejected" MailError; the next message goes through', async () => {
    smtp = await startFakeSmtp();
    mailer = createSmtpMailer({ url: smtp.url, from: 'billing@pixel.example' });
    smtp.rejectNext(1, 550);
    const err = await mailer.send(email(4)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailError);
    expect(err).toMatchObject({ name: 'MailError', code: 'rejected', retryable: false, responseCode: 550 });
    await mailer.send(email(5));
    expect(smtp.messages.map((m) => m.subject)).toEqual(['Invoice 5']);
  });

  test('the metrics count each email by kind: sent when the server took it, failed when it refused', async () => {
    smtp = await startFakeSmtp();
    const metrics = new Metrics({ defaultMetrics: false });
    mailer = countingMailer(createSmtpMailer({ url: smtp.url, from: 'billing@pixel.example' }), metrics);
    await mailer.send(email(1));
    await mailer.send({ ...email(2), kind: 'final_notice' });
    smtp.rejectNext(1, 550);
    await expect(mailer.send({ ...email(3), kind: 'final_notice' })).rejects.toMatchObject({ code: 'rejected' });
    const samples = parseMetrics(await metrics.render({ database: null }));
    expect(samples.filter((s) => s.name === 'duebot_emails_total' && s.value > 0).map((s) => [s.labels.kind, s.labels.outcome, s.value])).toEqual([
      ['invoice', 'sent', 1],
      ['final_notice', 'sent', 1],
      ['final_notice', 'failed', 1],
    ]);
    expect(smtp.messages).toHaveLength(2);
  });

  test('a 451 refusal is "rejected" but retryable', async () => {
    smtp = await startFakeSmtp();
    mailer = createSmtpMailer({ url: smtp.url, from: 'billing@pixel.example' });
    smtp.rejectNext(1, 451);
    await expect(mailer.send(email(6))).rejects.toMatchObject({ code: 'rejected', retryable: true, responseCode: 451 });
  });

  test('a closed port is "unavailable" and retryable', async () => {
    smtp = await startFakeSmtp();
    const port = smtp.port;
    await smtp.close();
    smtp = undefined;
    mailer = createSmtpMailer({ url: `smtp://127.0.0.1:${port}`, from: 'billing@pixel.example' });
    const err = await mailer.send(email(5)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailError);
    expect(err).toMatchObject({ code: 'unavailable', retryable: true });
  });

  test('a connection dropped after the body was sent is "unknown" and not retryable (it may have been delivered)', async () => {
    const dropper = await startDroppingServer();
    try {
      mailer = createSmtpMailer({ url: `smtp://127.0.0.1:${dropper.port}`, from: 'billing@pixel.example' });
      const err = await mailer.send(email(8)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MailError);
      expect(err).toMatchObject({ code: 'unknown', retryable: false });
      expect(dropper.bodies).toBe(1);
    } finally {
      await dropper.close();
    }
  });

  test('fifty parallel sends all arrive over a handful of pooled connections, each with its own Message-ID', async () => {
    smtp = await startFakeSmtp();
    mailer = createSmtpMailer({ url: smtp.url, from: 'billing@pixel.example' });
    const batch = Array.from({ length: 50 }, (_, i) => email(100 + i));
    const results = await Promise.all(batch.map((e) => mailer!.send(e)));
    expect(results.every((r) => r.accepted.length === 2)).toBe(true);
    expect(smtp.messages).toHaveLength(50);
    expect(new Set(smtp.messages.map((m) => m.messageId))).toEqual(new Set(batch.map((e) => e.messageId)));
    expect(smtp.connections).toBeGreaterThan(0);
    expect(smtp.connections).toBeLessThanOrEqual(5);
  });

  test('the fake server reports what it has when waitFor times out', async () => {
    smtp = await startFakeSmtp();
    mailer = createSmtpMailer({ url: smtp.url, from: 'billing@pixel.example' });
    await mailer.send(email(9));
    await expect(smtp.waitFor((m) => m.subject === 'never', 50)).rejects.toThrow(/received: "Invoice 9"/);
  });

  test('the stand-in survives a client killed mid-message (a reset socket), and keeps nothing of it', async () => {
    // The crash trials SIGKILL bot processes while they send: the reset used to crash the whole test run.
    const server = (smtp = await startFakeSmtp());
    const socket = net.connect(server.port, '127.0.0.1');
    const lines: string[] = [];
    socket.on('data', (chunk) => lines.push(...chunk.toString('utf8').split('\r\n').filter(Boolean)));
    const reply = async (code: string) => {
      for (let i = 0; i < 200 && !lines.some((l) => l.startsWith(`${code} `)); i++) await new Promise((r) => setTimeout(r, 10));
      lines.length = 0;
    };
    await reply('220');
    for (const [command, code] of [
      ['EHLO crash.example', '250'],
      ['MAIL FROM:<billing@pixel.example>', '250'],
      ['RCPT TO:<ap@acme.example>', '250'],
      ['DATA', '354'],
    ] as const) {
      socket.write(`${command}\r\n`);
      await reply(code);
    }
    socket.write('Subject: half sent\r\n');
    await new Promise((r) => setTimeout(r, 100)); // read by the server: the reset then lands mid-message
    socket.resetAndDestroy();
    mailer = createSmtpMailer({ url: server.url, from: 'billing@pixel.example' });
    await mailer.send(email(10));
    await server.waitFor((m) => m.subject === 'Invoice 10');
    expect(server.messages.map((m) => m.subject)).not.toContain('half sent');
  });
});

import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import { POSTMARK_METADATA_KEY } from '../../email/bounce-webhooks.js';
import type { Mailer, OutgoingEmail, RecipientRefusal, SentEmail } from './mailer.js';

/**
 * - `rejected`: the server answered with a refusal (MAIL/RCPT/DATA or the message itself); nothing
 *   was accepted. `retryable` when the reply was transient (4yz, or 503).
 * - `unavailable`: no SMTP session came up (refused, DNS, connect/greeting timeout, TLS); retryable.
 * - `auth`: the server refused our credentials; a configuration problem, not retried.
 * - `unknown`: the connection broke with no reply from the server, possibly after the message body
 *   was sent. It may have been delivered, so it must not be repeated blindly.
 */
export type MailErrorCode = 'rejected' | 'unavailable' | 'auth' | 'unknown';

export class MailError extends Error {
  override readonly name = 'MailError';
  constructor(
    message: string,
    readonly code: MailErrorCode,
    readonly retryable: boolean,
    /** The SMTP reply code when the server gave one (e.g. 550). */
    readonly responseCode: number | null = null,
    /** Recipients refused for good (5yz at RCPT TO): each a bounce of this email. */
    readonly refused: RecipientRefusal[] = [],
  ) {
    super(message);
  }
}

/**
 * `<tag.random@domain>`: our own Message-ID, known (and stored) before the send. 128 random bits: a
 * reply that names it in In-Reply-To/References proves it answers our email (src/domain/reply-trust.ts).
 */
export function newMessageId(domain: string, tag: string): string {
  const host =
    domain
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9.-]/g, '') || 'localhost';
  const left = tag.replace(/[^a-zA-Z0-9.-]/g, '-').replace(/^\.+|\.+$/g, '') || 'msg';
  return `<${left}.${randomBytes(16).toString('hex')}@${host}>`;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

export function createSmtpMailer(options: { url: string; from: string; dkim?: { domainName: string; keySelector: string; privateKey: string } | null }): Mailer {
  const url = new URL(options.url);
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error(`SMTP URL must start with smtp:// or smtps://`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const secure = url.protocol === 'smtps:';
  const transport = nodemailer.createTransport({
    host,
    port: Number(url.port) || (secure ? 465 : 587),
    secure,
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    // A local relay or test server speaks plain SMTP (and may offer STARTTLS with a certificate that
    // cannot verify); anywhere else STARTTLS is used whenever the server offers it.
    ...(!secure && LOCAL_HOSTS.has(host) ? { ignoreTLS: true } : {}),
    pool: true,
    maxConnections: 5,
    maxMessages: 100,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    // DKIM (optional, docs/email.md): nodemailer signs each message (relaxed/relaxed, SHA-256) with our key.
    ...(options.dkim ? { dkim: { domainName: options.dkim.domainName, keySelector: options.dkim.keySelector, privateKey: options.dkim.privateKey } } : {}),
  });

  return {
    async send(email: OutgoingEmail): Promise<SentEmail> {
      let info: { accepted: unknown[]; rejectedErrors?: unknown[] };
      try {
        info = await transport.sendMail({
          from: options.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          messageId: email.messageId,
          // Postmark keeps its own message id; this header comes back as Metadata in its bounce webhook.
          headers: { [`X-PM-Metadata-${POSTMARK_METADATA_KEY}`]: email.messageId },
          ...(email.replyTo ? { replyTo: email.replyTo } : {}),
          ...(email.inReplyTo ? { inReplyTo: email.inReplyTo } : {}),
          ...(email.references?.length ? { references: email.references } : {}),
          ...(email.attachments?.length
            ? { attachments: email.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType, ...(a.cid ? { cid: a.cid } : {}) })) }
            : {}),
        });
      } catch (err) {
        throw toMailError(err);
      }
      const accepted = info.accepted.map((a) => (typeof a === 'string' ? a : (a as { address: string }).address));
      const refused = permanentRefusals(info.rejectedErrors);
      return { messageId: email.messageId, accepted, ...(refused.length ? { refused } : {}) };
    },
    describe: `${host}:${Number(url.port) || (secure ? 465 : 587)}`,
    async verify() {
      await transport.verify();
    },
    async close() {
      transport.close();
    },
  };
}

/** System error codes that mean no TCP session was ever established. */
const NO_SESSION = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);
const SETUP_TIMEOUTS = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);

interface NodemailerError {
  message?: string;
  code?: string;
  originalCode?: string;
  responseCode?: number;
  command?: string;
  timeoutType?: string;
  rejectedErrors?: unknown[];
}

/** nodemailer's per-recipient RCPT TO errors, the permanent (5yz) ones: those recipients bounced. */
export function permanentRefusals(errors: unknown[] | undefined): RecipientRefusal[] {
  const refused: RecipientRefusal[] = [];
  for (const raw of errors ?? []) {
    const e = (typeof raw === 'object' && raw !== null ? raw : {}) as { recipient?: unknown; responseCode?: unknown; response?: unknown };
    if (typeof e.recipient !== 'string' || typeof e.responseCode !== 'number' || e.responseCode < 500 || e.responseCode === 503) continue;
    refused.push({ address: e.recipient, code: e.responseCode, reason: typeof e.response === 'string' ? e.response : String(e.responseCode) });
  }
  return refused;
}

/** Maps nodemailer's error shape (code, originalCode, responseCode, command, timeoutType) onto ours. */
export function toMailError(err: unknown): MailError {
  if (err instanceof MailError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as NodemailerError;
  const message = e.message ?? String(err);
  const reply = typeof e.responseCode === 'number' && e.responseCode >= 400 && e.responseCode < 600 ? e.responseCode : null;
  // RFC 5321: 4yz is transient; 503 means "bad sequence", which a fresh session fixes.
  const transient = reply !== null && (reply < 500 || reply === 503);

  // 530: the server wants authentication we did not (or could not) give.
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH' || reply === 530) return new MailError(message, 'auth', transient, reply);
  // A 421 on connect (or at any point with no transaction in flight) is the server turning us away.
  if (reply !== null && e.command === 'CONN') return new MailError(message, 'unavailable', true, reply);
  // Any other 4yz/5yz reply is a definite refusal: the server never took responsibility for the message.
  if (reply !== null) return new MailError(message, 'rejected', transient, reply, permanentRefusals(e.rejectedErrors));
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return new MailError(message, 'rejected', false);
  // ECONNECTION outside a live session: the pool gave up on a server that kept closing before the
  // greeting ("Reached maximum number of retries"), or the connection was gone before the send began.
  if (e.code === 'ECONNECTION' && e.command !== 'CONN') return new MailError(message, 'unavailable', true);
  if (
    e.code === 'EDNS' ||
    e.code === 'ETLS' ||
    (e.originalCode !== undefined && NO_SESSION.has(e.originalCode)) ||
    (e.code === 'ETIMEDOUT' && e.timeoutType !== undefined && SETUP_TIMEOUTS.has(e.timeoutType))
  ) {
    return new MailError(message, 'unavailable', true);
  }
  // A reset or an idle timeout mid-session carries no reply: the body may already have been accepted.
  return new MailError(message, 'unknown', false);
}

import express, { type Request, type Response } from 'express';
import busboy from 'busboy';
import {
  detectProvider,
  fieldsInOtherCharsets,
  parseMailgun,
  parsePostmark,
  parseRawMime,
  parseSendgrid,
  verifyBasicAuth,
  verifyMailgun,
  MAILGUN_MAX_AGE_SECONDS,
  type InboundEmail,
  type ParseResult,
} from '../email/inbound-formats.js';
import { storeInboxEvent, type InboxEvent } from '../store/inbox.js';
import { isReportPart, parseDeliveryReport, reportHash, REPORT_PART_LIMIT, type DeliveryReportPayload, type ReportPart } from '../email/dsn.js';
import { bindMailgunToken, forgetMailgunTokens } from '../store/mailgun-tokens.js';
import type { Services } from '../services.js';
import { processInBackground } from '../usecases/process-inbox.js';
import { BODY_LIMITS, bodyBuffer, parseJson } from './raw-body.js';
import { answerFailure } from './errors.js';
import { unstorableReason } from '../store/storable.js';

export interface InboundEmailAuth {
  mailgunSigningKey: string | null;
  /** `user:password` expected from Postmark and SendGrid. */
  basicAuth: string | null;
}

/** Replies carry attachments; the body is read whole (still unparsed) so Mailgun's fields can be verified. */
const rawMail = express.raw({ type: () => true, limit: BODY_LIMITS.email });

/**
 * `POST /webhooks/email`: client replies from Mailgun routes, Postmark inbound, SendGrid Inbound
 * Parse (parsed or raw MIME) or a raw `message/rfc822` email (told apart by content type and fields). Authenticated, stored in the inbox (deduped on the
 * reply's Message-ID), answered, then handled (src/usecases/handle-reply.ts).
 */
export function inboundEmailRouter(services: Services, auth: InboundEmailAuth): express.Router {
  const router = express.Router();
  router.post('/webhooks/email', rawMail, (req, res) => {
    void receive(req, res, services, auth).then(
      (event) => {
        // A failure is recorded on the stored event and retried by the sweep; never an unhandled rejection.
        if (event) processInBackground(services, [event]);
      },
      (err: unknown) => answerFailure(res, services.log, err, { route: 'inbound email' }),
    );
  });
  return router;
}

async function receive(req: Request, res: Response, services: Services, auth: InboundEmailAuth): Promise<InboxEvent | null> {
  if (!auth.mailgunSigningKey && !auth.basicAuth) {
    res.status(404).json({ error: 'inbound email is not configured (MAILGUN_SIGNING_KEY or INBOUND_EMAIL_BASIC_AUTH)' });
    return null;
  }
  const contentType = String(req.header('content-type') ?? '');
  const raw = bodyBuffer(req.body);
  const form = /application\/json/i.test(contentType) ? null : await formFieldsInTheirCharsets(contentType, raw);
  const fields = form?.fields ?? null;
  const provider = detectProvider(contentType, fields);
  if (!provider) {
    res.status(400).json({ error: 'unrecognised inbound email format (expected Mailgun, Postmark, SendGrid Inbound Parse or a raw message/rfc822 email)' });
    return null;
  }

  let parsed: ParseResult;
  // Attachments that make it a delivery status notification (src/email/dsn.ts); others are not kept.
  let reportParts: ReportPart[] = form?.parts ?? [];
  if (provider === 'mailgun') {
    const verdict = auth.mailgunSigningKey
      ? verifyMailgun(auth.mailgunSigningKey, fields!, services.clock.now())
      : { ok: false as const, reason: 'MAILGUN_SIGNING_KEY is not set' };
    if (!verdict.ok) {
      res.status(401).json({ error: `Mailgun signature rejected: ${verdict.reason}` });
      return null;
    }
    parsed = await parseMailgun(fields!);
  } else {
    if (!auth.basicAuth || !verifyBasicAuth(auth.basicAuth, req.header('authorization'))) {
      res.status(401).json({ error: auth.basicAuth ? 'basic auth credentials do not match' : 'INBOUND_EMAIL_BASIC_AUTH is not set' });
      return null;
    }
    if (provider === 'postmark') {
      const json = parseJson(raw);
      parsed = json.ok ? await parsePostmark(json.value) : { ok: false, reason: json.reason };
      if (json.ok) reportParts = postmarkReportParts(json.value);
    } else if (provider === 'raw') {
      parsed = await parseRawMime(raw);
    } else {
      parsed = await parseSendgrid(fields!);
    }
  }
  // A whole email (raw MIME) carries its report parts itself.
  if (parsed.reportParts) reportParts = parsed.reportParts;
  // A bounce report, not a client reply: stored as such and matched to the email duebot sent.
  const report = parseDeliveryReport(reportParts);
  if (report)
    return receiveReport(res, services, provider, fields, {
      provider,
      messageId: parsed.ok ? parsed.email.messageId : reportHash(reportParts),
      from: parsed.ok ? parsed.email.from : '',
      report,
    });
  if (!parsed.ok) {
    // Mailgun retries anything but 200 and 406 for hours; a malformed email will not improve.
    res.status(provider === 'mailgun' ? 406 : 400).json({ error: `malformed ${provider} email: ${parsed.reason}` });
    return null;
  }

  const payload: InboundEmail = parsed.email;
  // Checked before the Mailgun token is bound, so a refused email leaves nothing stored.
  const unstorable = unstorableReason({ email: payload, token: fields?.token ?? '' });
  if (unstorable) {
    res.status(provider === 'mailgun' ? 406 : 400).json({ error: `cannot be stored: ${unstorable}` });
    return null;
  }
  if (provider === 'mailgun') {
    const now = services.clock.now();
    if (!(await bindMailgunToken(services.db.pool, fields!.token!, payload.messageId, now))) {
      res.status(401).json({ error: 'Mailgun signature rejected: token already used for another email' });
      return null;
    }
    // Housekeeping: a token older than the freshness window could not verify any more anyway.
    await forgetMailgunTokens(services.db.pool, new Date(now.getTime() - 2 * MAILGUN_MAX_AGE_SECONDS * 1000));
  }
  const stored = await storeInboxEvent(services.db.pool, { source: 'email', externalId: payload.messageId, kind: 'inbound_email', payload }, services.clock.now());
  res.status(200).json({ received: true, duplicate: !stored });
  return stored;
}

async function receiveReport(
  res: Response,
  services: Services,
  provider: string,
  fields: Record<string, string> | null,
  payload: DeliveryReportPayload,
): Promise<InboxEvent | null> {
  const unstorable = unstorableReason({ payload, token: fields?.token ?? '' });
  if (unstorable) {
    res.status(provider === 'mailgun' ? 406 : 400).json({ error: `cannot be stored: ${unstorable}` });
    return null;
  }
  const now = services.clock.now();
  if (provider === 'mailgun' && !(await bindMailgunToken(services.db.pool, fields!.token!, payload.messageId, now))) {
    res.status(401).json({ error: 'Mailgun signature rejected: token already used for another email' });
    return null;
  }
  const stored = await storeInboxEvent(services.db.pool, { source: 'email', externalId: payload.messageId, kind: 'delivery_report', payload }, now);
  res.status(200).json({ received: true, duplicate: !stored, deliveryReport: true });
  return stored;
}

/** Postmark inbound: the report parts among the JSON attachments (base64 content). */
function postmarkReportParts(json: unknown): ReportPart[] {
  const attachments = (json as { Attachments?: unknown } | null)?.Attachments;
  if (!Array.isArray(attachments)) return [];
  return attachments.flatMap((a: { ContentType?: unknown; Content?: unknown }) =>
    a && typeof a.ContentType === 'string' && typeof a.Content === 'string' && isReportPart(a.ContentType)
      ? [{ contentType: a.ContentType, content: Buffer.from(a.Content, 'base64').subarray(0, REPORT_PART_LIMIT).toString('utf8') }]
      : [],
  );
}

/**
 * SendGrid's parsed mode names each field's charset in `charsets` ({"text": "iso-8859-1", …}) instead of
 * on the part. A field that is not UTF-8 (it read with U+FFFD) is read again from its bytes in that charset.
 */
async function formFieldsInTheirCharsets(contentType: string, raw: Buffer): Promise<{ fields: Record<string, string>; parts: ReportPart[] } | null> {
  const form = await formFields(contentType, raw);
  const misread = form ? fieldsInOtherCharsets(form.fields) : [];
  if (!form || !misread.length) return form;
  const bytes = await formFields(contentType, raw, 'latin1'); // latin1: one character per byte, so the bytes come back unchanged
  for (const { name, charset } of misread) {
    const value = bytes?.fields[name];
    if (value !== undefined) form.fields[name] = new TextDecoder(charset).decode(Buffer.from(value, 'latin1'));
  }
  return form;
}

/**
 * Form fields of a urlencoded or multipart body. Attached files are skipped (not needed to classify), but
 * for the parts of a delivery status notification (src/email/dsn.ts), kept up to REPORT_PART_LIMIT each.
 */
async function formFields(contentType: string, raw: Buffer, charset = 'utf8'): Promise<{ fields: Record<string, string>; parts: ReportPart[] } | null> {
  if (/application\/x-www-form-urlencoded/i.test(contentType)) return { fields: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))), parts: [] };
  if (!/multipart\/form-data/i.test(contentType)) return null;
  const parts: ReportPart[] = [];
  return new Promise((resolve) => {
    // No prototype: a field named `__proto__` or `constructor` is just a field.
    const fields: Record<string, string> = Object.create(null) as Record<string, string>;
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, limits: { fieldSize: 5 * 1024 * 1024 }, defCharset: charset });
    } catch {
      resolve(null);
      return;
    }
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('file', (_name, stream, info) => {
      if (!isReportPart(info.mimeType) || parts.length >= 4) return void stream.resume();
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        if (size < REPORT_PART_LIMIT) chunks.push(chunk);
        size += chunk.length;
      });
      stream.on('end', () => parts.push({ contentType: info.mimeType, content: Buffer.concat(chunks).subarray(0, REPORT_PART_LIMIT).toString('utf8') }));
    });
    parser.on('close', () => resolve({ fields, parts }));
    parser.on('error', () => resolve(null));
    parser.end(raw);
  });
}

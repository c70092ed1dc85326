import express, { type Request, type Response } from 'express';
import type { KeyObject } from 'node:crypto';
import { parseMailgunBounce, parsePostmarkBounce, parseSendgridEvents, verifySendgrid, type BounceParse } from '../email/bounce-webhooks.js';
import { verifyBasicAuth } from '../email/inbound-formats.js';
import { storeInboxEvent, type InboxEvent } from '../store/inbox.js';
import { bindMailgunToken } from '../store/mailgun-tokens.js';
import type { Services } from '../services.js';
import { bodyBuffer, parseJson, rawBody } from './raw-body.js';
import { storeThenAct } from './store-then-act.js';
import { unstorableReason } from '../store/storable.js';

export interface BounceWebhookAuth {
  mailgunSigningKey: string | null;
  /** `user:password` Postmark's bounce webhook sends (the inbound email's INBOUND_EMAIL_BASIC_AUTH). */
  basicAuth: string | null;
  sendgridPublicKey: KeyObject | null;
}

/**
 * `POST /webhooks/bounces/{mailgun,postmark,sendgrid}`: the providers' bounce webhooks. Each delivery
 * is authenticated, its bounces stored in the inbox (deduped on the provider's event id), answered,
 * then matched to the email duebot sent and alerted (src/usecases/bounces.ts).
 */
export function bounceWebhookRouter(services: Services, auth: BounceWebhookAuth): express.Router {
  const router = express.Router();
  router.post('/webhooks/bounces/:provider', rawBody, (req, res) => {
    void storeThenAct(res, services, () => receive(req, res, services, auth), { route: 'bounce webhook' });
  });
  return router;
}

async function receive(req: Request, res: Response, services: Services, auth: BounceWebhookAuth): Promise<InboxEvent[]> {
  const provider = String(req.params.provider);
  const raw = bodyBuffer(req.body);
  const now = services.clock.now();
  let parsed: BounceParse;
  if (provider === 'mailgun') {
    const json = parseJson(raw);
    parsed = json.ok ? parseMailgunBounce(json.value, auth.mailgunSigningKey, now) : { ok: false, status: 400, reason: json.reason };
  } else if (provider === 'postmark') {
    if (!auth.basicAuth || !verifyBasicAuth(auth.basicAuth, req.header('authorization'))) {
      res.status(401).json({ error: auth.basicAuth ? 'basic auth credentials do not match' : 'INBOUND_EMAIL_BASIC_AUTH is not set' });
      return [];
    }
    const json = parseJson(raw);
    parsed = json.ok ? parsePostmarkBounce(json.value) : { ok: false, status: 400, reason: json.reason };
  } else if (provider === 'sendgrid') {
    const verdict = verifySendgrid(
      auth.sendgridPublicKey,
      { signature: req.header('x-twilio-email-event-webhook-signature'), timestamp: req.header('x-twilio-email-event-webhook-timestamp') },
      raw,
      now,
    );
    if (!verdict.ok) {
      res.status(401).json({ error: `SendGrid signature rejected: ${verdict.reason}` });
      return [];
    }
    const json = parseJson(raw);
    parsed = json.ok ? parseSendgridEvents(json.value) : { ok: false, status: 400, reason: json.reason };
  } else {
    res.status(404).json({ error: 'unknown bounce webhook (expected mailgun, postmark or sendgrid)' });
    return [];
  }
  if (!parsed.ok) {
    res.status(parsed.status).json({ error: parsed.reason });
    return [];
  }
  // Checked before the Mailgun token is bound, so a refused delivery leaves nothing stored.
  const unstorable = unstorableReason(parsed.reports);
  if (unstorable) {
    res.status(400).json({ error: `cannot be stored: ${unstorable}` });
    return [];
  }
  // Mailgun signs timestamp+token, not the body: a token is good for the one event it first came with.
  const first = parsed.reports[0];
  if (provider === 'mailgun' && parsed.mailgunToken && first && !(await bindMailgunToken(services.db.pool, parsed.mailgunToken, first.dedupeKey, now))) {
    res.status(401).json({ error: 'Mailgun signature rejected: token already used for another event' });
    return [];
  }
  const stored: InboxEvent[] = [];
  for (const report of parsed.reports) {
    const event = await storeInboxEvent(services.db.pool, { source: `bounce:${provider}`, externalId: report.dedupeKey, kind: 'email_bounce', payload: report }, now);
    if (event) stored.push(event);
  }
  res.status(200).json({ received: true, bounces: parsed.reports.length, duplicate: parsed.reports.length > 0 && stored.length === 0 });
  return stored;
}

import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import Stripe from 'stripe';
import { startHarness, APPROVER, BILLING_CHANNEL, SIGNING_SECRET, type Harness } from '../support/harness.js';
import { startFakeQuickBooks, quickbooksEnv, type FakeQuickBooks } from '../support/fake-quickbooks.js';
import { startFakeFreshBooks, type FakeFreshBooks, freshbooksEnv } from '../support/fake-freshbooks.js';
import { signSlackRequest, slashCommandBody } from '../support/fake-slack.js';
import { asanaDelivery, completedEvent } from '../support/fake-asana.js';
import { clickupDelivery, statusUpdatedEvent } from '../support/fake-clickup.js';
import { trelloDelivery, cardMovedAction } from '../support/fake-trello.js';
import { mondayDelivery, statusChangedEvent } from '../support/fake-monday.js';
import { INBOUND_AUTH, mailgunFields, mailgunRequest, multipart, postmarkRequest, sendgridRequest, type ReplySpec } from '../support/fake-inbound.js';
import { mailgunBounce, postmarkBounce, sendgridBounceEvent } from '../support/fake-bounces.js';
import { signGenericBody } from '../../src/providers/projects/generic.js';
import { hmacDigest } from '../../src/http/signatures.js';
import { BODY_LIMITS } from '../../src/http/raw-body.js';

/**
 * Every route of the real app, driven as an attacker would from the public URL: missing, wrong, stale
 * and future signatures; malformed bodies and wrong content types; NUL bytes and lone surrogates;
 * `__proto__`/`constructor` names; bodies just over each route's limit; unknown providers and tools.
 * Each answer must be a 4xx JSON `{error}` (never 5xx, HTML, a stack trace or a path) and store nothing.
 */
let h: Harness;
let qbo: FakeQuickBooks;
let fb: FakeFreshBooks;
beforeAll(async () => {
  [qbo, fb] = await Promise.all([startFakeQuickBooks(), startFakeFreshBooks()]);
  h = await startHarness({
    tools: ['clickup', 'trello', 'monday', 'generic'],
    env: {
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ...quickbooksEnv(qbo),
      ...freshbooksEnv(fb),
      FRESHBOOKS_WEBHOOK_VERIFIER: fb.verifier,
    },
  });
  // Startup (a fresh database, four tools, two back-ends) is slow on a loaded machine; the rows are not.
}, 180_000);
afterAll(async () => {
  await h?.stop();
  await Promise.all([qbo?.close(), fb?.close()]);
});

interface HostileRequest {
  method?: 'GET' | 'POST' | 'HEAD';
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
}
type Row = [route: string, attack: string, build: () => HostileRequest | Promise<HostileRequest>, status: number];

const JSON_TYPE = { 'content-type': 'application/json' };
const nowSeconds = () => Math.floor(Date.now() / 1000);
const HOUR = 3600;
/** A body one byte over `limit`, as the content type the route expects. */
const overLimit = (limit: number) => Buffer.alloc(limit + 1, 'a');
const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;

// --- Slack ---------------------------------------------------------------------------------------
const slackBody = () => slashCommandBody({ command: '/invoices', text: 'status', userId: APPROVER, channelId: BILLING_CHANNEL, responseUrl: h.slack.responseUrl() });
const slack = (body: string | Buffer, headers: Record<string, string>): HostileRequest => ({ path: '/slack/events', body, headers });
const signedSlack = (body: string, extra: Record<string, string> = {}) => slack(body, { ...signSlackRequest(SIGNING_SECRET, body), ...extra });

// --- Stripe --------------------------------------------------------------------------------------
const stripeEvent = (overrides: Record<string, unknown> = {}) => ({
  id: `evt_${randomBytes(6).toString('hex')}`,
  object: 'event',
  created: nowSeconds(),
  type: 'invoice.paid',
  data: { object: { object: 'invoice', id: 'in_hostile', metadata: {} } },
  ...overrides,
});
const signedStripe = (payload: string, options: { secret?: string; timestamp?: number } = {}): HostileRequest => ({
  path: '/webhooks/stripe',
  body: payload,
  headers: {
    ...JSON_TYPE,
    'stripe-signature': Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: options.secret ?? h.stripe.webhookSecret,
      ...(options.timestamp ? { timestamp: options.timestamp } : {}),
    }),
  },
});

// --- Project tools -------------------------------------------------------------------------------
const signedAsana = (body: string): HostileRequest => ({
  path: h.asanaHookPath,
  body,
  headers: { ...JSON_TYPE, 'x-hook-signature': hmacDigest('sha256', h.hookSecret, body, 'hex') },
});
const asanaEvent = (gid: string) => ({ ...completedEvent('1'), resource: { gid, resource_type: 'task' } });
const signedClickUp = (body: string): HostileRequest => ({
  path: '/webhooks/clickup',
  body,
  headers: { ...JSON_TYPE, 'x-signature': hmacDigest('sha256', h.clickup!.webhookSecret, body, 'hex') },
});
const trelloUrl = () => `${h.publicUrl}/webhooks/trello`;
const signedTrello = (body: string): HostileRequest => ({
  path: '/webhooks/trello',
  body,
  headers: { ...JSON_TYPE, 'x-trello-webhook': hmacDigest('sha1', h.trello!.appSecret, body + trelloUrl(), 'base64') },
});
const cardDone = () =>
  cardMovedAction({ id: 'card-1', name: 'Milestone', boardId: 'board-1' }, { id: 'list-1', name: 'Doing' }, { id: 'list-2', name: 'Done' }) as { action: Record<string, unknown> };
const mondayAudience = () => `${h.publicUrl}/webhooks/monday`;
const mondayJwt = (build: (jwt: SignJWT) => SignJWT, secret = h.monday!.signingSecret) =>
  build(new SignJWT({ aud: mondayAudience() }).setProtectedHeader({ alg: 'HS256' })).sign(new TextEncoder().encode(secret));
const monday = async (payload: unknown, jwt?: string): Promise<HostileRequest> => {
  const signed = await mondayDelivery(h.monday!.signingSecret, payload, mondayAudience());
  return { path: '/webhooks/monday', body: signed.body, headers: { ...signed.headers, ...(jwt !== undefined ? { authorization: jwt } : {}) } };
};
const mondayEvent = () => statusChangedEvent({ itemId: '4455', boardId: '77' });
const genericMilestone = (overrides: Record<string, unknown> = {}) => ({
  externalId: `zap-${randomBytes(4).toString('hex')}`,
  client: 'acme',
  milestone: 'Milestone 1',
  lines: [{ description: 'Design', unitAmount: '100.00' }],
  ...overrides,
});
const signedGeneric = (body: string): HostileRequest => ({
  path: '/webhooks/generic',
  body,
  headers: { ...JSON_TYPE, 'x-duebot-signature': signGenericBody(h.genericSecret!, body) },
});

// --- Accounting back-ends ------------------------------------------------------------------------
const signedQuickBooks = (body: string): HostileRequest => ({
  path: '/webhooks/quickbooks',
  body,
  headers: { ...JSON_TYPE, 'intuit-signature': hmacDigest('sha256', qbo.verifier, body, 'base64') },
});
const qboEvent = (overrides: Record<string, unknown> = {}) => [
  {
    specversion: '1.0',
    id: `evt-${randomBytes(4).toString('hex')}`,
    type: 'qbo.payment.created.v1',
    time: new Date().toISOString(),
    intuitentityid: '42',
    intuitaccountid: qbo.realmId,
    data: {},
    ...overrides,
  },
];
const signedFreshBooks = (fields: Record<string, string>): HostileRequest => {
  const delivery = fb.signedDelivery(fields, fb.verifier);
  return { path: '/webhooks/freshbooks', body: delivery.body, headers: delivery.headers };
};
const form = (fields: Record<string, string>) => ({ body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

// --- Email ---------------------------------------------------------------------------------------
const reply = (overrides: Partial<ReplySpec> = {}): ReplySpec => ({
  from: 'ap@acme.example',
  subject: 'Re: Invoice INV-0001',
  text: 'We will pay on Friday.',
  messageId: `<${randomBytes(6).toString('hex')}@acme.example>`,
  ...overrides,
});
const email = (request: { body: string | Buffer; headers: Record<string, string> }): HostileRequest => ({ path: '/webhooks/email', ...request });
const mailgunAt = (timestamp: number, spec = reply()) => email(mailgunRequest(spec, { timestamp }));
const businessSeconds = () => Math.floor(h.clock.now().getTime() / 1000);
const postmarkWith = (fields: Record<string, unknown>) => {
  const request = postmarkRequest(reply());
  return email({ body: JSON.stringify({ ...(JSON.parse(String(request.body)) as object), ...fields }), headers: request.headers });
};

// --- Bounce webhooks ------------------------------------------------------------------------------
const bounceSpec = { messageId: '<inv-0001.invoice.0123456789abcdef@pixelco.example>', recipient: 'ap@acme.example' };
const bounces = (provider: string, body: string | Buffer, headers: Record<string, string> = {}): HostileRequest => ({
  path: `/webhooks/bounces/${provider}`,
  body,
  headers: { ...JSON_TYPE, ...headers },
});

const rows: Row[] = [
  ['POST /slack/events', 'no signature', () => slack(slackBody(), { 'content-type': 'application/x-www-form-urlencoded' }), 401],
  ['POST /slack/events', 'signed with another secret', () => slack(slackBody(), signSlackRequest('not-the-secret', slackBody())), 401],
  ['POST /slack/events', 'a stale timestamp', () => slack(slackBody(), signSlackRequest(SIGNING_SECRET, slackBody(), nowSeconds() - HOUR)), 401],
  ['POST /slack/events', 'a timestamp an hour ahead', () => slack(slackBody(), signSlackRequest(SIGNING_SECRET, slackBody(), nowSeconds() + HOUR)), 401],
  ['POST /slack/events', 'a non-numeric timestamp', () => slack(slackBody(), { ...signSlackRequest(SIGNING_SECRET, slackBody()), 'x-slack-request-timestamp': 'NaN' }), 401],
  ['POST /slack/events', 'malformed JSON, signed', () => signedSlack('{"type": "event_callback", '), 400],
  ['POST /slack/events', 'a form whose payload is not JSON, signed', () => signedSlack('payload=%7Bnot-json'), 400],
  ['POST /slack/events', 'a JSON array, signed', () => signedSlack('[]', JSON_TYPE), 400],
  ['POST /slack/events', 'a form sent as text/plain, signed', () => signedSlack(slackBody(), { 'content-type': 'text/plain' }), 400],
  ['POST /slack/events', 'a body just over 4 MB', () => slack(overLimit(BODY_LIMITS.slack), signSlackRequest(SIGNING_SECRET, 'x')), 413],

  ['POST /webhooks/asana', 'no signature', () => ({ path: '/webhooks/asana', body: JSON.stringify({ events: [completedEvent('1')] }), headers: JSON_TYPE }), 401],
  ['POST /webhooks/asana', 'signed with another secret', () => ({ path: h.asanaHookPath, ...asanaDelivery('forged-secret', [completedEvent('1')]) }), 401],
  ['POST /webhooks/asana', 'signed with the right secret but no ?hook=', () => ({ path: '/webhooks/asana', ...asanaDelivery(h.hookSecret, [completedEvent('1')]) }), 401],
  ['POST /webhooks/asana', 'signed, for an unknown ?hook=', () => ({ path: '/webhooks/asana?hook=forged', ...asanaDelivery(h.hookSecret, [completedEvent('1')]) }), 401],
  ['POST /webhooks/asana', 'an unsolicited handshake', () => ({ path: '/webhooks/asana', body: '', headers: { 'x-hook-secret': 'planted-secret' } }), 403],
  ['POST /webhooks/asana', 'a handshake for an unknown ?hook=', () => ({ path: '/webhooks/asana?hook=forged', body: '', headers: { 'x-hook-secret': 'planted-secret' } }), 403],
  ['POST /webhooks/asana', 'a second handshake on an active registration', () => ({ path: h.asanaHookPath, body: '', headers: { 'x-hook-secret': 'planted-secret' } }), 403],
  ['POST /webhooks/asana', 'malformed JSON, signed', () => signedAsana('{"events": ['), 400],
  ['POST /webhooks/asana', 'a NUL in the task gid, signed', () => signedAsana(JSON.stringify({ events: [asanaEvent('12\u000034')] })), 400],
  ['POST /webhooks/asana', 'a lone surrogate in the task gid, signed', () => signedAsana(JSON.stringify({ events: [asanaEvent('12\uD800')] })), 400],
  ['POST /webhooks/asana', 'an unknown Content-Encoding', () => ({ path: '/webhooks/asana', body: '{}', headers: { ...JSON_TYPE, 'content-encoding': 'zz' } }), 415],
  [
    'POST /webhooks/asana',
    'a gzip body that is not gzip',
    () => ({ path: '/webhooks/asana', body: 'plainly not gzip', headers: { ...JSON_TYPE, 'content-encoding': 'gzip' } }),
    400,
  ],
  ['POST /webhooks/asana', 'a body just over 1 MB', () => ({ path: '/webhooks/asana', body: overLimit(BODY_LIMITS.webhook), headers: JSON_TYPE }), 413],

  ['POST /webhooks/stripe', 'no Stripe-Signature', () => ({ path: '/webhooks/stripe', body: JSON.stringify(stripeEvent()), headers: JSON_TYPE }), 401],
  ['POST /webhooks/stripe', 'signed with another secret', () => signedStripe(JSON.stringify(stripeEvent()), { secret: 'whsec_forged' }), 401],
  ['POST /webhooks/stripe', 'a stale timestamp', () => signedStripe(JSON.stringify(stripeEvent()), { timestamp: nowSeconds() - HOUR }), 401],
  ['POST /webhooks/stripe', 'a timestamp an hour ahead', () => signedStripe(JSON.stringify(stripeEvent()), { timestamp: nowSeconds() + HOUR }), 401],
  ['POST /webhooks/stripe', 'malformed JSON, signed', () => signedStripe('{"id": "evt_1", '), 400],
  ['POST /webhooks/stripe', 'created "NaN", signed', () => signedStripe(JSON.stringify(stripeEvent({ created: 'NaN' }))), 400],
  ['POST /webhooks/stripe', 'a NUL in the event id, signed', () => signedStripe(JSON.stringify(stripeEvent({ id: 'evt_\u0000' }))), 400],
  [
    'POST /webhooks/stripe',
    'a lone surrogate in the invoice metadata, signed',
    () => signedStripe(JSON.stringify(stripeEvent({ data: { object: { object: 'invoice', id: 'in_1', metadata: { duebot_invoice_id: '\uDC00' } } } }))),
    400,
  ],
  ['POST /webhooks/stripe', 'a body just over 1 MB', () => ({ path: '/webhooks/stripe', body: overLimit(BODY_LIMITS.webhook), headers: JSON_TYPE }), 413],

  [
    'POST /webhooks/clickup',
    'no signature',
    () => ({ path: '/webhooks/clickup', body: JSON.stringify(statusUpdatedEvent('86cu1', h.clickup!.webhookId)), headers: JSON_TYPE }),
    401,
  ],
  [
    'POST /webhooks/clickup',
    'signed with another secret',
    () => ({ path: '/webhooks/clickup', ...clickupDelivery('F'.repeat(32), statusUpdatedEvent('86cu1', h.clickup!.webhookId)) }),
    401,
  ],
  ['POST /webhooks/clickup', 'malformed JSON, signed', () => signedClickUp('{"event": '), 400],
  ['POST /webhooks/clickup', 'a NUL in the webhook id, signed', () => signedClickUp(JSON.stringify(statusUpdatedEvent('86cu1', 'hook\u0000'))), 400],
  ['POST /webhooks/clickup', 'a body just over 1 MB', () => ({ path: '/webhooks/clickup', body: overLimit(BODY_LIMITS.webhook), headers: JSON_TYPE }), 413],

  ['POST /webhooks/trello', 'no signature', () => ({ path: '/webhooks/trello', body: JSON.stringify(cardDone()), headers: JSON_TYPE }), 401],
  [
    'POST /webhooks/trello',
    'signed for another callback URL',
    () => ({ path: '/webhooks/trello', ...trelloDelivery(h.trello!.appSecret, 'https://elsewhere.test/webhooks/trello', cardDone()) }),
    401,
  ],
  ['POST /webhooks/trello', 'malformed JSON, signed', () => signedTrello('{"action": '), 400],
  [
    'POST /webhooks/trello',
    'a NUL in the action id, signed',
    () => {
      const d = cardDone();
      return signedTrello(JSON.stringify({ ...d, action: { ...d.action, id: 'act\u0000' } }));
    },
    400,
  ],
  ['POST /webhooks/trello', 'a body just over 1 MB', () => ({ path: '/webhooks/trello', body: overLimit(BODY_LIMITS.webhook), headers: JSON_TYPE }), 413],

  ['POST /webhooks/monday', 'no Authorization JWT', () => ({ path: '/webhooks/monday', body: JSON.stringify(mondayEvent()), headers: JSON_TYPE }), 401],
  ['POST /webhooks/monday', 'a JWT signed with another secret', async () => monday(mondayEvent(), await mondayJwt((j) => j.setExpirationTime('5m'), 'not-the-secret')), 401],
  [
    'POST /webhooks/monday',
    'an expired JWT',
    async () => monday(mondayEvent(), await mondayJwt((j) => j.setIssuedAt(nowSeconds() - 2 * HOUR).setExpirationTime(nowSeconds() - HOUR))),
    401,
  ],
  ['POST /webhooks/monday', 'a JWT without exp', async () => monday(mondayEvent(), await mondayJwt((j) => j.setIssuedAt())), 401],
  [
    'POST /webhooks/monday',
    'a JWT not valid before an hour from now',
    async () => monday(mondayEvent(), await mondayJwt((j) => j.setNotBefore(nowSeconds() + HOUR).setExpirationTime('2h'))),
    401,
  ],
  ['POST /webhooks/monday', 'malformed JSON with a valid JWT', async () => ({ ...(await monday(mondayEvent())), body: '{"event": ' }), 400],
  [
    'POST /webhooks/monday',
    'a NUL in the trigger id, signed',
    async () => {
      const e = mondayEvent() as { event: Record<string, unknown> };
      return monday({ event: { ...e.event, triggerUuid: 'uuid\u0000' } });
    },
    400,
  ],
  ['POST /webhooks/monday', 'a body just over 1 MB', () => ({ path: '/webhooks/monday', body: overLimit(BODY_LIMITS.webhook), headers: JSON_TYPE }), 413],

  ['POST /webhooks/generic', 'no signature', () => ({ path: '/webhooks/generic', body: JSON.stringify(genericMilestone()), headers: JSON_TYPE }), 401],
  [
    'POST /webhooks/generic',
    'a wrong signature',
    () => ({ path: '/webhooks/generic', body: JSON.stringify(genericMilestone()), headers: { ...JSON_TYPE, 'x-duebot-signature': `sha256=${'0'.repeat(64)}` } }),
    401,
  ],
  ['POST /webhooks/generic', 'malformed JSON, signed', () => signedGeneric('{"externalId": '), 400],
  ['POST /webhooks/generic', 'a __proto__ field, signed', () => signedGeneric(`{"__proto__": {"polluted": true}, ${JSON.stringify(genericMilestone()).slice(1)}`), 400],
  ['POST /webhooks/generic', 'a constructor field, signed', () => signedGeneric(JSON.stringify(genericMilestone({ constructor: { prototype: { polluted: true } } }))), 400],
  ['POST /webhooks/generic', 'a NUL in the milestone name, signed', () => signedGeneric(JSON.stringify(genericMilestone({ milestone: 'Design\u0000' }))), 400],
  ['POST /webhooks/generic', 'a lone surrogate in the client name, signed', () => signedGeneric(JSON.stringify(genericMilestone({ client: 'acme\uD83D' }))), 400],
  ['POST /webhooks/generic', 'a body just over 1 MB', () => ({ path: '/webhooks/generic', body: overLimit(BODY_LIMITS.webhook), headers: JSON_TYPE }), 413],

  ['POST /webhooks/quickbooks', 'no intuit-signature', () => ({ path: '/webhooks/quickbooks', body: JSON.stringify(qboEvent()), headers: JSON_TYPE }), 401],
  ['POST /webhooks/quickbooks', 'signed with another verifier', () => ({ path: '/webhooks/quickbooks', ...qbo.signed(qboEvent(), 'forged-verifier') }), 401],
  ['POST /webhooks/quickbooks', 'malformed JSON, signed', () => signedQuickBooks('[{"id": '), 400],
  ['POST /webhooks/quickbooks', 'a NUL in the event id, signed', () => signedQuickBooks(JSON.stringify(qboEvent({ id: 'evt\u0000' }))), 400],
  ['POST /webhooks/quickbooks', 'a body just over 1 MB', () => ({ path: '/webhooks/quickbooks', body: overLimit(BODY_LIMITS.webhook), headers: JSON_TYPE }), 413],

  ['POST /webhooks/freshbooks', 'no signature', () => ({ path: '/webhooks/freshbooks', ...form({ name: 'invoice.update', object_id: '5', account_id: fb.accountId }) }), 401],
  [
    'POST /webhooks/freshbooks',
    'a wrong signature',
    () => {
      const d = form({ name: 'invoice.update', object_id: '5' });
      return { path: '/webhooks/freshbooks', body: d.body, headers: { ...d.headers, 'x-freshbooks-hmac-sha256': 'AAAA' } };
    },
    401,
  ],
  [
    'POST /webhooks/freshbooks',
    'an unsolicited verification message',
    () => ({ path: '/webhooks/freshbooks', ...form({ name: 'callback.verify', object_id: '999', verifier: 'attacker-chosen' }) }),
    400,
  ],
  ['POST /webhooks/freshbooks', 'a form without name, signed', () => signedFreshBooks({ object_id: '5' }), 400],
  ['POST /webhooks/freshbooks', 'a NUL in the object id, signed', () => signedFreshBooks({ name: 'invoice.update', object_id: '5\u0000' }), 400],
  [
    'POST /webhooks/freshbooks',
    'a body just over 1 MB',
    () => ({ path: '/webhooks/freshbooks', body: overLimit(BODY_LIMITS.webhook), headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    413,
  ],

  ['POST /webhooks/email', 'Postmark without basic auth', () => email({ ...postmarkRequest(reply()), headers: JSON_TYPE }), 401],
  ['POST /webhooks/email', 'SendGrid with wrong credentials', () => email(sendgridRequest(reply(), 'inbound:wrong')), 401],
  ['POST /webhooks/email', 'Mailgun with a tampered token', () => email(mailgunRequest(reply(), { timestamp: businessSeconds(), tamper: true })), 401],
  ['POST /webhooks/email', 'Mailgun with a stale timestamp', () => mailgunAt(businessSeconds() - HOUR), 401],
  ['POST /webhooks/email', 'Mailgun with a timestamp an hour ahead', () => mailgunAt(businessSeconds() + HOUR), 401],
  [
    'POST /webhooks/email',
    'Mailgun fields without a signature',
    () => {
      const f = mailgunFields(reply(), { timestamp: businessSeconds() });
      return email(form({ ...f, signature: '' }));
    },
    401,
  ],
  ['POST /webhooks/email', 'malformed Postmark JSON', () => email({ body: '{"From": ', headers: { ...JSON_TYPE, authorization: basic(INBOUND_AUTH) } }), 400],
  ['POST /webhooks/email', 'text/plain', () => email({ body: 'From: x@y\n\nhello', headers: { 'content-type': 'text/plain', authorization: basic(INBOUND_AUTH) } }), 400],
  [
    'POST /webhooks/email',
    'multipart with a boundary that never comes',
    () =>
      email({
        body: '--other\r\nContent-Disposition: form-data; name="x"\r\n\r\ny\r\n',
        headers: { 'content-type': 'multipart/form-data; boundary=missing', authorization: basic(INBOUND_AUTH) },
      }),
    400,
  ],
  ['POST /webhooks/email', 'a NUL in a Mailgun body, signed', () => mailgunAt(businessSeconds(), reply({ text: 'We will pay\u0000 on Friday.' })), 406],
  ['POST /webhooks/email', 'a NUL in a Postmark body', () => postmarkWith({ TextBody: 'pay\u0000', StrippedTextReply: 'pay\u0000' }), 400],
  ['POST /webhooks/email', 'a lone surrogate in a Postmark subject', () => postmarkWith({ Subject: 'Re: Invoice \uD800' }), 400],
  ['POST /webhooks/email', 'a NUL in a SendGrid subject', () => email(sendgridRequest(reply({ subject: 'Re:\u0000 Invoice' }))), 400],
  [
    'POST /webhooks/email',
    'a body just over 1 MB without credentials (read, then refused: not 413)',
    () => email({ body: overLimit(BODY_LIMITS.webhook), headers: JSON_TYPE }),
    401,
  ],
  ['POST /webhooks/email', 'a body just over 25 MB', () => email({ body: overLimit(BODY_LIMITS.email), headers: JSON_TYPE }), 413],

  ['GET /oauth/:provider/start', '__proto__', () => ({ method: 'GET', path: '/oauth/__proto__/start' }), 404],
  ['GET /oauth/:provider/start', 'constructor', () => ({ method: 'GET', path: '/oauth/constructor/start' }), 404],
  ['GET /oauth/:provider/start', 'no one-time link', () => ({ method: 'GET', path: '/oauth/quickbooks/start' }), 403],
  ['GET /oauth/:provider/start', 'a forged link', () => ({ method: 'GET', path: '/oauth/quickbooks/start?link=forged' }), 403],
  ['GET /oauth/:provider/start', 'an unknown provider', () => ({ method: 'GET', path: '/oauth/xero/start' }), 404],
  ['GET /oauth/:provider/start', 'a path that does not decode', () => ({ method: 'GET', path: '/oauth/%E0%A4%A/start' }), 400],
  ['GET /oauth/:provider/callback', 'toString', () => ({ method: 'GET', path: '/oauth/toString/callback?state=x&code=y' }), 404],
  // The browser cookie is checked first: a callback from a browser that never opened an approver's link is 403.
  ['GET /oauth/:provider/callback', 'an unknown state', () => ({ method: 'GET', path: '/oauth/quickbooks/callback?state=forged&code=y&realmId=1' }), 403],
  [
    'GET /oauth/:provider/callback',
    'a NUL in the state',
    () => ({ method: 'GET', path: '/oauth/quickbooks/callback?state=ab%00cd&code=y', headers: { cookie: 'duebot_oauth=forged' } }),
    400,
  ],
  [
    'GET /oauth/:provider/callback',
    'a forged cookie and state',
    () => ({ method: 'GET', path: '/oauth/quickbooks/callback?state=forged&code=y&realmId=1', headers: { cookie: 'duebot_oauth=forged' } }),
    400,
  ],

  ['POST /webhooks/:tool', '__proto__', () => ({ path: '/webhooks/__proto__', body: '{}', headers: JSON_TYPE }), 404],
  ['POST /webhooks/:tool', 'constructor', () => ({ path: '/webhooks/constructor', body: '{}', headers: JSON_TYPE }), 404],
  ['POST /webhooks/:tool', 'hasOwnProperty', () => ({ path: '/webhooks/hasOwnProperty', body: '{}', headers: JSON_TYPE }), 404],
  ['POST /webhooks/:tool', 'an unknown tool', () => ({ path: '/webhooks/jira', body: '{}', headers: JSON_TYPE }), 404],
  ['POST /webhooks/:tool', 'an unknown tool with a body over 1 MB (not read)', () => ({ path: '/webhooks/jira', body: overLimit(BODY_LIMITS.webhook), headers: JSON_TYPE }), 404],
  ['GET /webhooks/stripe', 'the wrong method', () => ({ method: 'GET', path: '/webhooks/stripe' }), 404],
  ['POST /healthz', 'the wrong method', () => ({ path: '/healthz', body: '{}', headers: JSON_TYPE }), 404],
  [
    'POST /webhooks/bounces/mailgun',
    'unsigned',
    () => bounces('mailgun', JSON.stringify({ 'event-data': { event: 'failed', severity: 'permanent', id: 'x', recipient: 'ap@acme.example' } })),
    401,
  ],
  [
    'POST /webhooks/bounces/mailgun',
    'signed with another key',
    () => bounces('mailgun', mailgunBounce(bounceSpec, { timestamp: businessSeconds(), key: 'not-the-key' }).body as string),
    401,
  ],
  ['POST /webhooks/bounces/mailgun', 'a stale timestamp', () => bounces('mailgun', mailgunBounce(bounceSpec, { timestamp: businessSeconds() - HOUR }).body as string), 401],
  ['POST /webhooks/bounces/mailgun', 'malformed JSON', () => bounces('mailgun', '{"signature": '), 400],
  [
    'POST /webhooks/bounces/mailgun',
    'signed, without event-data',
    () =>
      bounces(
        'mailgun',
        JSON.stringify({ signature: (JSON.parse(mailgunBounce(bounceSpec, { timestamp: businessSeconds() }).body as string) as { signature: unknown }).signature }),
      ),
    406,
  ],
  [
    'POST /webhooks/bounces/mailgun',
    'a NUL in a signed reason',
    () => bounces('mailgun', mailgunBounce({ ...bounceSpec, reason: 'no\u0000such user' }, { timestamp: businessSeconds() }).body as string),
    400,
  ],
  ['POST /webhooks/bounces/postmark', 'without basic auth', () => bounces('postmark', postmarkBounce(bounceSpec).body as string), 401],
  ['POST /webhooks/bounces/postmark', 'malformed JSON', () => bounces('postmark', '[{', { authorization: basic(INBOUND_AUTH) }), 400],
  [
    'POST /webhooks/bounces/postmark',
    'a bounce without Email',
    () => bounces('postmark', JSON.stringify({ RecordType: 'Bounce', ID: 1, Type: 'HardBounce' }), { authorization: basic(INBOUND_AUTH) }),
    400,
  ],
  ['POST /webhooks/bounces/sendgrid', 'no verification key configured', () => bounces('sendgrid', JSON.stringify([sendgridBounceEvent(bounceSpec)])), 401],
  ['POST /webhooks/bounces/jira', 'an unknown provider', () => bounces('jira', '{}'), 404],
  ['POST /webhooks/bounces/mailgun', 'a body just over 1 MB', () => bounces('mailgun', overLimit(BODY_LIMITS.webhook)), 413],
  ['POST /metrics', 'the wrong method', () => ({ path: '/metrics', body: '{}', headers: JSON_TYPE }), 404],
  ['GET /metrics', 'without the bearer token', () => ({ method: 'GET', path: '/metrics' }), 401],
  ['GET /readyz', 'an unknown check to leave out', () => ({ method: 'GET', path: '/readyz?exclude=everything' }), 400],
  ['GET /readyz', 'exclude given twice', () => ({ method: 'GET', path: '/readyz?exclude=sweep&exclude=database' }), 400],
  ['GET /readyz', 'an empty name in exclude', () => ({ method: 'GET', path: '/readyz?exclude=sweep,' }), 400],
  ['GET /.env', 'a path that is no route', () => ({ method: 'GET', path: '/.env' }), 404],
];

const TABLES = [
  'inbox_events',
  'email_bounces',
  'webhook_secrets',
  'webhook_registrations',
  'oauth_links',
  'oauth_states',
  'pending_connections',
  'invoices',
  'mailgun_tokens',
  'connections',
];
async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const { rows } = await h.bot.services.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    counts[table] = rows[0]!.n;
  }
  return counts;
}

async function send(request: HostileRequest): Promise<Response> {
  const method = request.method ?? 'POST';
  return fetch(`${h.bot.url}${request.path}`, { method, headers: request.headers, body: method === 'POST' ? request.body : undefined, redirect: 'manual' });
}

// A rest parameter: with a fourth named parameter Jest would pass `done` to rows without a status.
test.each(rows)('%s — %s: a 4xx JSON reason, nothing stored', async (...row: Row) => {
  const [, attack, build, status] = row;
  const request = await build();
  const before = await rowCounts();
  const res = await send(request);
  const text = await res.text();
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error?: unknown };
  expect(typeof body.error).toBe('string');
  expect((body.error as string).length).toBeGreaterThan(3);
  // Unstorable input is refused for what it is, not by an earlier check.
  if (/\bNUL\b|lone surrogate/.test(attack)) expect(body.error).toMatch(/^cannot be stored/);
  expect(text).not.toMatch(/\/work\/|node_modules|\n\s+at |<html|<!doctype/i);
  expect(await rowCounts()).toEqual(before);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

test('HEAD on a prototype name or an unknown tool is a 404 with a JSON content type', async () => {
  for (const path of ['/webhooks/__proto__', '/webhooks/constructor', '/webhooks/jira']) {
    const res = await send({ method: 'HEAD', path });
    expect([path, res.status, res.headers.get('content-type')]).toEqual([path, 404, expect.stringMatching(/^application\/json/)]);
  }
});

test('signed deliveries naming prototype members are ignored or refused, never a crash', async () => {
  const before = await rowCounts();
  const stripe = await send(signedStripe(JSON.stringify(stripeEvent({ type: 'constructor' }))));
  expect([stripe.status, await stripe.json()]).toEqual([200, { ignored: 'constructor' }]);
  const quickbooks = await send(signedQuickBooks(JSON.stringify(qboEvent({ type: 'qbo.constructor.updated.v1' }))));
  expect([quickbooks.status, await quickbooks.json()]).toEqual([200, { accepted: 0, duplicates: 0, ignored: 1 }]);
  const freshbooks = await send(signedFreshBooks({ name: 'constructor', object_id: '5' }));
  expect([freshbooks.status, await freshbooks.json()]).toEqual([200, { accepted: 0, duplicates: 0, ignored: 1 }]);
  expect(await rowCounts()).toEqual(before);
});

test('a signed milestone for a client named __proto__ is stored and ends as a "needs set-up" note', async () => {
  const milestone = genericMilestone({ client: '__proto__' });
  const res = await send(signedGeneric(JSON.stringify(milestone)));
  expect([res.status, await res.json()]).toEqual([200, { accepted: 1, duplicates: 0, ignored: 0 }]);
  const note = await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes('__proto__')));
  expect(JSON.stringify(note.args)).toContain('no client in the clients file');
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

test('a 5 MB multipart reply with an attachment is accepted and stored', async () => {
  const spec = reply({ text: 'Screenshot of the remittance attached.' });
  const fields = mailgunFields(spec, { timestamp: businessSeconds() });
  const screenshot = randomBytes(4 * 1024 * 1024)
    .toString('base64')
    .slice(0, 5 * 1024 * 1024);
  const request = multipart(fields, { 'attachment-1': { filename: 'remittance.png', type: 'image/png', content: screenshot } });
  expect(Buffer.byteLength(request.body)).toBeGreaterThan(BODY_LIMITS.webhook * 5);
  const res = await send(email(request));
  expect([res.status, await res.json()]).toEqual([200, { received: true, duplicate: false }]);
  const { rows } = await h.bot.services.db.pool.query<{ payload: { text: string; from: string } }>("SELECT payload FROM inbox_events WHERE source = 'email' AND external_id = $1", [
    spec.messageId,
  ]);
  expect(rows[0]?.payload).toMatchObject({ from: spec.from, text: expect.stringContaining('Screenshot of the remittance attached.') });
});

import { randomBytes } from 'node:crypto';
import { startHarness, APPROVER, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { startFakeXero, xeroEnv, type FakeXero } from '../support/fake-xero.js';
import { callback, openLink, requestConnectLink, acmeOn } from '../support/connect-backend.js';
import { findInvoiceBySource } from '../../src/store/invoices.js';
import { createConnectionStore } from '../../src/store/connections.js';
import { createTokenCipher } from '../../src/store/token-cipher.js';

/**
 * Xero wired into the running app: an approver connects through the OAuth routes and picks one of the
 * two organisations the consent authorised, in the same browser; a milestone becomes an AUTHORISED
 * invoice at Xero with the online invoice link in the email; Xero's intent-to-receive check passes;
 * a signed INVOICE event after a payment marks the invoice paid. Real HTTP app, real SDK, local stand-in.
 */

const ACME_ON_XERO = acmeOn('xero', { extra: ['finalMode: pause'] });

let h: Harness;
let xero: FakeXero;
const key = randomBytes(32);
beforeEach(async () => {
  xero = await startFakeXero();
  h = await startHarness({ clientsYaml: ACME_ON_XERO, env: { ENCRYPTION_KEY: key.toString('base64'), PUBLIC_URL: 'https://duebot.example.com', ...xeroEnv(xero) } });
});
afterEach(async () => {
  await h?.stop();
  await xero?.close();
});

/** Posts the pick from the choice page, as the browser holding `cookie` would. */
const choose = (form: Record<string, string>, cookie: string | null) =>
  fetch(`${h.bot.url}/oauth/xero/choose`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(form).toString(),
  });

test('connect Xero choosing the organisation, issue an approved invoice there, pass intent-to-receive, take the payment from a signed event', async () => {
  const holdings = xero.addTenant('Pixel Holdings (AU)');
  xero.authorise('xero-code', [xero.tenantId, holdings.tenantId]);
  const opened = await openLink(h, await requestConnectLink(h, 'xero'));
  expect(opened.response.status).toBe(302);
  expect(`${opened.location!.origin}${opened.location!.pathname}`).toBe(`${xero.url}/identity/connect/authorize`);
  expect(opened.location!.searchParams.get('redirect_uri')).toBe('https://duebot.example.com/oauth/xero/callback');

  // Two organisations authorised: the callback page offers both; nothing is connected yet.
  const page = await callback(h, 'xero', { code: 'xero-code', state: opened.state! }, opened.cookie);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('Pixel &amp; Co (NZ)');
  expect(html).toContain('Pixel Holdings (AU)');
  const choiceToken = /name="choice" value="([\w-]+)"/.exec(html)![1]!;
  const connections = createConnectionStore(h.bot.services.db.pool, createTokenCipher(key));
  expect(await connections.get('xero')).toBeNull();

  // The pick is bound to that browser: without its cookie, or with another browser's, nothing happens.
  expect((await choose({ choice: choiceToken, account: holdings.tenantId }, null)).status).toBe(403);
  expect((await choose({ choice: choiceToken, account: holdings.tenantId }, 'duebot_oauth=someone-else')).status).toBe(400);
  const picked = await choose({ choice: choiceToken, account: holdings.tenantId }, opened.cookie);
  expect(picked.status).toBe(200);
  expect(await picked.text()).toContain(`Xero organisation “Pixel Holdings (AU)” (tenant ${holdings.tenantId}) is connected`);
  // Spent: the same pick cannot be replayed.
  expect((await choose({ choice: choiceToken, account: xero.tenantId }, opened.cookie)).status).toBe(400);
  expect(await connections.get('xero')).toMatchObject({ accountId: holdings.tenantId, status: 'active' });
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => String(m.args.text ?? '').includes('connected Xero organisation')));

  expect((await h.completeMilestone({ gid: '7101', name: 'Milestone 1 - Discovery', amount: 1500 })).status).toBe(200);
  const draft = await h.slack.waitFor(async () => findInvoiceBySource(h.bot.services.db.pool, 'asana', '7101'));
  expect(draft.provider).toBe('xero');
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
  expect((await h.clickButton('approve_invoice', draft.id, APPROVER)).status).toBe(200);
  const sent = await h.waitForStatus(draft.id, 'sent');
  const invoice = xero.invoices.get(sent.providerInvoiceId!)!;
  expect(invoice).toMatchObject({ Type: 'ACCREC', InvoiceNumber: draft.number, Status: 'AUTHORISED', Total: 1500 });
  // Made in the organisation the approver picked.
  expect(new Set(xero.requests.filter((r) => r.path.startsWith('/api.xro/2.0/')).map((r) => r.headers['xero-tenant-id']))).toEqual(new Set([holdings.tenantId]));
  expect(sent.paymentUrl).toBe(`${xero.url}/in/${sent.providerInvoiceId}`);
  const email = await h.smtp.waitFor((m) => m.subject.includes(draft.number));
  expect(email.text).toContain(sent.paymentUrl!);

  // Xero's webhook validation: 200 to the correctly signed, 401 to the others, no body.
  const itr = await xero.intentToReceive(`${h.bot.url}/webhooks/xero`);
  expect(itr).toMatchObject({ passed: true });

  xero.pay(sent.providerInvoiceId!);
  const event = { ...xero.invoiceEvent(sent.providerInvoiceId!), tenantId: holdings.tenantId };
  const forged = xero.signedDelivery([event], 'not-the-key');
  expect((await fetch(`${h.bot.url}/webhooks/xero`, { method: 'POST', body: forged.body, headers: forged.headers })).status).toBe(401);
  const stored = async () => (await h.bot.services.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM inbox_events WHERE source = 'xero'")).rows[0]!.n;
  expect(await stored()).toBe(0);

  const delivery = xero.signedDelivery([event]);
  const res = await fetch(`${h.bot.url}/webhooks/xero`, { method: 'POST', body: delivery.body, headers: delivery.headers });
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('');
  expect(res.headers.get('set-cookie')).toBeNull();
  const paid = await h.waitForStatus(draft.id, 'paid');
  expect(paid.amountPaid).toBe(150000);
  // A repeat of the same delivery is stored once.
  expect((await fetch(`${h.bot.url}/webhooks/xero`, { method: 'POST', body: delivery.body, headers: delivery.headers })).status).toBe(200);
  expect(await stored()).toBe(1);
  await h.slack.waitFor(async () => (await h.bot.services.db.pool.query("SELECT 1 FROM inbox_events WHERE source = 'xero' AND processed_at IS NOT NULL")).rowCount === 1);
});

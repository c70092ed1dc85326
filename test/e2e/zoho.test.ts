import { randomBytes } from 'node:crypto';
import { startHarness, APPROVER, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { startFakeZoho, zohoEnv, type FakeZoho } from '../support/fake-zoho.js';
import { findInvoiceBySource } from '../../src/store/invoices.js';
import { callback, openLink, requestConnectLink, acmeOn } from '../support/connect-backend.js';
import { pollOpenInvoices } from '../../src/usecases/poll-payments.js';

/**
 * Zoho Invoice in the running app: an approver connects it (EU data centre) through the OAuth routes,
 * a milestone becomes an invoice at Zoho under duebot's number with Zoho's client link in the email, a
 * part payment arrives by the workflow webhook (its URL secret), the rest by the payment poll alone.
 * Real HTTP app, real adapter, the local Zoho and Slack stand-ins.
 */
const ACME_ON_ZOHO = acmeOn('zoho', { currency: 'EUR', paymentTermsDays: 14, extra: ['finalMode: pause'] });

let h: Harness;
let zoho: FakeZoho;
beforeEach(async () => {
  zoho = await startFakeZoho({ dc: 'eu' });
  h = await startHarness({
    clientsYaml: ACME_ON_ZOHO,
    env: { ENCRYPTION_KEY: randomBytes(32).toString('base64'), PUBLIC_URL: 'https://duebot.example.com', ...zohoEnv(zoho) },
  });
});
afterEach(async () => {
  await h?.stop();
  await zoho?.close();
});

test('connect Zoho (EU), issue an approved invoice there, a part payment by webhook, the rest by the poll', async () => {
  const opened = await openLink(h, await requestConnectLink(h, 'zoho'));
  const consent = await fetch(opened.location!, { redirect: 'manual' });
  const back = new URL(consent.headers.get('location')!);
  const connected = await callback(h, 'zoho', Object.fromEntries(back.searchParams), opened.cookie);
  expect(connected.status).toBe(200);
  const page = await connected.text();
  expect(page).toContain(`Zoho Invoice organization “Zylker Design” (organization id ${zoho.organizationId}) is connected`);
  const hook = /POST (https:\/\/duebot\.example\.com\/webhooks\/zoho\/[\w-]+)/.exec(page)![1]!;
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => String(m.args.text ?? '').includes('connected Zoho Invoice')));

  expect((await h.completeMilestone({ gid: '7101', name: 'Milestone 1 - Discovery', amount: 1500 })).status).toBe(200);
  const draft = await h.slack.waitFor(async () => findInvoiceBySource(h.bot.services.db.pool, 'asana', '7101'));
  expect(draft.provider).toBe('zoho');
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
  expect((await h.clickButton('approve_invoice', draft.id, APPROVER)).status).toBe(200);
  const sent = await h.waitForStatus(draft.id, 'sent');
  const atZoho = zoho.invoices.get(sent.providerInvoiceId!)!;
  expect(atZoho).toMatchObject({ invoice_number: draft.number, total: 1500, currency_code: 'EUR', status: 'sent' });
  // Everything went to the EU data centre.
  expect(zoho.requests.filter((r) => r.path.includes('/invoice/v3/')).every((r) => r.path.startsWith('/eu/'))).toBe(true);
  expect(sent.paymentUrl).toBe(atZoho.invoice_url);
  const email = await h.smtp.waitFor((m) => m.subject.includes(draft.number));
  expect(email.text).toContain(sent.paymentUrl!);

  zoho.pay(sent.providerInvoiceId!, '500');
  const delivery = zoho.workflowDelivery(sent.providerInvoiceId!);
  const forged = await fetch(`${h.bot.url}/webhooks/zoho/not-the-secret`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: delivery });
  expect(forged.status).toBe(401);
  const res = await fetch(`${hook.replace('https://duebot.example.com', h.bot.url)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: delivery });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
  const partial = await h.waitForStatus(draft.id, 'partially_paid');
  expect(partial.amountPaid).toBe(50000);

  // The rest is paid with no webhook at all: the poll reads it.
  zoho.pay(sent.providerInvoiceId!);
  await pollOpenInvoices(h.bot.services);
  const paid = await h.waitForStatus(draft.id, 'paid');
  expect(paid.amountPaid).toBe(150000);
  await h.slack.waitFor(async () => (await h.bot.services.db.pool.query("SELECT 1 FROM inbox_events WHERE source = 'zoho' AND processed_at IS NOT NULL")).rowCount === 1);
});

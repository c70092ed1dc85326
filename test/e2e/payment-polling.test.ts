import { randomBytes } from 'node:crypto';
import { startHarness, APPROVER, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { startFakeQuickBooks, type FakeQuickBooks, quickbooksEnv } from '../support/fake-quickbooks.js';
import { startFakeFreshBooks, type FakeFreshBooks, freshbooksEnv } from '../support/fake-freshbooks.js';
import { findInvoiceBySource, getInvoice, type InvoiceRecord } from '../../src/store/invoices.js';
import { connectBackend } from '../support/connect-backend.js';
import { pollOpenInvoices } from '../../src/usecases/poll-payments.js';

/**
 * The polling fallback alone: the client pays at the back-end and no webhook ever arrives. With the
 * poll every 300 ms the invoice still becomes paid, its thread says so and its reminders are cancelled,
 * on every back-end.
 */

const clientOn = (provider: string, project = '1200', id = 'acme') => `
  - id: ${id}
    name: ${id} Ltd
    emails: [ap@acme.example]
    currency: USD
    paymentTermsDays: 7
    asanaProjects: ["${project}"]
    provider: ${provider}
`;
const clients = (...entries: string[]) => `clients:${entries.join('')}`;

let h: Harness;
let qbo: FakeQuickBooks;
let fb: FakeFreshBooks;
beforeEach(async () => {
  [qbo, fb] = await Promise.all([startFakeQuickBooks(), startFakeFreshBooks()]);
});
afterEach(async () => {
  await h?.stop();
  await Promise.all([qbo?.close(), fb?.close()]);
});

async function start(clientsYaml: string, pollPaymentsEvery = 300): Promise<void> {
  h = await startHarness({
    clientsYaml,
    pollPaymentsEvery,
    env: {
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PUBLIC_URL: 'https://duebot.example.com',
      ...quickbooksEnv(qbo),
      ...freshbooksEnv(fb),
    },
  });
}

/** Milestone → draft → approved and sent at the client's back-end, with its reminders scheduled. */
async function sentInvoice(gid: string, projectGid = '1200'): Promise<InvoiceRecord> {
  expect((await h.completeMilestone({ gid, name: 'Milestone 1 - Discovery', amount: 1500, projectGid })).status).toBe(200);
  const draft = await h.slack.waitFor(async () => findInvoiceBySource(h.bot.services.db.pool, 'asana', gid));
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
  expect((await h.clickButton('approve_invoice', draft.id, APPROVER)).status).toBe(200);
  const sent = await h.waitForStatus(draft.id, 'sent');
  expect(await reminderStatuses(sent.id)).toContain('pending');
  return sent;
}

async function reminderStatuses(invoiceId: string): Promise<string[]> {
  const { rows } = await h.bot.services.db.pool.query<{ status: string }>('SELECT status FROM reminders WHERE invoice_id = $1 ORDER BY step_index', [invoiceId]);
  return rows.map((r) => r.status);
}

/** Paid, said so in the thread, reminders cancelled, and no webhook ever reached the bot. */
async function expectRecordedByPolling(sent: InvoiceRecord, actor: string): Promise<void> {
  const paid = await h.waitForStatus(sent.id, 'paid');
  expect(paid.amountPaid).toBe(150000);
  const note = await h.slack.waitFor(() => h.slack.threadReplies(BILLING_CHANNEL, sent.slackTs!).find((r) => /Paid \$1,500\.00 on/.test(String(r.args.text))));
  expect(note).toBeDefined();
  const statuses = await reminderStatuses(sent.id);
  expect(statuses.length).toBeGreaterThan(0);
  expect(statuses.every((s) => s === 'cancelled')).toBe(true);
  const { rows } = await h.bot.services.db.pool.query<{ actor: string }>("SELECT actor FROM audit_log WHERE invoice_id = $1 AND action = 'paid'", [sent.id]);
  expect(rows).toEqual([{ actor }]);
  const inbox = await h.bot.services.db.pool.query('SELECT 1 FROM inbox_events WHERE source IN ($1, $2, $3)', ['stripe', 'quickbooks', 'freshbooks']);
  expect(inbox.rowCount).toBe(0);
}

test('Stripe: a payment whose webhook is lost is recorded by polling alone', async () => {
  await start(clients(clientOn('stripe')));
  const sent = await sentInvoice('8101');
  h.stripe.pay(sent.providerInvoiceId!);
  await expectRecordedByPolling(sent, 'stripe (poll)');
  // Stripe's open invoices are listed (the paid one drops out of that list and is read by itself).
  expect(h.stripe.requests.some((r) => r.method === 'GET' && r.path === '/v1/invoices' && r.query.status === 'open')).toBe(true);
});

test('QuickBooks: a payment whose webhook is lost is recorded by polling alone', async () => {
  await start(clients(clientOn('quickbooks')));
  expect((await connectBackend(h, 'quickbooks', { code: 'qbo-code', realmId: qbo.realmId })).status).toBe(200);
  const sent = await sentInvoice('8201');
  qbo.pay(sent.providerInvoiceId!);
  await expectRecordedByPolling(sent, 'quickbooks (poll)');
});

test('FreshBooks: a payment whose webhook is lost is recorded by polling alone', async () => {
  await start(clients(clientOn('freshbooks')));
  expect((await connectBackend(h, 'freshbooks', { code: 'good-code' })).status).toBe(200);
  const sent = await sentInvoice('8301');
  fb.pay(sent.providerInvoiceId!);
  await expectRecordedByPolling(sent, 'freshbooks (poll)');
});

test('a 429 from Stripe stops only the Stripe poll: the QuickBooks payment is still recorded', async () => {
  await start(clients(clientOn('stripe', '1201', 'globex'), clientOn('quickbooks', '1200', 'acme')));
  expect((await connectBackend(h, 'quickbooks', { code: 'qbo-code', realmId: qbo.realmId })).status).toBe(200);
  const atStripe = await sentInvoice('8401', '1201');
  const atQuickBooks = await sentInvoice('8402', '1200');
  expect([atStripe.provider, atQuickBooks.provider]).toEqual(['stripe', 'quickbooks']);
  const stripeReads = () => h.stripe.requests.filter((r) => r.method === 'GET' && r.path === `/v1/invoices/${atStripe.providerInvoiceId}`);
  // Every read of the Stripe invoice is throttled from now on; both clients pay, no webhook arrives.
  h.stripe.failNext(1_000_000, 429, undefined, { path: `/v1/invoices/${atStripe.providerInvoiceId}` });
  const readsBefore = stripeReads().length;
  h.stripe.pay(atStripe.providerInvoiceId!);
  qbo.pay(atQuickBooks.providerInvoiceId!);

  await expectRecordedByPolling(atQuickBooks, 'quickbooks (poll)');
  expect(stripeReads().length).toBeGreaterThan(readsBefore); // the Stripe invoice was asked about, and refused
  expect((await getInvoice(h.bot.services.db.pool, atStripe.id))!.status).toBe('sent');

  // The throttle lifts: the next run records the Stripe payment too.
  h.stripe.failNext(0, 200);
  await expectRecordedByPolling(atStripe, 'stripe (poll)');
});

test('two polls at once record a payment once: one payment row, one thread note', async () => {
  await start(clients(clientOn('stripe')), 60 * 60 * 1000); // the scheduler's own poll stays out of the way
  const sent = await sentInvoice('8501');
  h.stripe.pay(sent.providerInvoiceId!);
  const reports = await Promise.all([pollOpenInvoices(h.bot.services), pollOpenInvoices(h.bot.services)]);
  expect(reports.map((r) => r.changed).sort()).toEqual([0, 1]);
  await expectRecordedByPolling(sent, 'stripe (poll)');
  const payments = await h.bot.services.db.pool.query('SELECT amount FROM payments WHERE invoice_id = $1', [sent.id]);
  expect(payments.rows).toEqual([{ amount: expect.anything() }]);
  expect(h.slack.threadReplies(BILLING_CHANNEL, sent.slackTs!).filter((r) => /Paid \$1,500\.00 on/.test(String(r.args.text)))).toHaveLength(1);
});

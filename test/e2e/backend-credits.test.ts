import { randomBytes } from 'node:crypto';
import { startHarness, APPROVER, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { startFakeQuickBooks, type FakeQuickBooks, quickbooksEnv } from '../support/fake-quickbooks.js';
import { startFakeFreshBooks, type FakeFreshBooks, freshbooksEnv } from '../support/fake-freshbooks.js';
import { findInvoiceBySource, getInvoice, type InvoiceRecord } from '../../src/store/invoices.js';
import { connectBackend } from '../support/connect-backend.js';
import { pollOpenInvoices } from '../../src/usecases/poll-payments.js';
import { agingNow } from '../../src/usecases/aging.js';
import { forecastNow } from '../../src/usecases/forecast.js';
import { clientSummary } from '../../src/usecases/client-summary.js';
import { creditInvoiceBalance } from '../../src/usecases/credit-invoice.js';

/**
 * Credits made in each back-end's own UI (a Stripe Dashboard credit note, a QuickBooks credit memo
 * applied by a $0 payment, a FreshBooks "Credit" payment), learnt by that back-end's webhook and,
 * separately, by the poll: each lowers the balance as a credit (never a payment), once, says so in the
 * thread, and aging, the forecast and the client's payment statistics follow.
 */

const clientOn = (provider: string, project: string, id: string) => `
  - id: ${id}
    name: ${id} Ltd
    emails: [ap@${id}.example]
    currency: USD
    paymentTermsDays: 7
    asanaProjects: ["${project}"]
    provider: ${provider}
`;
const CLIENTS = `clients:${clientOn('stripe', '1201', 'globex')}${clientOn('quickbooks', '1202', 'initech')}${clientOn('freshbooks', '1203', 'umbrella')}`;

let h: Harness;
let qbo: FakeQuickBooks;
let fb: FakeFreshBooks;
beforeEach(async () => {
  [qbo, fb] = await Promise.all([startFakeQuickBooks(), startFakeFreshBooks()]);
  h = await startHarness({
    clientsYaml: CLIENTS,
    pollPaymentsEvery: 60 * 60 * 1000, // the tests poll themselves, when they mean to
    env: {
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PUBLIC_URL: 'https://duebot.example.com',
      ...quickbooksEnv(qbo),
      ...freshbooksEnv(fb),
      FRESHBOOKS_WEBHOOK_VERIFIER: fb.verifier,
    },
  });
});
afterEach(async () => {
  await h?.stop();
  await Promise.all([qbo?.close(), fb?.close()]);
});

const pool = () => h.bot.services.db.pool;
const PROJECT: Record<string, string> = { stripe: '1201', quickbooks: '1202', freshbooks: '1203' };
const thread = (inv: InvoiceRecord) => h.slack.threadReplies(BILLING_CHANNEL, inv.slackTs!).map((r) => String(r.args.text));

/** Milestone of $1,500 → approved and sent at `provider`, reminders scheduled. */
async function sentInvoice(provider: string, gid: string): Promise<InvoiceRecord> {
  if (provider === 'quickbooks') expect((await connectBackend(h, 'quickbooks', { code: 'qbo-code', realmId: qbo.realmId })).status).toBe(200);
  if (provider === 'freshbooks') expect((await connectBackend(h, 'freshbooks', { code: 'good-code' })).status).toBe(200);
  expect((await h.completeMilestone({ gid, name: `Milestone ${gid}`, amount: 1500, projectGid: PROJECT[provider] })).status).toBe(200);
  const draft = await h.slack.waitFor(async () => findInvoiceBySource(pool(), 'asana', gid));
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
  expect((await h.clickButton('approve_invoice', draft.id, APPROVER)).status).toBe(200);
  const sent = await h.waitForStatus(draft.id, 'sent');
  expect(sent.provider).toBe(provider);
  await h.slack.waitFor(() => thread(sent).find((t) => /sent to/.test(t)));
  return sent;
}

const credits = async (inv: InvoiceRecord) =>
  (
    await pool().query<{ amount: number; source: string; backend_credit_id: string | null; balance_after: number }>(
      'SELECT amount, source, backend_credit_id, balance_after FROM invoice_credits WHERE invoice_id = $1 ORDER BY id',
      [inv.id],
    )
  ).rows;
const payments = async (inv: InvoiceRecord) =>
  (await pool().query<{ amount: number }>('SELECT amount FROM payments WHERE invoice_id = $1 ORDER BY id', [inv.id])).rows.map((r) => Number(r.amount));
const reminderStatuses = async (inv: InvoiceRecord) =>
  (await pool().query<{ status: string }>('SELECT status FROM reminders WHERE invoice_id = $1 ORDER BY step_index', [inv.id])).rows.map((r) => r.status);
const untilTotal = (inv: InvoiceRecord, total: number) =>
  h.slack.waitFor(async () => {
    const i = await getInvoice(pool(), inv.id);
    return i?.total === total ? i : undefined;
  });
const agingTotal = async () => (await agingNow(h.bot.services)).buckets.flatMap((b) => b.totals).reduce((sum, t) => sum + t.amount, 0);
const forecastFor = async (inv: InvoiceRecord) => (await forecastNow(h.bot.services)).forecast.payments.find((p) => p.number === inv.number)?.amount ?? null;

/** A partial credit of $400 on $1,500: a credit of that back-end's, lower balance, no payment, the thread says "credit". */
async function expectPartialCredit(inv: InvoiceRecord, backendCreditId: string, label: string): Promise<void> {
  const credited = await untilTotal(inv, 110000);
  expect(credited).toMatchObject({ status: 'sent', amountPaid: 0, paidAt: null });
  expect(credited.lines.at(-1)).toEqual({ description: `Credit applied in ${label}`, quantity: '1', unitAmount: -40000, amount: -40000 });
  expect(await credits(inv)).toEqual([{ amount: 40000, source: 'backend', backend_credit_id: backendCreditId, balance_after: 110000 }]);
  expect(await payments(inv)).toEqual([]);
  const note = await h.slack.waitFor(() => thread(inv).find((t) => t.includes('Credit of $400.00 applied')));
  expect(note).toBe(`:receipt: Credit of $400.00 applied in ${label}. Open balance now *$1,100.00*; reminders continue for it.`);
  expect(thread(inv).some((t) => /Paid|Partial payment|Payment received/.test(t))).toBe(false);
  expect(await reminderStatuses(inv)).toContain('pending');
  // Aging and the forecast count what is still owed, net of the credit.
  expect(await agingTotal()).toBe(110000);
  expect(await forecastFor(inv)).toBe(110000);
}

/** The whole $1,500 credited: settled as `credited`, reminders stopped, neither a payment nor payment history. */
async function expectSettledByCredit(inv: InvoiceRecord, label: string): Promise<void> {
  const settled = await h.waitForStatus(inv.id, 'credited');
  expect(settled).toMatchObject({ total: 0, amountPaid: 0, paidAt: null });
  expect(await payments(inv)).toEqual([]);
  await h.slack.waitFor(() => thread(inv).find((t) => t === `:receipt: Credit of $1,500.00 applied in ${label}. *Settled by credit*: nothing left to pay, reminders stopped.`));
  expect(thread(inv).some((t) => /Paid|Partial payment/.test(t))).toBe(false);
  expect((await reminderStatuses(inv)).every((s) => s === 'cancelled')).toBe(true);
  expect(await agingTotal()).toBe(0);
  expect(await forecastFor(inv)).toBeNull();
  const summary = await clientSummary(h.bot.services, inv.clientId);
  expect(summary?.stats).toMatchObject({ paidCount: 0, averageDaysToPay: null, openCount: 0 });
  const message = JSON.stringify(h.slack.lastUpdateOf(BILLING_CHANNEL, inv.slackTs!)?.args ?? {});
  expect(message).toContain('Settled by credit');
}

describe('Stripe', () => {
  test('a partial credit note made in the Dashboard, by webhook: a credit, once (a repeat and the poll add nothing); the client then pays the rest', async () => {
    const inv = await sentInvoice('stripe', '9301');
    const note = h.stripe.creditNote(inv.providerInvoiceId!, 40000, 'Goodwill');
    const deliver = async (event: Record<string, unknown>) => {
      const d = h.stripe.signedDelivery(event as never);
      expect((await fetch(`${h.bot.url}/webhooks/stripe`, { method: 'POST', body: d.body, headers: d.headers })).status).toBe(200);
    };
    const event = h.stripe.creditNoteEvent('credit_note.created', note.id);
    await deliver(event);
    await expectPartialCredit(inv, note.id, 'Stripe');

    await deliver(event); // the same delivery again
    await deliver(h.stripe.creditNoteEvent('credit_note.updated', note.id)); // another event about it
    expect((await pollOpenInvoices(h.bot.services)).changed).toBe(0);
    await h.slack.waitFor(async () => (await pool().query("SELECT 1 FROM inbox_events WHERE source = 'stripe' AND processed_at IS NOT NULL")).rowCount === 2);
    expect(await credits(inv)).toHaveLength(1);
    expect(thread(inv).filter((t) => t.includes('Credit of'))).toHaveLength(1);

    h.stripe.pay(inv.providerInvoiceId!);
    expect((await h.deliverStripe('invoice.paid', inv.providerInvoiceId!)).status).toBe(200);
    const paid = await h.waitForStatus(inv.id, 'paid');
    expect(paid).toMatchObject({ total: 110000, amountPaid: 110000 });
    expect(await payments(inv)).toEqual([110000]);
  });

  test('a credit note of the whole balance, found by the poll alone: settled by credit, not paid', async () => {
    const inv = await sentInvoice('stripe', '9302');
    const note = h.stripe.creditNote(inv.providerInvoiceId!, 150000);
    expect((await pollOpenInvoices(h.bot.services)).changed).toBe(1);
    await expectSettledByCredit(inv, 'Stripe');
    expect(await credits(inv)).toEqual([{ amount: 150000, source: 'backend', backend_credit_id: note.id, balance_after: 0 }]);
    // Stripe's own invoice.paid for it changes nothing more.
    expect((await h.deliverStripe('invoice.paid', inv.providerInvoiceId!)).status).toBe(200);
    expect((await pollOpenInvoices(h.bot.services)).changed).toBe(0);
    expect(await credits(inv)).toHaveLength(1);
    expect((await getInvoice(pool(), inv.id))!.status).toBe('credited');
  });

  test("duebot's own credit, read back by Stripe's webhook and the poll, is not counted a second time", async () => {
    const inv = await sentInvoice('stripe', '9303');
    const outcome = await creditInvoiceBalance(h.bot.services, inv.id, { amount: 40000, reason: 'Goodwill', submissionId: 'V0OWN' }, { slackUserId: APPROVER });
    expect(outcome).toMatchObject({ outcome: 'credited', settled: false });
    const [note] = [...h.stripe.creditNotes.values()];
    expect(await credits(inv)).toEqual([{ amount: 40000, source: 'duebot', backend_credit_id: note!.id, balance_after: 110000 }]);
    const d = h.stripe.signedDelivery(h.stripe.creditNoteEvent('credit_note.created', note!.id) as never);
    expect((await fetch(`${h.bot.url}/webhooks/stripe`, { method: 'POST', body: d.body, headers: d.headers })).status).toBe(200);
    await h.slack.waitFor(async () => (await pool().query("SELECT 1 FROM inbox_events WHERE source = 'stripe' AND processed_at IS NOT NULL")).rowCount === 1);
    expect((await pollOpenInvoices(h.bot.services)).changed).toBe(0);
    expect(await credits(inv)).toHaveLength(1);
    expect((await getInvoice(pool(), inv.id))!).toMatchObject({ total: 110000, amountPaid: 0, status: 'sent', attention: null });

    // Voided in the Dashboard afterwards: duebot does not raise the balance by itself, it asks a person.
    h.stripe.voidCreditNote(note!.id);
    const v = h.stripe.signedDelivery(h.stripe.creditNoteEvent('credit_note.voided', note!.id) as never);
    expect((await fetch(`${h.bot.url}/webhooks/stripe`, { method: 'POST', body: v.body, headers: v.headers })).status).toBe(200);
    const flagged = await h.slack.waitFor(async () => {
      const i = await getInvoice(pool(), inv.id);
      return i?.attention ? i : undefined;
    });
    expect(flagged).toMatchObject({ total: 110000, status: 'sent' });
    expect(flagged.attention).toContain('Stripe now shows $400.00 less credit than duebot recorded');
  });
});

describe('QuickBooks', () => {
  const deliver = async (entity: string, id: string, eventId: string) => {
    const d = qbo.signed([
      { specversion: '1.0', id: eventId, type: `qbo.${entity}.created.v1`, time: new Date().toISOString(), intuitentityid: id, intuitaccountid: qbo.realmId, data: {} },
    ]);
    expect((await fetch(`${h.bot.url}/webhooks/quickbooks`, { method: 'POST', body: d.body, headers: d.headers })).status).toBe(200);
  };

  test('a credit memo made in QuickBooks, by its CreditMemo webhook: a credit, not a payment; its $0 payment event adds nothing; real money later is', async () => {
    const inv = await sentInvoice('quickbooks', '9311');
    const { creditMemoId, paymentId } = qbo.creditMemo(inv.providerInvoiceId!, 40000);
    await deliver('creditmemo', creditMemoId, 'evt-memo');
    await expectPartialCredit(inv, `Payment/${paymentId}`, 'QuickBooks Online');

    await deliver('payment', paymentId, 'evt-zero-payment');
    await h.slack.waitFor(async () => (await pool().query("SELECT 1 FROM inbox_events WHERE source = 'quickbooks' AND processed_at IS NOT NULL")).rowCount === 2);
    expect((await pollOpenInvoices(h.bot.services)).changed).toBe(0);
    expect(await credits(inv)).toHaveLength(1);
    expect(await payments(inv)).toEqual([]);

    // QuickBooks now shows $400 "applied"; a real $300 payment is $300 of money, not $700.
    await deliver('payment', qbo.pay(inv.providerInvoiceId!, 30000).paymentId, 'evt-cash');
    const partly = await h.waitForStatus(inv.id, 'partially_paid');
    expect(partly).toMatchObject({ amountPaid: 30000, total: 110000 });
    expect(await payments(inv)).toEqual([30000]);
  });

  test('a credit memo of the whole balance, found by the poll alone: settled by credit, not paid', async () => {
    const inv = await sentInvoice('quickbooks', '9312');
    const { paymentId } = qbo.creditMemo(inv.providerInvoiceId!, 150000);
    await pollOpenInvoices(h.bot.services);
    await expectSettledByCredit(inv, 'QuickBooks Online');
    expect(await credits(inv)).toEqual([{ amount: 150000, source: 'backend', backend_credit_id: `Payment/${paymentId}`, balance_after: 0 }]);
  });
});

describe('FreshBooks', () => {
  const deliver = async (paymentId: number) => {
    const d = fb.signedDelivery({ name: 'payment.create', object_id: String(paymentId), account_id: fb.accountId, business_id: '6543', identity_id: '1', user_id: '1' });
    expect((await fetch(`${h.bot.url}/webhooks/freshbooks`, { method: 'POST', body: d.body, headers: d.headers })).status).toBe(200);
  };

  test('a credit applied in FreshBooks, by its payment.create webhook: a "Credit" payment is a credit, not a payment; the poll adds nothing; real money later is', async () => {
    const inv = await sentInvoice('freshbooks', '9321');
    const { paymentId } = fb.credit(inv.providerInvoiceId!, '400.00');
    await deliver(paymentId);
    await expectPartialCredit(inv, String(paymentId), 'FreshBooks');
    expect((await pollOpenInvoices(h.bot.services)).changed).toBe(0);
    expect(await credits(inv)).toHaveLength(1);

    await deliver(fb.pay(inv.providerInvoiceId!).paymentId);
    const paid = await h.waitForStatus(inv.id, 'paid');
    expect(paid).toMatchObject({ amountPaid: 110000, total: 110000 });
    expect(await payments(inv)).toEqual([110000]);
  });

  test('a credit of the whole balance, found by the poll alone: settled by credit, not paid', async () => {
    const inv = await sentInvoice('freshbooks', '9322');
    const { paymentId } = fb.credit(inv.providerInvoiceId!, '1500.00');
    await pollOpenInvoices(h.bot.services);
    await expectSettledByCredit(inv, 'FreshBooks');
    expect(await credits(inv)).toEqual([{ amount: 150000, source: 'backend', backend_credit_id: String(paymentId), balance_after: 0 }]);
  });
});

import { randomBytes } from 'node:crypto';
import { startFakeQuickBooks, quickbooksEnv } from '../support/fake-quickbooks.js';
import { startHarness, APPROVER, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { findInvoiceBySource, getInvoice, type InvoiceRecord } from '../../src/store/invoices.js';
import { remindersOf } from '../../src/store/reminders.js';
import { auditTrail } from '../../src/store/audit.js';
import { creditInvoiceBalance } from '../../src/usecases/credit-invoice.js';
import { ACME_ON_QUICKBOOKS, connectBackend } from '../support/connect-backend.js';

/**
 * Adjust amount → credit, on Stripe, through signed Slack requests: the credit note at Stripe, the lower
 * balance in duebot, the Slack message and thread, the client's email, the restarted sequence, once.
 */

let h: Harness;
afterEach(async () => h?.stop());

const pool = () => h.bot.services.db.pool;
const settle = () => new Promise((r) => setTimeout(r, 800));
const threadText = (inv: InvoiceRecord) => h.slack.threadReplies(BILLING_CHANNEL, inv.slackTs!).map((r) => JSON.stringify(r.args));
const creditValues = (amount: string, reason = 'Late delivery of the mockups') => ({
  adjust_mode: { adjust_mode_input: { type: 'radio_buttons', selected_option: { value: 'credit' } } },
  edit_lines: { lines_input: { type: 'plain_text_input', value: 'ignored | 1 | 1' } },
  adjust_credit: { adjust_credit_input: { type: 'plain_text_input', value: amount } },
  adjust_reason: { adjust_reason_input: { type: 'plain_text_input', value: reason } },
  edit_due_date: { due_date_input: { type: 'datepicker', selected_date: '2030-01-01' } },
  edit_recipients: { recipients_input: { type: 'plain_text_input', value: 'ap@acme.example' } },
});
const stripeInvoice = (inv: InvoiceRecord) =>
  h.stripe.invoices.get(inv.providerInvoiceId!) as unknown as { status: string; amount_remaining: number; amount_paid: number; pre_payment_credit_notes_amount?: number };
const payments = async (inv: InvoiceRecord) =>
  (await pool().query<{ amount: number }>('SELECT amount FROM payments WHERE invoice_id = $1', [inv.id])).rows.map((r) => Number(r.amount));

async function disputedInvoice(gid: string, amount: number): Promise<InvoiceRecord> {
  expect((await h.completeMilestone({ gid, name: `Milestone ${gid}`, amount })).status).toBe(200);
  const draft = await h.slack.waitFor(async () => findInvoiceBySource(pool(), 'asana', gid));
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
  expect((await h.clickButton('approve_invoice', draft.id, APPROVER)).status).toBe(200);
  const sent = await h.waitForStatus(draft.id, 'sent');
  await h.slack.waitFor(() => h.slack.threadReplies(BILLING_CHANNEL, sent.slackTs!).find((r) => /sent to/.test(String(r.args.text))));
  await h.clickButton('mark_disputed', sent.id, APPROVER);
  return h.slack.waitFor(async () => {
    const i = await getInvoice(pool(), sent.id);
    return i?.disputed ? i : undefined;
  });
}

test('a partial credit: credit note in Stripe, lower balance, corrected email, thread, sequence restarted; a repeated submission credits nothing more; the client then pays the rest', async () => {
  h = await startHarness();
  h.advanceDays(1);
  const inv = await disputedInvoice('9101', 2400);
  expect((await remindersOf(pool(), inv.id)).map((r) => r.status)).toEqual(['paused', 'paused', 'paused']);

  // Above the open balance, or without a reason: field errors, nothing happens.
  const tooMuch = await h.submitView('adjust_amount_modal', APPROVER, inv.id, creditValues('2400.01'));
  expect(await tooMuch.json()).toEqual({ response_action: 'errors', errors: { adjust_credit: 'The credit can be at most the open balance, $2,400.00.' } });
  const noReason = await h.submitView('adjust_amount_modal', APPROVER, inv.id, creditValues('400', ' '));
  expect(await noReason.json()).toEqual({ response_action: 'errors', errors: { adjust_reason: 'Say why the credit is given; the client sees it.' } });
  expect(stripeInvoice(inv).pre_payment_credit_notes_amount ?? 0).toBe(0);

  expect((await h.submitView('adjust_amount_modal', APPROVER, inv.id, creditValues('$400.00'))).status).toBe(200);
  const email = await h.smtp.waitFor((m) => m.subject.includes(inv.number) && /Credit applied/.test(m.subject));
  expect(email.subject).toBe(`[Pixel & Co] Credit applied: Invoice #${inv.number} — $2,000.00 now due`);
  expect(email.text).toContain(`We have applied a credit of $400.00 to invoice #${inv.number} for "Milestone 9101" (Late delivery of the mockups).`);
  expect(email.text).toContain('The corrected balance is $2,000.00');
  expect(email.text).toContain(`Pay now: ${inv.paymentUrl}`);
  expect(email.to).toEqual(expect.arrayContaining(['ap@acme.example', 'cfo@acme.example']));
  expect(email.inReplyTo).toBe(inv.emailMessageId);

  // Stripe: one pre-payment credit note; duebot: the same balance, a credit line, no longer disputed.
  expect(stripeInvoice(inv)).toMatchObject({ status: 'open', amount_remaining: 200000, amount_paid: 0, pre_payment_credit_notes_amount: 40000 });
  const credited = await h.slack.waitFor(async () => {
    const i = await getInvoice(pool(), inv.id);
    return i?.total === 200000 ? i : undefined;
  });
  expect(credited).toMatchObject({ status: 'sent', amountPaid: 0, disputed: false, number: inv.number });
  expect(credited.lines.at(-1)).toEqual({ description: 'Credit: Late delivery of the mockups', quantity: '1', unitAmount: -40000, amount: -40000 });
  const { rows: credits } = await pool().query('SELECT amount, reason, balance_after, created_by FROM invoice_credits WHERE invoice_id = $1', [inv.id]);
  expect(credits).toEqual([{ amount: 40000, reason: 'Late delivery of the mockups', balance_after: 200000, created_by: `slack:${APPROVER}` }]);

  // Slack: the message shows the new total, the thread says what happened.
  await h.slack.waitFor(() => JSON.stringify(h.slack.lastUpdateOf(BILLING_CHANNEL, inv.slackTs!)?.args ?? {}).includes('2,000.00'));
  const note = await h.slack.waitFor(() => threadText(inv).find((t) => t.includes('Credit of $400.00 applied')));
  expect(note).toContain(`<@${APPROVER}>`);
  expect(note).toContain('Open balance now *$2,000.00*');
  expect(note).toContain('Corrected balance emailed to ap@acme.example, cfo@acme.example');
  expect(note).toContain('Reminders start again');

  // The sequence starts again from today; the held steps stay as history.
  const steps = (await remindersOf(pool(), inv.id)).sort((a, b) => a.stepIndex - b.stepIndex);
  expect(steps.map((r) => [r.stepIndex, r.status])).toEqual([
    [0, 'cancelled'],
    [1, 'cancelled'],
    [2, 'cancelled'],
    [3, 'pending'],
    [4, 'pending'],
    [5, 'pending'],
  ]);
  expect(steps[3]!.dueAt.getTime() - h.clock.now().getTime()).toBeGreaterThan(6.9 * 86_400_000);
  expect((await auditTrail(pool(), inv.id)).map((a) => a.action)).toEqual(expect.arrayContaining(['credited', 'credit_emailed']));

  // The same submission again (Slack retry, double click): nothing more at Stripe or in duebot.
  const again = await h.submitView('adjust_amount_modal', APPROVER, inv.id, creditValues('$400.00'));
  expect(await again.json()).toEqual({ response_action: 'errors', errors: { edit_lines: 'This invoice is no longer disputed; nothing to adjust.' } });
  // A duplicate that got past that check (two deliveries at once) meets the ledger claim of the same submission.
  const duplicate = await creditInvoiceBalance(
    h.bot.services,
    inv.id,
    { amount: 40000, reason: 'Late delivery of the mockups', submissionId: 'V0EDIT' },
    { slackUserId: APPROVER },
  );
  expect(duplicate).toEqual({ outcome: 'refused', reason: `This credit on ${inv.number} was already submitted.` });
  expect(stripeInvoice(inv).pre_payment_credit_notes_amount).toBe(40000);
  expect((await getInvoice(pool(), inv.id))!.total).toBe(200000);
  expect(h.smtp.messages.filter((m) => /Credit applied/.test(m.subject))).toHaveLength(1);

  // Day 7 of the new sequence: the friendly reminder asks for the corrected balance.
  h.advanceDays(7);
  const reminder = await h.smtp.waitFor((m) => m.subject.includes(inv.number) && /Reminder/.test(m.subject));
  expect(reminder.text).toContain('Amount due: $2,000.00');
  await h.slack.waitFor(() => threadText(inv).find((t) => t.includes('Reminder 1')));

  // The client pays what is left: one payment of $2,000.00 (the credit is not money received).
  h.stripe.pay(inv.providerInvoiceId!);
  expect((await h.deliverStripe('invoice.paid', inv.providerInvoiceId!)).status).toBe(200);
  const paid = await h.waitForStatus(inv.id, 'paid');
  expect(paid.amountPaid).toBe(200000);
  expect(await payments(inv)).toEqual([200000]);
  expect((await remindersOf(pool(), inv.id)).filter((r) => r.status === 'pending')).toHaveLength(0);
});

test('a credit of the whole balance settles the invoice as credited (not paid): Stripe shows it paid, no payment is recorded, no reminder follows', async () => {
  h = await startHarness();
  const inv = await disputedInvoice('9102', 900);
  expect((await h.submitView('adjust_amount_modal', APPROVER, inv.id, creditValues('900', 'Written off: project cancelled'))).status).toBe(200);
  const email = await h.smtp.waitFor((m) => m.subject.includes(inv.number) && /Credit applied/.test(m.subject));
  expect(email.subject).toBe(`[Pixel & Co] Credit applied: Invoice #${inv.number} — settled`);
  expect(email.text).toContain('Nothing remains to be paid on this invoice, and no further reminders will be sent.');
  const settled = await h.waitForStatus(inv.id, 'credited');
  expect(settled).toMatchObject({ total: 0, amountPaid: 0, disputed: false, paidAt: null });
  expect(stripeInvoice(inv)).toMatchObject({ status: 'paid', amount_remaining: 0, amount_paid: 0 });
  await h.slack.waitFor(() => threadText(inv).find((t) => t.includes('Settled by the credit')));

  // Stripe's own invoice.paid for the credit changes nothing: no payment row, no thread "paid" note.
  expect((await h.deliverStripe('invoice.paid', inv.providerInvoiceId!)).status).toBe(200);
  await settle();
  expect(await payments(inv)).toEqual([]);
  expect((await remindersOf(pool(), inv.id)).map((r) => r.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
  h.advanceDays(31);
  await settle();
  await settle();
  expect(h.smtp.messages.filter((m) => m.subject.includes(inv.number) && /Reminder|Past due|Final/.test(m.subject))).toHaveLength(0);
});

test('QuickBooks: the credit memo lowers the balance, and since QuickBooks counts it as paid, only real payments are recorded afterwards', async () => {
  const qbo = await startFakeQuickBooks();
  try {
    h = await startHarness({
      clientsYaml: ACME_ON_QUICKBOOKS,
      env: { ENCRYPTION_KEY: randomBytes(32).toString('base64'), PUBLIC_URL: 'https://duebot.example.com', ...quickbooksEnv(qbo) },
    });
    expect((await connectBackend(h, 'quickbooks', { code: 'qbo-code', realmId: qbo.realmId })).status).toBe(200);

    const inv = await disputedInvoice('9103', 1500);
    expect((await h.submitView('adjust_amount_modal', APPROVER, inv.id, creditValues('500', 'Goodwill'))).status).toBe(200);
    await h.smtp.waitFor((m) => m.subject.includes(inv.number) && /Credit applied/.test(m.subject));
    const credited = await h.slack.waitFor(async () => {
      const i = await getInvoice(pool(), inv.id);
      return i?.total === 100000 ? i : undefined;
    });
    expect(credited).toMatchObject({ status: 'sent', amountPaid: 0 });
    expect(qbo.invoices.get(inv.providerInvoiceId!)).toMatchObject({ TotalAmt: 1500, Balance: 1000 });

    // A real partial payment of $300 arrives: $300 recorded, not the $800 QuickBooks now counts as paid.
    const deliver = async (paymentId: string) => {
      const delivery = qbo.signed([
        {
          specversion: '1.0',
          id: `evt-${paymentId}`,
          type: 'qbo.payment.created.v1',
          time: new Date().toISOString(),
          intuitentityid: paymentId,
          intuitaccountid: qbo.realmId,
          data: {},
        },
      ]);
      expect((await fetch(`${h.bot.url}/webhooks/quickbooks`, { method: 'POST', body: delivery.body, headers: delivery.headers })).status).toBe(200);
    };
    await deliver(qbo.pay(inv.providerInvoiceId!, 30000).paymentId);
    const partly = await h.waitForStatus(inv.id, 'partially_paid');
    expect(partly.amountPaid).toBe(30000);
    await deliver(qbo.pay(inv.providerInvoiceId!).paymentId);
    const paid = await h.waitForStatus(inv.id, 'paid');
    expect(paid.amountPaid).toBe(100000);
    expect(await payments(inv)).toEqual([30000, 70000]);
    await h.slack.waitFor(async () => (await pool().query("SELECT 1 FROM inbox_events WHERE source = 'quickbooks' AND processed_at IS NOT NULL")).rowCount === 2);
  } finally {
    await h?.stop();
    h = undefined as unknown as Harness;
    await qbo.close();
  }
});

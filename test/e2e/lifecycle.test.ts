import { startHarness, APPROVER, BILLING_CHANNEL, OWNER, type Harness } from '../support/harness.js';
import { getInvoice, findInvoiceBySource } from '../../src/store/invoices.js';
import { remindersOf, claimReminder } from '../../src/store/reminders.js';
import { auditTrail } from '../../src/store/audit.js';
import type { InvoiceRecord } from '../../src/store/invoices.js';
import { startDuebot } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';

/**
 * The whole lifecycle through the real HTTP app: signed webhooks in, the real Stripe SDK, Slack Web
 * API client and SMTP mailer out to local stand-ins, and the clock moved forward day by day.
 */

let h: Harness;
afterEach(async () => h?.stop());

const invoiceOf = async (taskGid: string): Promise<InvoiceRecord> => {
  const inv = await h.slack.waitFor(async () => findInvoiceBySource(h.bot.services.db.pool, 'asana', taskGid));
  return inv!;
};
/** Everything mailed about an invoice except the invoice email itself (whose subject starts "[Business] Invoice #N"). */
const reminderEmails = (number: string) => h.smtp.messages.filter((m) => m.subject.includes(number) && !m.subject.startsWith(`[Pixel & Co] Invoice #${number} `));
const waitForStatus = (id: string, status: string) => h.waitForStatus(id, status);

async function draftAndApprove(gid: string, name: string, amount: number): Promise<InvoiceRecord> {
  const res = await h.completeMilestone({ gid, name, amount });
  expect(res.status).toBe(200);
  const draft = await invoiceOf(gid);
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
  expect((await h.clickButton('approve_invoice', draft.id, APPROVER)).status).toBe(200);
  const sent = await waitForStatus(draft.id, 'sent');
  return sent;
}

test('happy path: milestone → draft in Slack → approve → Stripe invoice → email → paid → nothing more', async () => {
  h = await startHarness();
  const started = Date.now();
  const res = await h.completeMilestone({ gid: '5001', name: 'Milestone 2 - Design', amount: 1500 });
  expect(res.status).toBe(200);

  // Draft within 2 seconds, with the approval buttons and the gap-free number.
  const draftPost = await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL)[0], 2000);
  expect(Date.now() - started).toBeLessThan(2000);
  const draftJson = JSON.stringify(draftPost.args);
  expect(draftJson).toContain('INV-0001');
  expect(draftJson).toContain('Milestone 2 - Design');
  expect(draftJson).toContain('$1,500.00');
  expect(draftJson).toContain('approve_invoice');
  const draft = await invoiceOf('5001');
  expect(draft).toMatchObject({ status: 'draft', total: 150000, currency: 'USD', number: 'INV-0001', recipients: ['ap@acme.example', 'cfo@acme.example'] });

  // A non-approver is refused and nothing changes.
  await h.clickButton('approve_invoice', draft.id, 'USOMEONE');
  const refusal = await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').find((c) => c.args.user === 'USOMEONE'));
  expect(String(refusal.args.text)).toMatch(/approver/i);
  expect((await getInvoice(h.bot.services.db.pool, draft.id))!.status).toBe('draft');
  expect(h.stripe.invoices.size).toBe(0);

  // The approver sends it.
  await h.clickButton('approve_invoice', draft.id, APPROVER);
  const email = await h.smtp.waitFor((m) => m.subject.includes('Invoice #INV-0001'));
  const sent = await waitForStatus(draft.id, 'sent');
  expect(email.subject).toMatch(/^\[Pixel & Co\] Invoice #INV-0001 — Milestone 2 - Design — Due \w{3} \d{1,2}, \d{4}$/);
  expect(email.to).toEqual(['ap@acme.example', 'cfo@acme.example']);
  expect(sent.paymentUrl).toMatch(/\/pay\//);
  expect(email.text).toContain(sent.paymentUrl!);
  expect(email.html).toContain(sent.paymentUrl!);
  expect(email.messageId).toBe(sent.emailMessageId);

  const stripeInvoice = [...h.stripe.invoices.values()][0] as { id: string; status: string; amount_due: number; metadata: Record<string, string>; collection_method: string };
  expect(stripeInvoice).toMatchObject({ status: 'open', amount_due: 150000, collection_method: 'send_invoice' });
  expect(stripeInvoice.metadata.duebot_invoice_id).toBe(draft.id);
  expect(h.stripe.requests.filter((r) => r.method === 'POST').every((r) => r.idempotencyKey)).toBe(true);

  // The thread tells the story and the message shows the state.
  const ts = sent.slackTs!;
  await h.slack.waitFor(() => h.slack.threadReplies(BILLING_CHANNEL, ts).find((r) => /sent/i.test(String(r.args.text))));
  expect(JSON.stringify(h.slack.lastUpdateOf(BILLING_CHANNEL, ts)?.args)).not.toContain('approve_invoice');

  // Paid on day 3 → thread says so, pending reminders cancelled, no email ever again.
  h.advanceDays(3);
  h.stripe.pay(stripeInvoice.id);
  expect((await h.deliverStripe('invoice.paid', stripeInvoice.id)).status).toBe(200);
  await waitForStatus(draft.id, 'paid');
  const paidNote = await h.slack.waitFor(() => h.slack.threadReplies(BILLING_CHANNEL, ts).find((r) => /Paid \$1,500\.00 on/.test(String(r.args.text))));
  expect(String(paidNote.args.text)).toMatch(/3 days after sending/);
  expect((await remindersOf(h.bot.services.db.pool, draft.id)).map((r) => r.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
  const before = h.smtp.messages.length;
  h.advanceDays(40);
  await new Promise((r) => setTimeout(r, 800));
  expect(h.smtp.messages.length).toBe(before);

  const trail = (await auditTrail(h.bot.services.db.pool, draft.id)).map((a) => `${a.actor}:${a.action}`);
  expect(trail).toEqual(['asana:drafted', `slack:${APPROVER}:approved`, 'stripe:issued', 'system:sent', 'stripe:paid']);
});

test('unpaid through day 30: friendly, past-due and final notice with pause, escalation task and owner DM, each once', async () => {
  h = await startHarness();
  const inv = await draftAndApprove('5002', 'Milestone 3 - Build', 2400);
  const ts = inv.slackTs!;

  h.advanceDays(7);
  const friendly = await h.smtp.waitFor((m) => /Reminder/i.test(m.subject) && m.subject.includes(inv.number));
  expect(friendly.text).toMatch(/quick note/i);
  expect(friendly.inReplyTo).toBe(inv.emailMessageId);

  h.advanceDays(7);
  const firm = await h.smtp.waitFor((m) => /Past due/i.test(m.subject));
  expect(firm.text).toMatch(/7 days past due/);

  h.advanceDays(16);
  const final = await h.smtp.waitFor((m) => /Final notice/i.test(m.subject));
  expect(final.text).toMatch(/paused/i);
  const task = await h.slack.waitFor(() => h.asana.createdTasks[0]);
  expect(JSON.stringify(task)).toContain(`Escalation: Invoice #${inv.number} unpaid 30 days`);
  expect(JSON.stringify(task)).toContain('1200');
  const dm = await h.slack.waitFor(() => h.slack.callsTo('conversations.open').find((c) => c.args.users === OWNER));
  expect(dm).toBeDefined();
  await h.slack.waitFor(() => h.slack.threadReplies(BILLING_CHANNEL, ts).find((r) => /escalat/i.test(String(r.args.text))));

  // More time passes: nothing is sent twice.
  h.advanceDays(10);
  await new Promise((r) => setTimeout(r, 800));
  expect(h.smtp.messages.filter((m) => m.subject.includes(inv.number))).toHaveLength(4); // invoice + 3 reminders
  expect(h.asana.createdTasks).toHaveLength(1);
  expect(h.slack.callsTo('conversations.open')).toHaveLength(1);
  expect((await remindersOf(h.bot.services.db.pool, inv.id)).map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
});

test('paid on day 10 → no day-14 notice; a payment whose webhook was lost is caught by the live check', async () => {
  h = await startHarness();
  const a = await draftAndApprove('5003', 'Milestone A', 1000);
  const b = await draftAndApprove('5004', 'Milestone B', 800);
  h.advanceDays(7);
  await h.smtp.waitFor(() => reminderEmails(a.number).length === 1 && reminderEmails(b.number).length === 1);

  h.advanceDays(3);
  h.stripe.pay(a.providerInvoiceId!);
  await h.deliverStripe('invoice.paid', a.providerInvoiceId!);
  await waitForStatus(a.id, 'paid');
  h.stripe.pay(b.providerInvoiceId!); // paid, but Stripe's webhook never arrives

  h.advanceDays(4);
  await waitForStatus(b.id, 'paid');
  await new Promise((r) => setTimeout(r, 800));
  expect(reminderEmails(a.number)).toHaveLength(1);
  expect(reminderEmails(b.number)).toHaveLength(1);
  expect((await remindersOf(h.bot.services.db.pool, b.id)).map((r) => r.status)).toEqual(['sent', 'skipped', 'cancelled']);
});

test('partial payment: reminders continue for the balance only', async () => {
  h = await startHarness();
  const inv = await draftAndApprove('5005', 'Milestone P', 1000);
  h.stripe.pay(inv.providerInvoiceId!, 40000);
  await h.deliverStripe('invoice.payment_succeeded', inv.providerInvoiceId!);
  const partial = await waitForStatus(inv.id, 'partially_paid');
  expect(partial.amountPaid).toBe(40000);
  h.advanceDays(7);
  const reminder = await h.smtp.waitFor((m) => /Reminder/i.test(m.subject) && m.subject.includes(inv.number));
  expect(reminder.text).toContain('$600.00');
});

test('restart mid-sequence: no step lost or doubled; a crash mid-send is flagged for a human, not repeated', async () => {
  h = await startHarness();
  const inv = await draftAndApprove('5006', 'Milestone R', 1200);
  h.advanceDays(7);
  await h.smtp.waitFor(() => reminderEmails(inv.number).length === 1);

  await h.restart();
  h.advanceDays(7);
  await h.smtp.waitFor(() => reminderEmails(inv.number).length === 2);

  // Simulate a process that claimed the final step and died before finishing it.
  const pool = h.bot.services.db.pool;
  const steps = await remindersOf(pool, inv.id);
  await h.restart();
  expect(await claimReminder(h.bot.services.db.pool, inv.id, steps[2]!.stepIndex, 'crashed-process', h.clock.now())).toBe(true);
  h.advanceDays(16);
  const flagged = await h.slack.waitFor(() => h.slack.threadReplies(BILLING_CHANNEL, inv.slackTs!).find((r) => /unknown|may or may not/i.test(JSON.stringify(r.args))));
  expect(flagged).toBeDefined();
  await new Promise((r) => setTimeout(r, 800));
  expect(reminderEmails(inv.number)).toHaveLength(2);
  expect((await remindersOf(h.bot.services.db.pool, inv.id)).map((r) => r.status)).toEqual(['sent', 'sent', 'unknown']);
  expect((await getInvoice(h.bot.services.db.pool, inv.id))!.attention).toMatch(/Unknown outcome/);
});

// Two bot processes need a database both can reach: a real server (CI's PostgreSQL run), not PGlite.
const withServer = process.env.TEST_DATABASE_URL ? test : test.skip;
withServer('two bot processes on one database: every step, task and DM goes out exactly once', async () => {
  h = await startHarness();
  const second = await startDuebot(loadConfig(h.env), { clock: h.clock, logger: createLogger(h.env.LOG_LEVEL!) });
  try {
    const inv = await draftAndApprove('5007', 'Milestone Twin', 900);
    for (const days of [7, 7, 16]) {
      const expected = reminderEmails(inv.number).length + 1;
      h.advanceDays(days);
      await h.smtp.waitFor(() => reminderEmails(inv.number).length >= expected);
    }
    await h.slack.waitFor(() => h.slack.callsTo('conversations.open')[0]);
    await new Promise((r) => setTimeout(r, 1000)); // both schedulers poll every 200 ms: give a double send its chance
    expect(reminderEmails(inv.number)).toHaveLength(3);
    expect(h.asana.createdTasks).toHaveLength(1);
    expect(h.slack.callsTo('conversations.open')).toHaveLength(1);
    expect((await remindersOf(h.bot.services.db.pool, inv.id)).map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
  } finally {
    await second.stop();
  }
});

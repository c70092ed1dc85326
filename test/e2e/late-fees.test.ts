import { startHarness, APPROVER, BILLING_CHANNEL, CLIENTS_YAML, MEMBER, type Harness } from '../support/harness.js';
import type { InvoiceRecord } from '../../src/store/invoices.js';
import { sentInvoice } from '../support/sent-invoice.js';
import { getClient } from '../../src/store/clients.js';
import { remindersOf } from '../../src/store/reminders.js';
import { auditTrail } from '../../src/store/audit.js';
import { lateFeesOf } from '../../src/store/late-fees.js';
import { chargeLateFee } from '../../src/usecases/late-fees.js';
import { WAIVE_LATE_FEE } from '../../blocks/late-fee.js';

/** Late fees through the running bot: Acme pays 5 % of the open balance per reminder step after 7 days' grace. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ clientsYaml: CLIENTS_YAML.replace('    finalMode: pause\n', '    finalMode: pause\n    lateFee: { percent: 5, graceDays: 7 }\n') });
});
afterAll(async () => h.stop());

const pool = () => h.bot.services.db.pool;
type StripeInvoice = { id: string; status: string; amount_due: number; metadata: Record<string, string> };
const feeInvoicesAtStripe = (invoiceId: string) =>
  [...h.stripe.invoices.values()].filter((i) => (i as StripeInvoice).metadata?.duebot_late_fee_of === invoiceId) as StripeInvoice[];
const threadText = (inv: InvoiceRecord) => h.slack.threadReplies(BILLING_CHANNEL, inv.slackTs!).map((r) => String(r.args.text));

test('the day-14 reminder carries a 5% fee (email, back-end, thread); a member cannot waive it, an approver can', async () => {
  const inv = await sentInvoice(h, '9801', 1000);

  // Day 8: the first reminder is 1 day past due, within the grace period: no fee.
  h.advanceDays(8);
  const friendly = await h.smtp.waitFor((m) => m.subject.includes(inv.number) && /Reminder/.test(m.subject));
  expect(friendly.text).not.toMatch(/late fee/i);
  expect(feeInvoicesAtStripe(inv.id)).toEqual([]);

  // Day 15: the past-due notice goes 8 days after the due date: 5 % of $1,000.00 as its own invoice.
  h.advanceDays(7);
  const firm = await h.smtp.waitFor((m) => m.subject.includes(inv.number) && /Past due/.test(m.subject));
  const [fee, ...more] = await lateFeesOf(pool(), inv.id);
  expect(more).toEqual([]);
  expect(fee).toMatchObject({ number: `${inv.number}-F1`, amount: 5000, currency: 'USD', status: 'open', stepNumber: 2, reason: '5% of 1,000.00 USD' });
  const [atStripe] = feeInvoicesAtStripe(inv.id);
  expect(atStripe).toMatchObject({ id: fee!.providerInvoiceId, status: 'open', amount_due: 5000 });
  expect(firm.text).toContain('Late fee: $50.00');
  expect(firm.text).toContain(fee!.paymentUrl!);
  expect(firm.text).toContain('Total now due: $1,050.00');
  expect(firm.html).toContain('Total now due: $1,050.00');

  const note = await h.slack.waitFor(() => h.slack.threadReplies(BILLING_CHANNEL, inv.slackTs!).find((r) => /Late fee of \$50\.00 added \(step 2\)/.test(String(r.args.text))));
  expect(JSON.stringify(note.args.blocks)).toContain(WAIVE_LATE_FEE);

  // A channel member's click (rendered for everyone, or forged) is refused privately; nothing changes.
  const ephemerals = h.slack.callsTo('chat.postEphemeral').length;
  expect((await h.clickButton(WAIVE_LATE_FEE, fee!.id, MEMBER, note.args.ts as string)).status).toBe(200);
  const refusal = await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral')[ephemerals]);
  expect(refusal.args.user).toBe(MEMBER);
  expect(String(refusal.args.text)).toMatch(/only invoice approvers/i);
  expect((await lateFeesOf(pool(), inv.id))[0]!.status).toBe('open');
  expect(feeInvoicesAtStripe(inv.id)[0]!.status).toBe('open');

  // The approver waives it: voided at Stripe, recorded with who did it, the thread says so.
  expect((await h.clickButton(WAIVE_LATE_FEE, fee!.id, APPROVER, note.args.ts as string)).status).toBe(200);
  await h.slack.waitFor(() => threadText(inv).find((t) => t.includes(`Late fee ${inv.number}-F1 of $50.00 waived by <@${APPROVER}>`)));
  expect(feeInvoicesAtStripe(inv.id)[0]!.status).toBe('void');
  expect((await lateFeesOf(pool(), inv.id))[0]).toMatchObject({ status: 'waived', waivedBy: `slack:${APPROVER}` });
  const trail = (await auditTrail(pool(), inv.id)).map((a) => `${a.actor}:${a.action}`);
  expect(trail).toEqual(expect.arrayContaining(['stripe:late_fee_added', `slack:${APPROVER}:late_fee_waived`]));
  const updated = h.slack.lastUpdateOf(BILLING_CHANNEL, fee!.slackTs!);
  expect(JSON.stringify(updated?.args)).not.toContain(WAIVE_LATE_FEE);

  // A second click (a double click, or a replay) changes nothing more.
  const before = h.slack.callsTo('chat.postEphemeral').length;
  await h.clickButton(WAIVE_LATE_FEE, fee!.id, APPROVER);
  const again = await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral')[before]);
  expect(String(again.args.text)).toMatch(/already waived/);
  expect((await auditTrail(pool(), inv.id)).filter((a) => a.action === 'late_fee_waived')).toHaveLength(1);

  // The invoice itself is untouched by the fee and its waiver: balance, aging and forecast see $1,000.00.
  expect(await h.waitForStatus(inv.id, 'sent')).toMatchObject({ total: 100_000, amountPaid: 0 });

  // Day 31: the final notice gets its own fee; the waived one is neither owed nor counted.
  h.advanceDays(16);
  const final = await h.smtp.waitFor((m) => m.subject.includes(inv.number) && /Final notice/i.test(m.subject));
  expect((await lateFeesOf(pool(), inv.id)).map((f) => `${f.number} ${f.status} ${f.amount}`)).toEqual([`${inv.number}-F1 waived 5000`, `${inv.number}-F2 open 5000`]);
  expect(final.text).toContain('Late fee: $50.00');
  expect(final.text).toContain('Total now due: $1,050.00');
});

test('a retried step never adds its fee twice, and a fee whose creation outcome is unknown is flagged for a human', async () => {
  const inv = await sentInvoice(h, '9802', 400);
  const client = (await getClient(pool(), 'acme'))!;

  // The answer to the fee invoice's create is lost (the request ran at Stripe): the outcome is unknown.
  h.advanceDays(8);
  await h.smtp.waitFor((m) => m.subject.includes(inv.number) && /Reminder/.test(m.subject));
  h.stripe.failNext(3, 0, undefined, { path: '/v1/invoices', method: 'POST', drop: true });
  h.advanceDays(7);
  const firm = await h.smtp.waitFor((m) => m.subject.includes(inv.number) && /Past due/.test(m.subject));
  expect(firm.text).not.toMatch(/late fee/i); // not known to exist, so not claimed in the email
  const [pending, ...more] = await lateFeesOf(pool(), inv.id);
  expect(more).toEqual([]);
  expect(pending).toMatchObject({ status: 'pending', number: `${inv.number}-F1`, amount: 2000 });

  // The same step run again (a retry after a crash, a second process): still one fee, nothing more at Stripe.
  const step = (await remindersOf(pool(), inv.id))[1]!;
  const feeCalls = () => h.stripe.requests.filter((r) => r.idempotencyKey?.includes(pending!.id)).length;
  const stripeCalls = feeCalls();
  expect(stripeCalls).toBeGreaterThan(0);
  const facts = await chargeLateFee(h.bot.services, inv, client, { stepIndex: step.stepIndex, stepNumber: 2 });
  expect(facts).toBeUndefined();
  expect(await lateFeesOf(pool(), inv.id)).toHaveLength(1);
  expect(feeCalls()).toBe(stripeCalls);
  expect(feeInvoicesAtStripe(inv.id).length).toBeLessThanOrEqual(1);

  // Once the claim is stale, the sweep puts it in the thread for a person instead of retrying it.
  h.clock.advance(10 * 60_000);
  await h.slack.waitFor(() => threadText(inv).find((t) => /Needs a human:\* a late fee invoice at the back-end/.test(t)));
});

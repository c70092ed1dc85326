import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import { startHarness, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { findInvoiceBySource, type InvoiceRecord } from '../../src/store/invoices.js';
import { remindersOf } from '../../src/store/reminders.js';
import { auditTrail } from '../../src/store/audit.js';
import { runDueWork } from '../../src/usecases/sweep.js';

dayjs.extend(utc);

/**
 * Retainer invoices through the real app: the scheduled job drafts them on the billing day in the
 * business time zone (UTC here), auto-send clients are emailed, and nothing is ever invoiced twice.
 */

let h: Harness;
afterEach(async () => h?.stop());

const today = () => dayjs.utc(h.clock.now()).startOf('day');
/** Whole days from the business clock's today to the given day of a later month (the clock keeps its time of day). */
const daysUntil = (day: dayjs.Dayjs) => day.diff(today(), 'day');
const retainerInvoices = async (clientId: string): Promise<InvoiceRecord[]> => {
  const { rows } = await h.bot.services.db.pool.query<{ source_ref: string }>("SELECT source_ref FROM invoices WHERE source = 'retainer' AND client_id = $1 ORDER BY seq", [
    clientId,
  ]);
  const found = await Promise.all(rows.map((r) => findInvoiceBySource(h.bot.services.db.pool, 'retainer', r.source_ref)));
  return found.filter((i): i is InvoiceRecord => i !== null);
};
const periodOf = (d: dayjs.Dayjs) => d.format('YYYY-MM');
const sweepTwice = async () => {
  await runDueWork(h.bot.services);
  await runDueWork(h.bot.services);
};
const missedWarnings = () => h.slack.messages(BILLING_CHANNEL).filter((m) => /not invoiced/.test(String(m.args.text)));

test('a retainer client gets exactly one invoice per month, on its day, never twice; nothing before it starts', async () => {
  // Real dates vary: if today is the 1st, bill on the 2nd so the "configured after its day" case still holds.
  const startedOn = dayjs.utc(new Date()).startOf('day');
  const day = startedOn.date() === 1 ? 2 : 1;
  const firstOfMonth = startedOn.startOf('month');
  h = await startHarness({
    clientsYaml: `
clients:
  - id: retco
    name: Retainer Co
    emails: billing@retco.example
    currency: USD
    paymentTermsDays: 14
    autoSend: true
    retainer: { amount: 1500, description: Support retainer, dayOfMonth: ${day} }
  - id: lateco
    name: Late Co
    emails: ap@lateco.example
    currency: EUR
    retainer: { amount: "99.50", startsOn: "${firstOfMonth.format('YYYY-MM-DD')}" }
`,
  });

  // lateco starts on the 1st of this month: this month is drafted for approval at once, no earlier month.
  const thisMonth = periodOf(today());
  const late = await h.slack.waitFor(() => findInvoiceBySource(h.bot.services.db.pool, 'retainer', `lateco:${thisMonth}`));
  expect(late).toMatchObject({ status: 'draft', currency: 'EUR', total: 9950, milestone: `Retainer — ${today().format('MMMM YYYY')}` });
  expect(late.lines).toEqual([{ description: `Monthly retainer — ${today().format('MMMM YYYY')}`, quantity: '1', unitAmount: 9950, amount: 9950 }]);
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(late.number)));
  expect((await auditTrail(h.bot.services.db.pool, late.id)).map((a) => `${a.actor}:${a.action}`)).toContain('scheduler:drafted');

  // retco was first seen after its day this month: nothing until its next billing day.
  await sweepTwice();
  expect(await retainerInvoices('retco')).toEqual([]);
  expect(await retainerInvoices('lateco')).toHaveLength(1);
  expect(missedWarnings()).toEqual([]);

  // Its billing day: one invoice, auto-sent (emailed) by the scheduled job, with the usual reminders.
  const billingDay = today().date() < day ? today().date(day) : today().add(1, 'month').date(day);
  h.advanceDays(daysUntil(billingDay));
  const email = await h.smtp.waitFor((m) => m.to.includes('billing@retco.example'));
  const [first] = await retainerInvoices('retco');
  expect(first).toMatchObject({ milestone: `Retainer — ${billingDay.format('MMMM YYYY')}`, total: 150000, currency: 'USD' });
  expect(email.subject).toContain(first!.number);
  const sent = await h.waitForStatus(first!.id, 'sent');
  expect(sent.dueDate).toBe(billingDay.add(14, 'day').format('YYYY-MM-DD'));
  expect((await remindersOf(h.bot.services.db.pool, first!.id)).map((r) => r.tone)).toEqual(['friendly', 'firm', 'final']);

  // A restart, more sweeps and later days in the same month change nothing.
  await h.restart();
  await sweepTwice();
  h.advanceDays(10);
  await sweepTwice();
  expect(await retainerInvoices('retco')).toHaveLength(1);
  expect(h.smtp.messages.filter((m) => m.subject.startsWith('[Pixel & Co] Invoice #') && m.to.includes('billing@retco.example'))).toHaveLength(1);

  // Paid like any invoice.
  h.stripe.pay(sent.providerInvoiceId!);
  await h.deliverStripe('invoice.paid', sent.providerInvoiceId!);
  await h.waitForStatus(first!.id, 'paid');

  // Next month: the next one.
  const nextDay = billingDay.add(1, 'month');
  h.advanceDays(daysUntil(nextDay));
  await h.slack.waitFor(async () => (await retainerInvoices('retco')).length === 2);
  expect((await retainerInvoices('retco')).map((i) => i.milestone)).toEqual([`Retainer — ${billingDay.format('MMMM YYYY')}`, `Retainer — ${nextDay.format('MMMM YYYY')}`]);
  expect(missedWarnings()).toEqual([]);
});

test('after months without a run only the latest month is invoiced; the skipped one is reported once in Slack', async () => {
  h = await startHarness({
    clientsYaml: `
clients:
  - id: retco
    name: Retainer Co
    emails: billing@retco.example
    autoSend: true
    retainer: { amount: 1500 }
`,
  });
  // First seen today (no startsOn): the first billing day is next month's 1st.
  const next = today().add(1, 'month').startOf('month');
  h.advanceDays(daysUntil(next));
  await h.slack.waitFor(async () => (await retainerInvoices('retco')).length === 1);

  // The bot "down" over the following 1st: the clock jumps past two billing days at once.
  const skipped = next.add(1, 'month');
  const latest = next.add(2, 'month');
  h.advanceDays(daysUntil(latest.add(3, 'day')));
  const warning = await h.slack.waitFor(() => missedWarnings()[0]);
  expect(String(warning.args.text)).toContain(`Retainer Co: ${skipped.format('MMMM YYYY')} was not invoiced`);
  await h.slack.waitFor(async () => (await retainerInvoices('retco')).length === 2);
  await sweepTwice();
  expect((await retainerInvoices('retco')).map((i) => i.milestone)).toEqual([`Retainer — ${next.format('MMMM YYYY')}`, `Retainer — ${latest.format('MMMM YYYY')}`]);
  expect(missedWarnings()).toHaveLength(1);
});

import { startHarness, APPROVER, BILLING_CHANNEL, MEMBER, type Harness } from '../support/harness.js';
import { findInvoiceBySource, getInvoice, type InvoiceRecord } from '../../src/store/invoices.js';
import { remindersOf } from '../../src/store/reminders.js';
import { auditTrail } from '../../src/store/audit.js';
import { setDisputed } from '../../src/store/disputes.js';
import { DAY_MS } from '../../src/domain/calendar.js';

/** `/invoices pause|resume|remind` through signed Slack requests, with the scheduler running. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

const pool = () => h.bot.services.db.pool;
const settle = () => new Promise((r) => setTimeout(r, 800));
const threadText = (inv: InvoiceRecord) => h.slack.threadReplies(BILLING_CHANNEL, inv.slackTs!).map((r) => JSON.stringify(r.args));
const emailsAbout = (inv: InvoiceRecord, subject: RegExp) => h.smtp.messages.filter((m) => m.subject.includes(inv.number) && subject.test(m.subject));
const statuses = async (inv: InvoiceRecord) => (await remindersOf(pool(), inv.id)).map((r) => r.status);

/** Runs a slash command and returns the text of its (ephemeral) answer. */
async function command(text: string, user = APPROVER): Promise<string> {
  const before = h.slack.responses.length;
  expect((await h.slashCommand(text, user)).status).toBe(200);
  const answer = await h.slack.waitFor(() => h.slack.responses[before]);
  expect(answer.body).toMatchObject({ response_type: 'ephemeral' });
  return String(answer.body.text);
}

async function sentInvoice(gid: string, amount: number): Promise<InvoiceRecord> {
  expect((await h.completeMilestone({ gid, name: `Milestone ${gid}`, amount })).status).toBe(200);
  const draft = await h.slack.waitFor(async () => {
    const inv = await findInvoiceBySource(pool(), 'asana', gid);
    return inv?.slackTs ? inv : undefined;
  });
  await h.clickButton('approve_invoice', draft.id, APPROVER);
  const sent = await h.waitForStatus(draft.id, 'sent');
  await h.slack.waitFor(() => h.slack.threadReplies(BILLING_CHANNEL, sent.slackTs!).find((r) => /sent to/.test(String(r.args.text))));
  return sent;
}

test('pause holds every step (none sent while paused); resume sends the held step once and keeps the spacing', async () => {
  const inv = await sentInvoice('9101', 1200);

  // Non-approvers are refused and nothing changes.
  expect(await command(`pause ${inv.number}`, 'USOMEONE')).toMatch(/^Sorry, only invoice approvers can pause reminders; nothing was changed/);
  expect((await getInvoice(pool(), inv.id))!.paused).toBe(false);

  expect(await command(`pause ${inv.number}`)).toContain(`Reminders for ${inv.number} paused (3 held)`);
  expect((await getInvoice(pool(), inv.id))!.paused).toBe(true);
  expect(await statuses(inv)).toEqual(['paused', 'paused', 'paused']);
  await h.slack.waitFor(() => threadText(inv).find((t) => t.includes('Reminders paused by')));
  await h.slack.waitFor(() => JSON.stringify(h.slack.lastUpdateOf(BILLING_CHANNEL, inv.slackTs!)?.args ?? {}).includes('Reminders paused'));
  expect(await command(`pause ${inv.number.toLowerCase()}`)).toBe(`Reminders for ${inv.number} are already paused.`);

  // Day 9: the day-7 step stays held, nothing goes out, nothing is skipped.
  h.advanceDays(9);
  await settle();
  expect(emailsAbout(inv, /Reminder|Past due|Payment due|Final/i)).toHaveLength(0);
  expect(await statuses(inv)).toEqual(['paused', 'paused', 'paused']);
  expect(await command(`remind ${inv.number}`)).toBe(`No reminder sent for ${inv.number}: reminders are paused for this invoice.`);

  const resumedAt = h.clock.now().getTime();
  expect(await command(`resume ${inv.number}`)).toMatch(new RegExp(`^:arrow_forward: Reminders for ${inv.number} resumed\\. Next one: `));
  await h.smtp.waitFor(() => emailsAbout(inv, /Reminder/i).length === 1);
  await settle();
  expect(emailsAbout(inv, /Reminder/i)).toHaveLength(1);
  expect(emailsAbout(inv, /Past due|Final/i)).toHaveLength(0);
  const steps = await remindersOf(pool(), inv.id);
  expect(steps.map((s) => s.status)).toEqual(['sent', 'pending', 'pending']);
  // Day 14 keeps its 7 days after the resumed day-7 step; day 30 its 23.
  expect(Math.round((steps[1]!.dueAt.getTime() - resumedAt) / DAY_MS)).toBe(7);
  expect(Math.round((steps[2]!.dueAt.getTime() - resumedAt) / DAY_MS)).toBe(23);
  await h.slack.waitFor(() => threadText(inv).find((t) => t.includes('Reminders resumed by')));
  expect(await command(`resume ${inv.number}`)).toBe(`Reminders for ${inv.number} are not paused.`);

  const trail = (await auditTrail(pool(), inv.id)).map((a) => `${a.actor}:${a.action}`);
  expect(trail).toEqual(expect.arrayContaining([`slack:${APPROVER}:reminders_paused`, `slack:${APPROVER}:reminders_resumed`, 'scheduler:reminder_sent']));
});

test('remind sends the next step now, exactly once; then explains why not (none left, disputed, unknown, not approver)', async () => {
  const inv = await sentInvoice('9102', 800);
  expect(await command(`remind ${inv.number}`, 'USOMEONE')).toMatch(/^Sorry, only invoice approvers can send reminders/);
  expect(emailsAbout(inv, /Reminder/i)).toHaveLength(0);

  expect(await command(`remind ${inv.number}`)).toBe(`:email: Sent the friendly reminder (step 1) for ${inv.number} to ap@acme.example, cfo@acme.example.`);
  expect(emailsAbout(inv, /Reminder/i)).toHaveLength(1);
  expect(await statuses(inv)).toEqual(['sent', 'pending', 'pending']);
  await settle();
  expect(emailsAbout(inv, /Reminder|Past due|Payment due|Final/i)).toHaveLength(1);

  expect(await command(`remind ${inv.number}`)).toMatch(/^:email: Sent the past-due notice \(step 2\)/);
  expect(await command(`remind ${inv.number}`)).toMatch(/^:email: Sent the final notice \(step 3\)/);
  expect(await command(`remind ${inv.number}`)).toBe(`No reminder sent for ${inv.number}: no reminder step is left to send.`);
  expect(emailsAbout(inv, /Reminder|Past due|Payment due|Final/i)).toHaveLength(3);

  const other = await sentInvoice('9103', 500);
  await setDisputed(pool(), other.id, true, h.clock.now());
  expect(await command(`remind ${other.number}`)).toBe(`No reminder sent for ${other.number}: the invoice is disputed.`);

  // Paused and disputed: either alone keeps the steps held; only when both are lifted do they resume.
  expect(await command(`pause ${other.number}`)).toContain(`Reminders for ${other.number} paused (3 held)`);
  expect(await command(`resume ${other.number}`)).toBe(`Reminders for ${other.number} are no longer paused, but the invoice is disputed: they wait until the dispute is resolved.`);
  expect(await statuses(other)).toEqual(['paused', 'paused', 'paused']);
  expect(await command(`pause ${other.number}`)).toContain(`Reminders for ${other.number} paused (0 held)`);
  await h.clickButton('resolve_dispute', other.id, APPROVER);
  await h.slack.waitFor(() => threadText(other).find((t) => t.includes('Reminders stay paused until someone runs')));
  expect(await getInvoice(pool(), other.id)).toMatchObject({ disputed: false, paused: true });
  expect(await statuses(other)).toEqual(['paused', 'paused', 'paused']);
  expect(await command(`resume ${other.number}`)).toMatch(new RegExp(`^:arrow_forward: Reminders for ${other.number} resumed\\. Next one: `));
  expect(await statuses(other)).toEqual(['pending', 'pending', 'pending']);
  expect(await command('remind INV-9999')).toBe('No reminder sent for "INV-9999": there is no invoice numbered "INV-9999".');
  expect(await command('pause INV-9999')).toBe('No invoice numbered "INV-9999". `/invoices list` shows the open ones.');
  expect(await command('pause')).toBe('Which invoice? Try `/invoices pause INV-0042`.');
});

test('a settled invoice cannot be paused or resumed', async () => {
  const inv = await sentInvoice('9104', 300);
  h.advanceDays(4);
  h.stripe.pay(inv.providerInvoiceId!);
  await h.deliverStripe('invoice.paid', inv.providerInvoiceId!);
  await h.waitForStatus(inv.id, 'paid');
  expect(await command(`pause ${inv.number}`)).toBe(`${inv.number} is paid; it gets no reminders, nothing to pause.`);
  expect(await command(`resume ${inv.number}`)).toBe(`${inv.number} is paid; it gets no reminders, nothing to resume.`);
  expect(await command(`remind ${inv.number}`)).toBe(`No reminder sent for ${inv.number}: the invoice is paid.`);
});

test('client: the setup and receivables of one client, for any channel member, ephemerally', async () => {
  // Acme now: 9101 ($1,200, overdue), 9102 ($800) and 9103 ($500, disputed) open; 9104 paid 4 days after sending.
  const before = h.slack.responses.length;
  await h.slashCommand('client acme ltd', MEMBER); // a viewer: any member of the billing channel
  const answer = await h.slack.waitFor(() => h.slack.responses[before]);
  expect(answer.body).toMatchObject({ response_type: 'ephemeral', text: 'Acme Ltd: $2,500.00 open, 1 overdue' });
  const text = JSON.stringify(answer.body.blocks);
  for (const part of [
    'ap@acme.example, cfo@acme.example',
    'Net 7 days, USD',
    'Stripe',
    'Day 14 after sending: past-due notice',
    'final notice says work is paused',
    'Off: approvers send each draft',
    '$2,500.00 (3 invoices)',
    '1 invoice',
    '4 days (1 paid invoice)',
  ]) {
    expect(text).toContain(part);
  }
  expect(await command('client nobody')).toBe('No client "nobody" in the clients file; use its id or its exact name.');
  expect(await command('client')).toBe('Which client? Try `/invoices client acme` (its id or name).');
});

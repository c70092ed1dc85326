import { startHarness, APPROVER, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { findInvoiceBySource, getInvoice, type InvoiceRecord } from '../../src/store/invoices.js';
import { remindersOf } from '../../src/store/reminders.js';
import { openBounces } from '../../src/store/bounces.js';
import { runDueWork } from '../../src/usecases/sweep.js';
import { SETTINGS_BLOCKS } from '../../blocks/client-settings-modal.js';

/**
 * Bounced invoice and reminder emails through the real app: refused at send by the (real, local) SMTP
 * server, reported by a delivery status notification at the inbound address, or by Mailgun's,
 * Postmark's or SendGrid's signed bounce webhook. Each is posted once in the invoice's thread with
 * Update email, holds the client's reminders until its billing emails change, and is counted by status.
 */

let h: Harness;
afterEach(async () => h?.stop());

const pool = () => h.bot.services.db.pool;
const threadTexts = (inv: InvoiceRecord) => h.slack.threadReplies(BILLING_CHANNEL, inv.slackTs!).map((r) => String(r.args.text));
const alertsIn = (inv: InvoiceRecord) => h.slack.threadReplies(BILLING_CHANNEL, inv.slackTs!).filter((r) => /bounced:/.test(String(r.args.text)));
const remindersTo = (inv: InvoiceRecord) => h.smtp.messages.filter((m) => m.subject.includes(inv.number) && /Reminder/i.test(m.subject));

async function draftFor(gid: string, amount: number, projectGid = '1200'): Promise<InvoiceRecord> {
  expect((await h.completeMilestone({ gid, name: `Milestone ${gid}`, amount, projectGid })).status).toBe(200);
  return h.slack.waitFor(async () => {
    const inv = await findInvoiceBySource(pool(), 'asana', gid);
    return inv?.slackTs ? inv : undefined;
  });
}

async function sentInvoice(gid: string, amount: number): Promise<InvoiceRecord> {
  const draft = await draftFor(gid, amount);
  expect((await h.clickButton('approve_invoice', draft.id, APPROVER)).status).toBe(200);
  const sent = await h.waitForStatus(draft.id, 'sent');
  await h.slack.waitFor(() => threadTexts(sent).find((t) => /sent to/.test(t)));
  return sent;
}

type View = { callback_id: string; private_metadata: string; blocks: { type: string; block_id?: string; element?: { type: string; action_id: string; initial_value?: string; initial_option?: { value: string }; initial_time?: string } }[] };

/** Clicks the alert's Update email as `user` and returns the modal it opened. */
async function updateEmailModal(clientId: string, user = APPROVER): Promise<View> {
  const before = h.slack.callsTo('views.open').length;
  expect((await h.clickButton('update_bounced_email', clientId, user)).status).toBe(200);
  return (await h.slack.waitFor(() => h.slack.callsTo('views.open')[before])).args.view as View;
}

/** The modal submitted as opened, with the billing emails replaced. */
function withEmails(view: View, emails: string) {
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of view.blocks) {
    const el = block.element;
    if (block.type !== 'input' || !el || !block.block_id) continue;
    const value = block.block_id === SETTINGS_BLOCKS.emails ? emails : (el.initial_value ?? null);
    if (el.type === 'static_select' || el.type === 'radio_buttons') values[block.block_id] = { [el.action_id]: { type: el.type, selected_option: el.initial_option ?? null } };
    else if (el.type === 'timepicker') values[block.block_id] = { [el.action_id]: { type: el.type, selected_time: el.initial_time ?? null } };
    else values[block.block_id] = { [el.action_id]: { type: el.type, value } };
  }
  return values;
}

test('a recipient refused at send (550): the alert is in the thread with Update email, reminders wait until the email is updated in its modal, status counts it', async () => {
  h = await startHarness({ scheduler: false });
  h.smtp.rejectRecipient('cfo@acme.example', 550, '5.1.1 <cfo@acme.example>: Recipient address rejected: <!channel> no such user');
  const inv = await sentInvoice('8101', 1200);
  // The other contact got it: the invoice is sent; the refused one is a bounce.
  expect(h.smtp.messages.filter((m) => m.subject.includes(inv.number)).map((m) => m.to)).toEqual([['ap@acme.example']]);
  await runDueWork(h.bot.services);
  const [alert, ...more] = alertsIn(inv);
  expect(more).toEqual([]);
  expect(String(alert!.args.text)).toMatch(/The invoice email \(INV-\d+\) to cfo@acme\.example bounced: 550 5\.1\.1 &lt;cfo@acme\.example&gt;: Recipient address rejected: &lt;!channel&gt; no such user/);
  const button = JSON.stringify(alert!.args.blocks);
  expect(button).toContain('"action_id":"update_bounced_email"');
  expect(button).toContain('"value":"acme"');

  // Status counts it.
  await h.slashCommand('status');
  const status = await h.slack.waitFor(() => h.slack.responses.find((r) => /bounced email/.test(JSON.stringify(r.body))));
  expect(JSON.stringify(status.body)).toContain('1 bounced email not fixed');

  // Day 8: the day-7 reminder is due but held, sweep after sweep; the alert is not repeated.
  h.advanceDays(8);
  await runDueWork(h.bot.services);
  await runDueWork(h.bot.services);
  expect(remindersTo(inv)).toEqual([]);
  expect((await remindersOf(pool(), inv.id))[0]!.status).toBe('pending');
  expect(alertsIn(inv)).toHaveLength(1);

  // Update email opens the client's settings modal; the new billing emails release the hold.
  const view = await updateEmailModal('acme');
  expect(view.callback_id).toBe('client_settings_modal');
  const saved = await h.submitView(view.callback_id, APPROVER, view.private_metadata, withEmails(view, 'ap@acme.example, finance@acme.example'));
  expect(saved.status).toBe(200);
  await h.slack.waitFor(() => threadTexts(inv).find((t) => /Billing emails updated by <@UAPPROVER1>.*1 bounce resolved, reminders resume/.test(t)));
  expect(await openBounces(pool(), { clientId: 'acme' })).toEqual([]);
  await runDueWork(h.bot.services);
  const reminder = await h.smtp.waitFor((m) => m.subject.includes(inv.number) && /Reminder/i.test(m.subject));
  expect(reminder.to.sort()).toEqual(['ap@acme.example', 'finance@acme.example']);
});

test('every recipient refused: the invoice waits (no resend, no second alert) until the billing email is updated, then goes out', async () => {
  h = await startHarness({ scheduler: false });
  h.smtp.rejectRecipient('ap@acme.example');
  h.smtp.rejectRecipient('cfo@acme.example');
  const draft = await draftFor('8201', 700);
  expect((await h.clickButton('approve_invoice', draft.id, APPROVER)).status).toBe(200);
  await h.slack.waitFor(async () => ((await getInvoice(pool(), draft.id))?.attention?.includes('bounced') ? true : undefined));
  await h.bot.services.background.drain();
  h.clock.advance(60_000);
  await runDueWork(h.bot.services);
  await runDueWork(h.bot.services);
  expect((await getInvoice(pool(), draft.id))!.status).toBe('approved');
  expect(alertsIn(draft).map((a) => String(a.args.text).match(/to (\S+) bounced/)![1]).sort()).toEqual(['ap@acme.example', 'cfo@acme.example']);
  expect(await openBounces(pool(), { invoiceId: draft.id })).toHaveLength(2);

  const view = await updateEmailModal('acme');
  await h.submitView(view.callback_id, APPROVER, view.private_metadata, withEmails(view, 'payables@acme.example'));
  await h.slack.waitFor(() => threadTexts(draft).find((t) => /2 bounces resolved/.test(t)));
  await runDueWork(h.bot.services);
  const sent = await h.waitForStatus(draft.id, 'sent');
  expect(sent.recipients).toEqual(['payables@acme.example']);
  expect(h.smtp.messages.filter((m) => m.subject.includes(draft.number)).map((m) => m.to)).toEqual([['payables@acme.example']]);
  expect(alertsIn(draft)).toHaveLength(2);
});

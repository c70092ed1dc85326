import { writeFile } from 'node:fs/promises';
import { startHarness, APPROVER, BILLING_CHANNEL, CLIENTS_YAML, MEMBER, type Harness } from '../support/harness.js';
import { findInvoiceBySource, getInvoice, type InvoiceRecord } from '../../src/store/invoices.js';
import { remindersOf } from '../../src/store/reminders.js';
import { auditTrail } from '../../src/store/audit.js';
import { getClient } from '../../src/store/clients.js';
import { addDays, DAY_MS, localDate } from '../../src/domain/calendar.js';
import { SETTINGS_BLOCKS } from '../../blocks/client-settings-modal.js';
import { submission, type OpenedModal } from '../support/modal-submission.js';

/** The client settings modal through signed Slack requests, with the scheduler running. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

const pool = () => h.bot.services.db.pool;
const settle = () => new Promise((r) => setTimeout(r, 800));
const emailsAbout = (inv: InvoiceRecord, subject: RegExp) => h.smtp.messages.filter((m) => m.subject.includes(inv.number) && subject.test(m.subject));

type View = OpenedModal;

/** Runs `/invoices <text>` and returns the modal it opened. */
async function openedBy(text: string, user = APPROVER): Promise<{ view: View; triggerId: string }> {
  const before = h.slack.callsTo('views.open').length;
  expect((await h.slashCommand(text, user)).status).toBe(200);
  const call = await h.slack.waitFor(() => h.slack.callsTo('views.open')[before]);
  return { view: call.args.view as View, triggerId: String(call.args.trigger_id) };
}

async function sentInvoice(gid: string, amount: number): Promise<InvoiceRecord> {
  const draft = await draftFor(gid, amount);
  await h.clickButton('approve_invoice', draft.id, APPROVER);
  return h.waitForStatus(draft.id, 'sent');
}

async function draftFor(gid: string, amount: number): Promise<InvoiceRecord> {
  expect((await h.completeMilestone({ gid, name: `Milestone ${gid}`, amount })).status).toBe(200);
  return h.slack.waitFor(async () => {
    const inv = await findInvoiceBySource(pool(), 'asana', gid);
    return inv?.slackTs ? inv : undefined;
  });
}

test('save from the modal: field errors first, then the change is stored, audited and applied to open invoices at once', async () => {
  const sent = await sentInvoice('9501', 1000);
  const draft = await draftFor('9502', 400);
  expect((await remindersOf(pool(), sent.id)).map((r) => `${r.day} ${r.tone}`)).toEqual(['7 friendly', '14 firm', '30 final']);

  // Day 8: the day-7 reminder has gone out.
  h.advanceDays(8);
  await h.smtp.waitFor((m) => m.subject.includes(sent.number) && /Reminder/.test(m.subject));

  const { view, triggerId } = await openedBy('settings acme');
  expect(triggerId).toMatch(/\.trigger$/);
  expect(view.callback_id).toBe('client_settings_modal');
  expect(view.submit).toBeDefined();
  const initial = Object.fromEntries(
    view.blocks.filter((b) => b.element).map((b) => [b.block_id, b.element!.initial_value ?? b.element!.initial_option?.value ?? b.element!.initial_time ?? null]),
  );
  expect(initial).toMatchObject({
    [SETTINGS_BLOCKS.emails]: 'ap@acme.example, cfo@acme.example',
    [SETTINGS_BLOCKS.terms]: '7',
    [SETTINGS_BLOCKS.preset]: 'standard',
    [SETTINGS_BLOCKS.finalMode]: 'pause',
    [SETTINGS_BLOCKS.autoSend]: 'approve',
  });

  // Bad input: every field error comes back in the modal, nothing is stored.
  const bad = await h.submitView(
    view.callback_id,
    APPROVER,
    view.private_metadata,
    submission(view, {
      [SETTINGS_BLOCKS.emails]: 'ap@acme.example, nope',
      [SETTINGS_BLOCKS.terms]: '400',
      [SETTINGS_BLOCKS.preset]: 'custom',
      [SETTINGS_BLOCKS.schedule]: '5 firm\n5 final',
      [SETTINGS_BLOCKS.timezone]: 'Europe/Atlantis',
      [SETTINGS_BLOCKS.hoursStart]: '18:00',
      [SETTINGS_BLOCKS.hoursEnd]: '08:00',
    }),
  );
  expect(bad.status).toBe(200);
  const badBody = (await bad.json()) as { response_action: string; errors: Record<string, string> };
  expect(badBody.response_action).toBe('errors');
  expect(Object.keys(badBody.errors).sort()).toEqual(
    [SETTINGS_BLOCKS.emails, SETTINGS_BLOCKS.hoursEnd, SETTINGS_BLOCKS.schedule, SETTINGS_BLOCKS.terms, SETTINGS_BLOCKS.timezone].sort(),
  );
  expect(badBody.errors[SETTINGS_BLOCKS.schedule]).toBe('Line 2: day 5 appears twice.');

  // Someone who is not an approver cannot save, even with a valid form.
  const refused = await h.submitView(view.callback_id, 'USOMEONE', view.private_metadata, submission(view, { [SETTINGS_BLOCKS.terms]: '60' }));
  expect(((await refused.json()) as { errors: Record<string, string> }).errors[SETTINGS_BLOCKS.emails]).toMatch(/Only invoice approvers/);
  expect((await getClient(pool(), 'acme'))!.paymentTermsDays).toBe(7);

  // A valid save: new-or-high-risk preset (5 / 10 / 20), 21-day terms, one more contact.
  const ok = await h.submitView(
    view.callback_id,
    APPROVER,
    view.private_metadata,
    submission(view, {
      [SETTINGS_BLOCKS.preset]: 'high-risk',
      [SETTINGS_BLOCKS.terms]: '21',
      [SETTINGS_BLOCKS.emails]: 'ap@acme.example, cfo@acme.example, new@acme.example',
    }),
  );
  expect(ok.status).toBe(200);
  expect(await ok.text()).toBe('');
  const confirmation = await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').find((c) => String(c.args.text).includes('Saved Acme Ltd')));
  expect(confirmation.args.user).toBe(APPROVER);
  expect(String(confirmation.args.text)).toContain('contacts, payment terms, reminder schedule changed (1 open invoice re-planned, 1 draft re-dated, 2 invoices re-addressed)');

  const client = (await getClient(pool(), 'acme'))!;
  expect(client.paymentTermsDays).toBe(21);
  expect(client.reminderSchedule.map((s) => `${s.day} ${s.tone}`)).toEqual(['5 firm', '10 firm', '20 final']);

  // The open invoice: the day-7 step stays sent; day 5 counts as covered by it; next is day 10, then 20.
  const steps = await remindersOf(pool(), sent.id);
  expect(steps.map((s) => [s.day, s.tone, s.status])).toEqual([
    [7, 'friendly', 'sent'],
    [10, 'firm', 'pending'],
    [20, 'final', 'pending'],
  ]);
  expect(steps[1]!.dueAt.getTime()).toBe(sent.sentAt!.getTime() + 10 * DAY_MS);
  expect(steps[2]!.dueAt.getTime()).toBe(sent.sentAt!.getTime() + 20 * DAY_MS);
  const afterSave = (await getInvoice(pool(), sent.id))!;
  expect(afterSave.dueDate).toBe(sent.dueDate); // sent invoices keep their due date
  expect(afterSave.recipients).toEqual(['ap@acme.example', 'cfo@acme.example', 'new@acme.example']);
  const redated = (await getInvoice(pool(), draft.id))!;
  expect(redated.dueDate).toBe(addDays(localDate(draft.createdAt, 'UTC'), 21));
  await h.slack.waitFor(() =>
    h.slack.threadReplies(BILLING_CHANNEL, sent.slackTs!).find((r) => String(r.args.text).includes(`Client reminder schedule changed by <@${APPROVER}>; next: firm reminder`)),
  );

  // Audited with who made it: the client change, and the re-plan on the invoice.
  const { rows } = await pool().query<{ actor: string; details: { client: string; changed: string[]; after: { paymentTermsDays: number } } }>(
    `SELECT actor, details FROM audit_log WHERE action = 'client_settings_changed'`,
  );
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({
    actor: `slack:${APPROVER}`,
    details: { client: 'acme', changed: ['emails', 'paymentTermsDays', 'reminderSchedule'], after: { paymentTermsDays: 21 } },
  });
  expect((await auditTrail(pool(), sent.id)).map((a) => `${a.actor}:${a.action}`)).toEqual(
    expect.arrayContaining([`slack:${APPROVER}:reminders_replanned`, `slack:${APPROVER}:client_settings_applied`]),
  );

  // Day 11: the day-10 step goes out once; the day-7 one is never repeated.
  h.advanceDays(3);
  await h.smtp.waitFor((m) => m.subject.includes(sent.number) && /Past due/.test(m.subject));
  await settle();
  expect(emailsAbout(sent, /Reminder/)).toHaveLength(1);
  expect(emailsAbout(sent, /Past due/)).toHaveLength(1);
  expect(emailsAbout(sent, /Past due/)[0]!.to).toContain('new@acme.example');
  expect((await remindersOf(pool(), sent.id)).map((s) => s.status)).toEqual(['sent', 'sent', 'pending']);

  // Opened again: the modal shows the new values and which fields now come from Slack.
  const again = await openedBy('settings Acme Ltd');
  expect(again.view.blocks.find((b) => b.block_id === SETTINGS_BLOCKS.preset)!.element!.initial_option!.value).toBe('high-risk');
  expect(JSON.stringify(again.view.blocks.find((b) => b.type === 'context'))).toContain(
    'Set in Slack (the clients file no longer applies to them): contacts, payment terms, reminder schedule',
  );
});

test('a restart keeps the values set in Slack over the clients file; the other fields follow the file', async () => {
  // The file now says 10-day terms and notice-only for acme; terms were set in Slack (21), final mode was not.
  await writeFile(h.env.CLIENTS_FILE!, CLIENTS_YAML.replace('paymentTermsDays: 7', 'paymentTermsDays: 10').replace('finalMode: pause', 'finalMode: notice-only'));
  await h.restart();
  const client = (await getClient(pool(), 'acme'))!;
  expect(client.paymentTermsDays).toBe(21);
  expect(client.reminderSchedule.map((s) => s.day)).toEqual([5, 10, 20]);
  expect(client.emails).toEqual(['ap@acme.example', 'cfo@acme.example', 'new@acme.example']);
  expect(client.finalMode).toBe('notice-only');
});

test('the client picker, the App Home button and read-only access for non-approvers', async () => {
  const picker = await openedBy('settings');
  expect(picker.view.callback_id).toBe('client_settings_picker');
  expect(JSON.stringify(picker.view)).toContain('Globex (globex)');
  const next = await h.submitView('client_settings_picker', APPROVER, '', { [SETTINGS_BLOCKS.client]: { value: { type: 'static_select', selected_option: { value: 'globex' } } } });
  const update = (await next.json()) as { response_action: string; view: View };
  expect(update.response_action).toBe('update');
  expect(update.view.callback_id).toBe('client_settings_modal');
  expect(JSON.parse(update.view.private_metadata).c).toBe('globex');

  // The App Home's per-client button (action_id open_client_settings, value = client id).
  const before = h.slack.callsTo('views.open').length;
  await h.clickButton('open_client_settings', 'globex', APPROVER);
  const fromHome = await h.slack.waitFor(() => h.slack.callsTo('views.open')[before]);
  expect((fromHome.args.view as View).submit).toBeDefined();
  expect(String(fromHome.args.trigger_id)).toBe('trigger-1');

  // Other members of the billing channel see the settings read-only; anyone else is refused.
  const readOnly = await openedBy('settings globex', MEMBER);
  expect(readOnly.view.submit).toBeUndefined();
  expect(JSON.stringify(readOnly.view)).toContain('Only invoice approvers can change these settings');
  const opened = h.slack.callsTo('views.open').length;
  const refusals = h.slack.responses.length;
  await h.slashCommand('settings globex', 'USOMEONE');
  expect(String((await h.slack.waitFor(() => h.slack.responses[refusals])).body.text)).toContain('visible to members of');
  expect(h.slack.callsTo('views.open')).toHaveLength(opened);

  const missing = h.slack.responses.length;
  await h.slashCommand('settings nobody-here');
  const answer = await h.slack.waitFor(() => h.slack.responses[missing]);
  expect(String(answer.body.text)).toContain('No client "nobody-here"');
});

test('a paused invoice stays paused through a schedule change; resuming sends the first new step once, then keeps the spacing', async () => {
  // Globex sends at once (auto-send). Paused on day 0; by day 15 its day-7 and day-14 steps fell due while held.
  expect((await h.completeMilestone({ gid: '9503', name: 'Held', amount: 300, projectGid: '1300' })).status).toBe(200);
  const draft = await h.slack.waitFor(() => findInvoiceBySource(pool(), 'asana', '9503'));
  const inv = await h.waitForStatus(draft.id, 'sent');
  const pauses = h.slack.responses.length;
  await h.slashCommand(`pause ${inv.number}`);
  expect(String((await h.slack.waitFor(() => h.slack.responses[pauses])).body.text)).toContain('paused (3 held)');
  h.advanceDays(15);

  const { view } = await openedBy('settings globex');
  await h.submitView(view.callback_id, APPROVER, view.private_metadata, submission(view, { [SETTINGS_BLOCKS.preset]: 'enterprise' }));
  await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').find((c) => String(c.args.text).includes('Saved Globex')));
  const held = await remindersOf(pool(), inv.id);
  expect(held.map((s) => [s.day, s.tone, s.status])).toEqual([
    [14, 'friendly', 'paused'],
    [30, 'friendly', 'paused'],
    [45, 'firm', 'paused'],
  ]);
  expect(held.map((s) => s.dueAt.getTime() - inv.sentAt!.getTime())).toEqual([14 * DAY_MS, 30 * DAY_MS, 45 * DAY_MS]);
  await settle();
  expect(emailsAbout(inv, /Reminder|Past due|Final/)).toHaveLength(0);

  const resumes = h.slack.responses.length;
  const resumedAt = h.clock.now().getTime();
  await h.slashCommand(`resume ${inv.number}`);
  expect(String((await h.slack.waitFor(() => h.slack.responses[resumes])).body.text)).toContain('resumed');
  await h.smtp.waitFor((m) => m.subject.includes(inv.number) && /Reminder/.test(m.subject));
  await settle();
  expect(emailsAbout(inv, /Reminder|Past due|Final/)).toHaveLength(1);
  const after = await remindersOf(pool(), inv.id);
  expect(after.map((s) => s.status)).toEqual(['sent', 'pending', 'pending']);
  expect(Math.round((after[1]!.dueAt.getTime() - resumedAt) / DAY_MS)).toBe(16);
  expect(Math.round((after[2]!.dueAt.getTime() - resumedAt) / DAY_MS)).toBe(31);
});

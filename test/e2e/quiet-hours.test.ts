import { startHarness, APPROVER, type Harness } from '../support/harness.js';
import { nextMondayAt } from '../support/next-monday.js';
import { findInvoiceBySource, type InvoiceRecord } from '../../src/store/invoices.js';
import { remindersOf } from '../../src/store/reminders.js';
import { auditTrail } from '../../src/store/audit.js';
import { DAY_MS } from '../../src/domain/calendar.js';
import { SETTINGS_BLOCKS } from '../../blocks/client-settings-modal.js';

/**
 * Quiet hours end to end: set in the settings modal, honoured when the plan is made, by the runner
 * (a resumed step due at 10:00 waits for 13:00, never dropped) and when the client's time zone changes.
 */

const monday = nextMondayAt(10);
const at = (days: number, hour: number) => new Date(monday.getTime() + days * DAY_MS + (hour - 10) * 3600_000).toISOString();

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ startAt: monday });
});
afterAll(async () => h.stop());

const pool = () => h.bot.services.db.pool;
const settle = () => new Promise((r) => setTimeout(r, 800));

type View = {
  callback_id: string;
  private_metadata: string;
  blocks: { type: string; block_id?: string; element?: { type: string; action_id: string; initial_value?: string; initial_option?: { value: string }; initial_time?: string } }[];
};

async function saveSettings(client: string, edits: Record<string, string | null>): Promise<void> {
  const before = h.slack.callsTo('views.open').length;
  await h.slashCommand(`settings ${client}`);
  const view = (await h.slack.waitFor(() => h.slack.callsTo('views.open')[before])).args.view as View;
  const values: Record<string, Record<string, unknown>> = {};
  for (const b of view.blocks) {
    const el = b.element;
    if (!el || !b.block_id) continue;
    const edited = Object.hasOwn(edits, b.block_id);
    if (el.type === 'static_select' || el.type === 'radio_buttons') values[b.block_id] = { [el.action_id]: { type: el.type, selected_option: el.initial_option } };
    else if (el.type === 'timepicker') values[b.block_id] = { [el.action_id]: { type: el.type, selected_time: edited ? edits[b.block_id] : (el.initial_time ?? null) } };
    else values[b.block_id] = { [el.action_id]: { type: el.type, value: edited ? edits[b.block_id] : (el.initial_value ?? null) } };
  }
  const saved = h.slack.callsTo('chat.postEphemeral').length;
  const res = await h.submitView(view.callback_id, APPROVER, view.private_metadata, values);
  expect(await res.text()).toBe('');
  await h.slack.waitFor(() =>
    h.slack
      .callsTo('chat.postEphemeral')
      .slice(saved)
      .find((c) => String(c.args.text).includes('Saved')),
  );
}

async function command(text: string): Promise<string> {
  const before = h.slack.responses.length;
  await h.slashCommand(text);
  return String((await h.slack.waitFor(() => h.slack.responses[before])).body.text);
}

test("reminders only on business days within business hours in the client's time zone; deferred, never dropped", async () => {
  // Globex (auto-send) may hear from us only 13:00-17:00, Monday to Friday (time zone: the business one, UTC).
  await saveSettings('globex', { [SETTINGS_BLOCKS.hoursStart]: '13:00', [SETTINGS_BLOCKS.hoursEnd]: '17:00' });

  // Sent on Monday 10:00: every step lands at 13:00 on its day (day 30 is a Wednesday).
  expect((await h.completeMilestone({ gid: '9601', name: 'Quiet', amount: 900, projectGid: '1300' })).status).toBe(200);
  const draft = await h.slack.waitFor(() => findInvoiceBySource(pool(), 'asana', '9601'));
  const inv: InvoiceRecord = await h.waitForStatus(draft.id, 'sent');
  expect((await remindersOf(pool(), inv.id)).map((r) => r.dueAt.toISOString())).toEqual([at(7, 13), at(14, 13), at(30, 13)]);

  // Paused now, resumed on Tuesday of the next week at 10:00: the held step is due at once, outside the
  // hours, so the runner puts it back to 13:00 that day instead of sending it (or dropping it).
  expect(await command(`pause ${inv.number}`)).toContain('paused (3 held)');
  h.advanceDays(8);
  expect(await command(`resume ${inv.number}`)).toContain('resumed');
  await h.slack.waitFor(async () => (await auditTrail(pool(), inv.id)).find((a) => a.action === 'reminder_deferred'));
  const deferred = await remindersOf(pool(), inv.id);
  expect(deferred[0]).toMatchObject({ status: 'pending', note: "waiting for the client's business hours" });
  expect(deferred[0]!.dueAt.toISOString()).toBe(at(8, 13));
  await settle();
  expect(h.smtp.messages.filter((m) => m.subject.includes(inv.number) && /Reminder/.test(m.subject))).toHaveLength(0);

  // 13:00: it goes out, once.
  h.clock.advance(3 * 3600_000);
  await h.smtp.waitFor((m) => m.subject.includes(inv.number) && /Reminder/.test(m.subject));
  await settle();
  expect(h.smtp.messages.filter((m) => m.subject.includes(inv.number) && /Reminder/.test(m.subject))).toHaveLength(1);

  // The client moves to Tokyo: 13:00-17:00 JST is 04:00-08:00 UTC. The remaining steps (resumed to
  // day 15 and day 31 at 10:00 UTC, i.e. 19:00 JST) move to the next Tokyo afternoon: day 16 and day 32 at 04:00 UTC.
  const steps = await remindersOf(pool(), inv.id);
  expect(steps.map((s) => s.status)).toEqual(['sent', 'pending', 'pending']);
  expect(steps.slice(1).map((s) => s.dueAt.toISOString().slice(0, 13))).toEqual([at(15, 10).slice(0, 13), at(31, 10).slice(0, 13)]);
  await saveSettings('globex', { [SETTINGS_BLOCKS.timezone]: 'Asia/Tokyo' });
  expect((await remindersOf(pool(), inv.id)).slice(1).map((s) => s.dueAt.toISOString())).toEqual([at(16, 4), at(32, 4)]);
});

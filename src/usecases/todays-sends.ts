import { addDays, localDate } from '../domain/calendar.js';
import { groupDueSteps, mostUrgentTone } from '../domain/grouped-reminders.js';
import { atLocalTime, isSnoozeDays, plannedSendTime, snoozedUntil, todaysSlot } from '../domain/todays-sends.js';
import { reminderKind, type RenderedEmail } from '../email/templates.js';
import { audit } from '../store/audit.js';
import { getClient, type StoredClient } from '../store/clients.js';
import { claimEffect, completeEffect, getEffect } from '../store/effects.js';
import { withTransaction } from '../store/db.js';
import { getInvoice } from '../store/invoices.js';
import { claimReminderNow } from '../store/reminder-claim-now.js';
import { listedSteps, pendingStepsDueBefore, skipPendingStep, snoozePendingStep, type ClientStep, type ListedStep } from '../store/reminders.js';
import { reminderSkippedNote, reminderSnoozedNote } from '../../blocks/thread.js';
import { todaysSendsMessage, type ListedState, type TodaysSendRow } from '../../blocks/todays-sends.js';
import type { Services } from '../services.js';
import { renderClientEmail } from './email-templates.js';
import { runGroupedSteps } from './grouped-reminders.js';
import { postInThread } from './invoice-messages.js';
import { runReminderStep, stepNumberOf } from './run-reminders.js';
import { openInvoicesOf, renderStatementFor, statementOf } from './statements.js';

/**
 * Today's sends: at TODAYS_SENDS_AT each business morning the billing channel lists every reminder
 * email due that day (nothing due: no message), and approvers Skip, Snooze or Preview each step or
 * Send now the whole list. The day's key is claimed in the effects ledger first, so one process posts
 * it once; a crash mid-post leaves the claim to turn "unknown" (a missed list beats a doubled one).
 */
export const todaysSendsKey = (day: string) => `todays-sends:${day}`;

interface ListRecord {
  channel: string;
  ts: string | null;
  steps: { invoiceId: string; stepIndex: number }[];
  sentNowBy?: string;
}

export type TodaysSendsOutcome = 'off' | 'not-yet' | 'already-done' | 'nothing-due' | 'posted';

export async function runTodaysSends(services: Services): Promise<TodaysSendsOutcome> {
  const at = services.settings.todaysSendsAt;
  if (!at) return 'off';
  const tz = services.settings.timezone;
  const slot = todaysSlot(services.clock.now(), tz, at);
  if (!slot) return 'not-yet';
  const pool = services.db.pool;
  const key = todaysSendsKey(slot.key);
  if (await getEffect(pool, key)) return 'already-done';
  if (!(await claimEffect(pool, { key, invoiceId: null, kind: 'todays-sends', claimedBy: services.instanceId }, services.clock.now()))) return 'already-done';
  const due = await pendingStepsDueBefore(pool, slot.endsAt);
  const channel = services.settings.billingChannelId;
  const steps = due.map((s) => ({ invoiceId: s.invoiceId, stepIndex: s.stepIndex }));
  if (!steps.length) {
    await completeEffect(pool, key, { channel, ts: null, steps }, services.clock.now());
    return 'nothing-due';
  }
  const ts = await services.slack.post(channel, await listMessage(services, slot.key, { channel, ts: null, steps }));
  await completeEffect(pool, key, { channel, ts, steps } satisfies ListRecord, services.clock.now());
  services.log.info({ day: slot.key, steps: steps.length, posted: ts !== null }, "today's sends listed");
  return 'posted';
}

async function listOf(services: Services, day: string): Promise<ListRecord | null> {
  const effect = await getEffect(services.db.pool, todaysSendsKey(day));
  return effect?.status === 'done' && effect.result ? (effect.result as unknown as ListRecord) : null;
}

const dayEnd = (services: Services, day: string) => atLocalTime(addDays(day, 1), '00:00', services.settings.timezone);

/** Still waiting to go out today: pending and not snoozed past the day. */
const isWaiting = (services: Services, day: string, s: ListedStep) => s.status === 'pending' && s.dueAt.getTime() < dayEnd(services, day).getTime();

function stateOf(services: Services, day: string, s: ListedStep): ListedState {
  if (isWaiting(services, day, s)) return { kind: 'waiting' };
  if (s.status === 'pending') return { kind: 'snoozed', until: s.dueAt };
  if (s.status === 'sent') return { kind: 'sent' };
  if (s.status === 'claimed') return { kind: 'sending' };
  if (s.status === 'skipped') return { kind: 'skipped', by: /^skipped by (\S+)$/.exec(s.note ?? '')?.[1] ?? null };
  return { kind: 'other', what: s.status === 'paused' ? 'on hold' : s.status === 'unknown' ? 'outcome unknown' : `not sent (${s.note ?? s.status})` };
}

async function clientsOf(services: Services, steps: readonly { clientId: string }[]): Promise<Map<string, StoredClient>> {
  const clients = new Map<string, StoredClient>();
  for (const id of new Set(steps.map((s) => s.clientId))) {
    const client = await getClient(services.db.pool, id);
    if (client) clients.set(id, client);
  }
  return clients;
}

/** Grouping clients with waiting steps of two or more invoices: theirs go out as one statement. */
/** The ids of the clients that group their reminders into statements. */
const groupingIds = (clients: ReadonlyMap<string, StoredClient>) => new Set([...clients.values()].filter((c) => c.groupReminders).map((c) => c.id));

function groupedClients(services: Services, day: string, steps: readonly ListedStep[], clients: Map<string, StoredClient>): Set<string> {
  const waiting = steps.filter((s) => isWaiting(services, day, s));
  return new Set(groupDueSteps(waiting, groupingIds(clients)).groups.map((g) => g.clientId));
}

async function listMessage(services: Services, day: string, list: ListRecord): Promise<ReturnType<typeof todaysSendsMessage>> {
  const steps = await listedSteps(services.db.pool, list.steps);
  const clients = await clientsOf(services, steps);
  const grouped = groupedClients(services, day, steps, clients);
  const tz = services.settings.timezone;
  const rows: TodaysSendRow[] = steps.map((s) => {
    const client = clients.get(s.clientId);
    return {
      invoiceId: s.invoiceId,
      stepIndex: s.stepIndex,
      clientName: s.clientName,
      number: s.number,
      tone: s.tone,
      plannedAt: services.settings.todaysSendsAt ? plannedSendTime(s.dueAt, client?.sendAt, client?.timezone ?? tz) : s.dueAt,
      grouped: grouped.has(s.clientId),
      state: stateOf(services, day, s),
    };
  });
  return todaysSendsMessage({ day, rows, timezone: tz, sentNowBy: list.sentNowBy ?? null });
}

/** chat.update of the day's list, so it shows what was done. */
async function refreshList(services: Services, day: string): Promise<void> {
  const list = await listOf(services, day);
  if (list?.ts) await services.slack.update(list.channel, list.ts, await listMessage(services, day, list));
}

export type ListAnswer = { ok: true } | { ok: false; reason: string };

/** The listed step an action names, or why it cannot be acted on (not on that day's list: forged or stale). */
async function listedStep(services: Services, day: string, invoiceId: string, stepIndex: number): Promise<ListedStep | string> {
  const list = await listOf(services, day);
  if (!list || !list.steps.some((s) => s.invoiceId === invoiceId && s.stepIndex === stepIndex)) return 'that step is not on a list of today’s sends';
  const [step] = await listedSteps(services.db.pool, [{ invoiceId, stepIndex }]);
  return step ?? 'that step no longer exists';
}

/** Skip: the step never goes out (status skipped, audit, a note in the invoice thread). */
export async function skipListedStep(services: Services, ref: { day: string; invoiceId: string; stepIndex: number }, by: { slackUserId: string }): Promise<ListAnswer> {
  const step = await listedStep(services, ref.day, ref.invoiceId, ref.stepIndex);
  if (typeof step === 'string') return { ok: false, reason: step };
  const now = services.clock.now();
  if (!(await skipPendingStep(services.db.pool, step.invoiceId, step.stepIndex, `skipped by ${by.slackUserId}`, now))) {
    return { ok: false, reason: `the step of ${step.number} is no longer waiting (${step.status})` };
  }
  await audit(
    services.db.pool,
    { invoiceId: step.invoiceId, actor: `slack:${by.slackUserId}`, action: 'reminder_skipped', details: { step: step.stepIndex, reason: "skipped in today's sends" } },
    now,
  );
  const invoice = await getInvoice(services.db.pool, step.invoiceId);
  if (invoice) await postInThread(services, invoice, reminderSkippedNote({ stepNumber: await stepNumberOf(services, step), reason: "skipped by an approver in today's sends" }));
  await refreshList(services, ref.day);
  return { ok: true };
}

/** Snooze 1, 3 or 7 days: the step moves to its new day (and waits there for the client's send time). */
export async function snoozeListedStep(
  services: Services,
  ref: { day: string; invoiceId: string; stepIndex: number; days: number | null },
  by: { slackUserId: string },
): Promise<ListAnswer> {
  if (ref.days === null || !isSnoozeDays(ref.days)) return { ok: false, reason: 'snooze by 1, 3 or 7 days' };
  const step = await listedStep(services, ref.day, ref.invoiceId, ref.stepIndex);
  if (typeof step === 'string') return { ok: false, reason: step };
  const now = services.clock.now();
  const until = snoozedUntil(step.dueAt, now, ref.days);
  if (!(await snoozePendingStep(services.db.pool, step.invoiceId, step.stepIndex, step.dueAt, until, `snoozed by ${by.slackUserId}`))) {
    return { ok: false, reason: `the step of ${step.number} is no longer waiting (${step.status})` };
  }
  await audit(
    services.db.pool,
    {
      invoiceId: step.invoiceId,
      actor: `slack:${by.slackUserId}`,
      action: 'reminder_snoozed',
      details: { step: step.stepIndex, from: step.dueAt.toISOString(), until: until.toISOString() },
    },
    now,
  );
  const invoice = await getInvoice(services.db.pool, step.invoiceId);
  if (invoice)
    await postInThread(services, invoice, reminderSnoozedNote({ stepNumber: await stepNumberOf(services, step), until, by: by.slackUserId, timezone: services.settings.timezone }));
  await refreshList(services, ref.day);
  return { ok: true };
}

/** The email this step would send now: the client's statement when it goes out grouped, else its reminder. */
export async function previewListedStep(
  services: Services,
  ref: { day: string; invoiceId: string; stepIndex: number },
): Promise<{ ok: true; number: string; email: RenderedEmail } | { ok: false; reason: string }> {
  const step = await listedStep(services, ref.day, ref.invoiceId, ref.stepIndex);
  if (typeof step === 'string') return { ok: false, reason: step };
  const [invoice, client] = [await getInvoice(services.db.pool, step.invoiceId), await getClient(services.db.pool, step.clientId)];
  if (!invoice || !client) return { ok: false, reason: 'the invoice or its client is gone' };
  const today = localDate(services.clock.now(), services.settings.timezone);
  const list = await listOf(services, ref.day);
  const steps = await listedSteps(services.db.pool, list?.steps ?? []);
  if (groupedClients(services, ref.day, steps, new Map([[client.id, client]])).has(client.id)) {
    const tone = mostUrgentTone(steps.filter((s) => s.clientId === client.id && isWaiting(services, ref.day, s)).map((s) => s.tone));
    return { ok: true, number: step.number, email: await renderStatementFor(services, client, statementOf(await openInvoicesOf(services, client.id), today), tone) };
  }
  const facts = { today, finalMode: client.finalMode, stepNumber: await stepNumberOf(services, step) };
  return { ok: true, number: step.number, email: await renderClientEmail(services, reminderKind(step.tone), invoice, client, facts) };
}

/**
 * Send now: every listed step still waiting is made due now and claimed in one statement each (the
 * scheduler cannot take it meanwhile), then sent like `/invoices remind` does, grouped per client as
 * the scheduler would. Returns how many steps were sent.
 */
export async function sendTodaysListNow(services: Services, day: string, by: { slackUserId: string }): Promise<{ ok: true; sent: number } | { ok: false; reason: string }> {
  const pool = services.db.pool;
  const list = await listOf(services, day);
  if (!list) return { ok: false, reason: 'there is no list of today’s sends for that day' };
  const waiting = (await listedSteps(pool, list.steps)).filter((s) => isWaiting(services, day, s));
  const now = services.clock.now();
  // All claimed together before any email, like the scheduler's grouped claim; one held elsewhere is left out.
  const claimed = await withTransaction(pool, async (tx) => {
    const mine: ClientStep[] = [];
    for (const s of waiting) {
      if (!(await claimReminderNow(tx, s.invoiceId, s.stepIndex, services.instanceId, now))) continue;
      const details = { step: s.stepIndex, wasDueAt: s.dueAt.toISOString() };
      await audit(tx, { invoiceId: s.invoiceId, actor: `slack:${by.slackUserId}`, action: 'reminder_requested', details }, now);
      mine.push({ ...s, dueAt: now, status: 'claimed' });
    }
    return mine;
  });
  const clients = await clientsOf(services, claimed);
  const { singles, groups } = groupDueSteps(claimed, groupingIds(clients));
  const outcomes = [];
  for (const group of groups) outcomes.push(...(await runGroupedSteps(services, group.clientId, group.steps, { claimed: true })));
  for (const step of singles) outcomes.push(await runReminderStep(services, step, { claimed: true }));
  await completeEffect(pool, todaysSendsKey(day), { ...list, sentNowBy: by.slackUserId }, services.clock.now());
  await refreshList(services, day);
  return { ok: true, sent: outcomes.filter((o) => o === 'sent').length };
}

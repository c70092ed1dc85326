import { weeklySummaryMessage } from '../../blocks/weekly-summary.js';
import { blocksToText } from '../../blocks/render-text.js';
import { addDays, DAY_MS, localTime } from '../domain/calendar.js';
import { ACCURACY_WEEKS, forecastAccuracy, type EvaluatedWeek } from '../domain/forecast-accuracy.js';
import { weeklySlot, type WeeklySlot } from '../domain/weekly-slot.js';
import { renderWeeklySummaryEmail } from '../email/templates.js';
import { newMessageId } from '../providers/mail/smtp.js';
import { claimEffect, completeEffect, getEffect, releaseEffect } from '../store/effects.js';
import { collectedBetween, saveWeeklyForecast, weeklyForecastsBefore } from '../store/weekly-forecasts.js';
import type { Services } from '../services.js';
import { agingNow } from './aging.js';
import { forecastChartPng, forecastNow, type ForecastOutlook } from './forecast.js';
import type { PastWeek } from '../forecast/chart.js';
import { isDefiniteMailFailure } from './mail-failures.js';

/** A bot down at 08:00 posts when it is back, the same week only: a slot older than this is skipped. */
export const WEEKLY_SLOT_MAX_AGE_MS = 6 * DAY_MS;

export type WeeklySummaryOutcome = 'off' | 'too-old' | 'already-done' | 'done';

export const weeklyPostKey = (slotKey: string) => `weekly-forecast:${slotKey}`;
export const weeklyEmailKey = (slotKey: string) => `weekly-summary-email:${slotKey}`;

/**
 * The Monday 08:00 forecast: posted to FORECAST_CHANNEL_ID and emailed to OWNER_EMAIL, once per
 * slot. Called from every sweep (every process); the effects ledger lets exactly one process post
 * and one send the email, also across restarts. A claim that never completes (crash mid-post) is
 * turned into "unknown" by the sweep and not repeated: a missed post beats a doubled one.
 */
export async function runWeeklySummary(services: Services): Promise<WeeklySummaryOutcome> {
  const channel = services.settings.forecastChannelId ?? null;
  const ownerEmail = services.settings.ownerEmail ?? null;
  if (!channel && !ownerEmail) return 'off';
  const now = services.clock.now();
  const slot = weeklySlot(now, services.settings.timezone);
  if (now.getTime() - slot.at.getTime() > WEEKLY_SLOT_MAX_AGE_MS) return 'too-old';
  const pool = services.db.pool;
  const post = channel === null ? null : await getEffect(pool, weeklyPostKey(slot.key));
  const email = ownerEmail === null ? null : await getEffect(pool, weeklyEmailKey(slot.key));
  for (const effect of [post, email]) if (effect?.status === 'unknown') await flagUnknownOnce(services, effect.key, effect.kind);
  const postPending = channel !== null && !post;
  const emailPending = ownerEmail !== null && !email;
  if (!postPending && !emailPending) return 'already-done';

  const { message, chart } = await buildWeeklyMessage(services, slot);
  if (postPending && channel) await postOnce(services, slot, channel, message, chart);
  if (emailPending && ownerEmail) await emailOnce(services, slot, ownerEmail, message.blocks, chart);
  return 'done';
}

async function buildWeeklyMessage(services: Services, slot: WeeklySlot): Promise<{ message: ReturnType<typeof weeklySummaryMessage>; chart: Buffer | null }> {
  const [outlook, aging] = await Promise.all([forecastNow(services), agingNow(services)]);
  const evaluated = await recentEvaluatedWeeks(services, slot, outlook.asOf);
  // Stored before posting (once per slot), so next weeks can judge it against what came in.
  await saveWeeklyForecast(
    services.db.pool,
    { slotKey: slot.key, slotAt: slot.at, asOf: outlook.asOf, currencies: outlook.currencies.map((c) => ({ currency: c.forecast.currency, weeks: c.forecast.weeks })) },
    services.clock.now(),
  );
  const message = weeklySummaryMessage({ weekOf: slot.monday, forecast: outlook, aging, accuracy: forecastAccuracy(evaluated), timezone: services.settings.timezone });
  return { message, chart: outlook.currencies.length ? await weeklyChart(services, outlook, evaluated) : null };
}

/** The chart with the last weeks beside it; a chart that cannot be drawn leaves the post and email without it. */
async function weeklyChart(services: Services, outlook: ForecastOutlook, evaluated: readonly EvaluatedWeek[]): Promise<Buffer | null> {
  const past = new Map<string, PastWeek[]>();
  for (const w of [...evaluated].sort((a, b) => a.slotKey.localeCompare(b.slotKey))) {
    if (w.start) past.set(w.currency, [...(past.get(w.currency) ?? []), { start: w.start, expected: w.expected, actual: w.actual }]);
  }
  try {
    return await forecastChartPng(outlook, past);
  } catch (err) {
    services.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'weekly forecast chart not drawn');
    return null;
  }
}

/** Each earlier forecast whose first week is over: its week-1 expectation against the payments in that week. */
export async function recentEvaluatedWeeks(services: Services, slot: WeeklySlot, today: string): Promise<EvaluatedWeek[]> {
  const tz = services.settings.timezone;
  const evaluated: EvaluatedWeek[] = [];
  // One query per week judged: it answers for every currency of that week.
  const collectedIn = new Map<string, Promise<Map<string, number>>>();
  for (const past of await weeklyForecastsBefore(services.db.pool, slot.at, ACCURACY_WEEKS + 2)) {
    for (const c of past.currencies) {
      const week = c.weeks[0];
      if (!week || week.end >= today) continue;
      const window = `${week.start}|${week.end}`;
      if (!collectedIn.has(window)) collectedIn.set(window, collectedBetween(services.db.pool, localTime(week.start, 0, tz), localTime(addDays(week.end, 1), 0, tz)));
      const collected = await collectedIn.get(window)!;
      evaluated.push({ slotKey: past.slotKey, currency: c.currency, expected: week.expected, actual: collected.get(c.currency) ?? 0, start: week.start });
    }
  }
  return evaluated;
}

const chartFile = (slot: WeeklySlot) => ({ filename: `cash-flow-forecast-${slot.key.toLowerCase()}.png`, cid: `forecast-chart.${slot.key.toLowerCase()}` });

async function postOnce(services: Services, slot: WeeklySlot, channel: string, message: { text: string; blocks: unknown[] }, chart: Buffer | null): Promise<void> {
  const key = weeklyPostKey(slot.key);
  if (!(await claimEffect(services.db.pool, { key, invoiceId: null, kind: 'weekly-forecast', claimedBy: services.instanceId }, services.clock.now()))) return;
  const ts = await services.slack.post(channel, message);
  // The chart follows the post into the channel (a message cannot carry a file); under the same claim,
  // so a crash between the two loses the chart rather than doubling the post.
  const uploaded =
    ts !== null && chart !== null
      ? await services.slack.upload(channel, {
          content: chart,
          filename: chartFile(slot).filename,
          title: `Cash-flow forecast, week of ${slot.monday}`,
          altText: 'Chart of the expected inflows per week with their likely range, the bills due, the projected bank balance and the last weeks against collections',
        })
      : false;
  // The notifier already logged a failure; it may have been a timeout after Slack posted, so no retry.
  await completeEffect(services.db.pool, key, { channel, ts, chart: uploaded }, services.clock.now());
  services.log.info({ slot: slot.key, channel, posted: ts !== null, chart: uploaded }, 'weekly forecast posted');
}

async function emailOnce(services: Services, slot: WeeklySlot, to: string, blocks: readonly object[], chart: Buffer | null): Promise<void> {
  const key = weeklyEmailKey(slot.key);
  const pool = services.db.pool;
  const messageId = newMessageId(services.settings.emailDomain, `weekly.${slot.key.toLowerCase()}`);
  if (!(await claimEffect(pool, { key, invoiceId: null, kind: 'weekly-summary-email', claimedBy: services.instanceId, details: { messageId } }, services.clock.now()))) return;
  const file = chartFile(slot);
  const content = renderWeeklySummaryEmail(
    { weekOf: slot.monday, summaryText: blocksToText(blocks), ...(chart ? { chartCid: file.cid } : {}) },
    { businessName: services.settings.businessName, timezone: services.settings.timezone },
  );
  const attachments = chart ? [{ filename: file.filename, content: chart, contentType: 'image/png', cid: file.cid }] : undefined;
  try {
    await services.mailer.send({ kind: 'weekly_summary', to: [to], ...content, messageId, ...(attachments ? { attachments } : {}) });
  } catch (err) {
    // Certainly not sent: give the claim back so the next sweep tries again. Otherwise it may have gone out.
    if (isDefiniteMailFailure(err)) await releaseEffect(pool, key);
    services.log.warn({ slot: slot.key, err: err instanceof Error ? err.message : String(err) }, 'weekly summary email failed');
    return;
  }
  await completeEffect(pool, key, { messageId, to }, services.clock.now());
}

/** A crash mid-post or mid-send leaves the outcome unknown: the owner is told once, nothing is repeated. */
async function flagUnknownOnce(services: Services, key: string, kind: string): Promise<void> {
  const noteKey = `${key}:flagged`;
  if (!(await claimEffect(services.db.pool, { key: noteKey, invoiceId: null, kind: 'weekly-unknown-note', claimedBy: services.instanceId }, services.clock.now()))) return;
  const what = kind === 'weekly-forecast' ? "this week's forecast post" : "this week's summary email";
  services.log.warn({ key }, 'weekly summary outcome unknown after a crash; owner told');
  await services.slack.directMessage(services.settings.ownerSlackUserId, {
    text: `Unknown outcome: ${what} may or may not have gone out (the bot stopped while sending it). Check, and share it by hand if it is missing.`,
  });
  await completeEffect(services.db.pool, noteKey, {}, services.clock.now());
}

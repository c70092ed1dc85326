import { startHarness, APPROVER, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { findInvoiceBySource, type InvoiceRecord } from '../../src/store/invoices.js';
import { claimEffect, getEffect } from '../../src/store/effects.js';
import { startDuebot } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { isoWeekKey } from '../../src/domain/weekly-slot.js';

/**
 * The Monday 08:00 forecast end to end: the real sweep (Agenda every 200 ms), the Slack Web API client
 * against the local Slack stand-in, SMTP to the local server, and the business clock moved by days.
 */
const FORECAST_CHANNEL = 'CFORECAST1';
const OWNER_EMAIL = 'owner@pixelco.example';
const env = { FORECAST_CHANNEL_ID: FORECAST_CHANNEL, OWNER_EMAIL };

let h: Harness;
afterEach(async () => h?.stop());

/** 09:00 UTC on the first Monday after tomorrow: the slot is an hour old when the bot starts. */
function nextMondayNine(): Date {
  const d = new Date(Date.now() + 24 * 60 * 60 * 1000);
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7 || 7));
  d.setUTCHours(9, 0, 0, 0);
  return d;
}
const monthDay = (d: Date) => new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric' }).format(d);

const posts = () => h.slack.messages(FORECAST_CHANNEL);
const ownerEmails = () => h.smtp.messages.filter((m) => m.to.includes(OWNER_EMAIL));
/** Both schedulers poll every 200 ms: give a double post its chance. */
const settle = () => new Promise((r) => setTimeout(r, 1000));

/** The PNG chart attached inline to a weekly email: it has a Content-ID the HTML refers to (mailparser inlines it as a data URL). */
function chartIn(mail: ReturnType<typeof ownerEmails>[number]): Buffer {
  const png = mail.attachments.find((a) => a.contentType === 'image/png');
  expect(png?.cid).toBeTruthy();
  expect(mail.html).toContain(`<img src="data:image/png;base64,${png!.content.toString('base64').slice(0, 40)}`);
  return png!.content;
}

/** Generous: on a loaded machine (the whole suite on 2 cores) a sweep can take seconds. */
const WEEKLY_WAIT_MS = 45_000;
async function waitForWeek(count: number): Promise<void> {
  await h.slack.waitFor(() => posts().length >= count, WEEKLY_WAIT_MS);
  await h.smtp.waitFor(() => ownerEmails().length >= count, WEEKLY_WAIT_MS);
}

async function sendInvoice(gid: string, amount: number): Promise<InvoiceRecord> {
  expect((await h.completeMilestone({ gid, name: `Milestone ${gid}`, amount })).status).toBe(200);
  const draft = (await h.slack.waitFor(async () => findInvoiceBySource(h.bot.services.db.pool, 'asana', gid)))!;
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
  expect((await h.clickButton('approve_invoice', draft.id, APPROVER)).status).toBe(200);
  return h.waitForStatus(draft.id, 'sent');
}

/** Stripe's event carries the business time of the payment (the stand-in would stamp the real time). */
async function payNow(invoice: InvoiceRecord): Promise<void> {
  h.stripe.pay(invoice.providerInvoiceId!);
  const event = h.stripe.event('invoice.paid', invoice.providerInvoiceId!);
  event.created = Math.floor(h.clock.now().getTime() / 1000);
  const delivery = h.stripe.signedDelivery(event);
  expect((await h.send('/webhooks/stripe', delivery.body, delivery.headers)).status).toBe(200);
  await h.waitForStatus(invoice.id, 'paid');
}

test('one post and one email per week, also after a restart; the next Monday a new one; accuracy once a week has passed', async () => {
  const monday = nextMondayNine();
  h = await startHarness({ env, startAt: monday });

  // Started an hour after Monday 08:00: the bot catches up on this week's slot.
  await waitForWeek(1);
  const first = posts()[0]!;
  expect(String(first.args.text)).toContain(`Weekly cash-flow summary, week of ${monthDay(monday)}`);
  expect(JSON.stringify(first.args.blocks)).toContain('Nothing open as of'); // the aging summary, empty yet
  expect(JSON.stringify(first.args.blocks)).not.toContain('forecast within'); // nothing evaluated yet
  const mail = ownerEmails()[0]!;
  expect(mail.subject).toBe(`[Pixel & Co] Weekly cash-flow summary — week of ${monthDay(monday)}`);
  expect(mail.text).toContain('Nothing open or scheduled');
  expect(mail.attachments).toHaveLength(0); // nothing to chart yet

  // Same week, restarted: nothing again.
  await settle();
  await h.restart();
  await settle();
  expect(posts()).toHaveLength(1);
  expect(ownerEmails()).toHaveLength(1);
  expect(await getEffect(h.bot.services.db.pool, `weekly-forecast:${isoWeekKey(monday.toISOString().slice(0, 10))}`)).toMatchObject({ status: 'done' });

  // Thursday: an invoice goes out (Acme, USD, net 7: due next Thursday), still no second post this week.
  h.advanceDays(3);
  const invoice = await sendInvoice('7001', 1200);
  await settle();
  expect(posts()).toHaveLength(1);

  // Next Monday: a new post expects the $1,200.00 in its first week.
  h.advanceDays(4);
  await waitForWeek(2);
  const second = posts()[1]!;
  expect(String(second.args.text)).toContain(`week of ${monthDay(addDays(monday, 7))}`);
  expect(JSON.stringify(second.args.blocks)).toContain('$1,200.00');
  expect(ownerEmails()[1]!.subject).toContain(`week of ${monthDay(addDays(monday, 7))}`);
  // The chart follows the post into the channel, and rides in the email as an inline image.
  expect(h.slack.callsTo('files.completeUploadExternal').map((c) => c.args.channel_id)).toEqual([FORECAST_CHANNEL]);
  expect(chartIn(ownerEmails()[1]!).readUInt32BE(16)).toBe(800); // IHDR width: no past week judged yet
  expect(ownerEmails()[1]!.text).toContain('Inflows only: outflows are not available from Stripe'); // Stripe keeps no bills

  // Paid on Thursday, inside that forecast's first week (Tue–Mon).
  h.advanceDays(3);
  await payNow(invoice);

  // Two Mondays on, the week is over and compared: exactly what was expected came in.
  h.advanceDays(4);
  await waitForWeek(3);
  expect(JSON.stringify(posts()[2]!.args.blocks)).not.toContain('forecast within'); // its first week ends today
  await sendInvoice('7002', 500); // something to chart next Monday
  h.advanceDays(7);
  await waitForWeek(4);
  const fourth = posts()[3]!;
  expect(JSON.stringify(fourth.args.blocks)).toContain('Last week: forecast within 0% of collections');
  expect(ownerEmails()[3]!.text).toContain('Last week: forecast within 0% of collections');
  // Charts with the second and fourth posts; the third had nothing open or scheduled to draw.
  expect(h.slack.callsTo('files.completeUploadExternal').map((c) => c.args.channel_id)).toEqual([FORECAST_CHANNEL, FORECAST_CHANNEL]);
  expect(chartIn(ownerEmails()[3]!).readUInt32BE(16)).toBe(800 + 260); // the past weeks beside the chart
  await settle();
  expect(posts()).toHaveLength(4);
  expect(ownerEmails()).toHaveLength(4);
}, 180_000);

test('a slot more than 6 days old is skipped: a bot back on Monday 07:00 waits for 08:00', async () => {
  const monday = nextMondayNine();
  h = await startHarness({ env, startAt: new Date(monday.getTime() + 6 * 24 * 60 * 60 * 1000 + 21 * 60 * 60 * 1000) }); // next Monday 06:00
  await settle();
  expect(posts()).toHaveLength(0);
  expect(ownerEmails()).toHaveLength(0);
  h.clock.advance(2.5 * 60 * 60 * 1000); // 08:30
  await waitForWeek(1);
  expect(String(posts()[0]!.args.text)).toContain(`week of ${monthDay(addDays(monday, 7))}`);
});

test('a crash mid-post leaves the outcome unknown: the owner is told once and the post is not repeated', async () => {
  const monday = nextMondayNine();
  h = await startHarness({ startAt: monday }); // weekly summary off for now
  const key = `weekly-forecast:${isoWeekKey(monday.toISOString().slice(0, 10))}`;
  expect(await claimEffect(h.bot.services.db.pool, { key, invoiceId: null, kind: 'weekly-forecast', claimedBy: 'crashed-process' }, h.clock.now())).toBe(true);
  Object.assign(h.env, env);
  await h.restart();
  await h.smtp.waitFor((m) => m.to.includes(OWNER_EMAIL), WEEKLY_WAIT_MS); // the email had not been claimed: it goes out
  h.clock.advance(10 * 60 * 1000); // past the claim timeout
  const note = await h.slack.waitFor(() => h.slack.callsTo('chat.postMessage').find((c) => String(c.args.text).startsWith('Unknown outcome')), WEEKLY_WAIT_MS);
  expect(String(note.args.text)).toContain("this week's forecast post may or may not have gone out");
  await settle();
  expect(posts()).toHaveLength(0);
  expect(ownerEmails()).toHaveLength(1);
  expect(h.slack.callsTo('chat.postMessage').filter((c) => String(c.args.text).startsWith('Unknown outcome'))).toHaveLength(1);
  expect(await getEffect(h.bot.services.db.pool, key)).toMatchObject({ status: 'unknown' });
});

test('without FORECAST_CHANNEL_ID and OWNER_EMAIL there is no weekly post or email', async () => {
  h = await startHarness({ startAt: nextMondayNine() });
  await settle();
  expect(h.slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(0);
  expect(h.smtp.messages).toHaveLength(0);
});

// Two bot processes need a database both can reach: a real server (CI's PostgreSQL run), not PGlite.
const withServer = process.env.TEST_DATABASE_URL ? test : test.skip;
withServer('two bot processes on one database: one post and one email per week', async () => {
  const monday = nextMondayNine();
  h = await startHarness({ env, startAt: monday });
  const second = await startDuebot(loadConfig(h.env), { clock: h.clock, logger: createLogger(h.env.LOG_LEVEL!) });
  try {
    await waitForWeek(1);
    await settle();
    h.advanceDays(7);
    await waitForWeek(2);
    await settle();
    expect(posts()).toHaveLength(2);
    expect(ownerEmails()).toHaveLength(2);
  } finally {
    await second.stop();
  }
});

function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * 24 * 60 * 60 * 1000);
}

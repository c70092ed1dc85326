import { startHarness, APPROVER, BILLING_CHANNEL, CLIENTS_YAML, MEMBER, SIGNING_SECRET, type Harness } from '../support/harness.js';
import { startDuebot } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { nextMondayAt } from '../support/next-monday.js';
import { blockActionBody, signSlackRequest } from '../support/fake-slack.js';
import { findInvoiceBySource, type InvoiceRecord } from '../../src/store/invoices.js';
import { remindersOf } from '../../src/store/reminders.js';
import { getEffect } from '../../src/store/effects.js';
import { auditTrail } from '../../src/store/audit.js';
import { DAY_MS } from '../../src/domain/calendar.js';
import { todaysSendsKey } from '../../src/usecases/todays-sends.js';
import { EMAIL_STATEMENT } from '../../blocks/client-summary.js';
import { TODAYS_PREVIEW, TODAYS_SEND_NOW, TODAYS_SKIP, TODAYS_SNOOZE } from '../../blocks/todays-sends.js';

/**
 * Grouped reminders and today's sends end to end, on one bot: Acme groups its reminders (three
 * invoices, one statement a day), Globex does not; both send at 10:00, and the list comes at 08:30.
 */
const CLIENTS = CLIENTS_YAML.replace('    finalMode: pause\n', '    finalMode: pause\n    autoSend: true\n    groupReminders: true\n    sendAt: "10:00"\n').replace(
  '    finalMode: notice-only\n',
  '    finalMode: notice-only\n    sendAt: "10:00"\n',
);

const monday = nextMondayAt(7);
const at = (days: number, hh: number, mm = 0) => new Date(monday.getTime() + days * DAY_MS + (hh - 7) * 3600_000 + mm * 60_000);
const ymd = (days: number) => at(days, 12).toISOString().slice(0, 10);

let h: Harness;
const acme: InvoiceRecord[] = [];
const globex: InvoiceRecord[] = [];
beforeAll(async () => {
  h = await startHarness({ startAt: monday, clientsYaml: CLIENTS, env: { TODAYS_SENDS_AT: '08:30' } });
  for (const [gid, project, list] of [
    ['9701', '1200', acme],
    ['9702', '1200', acme],
    ['9703', '1200', acme],
    ['9711', '1300', globex],
    ['9712', '1300', globex],
  ] as const) {
    expect((await h.completeMilestone({ gid, name: `Milestone ${gid}`, amount: 1000 + Number(gid.slice(2)), projectGid: project })).status).toBe(200);
    const draft = await h.slack.waitFor(() => findInvoiceBySource(pool(), 'asana', gid));
    list.push(await h.waitForStatus(draft.id, 'sent'));
  }
});
afterAll(async () => h?.stop());

const pool = () => h.bot.services.db.pool;
/** The sweep runs every 200 ms: give a second send its chance before counting. */
const settle = () => new Promise((r) => setTimeout(r, 800));
const moveTo = (instant: Date) => h.clock.advance(instant.getTime() - h.clock.now().getTime());
const statements = () => h.smtp.messages.filter((m) => m.subject.includes('Statement of open invoices'));
const reminderEmailsOf = (inv: InvoiceRecord) => h.smtp.messages.filter((m) => m.subject.includes(inv.number) && !m.subject.startsWith('[Pixel & Co] Invoice #'));
const listPosts = () => h.slack.messages(BILLING_CHANNEL).filter((m) => String(m.args.text).startsWith("Today's reminder emails"));
const listUpdates = () => h.slack.callsTo('chat.update').filter((c) => String(c.args.text).startsWith("Today's reminder emails"));
const ephemeralTo = async (user: string, before: number) =>
  String(
    (await h.slack.waitFor(() =>
      h.slack
        .callsTo('chat.postEphemeral')
        .slice(before)
        .find((c) => c.args.user === user),
    ))!.args.text,
  );
const firstStep = async (inv: InvoiceRecord) => (await remindersOf(pool(), inv.id))[0]!;
const stepValue = (day: number, inv: InvoiceRecord) => `${ymd(day)}|${inv.id}|0`;

test('nothing due: no list that morning', async () => {
  moveTo(at(0, 8, 31));
  const effect = await h.slack.waitFor(async () => {
    const e = await getEffect(pool(), todaysSendsKey(ymd(0)));
    return e?.status === 'done' && e;
  });
  expect(effect.result).toMatchObject({ ts: null, steps: [] });
  expect(listPosts()).toHaveLength(0);
});

test('day 7: the list at 08:30 with every step due; Skip, Snooze and Preview; forged and non-approver presses refused', async () => {
  // 07:05: the five day-7 steps are due, but today's sends hold them until the clients' 10:00.
  moveTo(at(7, 7, 5));
  await h.slack.waitFor(async () => (await firstStep(globex[1]!)).note === "waiting for the client's send time");
  expect((await firstStep(acme[0]!)).dueAt.toISOString()).toBe(at(7, 10).toISOString());
  await settle();
  expect(statements()).toHaveLength(0);

  moveTo(at(7, 8, 30));
  const list = await h.slack.waitFor(() => listPosts()[0]);
  const text = JSON.stringify(list.args.blocks);
  for (const inv of [...acme, ...globex]) expect(text).toContain(inv.number);
  expect(text).toContain('in the client’s statement');
  expect(text).toContain('10:00 UTC');

  // A viewer and a forged value change nothing.
  let before = h.slack.callsTo('chat.postEphemeral').length;
  await h.clickButton(TODAYS_SKIP, stepValue(7, globex[0]!), MEMBER);
  expect(await ephemeralTo(MEMBER, before)).toMatch(/only invoice approvers/i);
  before = h.slack.callsTo('chat.postEphemeral').length;
  await h.clickButton(TODAYS_SKIP, `${ymd(7)}|00000000-0000-0000-0000-000000000000|0`, APPROVER);
  expect(await ephemeralTo(APPROVER, before)).toContain('not on a list');
  expect((await firstStep(globex[0]!)).status).toBe('pending');

  // Skip the first Globex step, snooze the second by a day: the list message shows both.
  await h.clickButton(TODAYS_SKIP, stepValue(7, globex[0]!), APPROVER);
  await h.slack.waitFor(async () => (await firstStep(globex[0]!)).status === 'skipped');
  await h.clickButton(TODAYS_SNOOZE, `${stepValue(7, globex[1]!)}|1`, APPROVER);
  await h.slack.waitFor(async () => (await firstStep(globex[1]!)).dueAt.toISOString() === at(8, 10).toISOString());
  const updated = await h.slack.waitFor(() => listUpdates().find((u) => JSON.stringify(u.args.blocks).includes('snoozed to')));
  expect(JSON.stringify(updated.args.blocks)).toContain('skipped by');
  expect((await auditTrail(pool(), globex[0]!.id)).map((a) => a.action)).toContain('reminder_skipped');

  // Preview of an Acme step: the statement listing its three invoices.
  before = h.slack.callsTo('chat.postEphemeral').length;
  await h.clickButton(TODAYS_PREVIEW, stepValue(7, acme[1]!), APPROVER);
  const preview = await ephemeralTo(APPROVER, before);
  expect(preview).toContain('Statement of open invoices');
  for (const inv of acme) expect(preview).toContain(inv.number);
});

test('10:00: one statement email lists the three Acme invoices and records all three steps sent; the skipped and the snoozed step stay back', async () => {
  moveTo(at(7, 10, 1));
  const statement = await h.smtp.waitFor((m) => m.subject.includes('Statement of open invoices'));
  await settle();
  expect(statements()).toHaveLength(1);
  expect(statement.to).toEqual(['ap@acme.example', 'cfo@acme.example']);
  for (const inv of acme) {
    await h.slack.waitFor(async () => (await firstStep(inv)).status === 'sent');
    expect(statement.text).toContain(inv.number);
    expect(statement.html).toContain(inv.number);
    expect(await firstStep(inv)).toMatchObject({ status: 'sent', messageId: statement.messageId });
    expect(reminderEmailsOf(inv)).toHaveLength(0);
  }
  expect(reminderEmailsOf(globex[0]!)).toHaveLength(0);
  expect(reminderEmailsOf(globex[1]!)).toHaveLength(0);
  expect((await firstStep(globex[0]!)).status).toBe('skipped');
});

test('the snoozed step goes out on its new day at the send time, not before', async () => {
  moveTo(at(8, 9, 50));
  // Day 8's list shows it (one step), and it waits for 10:00.
  const list = await h.slack.waitFor(() => listPosts()[1]);
  expect(JSON.stringify(list.args.blocks)).toContain(globex[1]!.number);
  await settle();
  expect(reminderEmailsOf(globex[1]!)).toHaveLength(0);
  moveTo(at(8, 10, 1));
  await h.smtp.waitFor((m) => m.subject.includes(globex[1]!.number) && /Reminder/.test(m.subject));
  await settle();
  expect(reminderEmailsOf(globex[1]!)).toHaveLength(1);
  expect(reminderEmailsOf(globex[0]!)).toHaveLength(0);
});

test('Send now sends the waiting steps at once: the Acme statement in the firm tone', async () => {
  moveTo(at(14, 8, 31));
  await h.slack.waitFor(() => listPosts()[2]);
  // The sweep that posted the list holds the day's steps for 10:00 right after; then Send now.
  for (const inv of [...acme, ...globex]) await h.slack.waitFor(async () => (await remindersOf(pool(), inv.id))[1]!.dueAt.getTime() === at(14, 10).getTime());
  const before = statements().length;
  await h.clickButton(TODAYS_SEND_NOW, ymd(14), APPROVER);
  const statement = await h.smtp.waitFor((m) => m.subject.includes('Past due: Statement of open invoices') && statements().length > before);
  expect(h.clock.now().getTime()).toBeLessThan(at(14, 10).getTime());
  // The email can arrive a moment before the steps are recorded sent.
  for (const inv of acme) await h.slack.waitFor(async () => (await remindersOf(pool(), inv.id))[1]!.status === 'sent');
  for (const inv of acme) expect((await remindersOf(pool(), inv.id))[1]).toMatchObject({ status: 'sent', messageId: statement.messageId });
  await h.slack.waitFor(() => listUpdates().find((u) => JSON.stringify(u.args.blocks).includes('Sent now by')));
  moveTo(at(14, 10, 5));
  await settle();
  expect(statements()).toHaveLength(before + 1);
});

test('Email statement from /invoices client: approvers only, one email per click even when Slack delivers it twice', async () => {
  const responses = h.slack.responses.length;
  await h.slashCommand('client acme');
  const summary = await h.slack.waitFor(() => h.slack.responses[responses]);
  const button = JSON.stringify(summary.body.blocks);
  expect(button).toContain(EMAIL_STATEMENT);
  expect(button).toContain('"confirm"');

  const before = statements().length;
  const ephemerals = h.slack.callsTo('chat.postEphemeral').length;
  await h.clickButton(EMAIL_STATEMENT, 'acme', MEMBER);
  expect(await ephemeralTo(MEMBER, ephemerals)).toMatch(/only invoice approvers/i);

  const body = blockActionBody({
    actionId: EMAIL_STATEMENT,
    value: 'acme',
    userId: APPROVER,
    channelId: BILLING_CHANNEL,
    messageTs: '1700000000.000200',
    responseUrl: h.slack.responseUrl(),
  });
  for (let i = 0; i < 2; i += 1) await h.send('/slack/events', body, signSlackRequest(SIGNING_SECRET, body));
  const statement = await h.smtp.waitFor((m) => m.subject.includes('Statement of open invoices') && statements().length > before);
  await settle();
  expect(statements()).toHaveLength(before + 1);
  expect(statement.subject).not.toMatch(/Past due|Final notice/);
  for (const inv of acme) expect((await auditTrail(pool(), inv.id)).map((a) => a.action)).toContain('statement_sent');
});

// Two bot processes need a database both can reach: a real server (CI's PostgreSQL run), not PGlite.
const withServer = process.env.TEST_DATABASE_URL ? test : test.skip;
withServer('two bot processes on one database: one list, one statement, each reminder once', async () => {
  const second = await startDuebot(loadConfig(h.env), { clock: h.clock, logger: createLogger(h.env.LOG_LEVEL!) });
  try {
    const [lists, finals] = [listPosts().length, statements().filter((m) => m.subject.includes('Final notice')).length];
    moveTo(at(30, 8, 31));
    await h.slack.waitFor(() => listPosts().length > lists);
    moveTo(at(30, 10, 1));
    await h.smtp.waitFor((m) => m.subject.includes('Final notice: Statement'));
    await h.smtp.waitFor((m) => m.subject.includes(globex[0]!.number) && m.subject.includes('Final notice'));
    await settle();
    expect(listPosts()).toHaveLength(lists + 1);
    expect(statements().filter((m) => m.subject.includes('Final notice'))).toHaveLength(finals + 1);
    for (const inv of globex) expect(reminderEmailsOf(inv).filter((m) => m.subject.includes('Final notice'))).toHaveLength(1);
  } finally {
    await second.stop();
  }
});

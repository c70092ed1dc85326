import { startHarness, APPROVER, BILLING_CHANNEL, MEMBER, type Harness } from '../support/harness.js';
import { findInvoiceBySource } from '../../src/store/invoices.js';
import { getInboxEvent, storeInboxEvent } from '../../src/store/inbox.js';
import { DEFAULT_RETRY_POLICY, maxAttemptsWithin } from '../../src/domain/retry-backoff.js';
import { RETRY_DEAD_LETTER } from '../../blocks/dead-letter-ids.js';
import type { SlackCall } from '../support/fake-slack.js';
import { startDuebot, type Duebot } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';

/**
 * Nothing silently dropped, through the real app with its scheduler sweeping every 200 ms: a project
 * tool outage is ridden out with few attempts (backoff), and an event that keeps failing ends as one
 * dead-letter message whose Retry only approvers can use.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Each business-clock step waits for real sweeps (200 ms apart, slower on a busy machine). */
const LONG_TEST_MS = 240_000;
let h: Harness;
afterEach(async () => h?.stop());

/**
 * Moves the business clock, then waits for a sweep that started after the move (two completions). With
 * a second process (`others`), Agenda hands each sweep to whichever process locks it first, so a
 * sweep by any of them counts.
 */
async function advanceAndSweep(ms: number, others: Duebot[] = []): Promise<void> {
  h.clock.advance(ms);
  const lastSweep = () => Math.max(...[h.bot, ...others].map((bot) => bot.scheduler!.state().lastDueWorkAt?.getTime() ?? 0));
  for (let i = 0; i < 2; i += 1) {
    const mark = h.clock.now().getTime();
    await h.slack.waitFor(() => lastSweep() > mark);
  }
}

const inboxRow = async () => (await h.bot.services.db.pool.query<{ id: number; attempts: number }>('SELECT id, attempts FROM inbox_events ORDER BY id')).rows;
const taskFetches = (gid: string) => h.asana.requests.filter((r) => r.method === 'GET' && r.path === `/api/1.0/tasks/${gid}`).length;
const deadLetterPosts = () => h.slack.messages(BILLING_CHANNEL).filter((m) => JSON.stringify(m.args).includes(RETRY_DEAD_LETTER));
const draftPost = (gid: string) =>
  h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes('approve_invoice') && JSON.stringify(m.args).includes(`Milestone ${gid}`));
const ephemeralTo = (user: string, after: number) =>
  h.slack.waitFor(() =>
    h.slack
      .callsTo('chat.postEphemeral')
      .slice(after)
      .find((c) => c.args.user === user),
  );
async function statusAnswer(): Promise<string> {
  const before = h.slack.responses.length;
  expect((await h.slashCommand('status', APPROVER)).status).toBe(200);
  return JSON.stringify((await h.slack.waitFor(() => h.slack.responses[before])).body);
}

test(
  'a 6-hour Asana outage: the milestone is accepted, retried a few times with backoff, and drafted after the outage',
  async () => {
    h = await startHarness();
    h.asana.failNext(1_000_000, 503);
    const res = await h.completeMilestone({ gid: '6001', name: 'Milestone 6001', amount: 1500 });
    expect(res.status).toBe(200);
    await h.slack.waitFor(async () => (await inboxRow())[0]?.attempts === 1); // the fast path tried once

    // Six hours of business clock in half-hour steps, at least one sweep in each.
    for (let step = 0; step < 12; step += 1) {
      await advanceAndSweep(30 * MINUTE);
      if (step === 5) expect(await statusAnswer()).toMatch(/1 event waiting to be processed; the oldest arrived 3 h( \d+ min)? ago/);
    }
    const duringOutage = (await inboxRow())[0]!.attempts;
    // Retrying every sweep would have made 20+ attempts (two sweeps a step); the backoff allows at most 10 in six hours.
    expect(maxAttemptsWithin(6 * HOUR, DEFAULT_RETRY_POLICY)).toBe(10);
    expect(duringOutage).toBeLessThanOrEqual(12);
    expect(duringOutage).toBeGreaterThanOrEqual(4);
    expect(taskFetches('6001')).toBe(duringOutage);
    expect(await findInvoiceBySource(h.bot.services.db.pool, 'asana', '6001')).toBeNull();

    // The outage ends: within the longest backoff (6 hours) the next attempt drafts the milestone.
    h.asana.failNext(0, 503);
    for (let step = 0; step < 13 && !draftPost('6001'); step += 1) await advanceAndSweep(30 * MINUTE);
    expect(draftPost('6001')).toBeDefined();
    expect(await findInvoiceBySource(h.bot.services.db.pool, 'asana', '6001')).toMatchObject({ status: 'draft', total: 150000 });
    expect(deadLetterPosts()).toHaveLength(0);
    expect(await statusAnswer()).toContain('Nothing waiting');
  },
  LONG_TEST_MS,
);

test(
  'a permanent failure becomes one dead letter; only an approver may Retry; Retry after the fix drafts it and updates the message',
  async () => {
    h = await startHarness({ env: { INBOX_RETRY_FIRST: '1 minute', INBOX_RETRY_MAX_DELAY: '30 minutes', INBOX_GIVE_UP_AFTER: '2 hours' } });
    h.asana.failNext(1_000_000, 503);
    expect((await h.completeMilestone({ gid: '6101', name: 'Milestone 6101', amount: 900 })).status).toBe(200);
    for (let step = 0; step < 6 && deadLetterPosts().length === 0; step += 1) await advanceAndSweep(30 * MINUTE);
    const [post] = deadLetterPosts() as [SlackCall];
    expect(post).toBeDefined();
    const { id } = (await inboxRow())[0]!;
    const dead = (await getInboxEvent(h.bot.services.db.pool, id))!;
    expect(dead.deadAt).not.toBeNull();
    const posted = JSON.stringify(post.args);
    expect(posted).toContain('Asana task 6101');
    expect(posted).toContain(`Attempts:* ${dead.attempts}`);
    expect(posted).toMatch(/tasks\/\{gid\}|answered 503/);
    expect(posted).toContain(`"value":"${id}"`);

    // More sweeps (and time): still exactly one message, no further attempts.
    await advanceAndSweep(3 * HOUR);
    await advanceAndSweep(3 * HOUR);
    expect(deadLetterPosts()).toHaveLength(1);
    expect((await getInboxEvent(h.bot.services.db.pool, id))!.attempts).toBe(dead.attempts);
    const status = await statusAnswer();
    expect(status).toContain('1 dead letter');
    expect(status).toContain(RETRY_DEAD_LETTER);

    // A viewer's Retry is refused and changes nothing.
    const ts = dead.deadLetterMessage!.ts;
    expect(dead.deadLetterMessage!.channel).toBe(BILLING_CHANNEL);
    let ephemerals = h.slack.callsTo('chat.postEphemeral').length;
    await h.clickButton(RETRY_DEAD_LETTER, String(id), MEMBER, ts);
    expect(String((await ephemeralTo(MEMBER, ephemerals)).args.text)).toMatch(/only invoice approvers can retry dead letters/i);
    expect(await getInboxEvent(h.bot.services.db.pool, id)).toMatchObject({ deadAt: dead.deadAt, attempts: dead.attempts, retriedBy: null });
    expect(h.slack.lastUpdateOf(BILLING_CHANNEL, ts)).toBeUndefined();

    // An approver's Retry while the cause persists: failed again, back in the backoff queue, said on the message.
    ephemerals = h.slack.callsTo('chat.postEphemeral').length;
    await h.clickButton(RETRY_DEAD_LETTER, String(id), APPROVER, ts);
    expect(String((await ephemeralTo(APPROVER, ephemerals)).args.text)).toMatch(/failed again .*back in the backoff queue/);
    const requeued = await h.slack.waitFor(() => h.slack.lastUpdateOf(BILLING_CHANNEL, ts));
    expect(JSON.stringify(requeued.args)).toMatch(new RegExp(`Retried by <@${APPROVER}>: failed again\\*, back in the backoff queue`));
    expect(JSON.stringify(requeued.args)).not.toContain(RETRY_DEAD_LETTER);
    expect((await getInboxEvent(h.bot.services.db.pool, id))!).toMatchObject({ deadAt: null, attempts: dead.attempts + 1, retriedBy: APPROVER });

    // Its fresh window runs out too: the same message shows the dead letter (and Retry) again, no second post.
    for (let step = 0; step < 6 && !(await getInboxEvent(h.bot.services.db.pool, id))!.deadAt; step += 1) await advanceAndSweep(30 * MINUTE);
    await h.slack.waitFor(() => JSON.stringify(h.slack.lastUpdateOf(BILLING_CHANNEL, ts)?.args ?? '').includes(RETRY_DEAD_LETTER));
    expect(deadLetterPosts()).toHaveLength(1);

    // The cause is fixed; the approver's Retry drafts the milestone and the message says who retried and that it is done.
    h.asana.failNext(0, 503);
    ephemerals = h.slack.callsTo('chat.postEphemeral').length;
    await h.clickButton(RETRY_DEAD_LETTER, String(id), APPROVER, ts);
    expect(String((await ephemeralTo(APPROVER, ephemerals)).args.text)).toMatch(/processed/);
    await h.slack.waitFor(() => draftPost('6101'));
    expect(await findInvoiceBySource(h.bot.services.db.pool, 'asana', '6101')).toMatchObject({ status: 'draft', total: 90000 });
    const done = JSON.stringify(h.slack.lastUpdateOf(BILLING_CHANNEL, ts)!.args);
    expect(done).toContain('Dead letter done');
    expect(done).toContain(`<@${APPROVER}>`);
    expect(done).not.toContain(RETRY_DEAD_LETTER);
    expect(await statusAnswer()).toContain('No dead letters');

    // A second click on the old button does nothing.
    ephemerals = h.slack.callsTo('chat.postEphemeral').length;
    await h.clickButton(RETRY_DEAD_LETTER, String(id), APPROVER, ts);
    expect(String((await ephemeralTo(APPROVER, ephemerals)).args.text)).toMatch(/processed already/);
  },
  LONG_TEST_MS,
);

test('an event of unknown kind is a dead letter at once, its outside text escaped', async () => {
  h = await startHarness();
  const stored = await storeInboxEvent(h.bot.services.db.pool, { source: 'stripe', externalId: 'evt_x', kind: '<!channel> mystery', payload: {} }, h.clock.now());
  await advanceAndSweep(MINUTE);
  const [post] = await h.slack.waitFor(() => (deadLetterPosts().length ? deadLetterPosts() : null));
  const text = JSON.stringify(post!.args);
  expect(text).toContain('unknown kind \\"&lt;!channel&gt; mystery\\"');
  expect(text).not.toContain('<!channel>');
  expect(await getInboxEvent(h.bot.services.db.pool, stored!.id)).toMatchObject({ attempts: 1 });
  expect((await getInboxEvent(h.bot.services.db.pool, stored!.id))!.deadAt).not.toBeNull();
});

// Two bot processes need a database both can reach: a real server (the PostgreSQL run), not PGlite.
const withServer = process.env.TEST_DATABASE_URL ? test : test.skip;
withServer(
  'two bot processes on one database: attempts are not doubled and the dead letter is posted once',
  async () => {
    h = await startHarness({ env: { INBOX_RETRY_FIRST: '1 minute', INBOX_RETRY_MAX_DELAY: '30 minutes', INBOX_GIVE_UP_AFTER: '2 hours' } });
    const second = await startDuebot(loadConfig(h.env), { clock: h.clock, logger: createLogger(h.env.LOG_LEVEL!) });
    try {
      h.asana.failNext(1_000_000, 503);
      expect((await h.completeMilestone({ gid: '6201', name: 'Milestone 6201', amount: 700 })).status).toBe(200);
      for (let step = 0; step < 6 && deadLetterPosts().length === 0; step += 1) await advanceAndSweep(30 * MINUTE, [second]);
      await advanceAndSweep(HOUR, [second]);
      await new Promise((r) => setTimeout(r, 600)); // both schedulers sweep every 200 ms: give a double post its chance
      expect(deadLetterPosts()).toHaveLength(1);
      const { attempts } = (await inboxRow())[0]!;
      // Every claim is one attempt and one fetch: two processes never both tried on one claim.
      expect(taskFetches('6201')).toBe(attempts);
      expect(attempts).toBeLessThanOrEqual(maxAttemptsWithin(2 * HOUR, { firstMs: MINUTE, maxDelayMs: 30 * MINUTE, giveUpAfterMs: 2 * HOUR }) + 1);
    } finally {
      await second.stop();
    }
  },
  LONG_TEST_MS,
);

import { startHarness, APPROVER, type Harness } from '../support/harness.js';
import { findInvoiceBySource } from '../../src/store/invoices.js';
import { remindersOf } from '../../src/store/reminders.js';
import { startDuebot } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { measureTakeover, PHASES, randomKill, runCrashTrial } from '../support/crash-trial.js';

/**
 * The sweep's job lock is short (JOBS_LOCK_LIFETIME) and kept alive by a heartbeat while the sweep
 * runs: a live process never loses it however long its sweep takes, and a dead one's lock lapses
 * within seconds, so another process takes the due work over. Bot processes killed with SIGKILL at
 * random moments of approve/send/remind/pay send nothing twice and lose nothing (the CI version of
 * `npm run bench:crash`). Two processes need a database both can reach: a real server (CI's
 * PostgreSQL run), not PGlite.
 */
const serverUrl = process.env.TEST_DATABASE_URL;
const withServer = serverUrl ? test : test.skip;

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

withServer(
  'a sweep that outlasts its lock lifetime keeps the lock: the second process does not start the sweep meanwhile',
  async () => {
    h = await startHarness({ env: { JOBS_LOCK_LIFETIME: '3 s' } });
    const harness = h;
    const second = await startDuebot(loadConfig(harness.env), { clock: harness.clock, logger: createLogger(harness.env.LOG_LEVEL!) });
    try {
      await harness.completeMilestone({ gid: '7001', name: 'Milestone Slow', amount: 700 });
      const draft = await harness.slack.waitFor(async () => findInvoiceBySource(harness.bot.services.db.pool, 'asana', '7001'));
      await harness.slack.waitFor(async () => (await findInvoiceBySource(harness.bot.services.db.pool, 'asana', '7001'))?.slackTs);
      await harness.clickButton('approve_invoice', draft!.id, APPROVER);
      await harness.waitForStatus(draft!.id, 'sent');

      // The mail server now takes 8 s (over two lock lifetimes) to accept the day-7 reminder, inside a sweep.
      harness.smtp.delayReplies(8000);
      harness.advanceDays(7);
      const pool = harness.bot.services.db.pool;
      await harness.slack.waitFor(async () => (await remindersOf(pool, draft!.id))[0]?.status === 'claimed');
      const sweepRow = async () =>
        (await pool.query<{ last_run_at: Date; last_modified_by: string }>(`SELECT last_run_at, last_modified_by FROM agenda_jobs WHERE name = 'dispatch-due-work'`)).rows[0]!;
      const running = await sweepRow();
      const runsSeen = new Set<number>();
      const owners = new Set<string>();
      while ((await remindersOf(pool, draft!.id))[0]?.status === 'claimed') {
        const row = await sweepRow();
        runsSeen.add(row.last_run_at.getTime());
        owners.add(row.last_modified_by);
        await new Promise((r) => setTimeout(r, 100));
      }
      // No sweep started while the slow one ran: the same run, kept by the same process throughout.
      expect([...runsSeen]).toEqual([running.last_run_at.getTime()]);
      expect([...owners]).toEqual([running.last_modified_by]);
      expect((await remindersOf(pool, draft!.id))[0]?.status).toBe('sent');
      expect(harness.smtp.messages.filter((m) => m.subject.includes(draft!.number) && !m.subject.startsWith(`[Pixel & Co] Invoice #${draft!.number} `))).toHaveLength(1);
    } finally {
      harness.smtp.delayReplies(0);
      await second.stop();
    }
  },
  90_000,
);

withServer(
  'a process killed with SIGKILL mid-sweep: the other process sends the due reminder within seconds, not after a 2-minute lock',
  async () => {
    const { takeoverMs } = await measureTakeover({ serverUrl: serverUrl!, waitMs: 100_000 });
    // The default lock lifetime is 15 s; the old 2-minute lock kept the survivor waiting at least 120 s.
    expect(takeoverMs).toBeLessThan(60_000);
  },
  150_000,
);

withServer(
  'bot processes killed with SIGKILL at a random moment of approve, send, remind and pay: nothing sent twice, nothing lost',
  async () => {
    // A short lock keeps the four trials quick; the code path is the benchmark's.
    const options = { serverUrl: serverUrl!, lockLifetime: '5 s', waitMs: 60_000 };
    const clean = await runCrashTrial({ ...options, kill: null });
    expect(clean).toMatchObject({ duplicates: [], lost: [], flagged: [] });
    for (const phase of PHASES) {
      const kill = randomKill(clean.phaseMs, Math.random, phase);
      const result = await runCrashTrial({ ...options, kill });
      expect({ phase, duplicates: result.duplicates, lost: result.lost }).toEqual({ phase, duplicates: [], lost: [] });
    }
  },
  300_000,
);

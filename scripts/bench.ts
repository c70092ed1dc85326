/**
 * `npm run bench`: drives 200 milestones through the real HTTP app on loopback, with the same local
 * stand-ins as the end-to-end tests, and prints latency percentiles and reminder throughput.
 *
 * DATABASE_URL set → a fresh database on that PostgreSQL server (dropped afterwards); unset → embedded
 * PGlite in a temp folder.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ShiftedClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { startDuebot } from '../src/app.js';
import { createLogger } from '../src/log.js';
import { findInvoiceBySource, invoicesInStatus } from '../src/store/invoices.js';
import { startFakeSlack, signSlackRequest, blockActionBody } from '../test/support/fake-slack.js';
import { startFakeStripe } from '../test/support/fake-stripe.js';
import { startFakeAsana, asanaTask, connectAsanaWebhook, asanaDelivery, completedEvent } from '../test/support/fake-asana.js';
import { startFakeSmtp } from '../test/support/fake-smtp.js';
import { createScratchDatabase } from '../test/support/database.js';
import { printSummary } from './bench-support.js';

const MILESTONES = Number(process.env.BENCH_MILESTONES ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const SIGNING_SECRET = 'bench-secret';
const APPROVER = 'UBENCH';

const summary = (label: string, values: number[]) => printSummary(label, values);
async function waitUntil<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (performance.now() > deadline) throw new Error('bench: timed out waiting');
    await new Promise((r) => setTimeout(r, 2));
  }
}
/**
 * Watches a growing list from one timer and remembers the keys seen, so that many waiters cost one
 * incremental scan instead of each re-serialising the whole list (which would load the very event
 * loop the bot runs on and distort the figures).
 */
function watchKeys<T>(list: () => readonly T[], keysOf: (item: T) => string[]): { has(key: string): boolean; stop(): void } {
  const seen = new Set<string>();
  let scanned = 0;
  const timer = setInterval(() => {
    const items = list();
    for (; scanned < items.length; scanned++) for (const key of keysOf(items[scanned]!)) seen.add(key);
  }, 2);
  return { has: (key) => seen.has(key), stop: () => clearInterval(timer) };
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

async function main(): Promise<void> {
  const [slack, stripe, asana, smtp] = await Promise.all([startFakeSlack(), startFakeStripe(), startFakeAsana(), startFakeSmtp()]);
  const dir = await mkdtemp(join(tmpdir(), 'duebot-bench-'));
  await writeFile(
    join(dir, 'clients.yml'),
    'clients:\n  - id: acme\n    name: Acme Ltd\n    emails: [ap@acme.example]\n    currency: USD\n    paymentTermsDays: 30\n    asanaProjects: ["1200"]\n',
  );
  const database = await createScratchDatabase(process.env.DATABASE_URL ?? null, 'duebot_bench');
  const clock = new ShiftedClock();
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: join(dir, 'data'),
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    BILLING_CHANNEL_ID: 'CBENCH',
    OWNER_SLACK_USER_ID: 'UOWNER',
    APPROVER_SLACK_USER_IDS: APPROVER,
    STRIPE_SECRET_KEY: 'sk_test_bench',
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    STRIPE_API_URL: stripe.url,
    ASANA_ACCESS_TOKEN: asana.token,
    ASANA_API_URL: asana.url,
    PUBLIC_URL: 'https://duebot.example',
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SMTP_URL: smtp.url,
    EMAIL_FROM: 'Bench <billing@bench.example>',
    BUSINESS_NAME: 'Bench Co',
    CLIENTS_FILE: join(dir, 'clients.yml'),
    JOBS_PROCESS_EVERY: '250 ms',
  });
  const bot = await startDuebot(config, { clock, logger: createLogger(process.env.BENCH_LOG_LEVEL ?? 'warn'), pollPaymentsEveryMs: 24 * 3600 * 1000 });
  const pool = bot.services.db.pool;
  asana.routeTargetsTo(bot.url);
  const { secret, path: hookPath } = await connectAsanaWebhook(bot.services, asana, '1200', APPROVER);
  console.log(`duebot bench: ${MILESTONES} milestones, ${CONCURRENCY} concurrent senders, database ${bot.services.db.kind}`);

  try {
    const gids = Array.from({ length: MILESTONES }, (_, i) => String(900000 + i));
    for (const gid of gids) asana.addTask(asanaTask({ gid, name: `Milestone ${gid}`, completed: true, billing: true, amount: 1000 + (Number(gid) % 500), projectGid: '1200' }));

    // 1. webhook → draft posted in Slack
    const drafts = watchKeys(
      () => slack.messages('CBENCH'),
      (m) => [...JSON.stringify(m.args).matchAll(/Milestone \d+/g)].map((x) => x[0]),
    );
    // The invoice email's subject starts "[Bench Co] Invoice #INV-0042 —"; reminders say "Reminder: …".
    const emails = watchKeys(
      () => smtp.messages,
      (m) => [/^\[Bench Co\] Invoice #(\S+) /.exec(m.subject)?.[1] ?? ''],
    );
    const draftMs: number[] = [];
    const t0 = performance.now();
    await inBatches(gids, CONCURRENCY, async (gid) => {
      const start = performance.now();
      const delivery = asanaDelivery(secret, [completedEvent(gid)]);
      const res = await fetch(`${bot.url}${hookPath}`, { method: 'POST', body: delivery.body, headers: delivery.headers });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      await waitUntil(() => drafts.has(`Milestone ${gid}`));
      draftMs.push(performance.now() - start);
    });
    const draftWall = performance.now() - t0;

    // 2. approve click → invoice email received
    const ids = await Promise.all(gids.map(async (gid) => (await findInvoiceBySource(pool, 'asana', gid))!));
    const emailMs: number[] = [];
    const t1 = performance.now();
    await inBatches(ids, CONCURRENCY, async (inv) => {
      const start = performance.now();
      const body = blockActionBody({
        actionId: 'approve_invoice',
        value: inv.id,
        userId: APPROVER,
        channelId: 'CBENCH',
        messageTs: inv.slackTs ?? '1.1',
        responseUrl: slack.responseUrl(),
      });
      const res = await fetch(`${bot.url}/slack/events`, { method: 'POST', body, headers: signSlackRequest(SIGNING_SECRET, body) });
      if (res.status !== 200) throw new Error(`slack answered ${res.status}`);
      await waitUntil(() => emails.has(inv.number));
      emailMs.push(performance.now() - start);
    });
    const emailWall = performance.now() - t1;

    // 3. reminder path: 7 days later every invoice has one due step. The email can arrive a moment
    // before the invoice is recorded as sent (and its reminders planned), so wait for that first.
    await waitUntil(async () => (await invoicesInStatus(pool, ['sent'], MILESTONES)).length === MILESTONES);
    const before = smtp.messages.length;
    clock.advanceDays(7);
    const t2 = performance.now();
    await waitUntil(() => smtp.messages.length - before >= MILESTONES, 300_000);
    const reminderWall = performance.now() - t2;

    summary('webhook → draft in Slack', draftMs);
    summary('approve → invoice email', emailMs);
    console.log(`${'throughput'.padEnd(28)} drafts ${(MILESTONES / (draftWall / 1000)).toFixed(1)}/s, sends ${(MILESTONES / (emailWall / 1000)).toFixed(1)}/s`);
    console.log(
      `${'reminder path'.padEnd(28)} ${MILESTONES} steps in ${(reminderWall / 1000).toFixed(2)} s = ${(MILESTONES / (reminderWall / 1000)).toFixed(1)} jobs/s (incl. up to one ${config.jobs.processEveryMs} ms scheduler interval)`,
    );
    drafts.stop();
    emails.stop();
  } finally {
    await bot.stop();
    await Promise.all([slack.close(), stripe.close(), asana.close(), smtp.close()]);
    await rm(dir, { recursive: true, force: true });
    await database.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

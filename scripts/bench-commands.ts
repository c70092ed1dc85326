/**
 * `npm run bench:commands`: every read command and the Home tab against a book of 100,000 invoices,
 * end to end through signed Slack requests to the real app (the same local stand-ins as the tests).
 * For each command it times the HTTP ack (Slack's 3-second limit) and the answer (the response_url
 * post, or views.publish for the Home tab), and prints p50/p95/max, and the first (untimed warm-up) answer.
 *
 * DATABASE_URL set → a fresh database on that PostgreSQL server (dropped afterwards); unset → embedded
 * PGlite in a temp folder. BENCH_INVOICES (default 100000), BENCH_CLIENTS (300), BENCH_RUNS (20);
 * BENCH_ONLY=forecast (comma-separated labels) times only those commands.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { ShiftedClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { startDuebot } from '../src/app.js';
import { createLogger } from '../src/log.js';
import { startFakeSlack, signSlackRequest, slashCommandBody, eventCallbackBody, appHomeOpenedEvent } from '../test/support/fake-slack.js';
import { startFakeStripe } from '../test/support/fake-stripe.js';
import { startFakeAsana } from '../test/support/fake-asana.js';
import { startFakeSmtp } from '../test/support/fake-smtp.js';
import { createScratchDatabase } from '../test/support/database.js';
import { latencySummary } from './bench-support.js';
import { seedInvoices } from './bench-seed.js';

const INVOICES = Number(process.env.BENCH_INVOICES ?? 100_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 300);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const ONLY = process.env.BENCH_ONLY?.split(',').map((label) => label.trim());
const SIGNING_SECRET = 'bench-secret';
const APPROVER = 'UBENCH';
const VIEWER = 'UVIEWER';
const CHANNEL = 'CBENCH';
const CURRENCIES = ['USD', 'USD', 'USD', 'EUR', 'GBP'];

async function waitUntil<T>(probe: () => T | undefined | null | false, timeoutMs = 30_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (performance.now() > deadline) throw new Error('bench: timed out waiting for the answer');
    await new Promise((r) => setTimeout(r, 1));
  }
}

async function main(): Promise<void> {
  const [slack, stripe, asana, smtp] = await Promise.all([startFakeSlack(), startFakeStripe(), startFakeAsana(), startFakeSmtp()]);
  slack.setChannelMembers(CHANNEL, [APPROVER, VIEWER, ...Array.from({ length: 2500 }, (_, i) => `UMEMBER${i}`)]);
  const dir = await mkdtemp(join(tmpdir(), 'duebot-bench-commands-'));
  const clients = Array.from({ length: CLIENTS }, (_, i) => ({
    id: `client-${String(i).padStart(3, '0')}`,
    name: `Client ${String(i).padStart(3, '0')} Ltd`,
    emails: `ap@client-${i}.example`,
    currency: CURRENCIES[i % CURRENCIES.length],
    paymentTermsDays: 30,
    asanaProjects: [String(10_000 + i)],
  }));
  await writeFile(join(dir, 'clients.yml'), stringify({ clients }));
  const database = await createScratchDatabase(process.env.DATABASE_URL ?? null, 'duebot_bench_commands');
  const clock = new ShiftedClock();
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: join(dir, 'data'),
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    BILLING_CHANNEL_ID: CHANNEL,
    OWNER_SLACK_USER_ID: 'UOWNER',
    APPROVER_SLACK_USER_IDS: APPROVER,
    STRIPE_SECRET_KEY: 'sk_test_bench',
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    STRIPE_API_URL: stripe.url,
    ASANA_ACCESS_TOKEN: asana.token,
    ASANA_API_URL: asana.url,
    SMTP_URL: smtp.url,
    EMAIL_FROM: 'Bench <billing@bench.example>',
    BUSINESS_NAME: 'Bench Co',
    CLIENTS_FILE: join(dir, 'clients.yml'),
  });
  // No scheduler: nothing but the commands should load the machine while they are timed.
  const bot = await startDuebot(config, { clock, logger: createLogger(process.env.BENCH_LOG_LEVEL ?? 'warn'), scheduler: false });
  try {
    const seedStart = performance.now();
    await seedInvoices(bot.services.db.pool, INVOICES, clock.now());
    console.log(
      `duebot command bench: ${INVOICES} invoices, ${CLIENTS} clients, database ${bot.services.db.kind}; seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s; ${RUNS} runs per command`,
    );

    const post = async (body: string) => {
      const res = await fetch(`${bot.url}/slack/events`, { method: 'POST', body, headers: signSlackRequest(SIGNING_SECRET, body) });
      if (res.status !== 200) throw new Error(`slack answered ${res.status}`);
      await res.arrayBuffer();
    };
    /** One command: ack = the HTTP answer, answer = the response_url post. */
    const command = async (text: string, user: string) => {
      const before = slack.responses.length;
      const uploads = slack.callsTo('files.completeUploadExternal').length;
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      await post(slashCommandBody({ command: '/invoices', text, userId: user, channelId: CHANNEL, responseUrl: slack.responseUrl() }));
      const ack = performance.now() - start;
      await waitUntil(() => slack.responses.length > before);
      const answer = performance.now() - start;
      // The forecast's chart goes on after the answer: let it finish so it does not load the next run.
      if (text === 'forecast') await waitUntil(() => slack.callsTo('files.completeUploadExternal').length > uploads);
      const cpu = process.cpuUsage(cpuStart);
      return { ack, answer, cpu: (cpu.user + cpu.system) / 1000 };
    };
    const home = async (user: string) => {
      const before = slack.callsTo('views.publish').length;
      const start = performance.now();
      await post(eventCallbackBody(appHomeOpenedEvent(user)));
      const ack = performance.now() - start;
      await waitUntil(() => slack.callsTo('views.publish').length > before);
      return { ack, answer: performance.now() - start, cpu: NaN };
    };

    const cases: [string, () => Promise<{ ack: number; answer: number; cpu: number }>][] = [
      ['aging', () => command('aging', VIEWER)],
      ['list', () => command('list', VIEWER)],
      ['list overdue', () => command('list overdue', VIEWER)],
      ['list <client>', () => command('list client-042', VIEWER)],
      ['show <number>', () => command(`show INV-${Math.floor(INVOICES / 2)}`, VIEWER)],
      ['client <name>', () => command('client Client 042 Ltd', VIEWER)],
      ['status', () => command('status', VIEWER)],
      ['forecast', () => command('forecast', VIEWER)],
      ['balance <amount>', () => command('balance 12500 USD', APPROVER)],
      ['help', () => command('help', VIEWER)],
      ['Home tab (viewer)', () => home(VIEWER)],
      ['Home tab (approver)', () => home(APPROVER)],
    ];
    const rows: string[] = [];
    for (const [label, run] of cases.filter(([label]) => !ONLY || ONLY.includes(label))) {
      const first = await run(); // warm-up: plans cached, member list loaded, the forecast's paid history counted and milestone lists read
      const acks: number[] = [];
      const answers: number[] = [];
      const cpus: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = await run();
        acks.push(t.ack);
        answers.push(t.answer);
        cpus.push(t.cpu);
      }
      const a = latencySummary(acks);
      const r = latencySummary(answers);
      // CPU of this process (bot, stand-ins and, on PGlite, the database) per command, incl. the forecast's chart: less bent by other jobs' load than wall time.
      const c = latencySummary(cpus);
      const row = `${label.padEnd(20)} ack p50/p95/max ${a.p50.toFixed(0)}/${a.p95.toFixed(0)}/${a.max.toFixed(0)} ms   answer p50/p95/max ${r.p50.toFixed(0)}/${r.p95.toFixed(0)}/${r.max.toFixed(0)} ms   first ${first.answer.toFixed(0)} ms${Number.isNaN(c.p50) ? '' : `   cpu p50 ${c.p50.toFixed(0)} ms`}`;
      rows.push(row);
      console.log(row);
    }
    const answers = slack.responses.slice(-3).map((r) => String(r.body.text ?? '').slice(0, 80));
    console.log(`(last answers: ${answers.join(' | ')})`);
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

/**
 * One crash trial, shared by `npm run bench:crash` (scripts/bench-crash.ts) and its CI version
 * (test/e2e/crash-trials.test.ts): the real bot runs as a child process (test/support/bot-process.ts)
 * on a fresh PostgreSQL database against local fake Slack, Stripe and SMTP servers; one invoice goes
 * through approve → send → remind → pay; the child is killed with SIGKILL at a chosen moment of one
 * phase; a fresh child finishes the work. What reached the fakes then tells whether anything went out
 * twice or was lost, and which outcomes were flagged for a human as unknown.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Database } from '../../src/store/db.js';
import { getInvoice, findInvoiceBySource, type InvoiceRecord } from '../../src/store/invoices.js';
import { remindersOf } from '../../src/store/reminders.js';
import { getEffect } from '../../src/store/effects.js';
import { signGenericBody } from '../../src/providers/projects/generic.js';
import { createScratchDatabase } from './database.js';
import { startFakeSlack, signSlackRequest, blockActionBody } from './fake-slack.js';
import { startFakeStripe, type StripeObject } from './fake-stripe.js';
import { startFakeSmtp } from './fake-smtp.js';
import { APPROVER, BILLING_CHANNEL, CLIENTS_YAML, OWNER, SIGNING_SECRET } from './harness.js';
import type { FromBot, ToBot } from './bot-process.js';

export const PHASES = ['approve', 'send', 'remind', 'pay'] as const;
export type Phase = (typeof PHASES)[number];

/** Where the kill lands: `afterMs` after the phase's trigger (the click, the clock move, the webhook). */
export interface KillPlan {
  phase: Phase;
  afterMs: number;
}

export interface TrialOptions {
  /** A PostgreSQL server; each trial creates (and drops) its own database there. */
  serverUrl: string;
  /** null: no kill (a clean run, which also measures each phase's duration). */
  kill: KillPlan | null;
  /** JOBS_LOCK_LIFETIME for the bot processes (default: the bot's). */
  lockLifetime?: string;
  /** JOBS_PROCESS_EVERY (default 200 ms, as in the tests). */
  processEvery?: string;
  /** Longest wait for any one outcome (default 60 s; raise it with a long lock lifetime). */
  waitMs?: number;
}

export interface TrialResult {
  kill: KillPlan | null;
  /** The phase's work was still under way when the kill landed (not already finished). */
  interrupted: boolean;
  /** Slack had its ack for the click, but the process died before storing the approval: clicked again. */
  ackedClickLost: boolean;
  /** Things that reached the outside world twice (must stay empty). */
  duplicates: string[];
  /** Things that neither happened nor were flagged for a human (must stay empty). */
  lost: string[];
  /** Outcomes left unknown by the crash and flagged in Slack for a human to check. */
  flagged: string[];
  /** From the kill until the fresh process is up (its start-up: a tsx child compiles the app). */
  restartMs: number | null;
  /** From the fresh process being up until it had finished (or flagged) the interrupted phase's work. */
  finishMs: number | null;
  /** Clean run: how long each phase took from its trigger (the windows kills are drawn from). */
  phaseMs: Record<Phase, number>;
}

const CHILD = fileURLToPath(new URL('./bot-process.ts', import.meta.url));
const DAY_MS = 24 * 60 * 60 * 1000;
/** Past the sweep's CLAIM_TIMEOUT_MS (5 minutes): a claim the dead process left is now stale. */
const PAST_CLAIM_TIMEOUT_MS = 6 * 60 * 1000;
/** After the last phase, sweeps keep running this long to give a double send its chance. */
const SETTLE_MS = 1000;

interface BotChild {
  url: string;
  instanceId: string;
  dead: boolean;
  advance(ms: number): Promise<void>;
  kill(): void;
  stop(): Promise<void>;
}

async function spawnBot(env: Record<string, string>, clockOffsetMs: number): Promise<BotChild> {
  const child: ChildProcess = fork(CHILD, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...env, BOT_CLOCK_OFFSET_MS: String(clockOffsetMs) },
    stdio: ['ignore', process.env.BOT_LOG_LEVEL ? 'inherit' : 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ url: string; instanceId: string }>((resolve, reject) => {
    child.on('message', (m: FromBot) => 'ready' in m && resolve(m));
    child.once('exit', (code) => reject(new Error(`bot process exited (${code}) before it was ready: ${stderr}`)));
  });
  const bot: BotChild = {
    url: ready.url,
    instanceId: ready.instanceId,
    dead: false,
    // Resolves once the clock moved, or once the process is gone (killed before it could answer).
    advance: (ms) =>
      new Promise((resolve) => {
        const onMessage = (m: FromBot) => {
          if ('advanced' in m) {
            child.off('message', onMessage);
            resolve();
          }
        };
        child.on('message', onMessage);
        void exited.then(() => resolve());
        if (child.connected) child.send({ advanceMs: ms } satisfies ToBot, () => undefined);
      }),
    kill() {
      bot.dead = true;
      child.kill('SIGKILL');
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      bot.dead = true;
      child.disconnect();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  child.once('exit', () => void (bot.dead = true));
  return bot;
}

/** Polls until `probe` is truthy; gives up after `timeoutMs`. */
async function until<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`crash trial: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** POSTs, and reports a connection cut by the kill as `null` (the sender then retries, as Slack users and Stripe do). */
async function post(url: string, body: string, headers: Record<string, string>): Promise<number | null> {
  try {
    const res = await fetch(url, { method: 'POST', body, headers });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return null;
  }
}

interface BedOptions {
  serverUrl: string;
  lockLifetime?: string;
  processEvery?: string;
  waitMs?: number;
}

/** Fakes, a fresh migrated database, the bots' environment, and one invoice's story read back from both. */
async function openBed(options: BedOptions) {
  const waitMs = options.waitMs ?? 60_000;
  const [slack, stripe, smtp] = await Promise.all([startFakeSlack(), startFakeStripe(), startFakeSmtp()]);
  const scratch = await createScratchDatabase(options.serverUrl, 'duebot_crash');
  const dir = await mkdtemp(join(tmpdir(), 'duebot-crash-'));
  const bots: BotChild[] = [];
  let db: Database | null = null;
  const close = async () => {
    await Promise.all(bots.map((b) => b.stop().catch(() => undefined)));
    await db?.close();
    await scratch.drop();
    await Promise.all([slack.close(), stripe.close(), smtp.close()]);
    await rm(dir, { recursive: true, force: true });
  };
  const clientsFile = join(dir, 'clients.yml');
  try {
    await writeFile(clientsFile, CLIENTS_YAML);
    // Migrated here, before any bot starts, so the outcome can be read from the database.
    db = await openDatabase({ url: scratch.url, dataDir: 'memory://' });
  } catch (err) {
    await close();
    throw err;
  }
  const pool = db.pool;
  const genericSecret = randomBytes(16).toString('hex');
  slack.setChannelMembers(BILLING_CHANNEL, [OWNER, APPROVER]);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    PORT: '0',
    DATABASE_URL: scratch.url!,
    LOG_LEVEL: process.env.BOT_LOG_LEVEL ?? 'silent',
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    BILLING_CHANNEL_ID: BILLING_CHANNEL,
    OWNER_SLACK_USER_ID: OWNER,
    APPROVER_SLACK_USER_IDS: APPROVER,
    STRIPE_SECRET_KEY: 'sk_test_duebot',
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    STRIPE_API_URL: stripe.url,
    GENERIC_WEBHOOK_SECRET: genericSecret,
    SMTP_URL: smtp.url,
    EMAIL_FROM: 'Pixel & Co Billing <billing@pixelco.example>',
    BUSINESS_NAME: 'Pixel & Co',
    BUSINESS_TIMEZONE: 'UTC',
    CLIENTS_FILE: clientsFile,
    DATA_DIR: join(dir, 'data'),
    JOBS_PROCESS_EVERY: options.processEvery ?? '200 ms',
    ...(options.lockLifetime ? { JOBS_LOCK_LIFETIME: options.lockLifetime } : {}),
  };
  const spawn = async (clockOffsetMs: number) => {
    const bot = await spawnBot(env, clockOffsetMs);
    bots.push(bot);
    return bot;
  };

  /** The draft: a signed milestone on the generic webhook, posted to Slack by the bot. */
  const draftVia = async (bot: BotChild) => {
    const milestone = JSON.stringify({ externalId: 'crash-1', client: 'acme', milestone: 'Design', lines: [{ description: 'Design', quantity: '1', unitAmount: '1200.00' }] });
    await post(`${bot.url}/webhooks/generic`, milestone, { 'content-type': 'application/json', 'x-duebot-signature': signGenericBody(genericSecret, milestone) });
    return until(
      async () => {
        const inv = await findInvoiceBySource(pool, 'generic', 'crash-1');
        return inv?.slackTs ? inv : null;
      },
      waitMs,
      'the draft in Slack',
    );
  };
  const clickApprove = (bot: BotChild, draft: InvoiceRecord) => {
    const body = blockActionBody({
      actionId: 'approve_invoice',
      value: draft.id,
      userId: APPROVER,
      channelId: BILLING_CHANNEL,
      messageTs: draft.slackTs!,
      responseUrl: slack.responseUrl(),
      triggerId: 'trigger-1',
    });
    return post(`${bot.url}/slack/events`, body, signSlackRequest(SIGNING_SECRET, body));
  };
  const isInvoiceEmail = (number: string, subject: string) => subject.startsWith(`[Pixel & Co] Invoice #${number} `);
  const invoiceEmails = (number: string) => smtp.messages.filter((m) => isInvoiceEmail(number, m.subject));
  const reminderEmails = (number: string) => smtp.messages.filter((m) => m.subject.includes(number) && !isInvoiceEmail(number, m.subject));
  return { slack, stripe, smtp, pool, env, waitMs, spawn, draftVia, clickApprove, invoiceEmails, reminderEmails, close };
}

export async function runCrashTrial(options: TrialOptions): Promise<TrialResult> {
  const bed = await openBed(options);
  const { slack, stripe, pool, waitMs } = bed;
  try {
    let clockOffsetMs = 0;
    let bot = await bed.spawn(clockOffsetMs);
    const draft = await bed.draftVia(bot);
    const invoice = () => getInvoice(pool, draft.id) as Promise<InvoiceRecord>;
    const invoiceEmails = () => bed.invoiceEmails(draft.number);
    const reminderEmails = () => bed.reminderEmails(draft.number);
    const emailEffect = () => getEffect(pool, `invoice-email:${draft.id}`);
    const firstStep = async () => (await remindersOf(pool, draft.id))[0] ?? null;
    const clickApprove = () => bed.clickApprove(bot, draft);

    // What "this phase's work is done" means, read from the database: done, or flagged as unknown.
    const approvedAndIssued = async () => Boolean((await invoice()).providerInvoiceId);
    const sendSettled = async () => (await invoice()).status === 'sent' || (await emailEffect())?.status === 'unknown';
    const remindSettled = async () => ['sent', 'unknown'].includes((await firstStep())?.status ?? '');
    const paySettled = async () => (await invoice()).status === 'paid';
    const settled: Record<Phase, () => Promise<boolean>> = { approve: approvedAndIssued, send: sendSettled, remind: remindSettled, pay: paySettled };

    const phaseMs = {} as Record<Phase, number>;
    let interrupted = false;
    let restartMs: number | null = null;
    let finishMs: number | null = null;

    /**
     * Runs one step of the story (`phases`: what its trigger sets going). With a kill planned in one of
     * them the child dies `afterMs` after the trigger, a fresh one starts (the business clock past the
     * claim timeout, so its sweep flags whatever the dead one left claimed), `retry` repeats what an
     * outsider would repeat, and the step is awaited. Without one, each phase's duration is measured.
     */
    const runStep = async (phases: Phase[], trigger: () => Promise<unknown>, retry: () => Promise<unknown>): Promise<void> => {
      const started = Date.now();
      const plan = options.kill && phases.includes(options.kill.phase) ? options.kill : null;
      if (plan) {
        const triggered = trigger();
        await new Promise((r) => setTimeout(r, Math.max(0, plan.afterMs - (Date.now() - started))));
        interrupted = !(await settled[plan.phase]());
        const killedAt = Date.now();
        bot.kill();
        await triggered;
        clockOffsetMs += PAST_CLAIM_TIMEOUT_MS;
        bot = await bed.spawn(clockOffsetMs);
        const upAt = Date.now();
        restartMs = upAt - killedAt;
        await retry();
        await until(settled[plan.phase], waitMs, `${plan.phase} to finish after the restart`);
        finishMs = Date.now() - upAt;
      } else {
        await trigger();
      }
      for (const phase of phases) {
        await until(settled[phase], waitMs, `${phase} to finish`);
        if (!plan) phaseMs[phase] = Date.now() - started;
      }
    };

    let clickAnswered = false;
    let ackedClickLost = false;
    await runStep(
      ['approve', 'send'],
      async () => void (clickAnswered = (await clickApprove()) === 200),
      // The draft still shows its Approve button after the restart: the approver clicks again. Slack's
      // ack goes out before the approval is stored, so this also happens after an answered click.
      async () => {
        if ((await invoice()).status !== 'draft') return;
        if (clickAnswered) ackedClickLost = true;
        await clickApprove();
      },
    );

    const sent = (await invoice()).status === 'sent';
    if (sent) {
      const advance = async () => {
        clockOffsetMs += 7 * DAY_MS;
        await bot.advance(7 * DAY_MS);
      };
      // A move the dead process never made is made again (the fresh one starts at the full offset).
      await runStep(['remind'], advance, async () => undefined);
    }

    const issued = await invoice();
    let paidEvent: StripeObject | null = null;
    const deliverPaid = async () => {
      paidEvent ??= (stripe.pay(issued.providerInvoiceId!), stripe.event('invoice.paid', issued.providerInvoiceId!));
      const delivery = stripe.signedDelivery(paidEvent);
      return post(`${bot.url}/webhooks/stripe`, delivery.body, delivery.headers);
    };
    let paidAnswered = false;
    // Stripe redelivers an event it got no 2xx for, under the same event id.
    await runStep(
      ['pay'],
      async () => void (paidAnswered = (await deliverPaid()) === 200),
      async () => void (paidAnswered || (await deliverPaid())),
    );

    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const outcome = await judge();
    return { kill: options.kill, interrupted, ackedClickLost, ...outcome, restartMs, finishMs, phaseMs };

    async function judge(): Promise<Pick<TrialResult, 'duplicates' | 'lost' | 'flagged'>> {
      const duplicates: string[] = [];
      const lost: string[] = [];
      const flagged: string[] = [];
      const atStripe = [...stripe.invoices.values()].filter((i) => (i.metadata as Record<string, string> | undefined)?.duebot_invoice_id === draft.id).length;
      if (atStripe > 1) duplicates.push(`${atStripe} Stripe invoices`);
      if (atStripe === 0) lost.push('the Stripe invoice');
      const effect = await emailEffect();
      if (invoiceEmails().length > 1) duplicates.push(`${invoiceEmails().length} invoice emails`);
      if (effect?.status === 'unknown') flagged.push('invoice email');
      else if (invoiceEmails().length === 0) lost.push('the invoice email');
      const step = await firstStep();
      if (reminderEmails().length > 1) duplicates.push(`${reminderEmails().length} reminder emails`);
      if (sent) {
        if (step?.status === 'unknown') flagged.push('reminder');
        else if (step?.status !== 'sent' || reminderEmails().length === 0) lost.push(`the first reminder (${step?.status ?? 'none'})`);
      }
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM payments WHERE invoice_id = $1', [draft.id]);
      const payments = Number(rows[0]!.n);
      if (payments > 1) duplicates.push(`${payments} payments recorded`);
      if (payments === 0 || (await invoice()).status !== 'paid') lost.push(`the payment (${payments} recorded, invoice ${(await invoice()).status})`);
      // Each unknown outcome is one note in the invoice's thread (the invoice's own flag is cleared by the payment).
      const notes = slack.threadReplies(BILLING_CHANNEL, draft.slackTs!).filter((c) => /may or may not have gone out/.test(String(c.args.text))).length;
      if (notes < flagged.length) lost.push(`a note for a human (${notes} for ${flagged.length} unknown outcomes)`);
      if (notes > flagged.length) duplicates.push(`${notes} notes for ${flagged.length} unknown outcomes`);
      return { duplicates, lost, flagged };
    }
  } finally {
    await bed.close();
  }
}

export interface TakeoverResult {
  /** From the kill until the surviving process had sent the reminder that fell due meanwhile. */
  takeoverMs: number;
  /** How old the dead process's sweep lock was when it died. */
  lockAgeMs: number;
}

/**
 * Two bot processes on one database: process A is killed with SIGKILL while it runs the sweep (its
 * job lock held), then a reminder falls due in process B's business clock. Measures how long B takes
 * to send it: B cannot sweep until A's lock has expired.
 */
export async function measureTakeover(options: BedOptions): Promise<TakeoverResult> {
  const bed = await openBed(options);
  try {
    const b = await bed.spawn(0);
    const draft = await bed.draftVia(b);
    await bed.clickApprove(b, draft);
    await until(async () => (await getInvoice(bed.pool, draft.id))?.status === 'sent', bed.waitMs, 'the invoice sent');
    const lockedBy = async (bot: BotChild, running: boolean) => {
      const found = await bed.pool.query<{ locked_at: Date }>(
        `SELECT locked_at FROM agenda_jobs WHERE name = 'dispatch-due-work' AND locked_at IS NOT NULL AND last_modified_by = $1
           ${running ? "AND last_run_at > COALESCE(last_finished_at, 'epoch'::timestamptz)" : ''}`,
        [bot.instanceId],
      );
      return found.rows[0]?.locked_at ?? null;
    };
    // Kill A while its sweep runs (the job locked by A, started after it last finished). A sweep with
    // little to do is over in milliseconds: when it finished just before the kill, try with a new A.
    let lockedAt: Date | null = null;
    for (let attempt = 0; !lockedAt; attempt += 1) {
      if (attempt === 10) throw new Error('could not kill a process mid-sweep in 10 attempts');
      const a = await bed.spawn(0);
      await until(() => lockedBy(a, true), bed.waitMs, "A's sweep to be running");
      a.kill();
      await new Promise((resolve) => setTimeout(resolve, 50));
      lockedAt = await lockedBy(a, false);
    }
    const killedAt = Date.now() - 50;
    await b.advance(7 * DAY_MS);
    await until(async () => bed.reminderEmails(draft.number).length > 0, bed.waitMs, 'the reminder from B');
    return { takeoverMs: Date.now() - killedAt, lockAgeMs: killedAt - lockedAt.getTime() };
  } finally {
    await bed.close();
  }
}

/** A kill plan drawn at random: a phase (unless given), and a moment within that phase in a clean run. */
export function randomKill(phaseMs: Record<Phase, number>, random: () => number = Math.random, phase: Phase = PHASES[Math.floor(random() * PHASES.length)]!): KillPlan {
  // "approve" and "send" share one trigger (the click): approve runs until the back-end invoice exists, send on.
  const from = phase === 'send' ? phaseMs.approve : 0;
  const afterMs = from + random() * (phaseMs[phase] * 1.1 - from);
  return { phase, afterMs: Math.round(afterMs) };
}

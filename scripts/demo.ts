/**
 * `npm run demo`: the whole core lifecycle for a sample agency, with no account anywhere.
 *
 * Starts the real duebot (embedded PGlite in a temp folder) against local stand-ins for Slack,
 * Stripe, Asana and SMTP, then walks the clock forward day by day and prints what each party saw.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShiftedClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { startDuebot, type Duebot } from '../src/app.js';
import { createLogger } from '../src/log.js';
import { localDate } from '../src/domain/calendar.js';
import { blocksToText } from '../blocks/render-text.js';
import { findInvoiceBySource } from '../src/store/invoices.js';
import { startFakeSlack, signSlackRequest, blockActionBody, slashCommandBody } from '../test/support/fake-slack.js';
import { startFakeStripe } from '../test/support/fake-stripe.js';
import { startFakeAsana, asanaTask, connectAsanaWebhook, asanaDelivery, completedEvent } from '../test/support/fake-asana.js';
import { startFakeSmtp } from '../test/support/fake-smtp.js';

const SIGNING_SECRET = 'demo-signing-secret';
const APPROVER = 'UDANA';
const OWNER = 'UOWNER';
const CHANNEL = 'CBILLING';

const CLIENTS = `
clients:
  - id: acme
    name: Acme Ltd
    emails: [ap@acme.example]
    currency: USD
    paymentTermsDays: 7
    asanaProjects: ["1200"]
    finalMode: pause
  - id: globex
    name: Globex GmbH
    emails: [rechnung@globex.example]
    currency: EUR
    paymentTermsDays: 14
    asanaProjects: ["1300"]
    autoSend: true
`;

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const indent = (s: string, by = '    ') =>
  s
    .split('\n')
    .map((l) => by + l)
    .join('\n');
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const [slack, stripe, asana, smtp] = await Promise.all([startFakeSlack(), startFakeStripe(), startFakeAsana(), startFakeSmtp()]);
  const dir = await mkdtemp(join(tmpdir(), 'duebot-demo-'));
  await writeFile(join(dir, 'clients.yml'), CLIENTS);
  const clock = new ShiftedClock();
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: join(dir, 'data'),
    SLACK_BOT_TOKEN: 'xoxb-demo',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    BILLING_CHANNEL_ID: CHANNEL,
    OWNER_SLACK_USER_ID: OWNER,
    APPROVER_SLACK_USER_IDS: APPROVER,
    STRIPE_SECRET_KEY: 'sk_test_demo',
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    STRIPE_API_URL: stripe.url,
    ASANA_ACCESS_TOKEN: asana.token,
    ASANA_API_URL: asana.url,
    PUBLIC_URL: 'https://duebot.example',
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    OWNER_ASANA_ASSIGNEE: 'owner@pixelco.example',
    SMTP_URL: smtp.url,
    EMAIL_FROM: 'Pixel & Co <billing@pixelco.example>',
    EMAIL_REPLY_TO: 'billing@pixelco.example',
    BUSINESS_NAME: 'Pixel & Co',
    BUSINESS_TIMEZONE: 'America/New_York',
    CLIENTS_FILE: join(dir, 'clients.yml'),
    JOBS_PROCESS_EVERY: '100 ms',
  });
  const bot: Duebot = await startDuebot(config, { clock, logger: createLogger('silent'), pollPaymentsEveryMs: 60 * 60 * 1000 });
  const post = (path: string, body: string, headers: Record<string, string>) => fetch(`${bot.url}${path}`, { method: 'POST', body, headers });
  const slackPost = (body: string) => post('/slack/events', body, signSlackRequest(SIGNING_SECRET, body));

  let seenCalls = 0;
  let seenMail = 0;
  let seenResponses = 0;
  const day0 = clock.now();
  const header = (title: string) => {
    const day = Math.round((clock.now().getTime() - day0.getTime()) / 86400000);
    console.log(`\n${bold(`── Day ${day} (${localDate(clock.now(), config.business.timezone)}) · ${title}`)}`);
  };
  /** Prints everything Slack and the mail server received since the last call. */
  const report = () => {
    for (const call of slack.calls.slice(seenCalls)) {
      const args = call.args as { channel?: string; thread_ts?: string; text?: string; blocks?: unknown[]; user?: string; users?: string };
      if (call.method === 'chat.postMessage') {
        const where = args.thread_ts ? `thread of the invoice message in #billing` : args.channel === CHANNEL ? '#billing' : `DM ${args.channel}`;
        console.log(`  ${bold('Slack')} ${dim(`→ ${where}`)}`);
        console.log(indent(args.blocks ? blocksToText(args.blocks as never) : String(args.text)));
      } else if (call.method === 'chat.update') {
        console.log(`  ${bold('Slack')} ${dim('↻ invoice message updated')}: ${String(args.text)}`);
      } else if (call.method === 'chat.postEphemeral') {
        console.log(`  ${bold('Slack')} ${dim(`(only ${args.user} sees this)`)}: ${String(args.text)}`);
      } else if (call.method === 'conversations.open') {
        console.log(`  ${bold('Slack')} ${dim(`opens a DM with ${args.users}`)}`);
      }
    }
    seenCalls = slack.calls.length;
    for (const r of slack.responses.slice(seenResponses)) {
      const body = r.body as { blocks?: unknown[]; text?: string };
      console.log(`  ${bold('Slack')} ${dim('(ephemeral reply)')}`);
      console.log(indent(body.blocks ? blocksToText(body.blocks as never) : String(body.text)));
    }
    seenResponses = slack.responses.length;
    for (const m of smtp.messages.slice(seenMail)) {
      const link = /https?:\/\/\S+\/pay\/\S+/.exec(m.text)?.[0] ?? '(none)';
      const excerpt = m.text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .slice(0, 4)
        .join(' ');
      console.log(
        `  ${bold('Email')} ${dim(`→ ${m.to.join(', ')}`)}\n    Subject: ${m.subject}\n    ${excerpt.slice(0, 220)}${excerpt.length > 220 ? '…' : ''}\n    Pay link: ${link}`,
      );
    }
    seenMail = smtp.messages.length;
    for (const t of asana.createdTasks.splice(0)) console.log(`  ${bold('Asana')} ${dim('task created')}: ${JSON.stringify((t as { data?: { name?: string } }).data?.name ?? t)}`);
  };
  const settle = async () => {
    await pause(600);
    report();
  };
  const nextDay = async (days = 1) => {
    clock.advanceDays(days);
    await pause(450);
  };

  try {
    asana.routeTargetsTo(bot.url);
    const { secret, path: hookPath } = await connectAsanaWebhook(bot.services, asana, '1200', APPROVER);
    header('Asana webhook registered (handshake answered)');

    header('Acme: "Milestone 2 – Design" is marked done in Asana');
    asana.addTask(asanaTask({ gid: '5001', name: 'Milestone 2 – Design', completed: true, billing: true, amount: 4500, projectGid: '1200' }));
    const d1 = asanaDelivery(secret, [completedEvent('5001')]);
    await post(hookPath, d1.body, d1.headers);
    await settle();
    const acme = await findInvoiceBySource(bot.services.db.pool, 'asana', '5001');
    if (!acme) throw new Error('the draft did not appear');

    header('Sam (not an approver) presses Approve & send');
    await slackPost(
      blockActionBody({ actionId: 'approve_invoice', value: acme.id, userId: 'USAM', channelId: CHANNEL, messageTs: acme.slackTs!, responseUrl: slack.responseUrl() }),
    );
    await settle();

    header('Dana (approver) presses Approve & send');
    await slackPost(
      blockActionBody({ actionId: 'approve_invoice', value: acme.id, userId: APPROVER, channelId: CHANNEL, messageTs: acme.slackTs!, responseUrl: slack.responseUrl() }),
    );
    await settle();

    header('Globex (auto-send client): "Sprint 4 delivery" is marked done');
    asana.addTask(asanaTask({ gid: '6001', name: 'Sprint 4 delivery', completed: true, billing: true, quantity: 32, rate: 95, projectGid: '1300' }));
    const d2 = asanaDelivery(secret, [completedEvent('6001')]);
    await post(hookPath, d2.body, d2.headers);
    await settle();
    const globex = await findInvoiceBySource(bot.services.db.pool, 'asana', '6001');

    for (let day = 1; day <= 31; day += 1) {
      await nextDay();
      if (day === 10 && globex?.providerInvoiceId) {
        header('Globex pays the invoice through the payment link');
        stripe.pay(globex.providerInvoiceId);
        const paid = stripe.signedDelivery(stripe.event('invoice.paid', globex.providerInvoiceId));
        await post('/webhooks/stripe', paid.body, paid.headers);
        await settle();
        continue;
      }
      const before = slack.calls.length + smtp.messages.length;
      await pause(150);
      if (slack.calls.length + smtp.messages.length > before || seenMail < smtp.messages.length || seenCalls < slack.calls.length) {
        header('the scheduler ran');
        await settle();
      }
    }

    header('Dana types /invoices aging');
    await slackPost(slashCommandBody({ command: '/invoices', text: 'aging', userId: APPROVER, channelId: CHANNEL, responseUrl: slack.responseUrl() }));
    await settle();
    console.log(
      `\n${bold('Done.')} Acme never paid: three reminders, a final notice with service pause, an Asana escalation task and a DM to the owner. Globex paid on day 10: no reminder after that.`,
    );
  } finally {
    await bot.stop();
    await Promise.all([slack.close(), stripe.close(), asana.close(), smtp.close()]);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

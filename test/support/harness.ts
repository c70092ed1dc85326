import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShiftedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { startDuebot, type Duebot } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { startFakeSlack, signSlackRequest, blockActionBody, slashCommandBody, viewSubmissionBody } from './fake-slack.js';
import { startFakeStripe } from './fake-stripe.js';
import { startFakeAsana, asanaTask, asanaHandshake, asanaDelivery, completedEvent } from './fake-asana.js';
import { startFakeSmtp } from './fake-smtp.js';
import { createTestDatabaseUrl } from './database.js';
import { getInvoice, type InvoiceRecord } from '../../src/store/invoices.js';

export const SIGNING_SECRET = 'test-signing-secret';
export const OWNER = 'UOWNER1';
export const APPROVER = 'UAPPROVER1';
export const BILLING_CHANNEL = 'CBILLING1';

export const CLIENTS_YAML = `
clients:
  - id: acme
    name: Acme Ltd
    emails: [ap@acme.example, cfo@acme.example]
    currency: USD
    paymentTermsDays: 7
    asanaProjects: ["1200"]
    finalMode: pause
  - id: globex
    name: Globex
    emails: billing@globex.example
    currency: EUR
    paymentTermsDays: 14
    asanaProjects: ["1300"]
    autoSend: true
    finalMode: notice-only
`;

export interface Harness {
  bot: Duebot;
  clock: ShiftedClock;
  slack: Awaited<ReturnType<typeof startFakeSlack>>;
  stripe: Awaited<ReturnType<typeof startFakeStripe>>;
  asana: Awaited<ReturnType<typeof startFakeAsana>>;
  smtp: Awaited<ReturnType<typeof startFakeSmtp>>;
  hookSecret: string;
  env: Record<string, string>;
  /** Marks a billing milestone done in Asana and delivers the webhook like Asana does. */
  completeMilestone(task: { gid: string; name: string; amount?: number; projectGid?: string; billing?: boolean; quantity?: number; rate?: number }): Promise<Response>;
  deliverAsana(events: unknown[], secret?: string): Promise<Response>;
  postSlack(body: string): Promise<Response>;
  clickButton(actionId: string, value: string, userId: string, messageTs?: string): Promise<Response>;
  slashCommand(text: string, userId?: string): Promise<Response>;
  submitView(callbackId: string, userId: string, privateMetadata: string, values: unknown): Promise<Response>;
  deliverStripe(type: string, invoiceId: string): Promise<Response>;
  advanceDays(days: number): void;
  /** Waits until the invoice is stored in this status (the email alone can arrive before the status is recorded). */
  waitForStatus(invoiceId: string, status: string): Promise<InvoiceRecord>;
  /** Restarts the bot process on the same database (and the same fakes). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  clientsYaml?: string;
  processEvery?: string;
  scheduler?: boolean;
  /** Extra environment variables (e.g. another invoicing back-end's settings). */
  env?: Record<string, string>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const [slack, stripe, asana, smtp] = await Promise.all([startFakeSlack(), startFakeStripe(), startFakeAsana(), startFakeSmtp()]);
  const dir = await mkdtemp(join(tmpdir(), 'duebot-test-'));
  const clientsFile = join(dir, 'clients.yml');
  await writeFile(clientsFile, options.clientsYaml ?? CLIENTS_YAML);
  const database = await createTestDatabaseUrl();
  const env: Record<string, string> = {
    PORT: '0',
    DATA_DIR: join(dir, 'data'),
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    BILLING_CHANNEL_ID: BILLING_CHANNEL,
    OWNER_SLACK_USER_ID: OWNER,
    APPROVER_SLACK_USER_IDS: `${APPROVER},UAPPROVER2`,
    STRIPE_SECRET_KEY: 'sk_test_duebot',
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    STRIPE_API_URL: stripe.url,
    ASANA_ACCESS_TOKEN: asana.token,
    ASANA_API_URL: asana.url,
    OWNER_ASANA_ASSIGNEE: 'owner@agency.example',
    SMTP_URL: smtp.url,
    EMAIL_FROM: 'Pixel & Co Billing <billing@pixelco.example>',
    EMAIL_REPLY_TO: 'billing@pixelco.example',
    BUSINESS_NAME: 'Pixel & Co',
    BUSINESS_TIMEZONE: 'UTC',
    CLIENTS_FILE: clientsFile,
    JOBS_PROCESS_EVERY: options.processEvery ?? '200 ms',
    ...(options.env ?? {}),
  };
  const clock = new ShiftedClock();
  const start = () => startDuebot(loadConfig(env), { clock, logger: createLogger(env.LOG_LEVEL!), scheduler: options.scheduler ?? true });
  let bot = await start();

  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${bot.url}${path}`, { method: 'POST', body, headers });

  const handshake = await asanaHandshake(`${bot.url}/webhooks/asana`);
  const harness: Harness = {
    get bot() {
      return bot;
    },
    clock,
    slack,
    stripe,
    asana,
    smtp,
    hookSecret: handshake.secret,
    env,
    async completeMilestone(task) {
      asana.addTask(asanaTask({ gid: task.gid, name: task.name, completed: true, billing: task.billing ?? true, amount: task.amount, quantity: task.quantity, rate: task.rate, projectGid: task.projectGid ?? '1200' }));
      return harness.deliverAsana([completedEvent(task.gid)]);
    },
    async deliverAsana(events, secret = handshake.secret) {
      const delivery = asanaDelivery(secret, events);
      return post('/webhooks/asana', delivery.body, delivery.headers);
    },
    async postSlack(body) {
      return post('/slack/events', body, signSlackRequest(SIGNING_SECRET, body));
    },
    async clickButton(actionId, value, userId, messageTs = '1700000000.000100') {
      return harness.postSlack(blockActionBody({ actionId, value, userId, channelId: BILLING_CHANNEL, messageTs, responseUrl: slack.responseUrl(), triggerId: 'trigger-1' }));
    },
    async slashCommand(text, userId = APPROVER) {
      return harness.postSlack(slashCommandBody({ command: '/invoices', text, userId, channelId: BILLING_CHANNEL, responseUrl: slack.responseUrl() }));
    },
    async submitView(callbackId, userId, privateMetadata, values) {
      return harness.postSlack(viewSubmissionBody({ callbackId, userId, privateMetadata, values: values as never }));
    },
    async deliverStripe(type, invoiceId) {
      const delivery = stripe.signedDelivery(stripe.event(type, invoiceId));
      return post('/webhooks/stripe', delivery.body, delivery.headers);
    },
    advanceDays(days) {
      clock.advanceDays(days);
    },
    waitForStatus(invoiceId, status) {
      return slack.waitFor(async () => {
        const inv = await getInvoice(bot.services.db.pool, invoiceId);
        return inv?.status === status ? inv : undefined;
      });
    },
    async restart() {
      await bot.stop();
      bot = await start();
    },
    async stop() {
      await bot.stop();
      await Promise.all([slack.close(), stripe.close(), asana.close(), smtp.close()]);
      await database.drop();
    },
  };
  return harness;
}

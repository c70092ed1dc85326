import { randomBytes } from 'node:crypto';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShiftedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { startDuebot, type Duebot } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { startFakeSlack, signSlackRequest, blockActionBody, slashCommandBody, viewSubmissionBody, eventCallbackBody } from './fake-slack.js';
import { startFakeStripe, type FakeStripeOptions } from './fake-stripe.js';
import { startFakeAsana, asanaTask, asanaDelivery, completedEvent, connectAsanaWebhook } from './fake-asana.js';
import { startFakeSmtp } from './fake-smtp.js';
import { startFakeClickUp, type FakeClickUp } from './fake-clickup.js';
import { startFakeTrello, type FakeTrello } from './fake-trello.js';
import { startFakeMonday, type FakeMonday } from './fake-monday.js';
import { createTestDatabaseUrl } from './database.js';
import { copyPgliteTemplate } from './pglite-template.js';
import { sharedTestDatabase } from './shared-pglite.js';
import { INBOUND_AUTH, MAILGUN_KEY, type InboundRequest } from './fake-inbound.js';
import { getInvoice, type InvoiceRecord } from '../../src/store/invoices.js';

export const SIGNING_SECRET = 'test-signing-secret';
export const OWNER = 'UOWNER1';
export const APPROVER = 'UAPPROVER1';
export const BILLING_CHANNEL = 'CBILLING1';
/** A member of the billing channel who is no approver: a viewer. */
export const MEMBER = 'UMEMBER1';

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
  /** The secret Asana signs deliveries with: that of the webhook the approver connected on project 1200. */
  hookSecret: string;
  /** Where that webhook delivers: `/webhooks/asana?hook=<its registration's token>`. */
  asanaHookPath: string;
  env: Record<string, string>;
  /** The further project tools asked for in `options.tools` (their fakes), and the generic webhook's secret. */
  clickup: FakeClickUp | null;
  trello: FakeTrello | null;
  monday: FakeMonday | null;
  genericSecret: string | null;
  /** PUBLIC_URL given to the bot when further tools are on (the Trello callback URL and monday's `aud` derive from it). */
  publicUrl: string;
  /** POSTs (or HEADs) raw bytes to the bot. */
  send(path: string, body: string, headers: Record<string, string>, method?: 'POST' | 'HEAD'): Promise<Response>;
  /** Marks a billing milestone done in Asana and delivers the webhook like Asana does. */
  completeMilestone(task: { gid: string; name: string; amount?: number; projectGid?: string; billing?: boolean; quantity?: number; rate?: number }): Promise<Response>;
  deliverAsana(events: unknown[], secret?: string): Promise<Response>;
  postSlack(body: string): Promise<Response>;
  clickButton(actionId: string, value: string, userId: string, messageTs?: string): Promise<Response>;
  slashCommand(text: string, userId?: string): Promise<Response>;
  submitView(callbackId: string, userId: string, privateMetadata: string, values: unknown): Promise<Response>;
  /** Delivers one Events API event (app_home_opened, member_joined_channel, …) signed like Slack. */
  deliverSlackEvent(event: Record<string, unknown>): Promise<Response>;
  deliverStripe(type: string, invoiceId: string): Promise<Response>;
  /** POSTs an inbound-email webhook built by test/support/fake-inbound.ts. */
  deliverEmail(request: InboundRequest): Promise<Response>;
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
  /** Further project tools to enable, each against its local fake (Asana is always on). */
  tools?: ('clickup' | 'trello' | 'monday' | 'generic')[];
  /** false: run without Asana credentials (the fake still starts, unused). */
  asana?: boolean;
  /** Extra environment variables (e.g. another invoicing back-end's settings). */
  env?: Record<string, string>;
  /** Options for the fake Stripe, e.g. Stripe's real search lag (`searchDelayMs: 60_000`). */
  stripe?: FakeStripeOptions;
  /** Starts the business clock at this (future) instant instead of now, e.g. a Monday morning. */
  startAt?: Date;
  /** Home tab refresh debounce (default: the bot's). */
  homeRefreshDebounceMs?: number;
  /** Payment polling fallback interval in ms (default: the bot's 15 minutes, i.e. never within a test). */
  pollPaymentsEvery?: number;
}

export const PUBLIC_URL = 'https://duebot.test';

/** GET /metrics answers only with a token (src/http/health.ts); every harness sets this one. */
export const HARNESS_METRICS_TOKEN = 'harness-metrics-token-0123456789';

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const [slack, stripe, asana, smtp] = await Promise.all([startFakeSlack(), startFakeStripe(options.stripe), startFakeAsana(), startFakeSmtp()]);
  const tools = new Set(options.tools ?? []);
  const [clickup, trello, monday] = await Promise.all([
    tools.has('clickup') ? startFakeClickUp() : null,
    tools.has('trello') ? startFakeTrello() : null,
    tools.has('monday') ? startFakeMonday() : null,
  ]);
  const genericSecret = tools.has('generic') ? 'generic-webhook-secret-0123456789' : null;
  const dir = await mkdtemp(join(tmpdir(), 'duebot-test-'));
  const clientsFile = join(dir, 'clients.yml');
  await writeFile(clientsFile, options.clientsYaml ?? CLIENTS_YAML);
  const database = await createTestDatabaseUrl();
  // Embedded: the worker's shared PGlite, emptied back to the migrated state (a copy of the migrated
  // template outside the duebot test environment).
  const shared = database.url ? null : await sharedTestDatabase();
  if (!database.url && !shared) await copyPgliteTemplate(join(dir, 'data'));
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
    ...(options.asana === false ? {} : { ASANA_ACCESS_TOKEN: asana.token, ASANA_API_URL: asana.url }),
    OWNER_ASANA_ASSIGNEE: 'owner@agency.example',
    SMTP_URL: smtp.url,
    EMAIL_FROM: 'Pixel & Co Billing <billing@pixelco.example>',
    EMAIL_REPLY_TO: 'billing@pixelco.example',
    BUSINESS_NAME: 'Pixel & Co',
    BUSINESS_TIMEZONE: 'UTC',
    CLIENTS_FILE: clientsFile,
    JOBS_PROCESS_EVERY: options.processEvery ?? '200 ms',
    METRICS_TOKEN: HARNESS_METRICS_TOKEN,
    // duebot registers its own webhooks: a public URL for their targets, a key to seal their secrets.
    PUBLIC_URL,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...(clickup ? { CLICKUP_API_TOKEN: clickup.token, CLICKUP_WEBHOOK_SECRET: clickup.webhookSecret, CLICKUP_API_URL: clickup.url, CLICKUP_OWNER_ASSIGNEE: '183' } : {}),
    ...(trello
      ? {
          TRELLO_API_KEY: trello.apiKey,
          TRELLO_TOKEN: trello.token,
          TRELLO_APP_SECRET: trello.appSecret,
          TRELLO_API_URL: trello.url,
          TRELLO_OWNER_MEMBER_ID: '5f00bb0000000000000000bb',
        }
      : {}),
    ...(monday ? { MONDAY_API_TOKEN: monday.token, MONDAY_SIGNING_SECRET: monday.signingSecret, MONDAY_API_URL: monday.url, MONDAY_OWNER_USER_ID: '9603417' } : {}),
    ...(genericSecret ? { GENERIC_WEBHOOK_SECRET: genericSecret } : {}),
    MAILGUN_SIGNING_KEY: MAILGUN_KEY,
    INBOUND_EMAIL_BASIC_AUTH: INBOUND_AUTH,
    // Today's sends (on by default) would add a billing-channel post on every test's reminder day: opt-in here.
    TODAYS_SENDS_AT: 'off',
    ...(options.env ?? {}),
  };
  // The billing channel: the owner, one approver and a viewer (UAPPROVER2 is an approver outside it).
  slack.setChannelMembers(BILLING_CHANNEL, [OWNER, APPROVER, MEMBER]);
  const clock = new ShiftedClock();
  if (options.startAt) clock.advance(Math.max(0, options.startAt.getTime() - Date.now()));
  const start = () =>
    startDuebot(loadConfig(env), {
      clock,
      logger: createLogger(env.LOG_LEVEL!),
      scheduler: options.scheduler ?? true,
      homeRefreshDebounceMs: options.homeRefreshDebounceMs,
      pollPaymentsEveryMs: options.pollPaymentsEvery,
      openDatabase: shared?.connect,
    });
  let bot = await start();

  const post = (path: string, body: string, headers: Record<string, string>, method: 'POST' | 'HEAD' = 'POST') =>
    fetch(`${bot.url}${path}`, { method, body: method === 'HEAD' ? undefined : body, headers });

  // The Asana webhook on project 1200 is registered the real way: an approver connects it, the fake Asana
  // makes its handshake against the bot during the create call. Without Asana there is none (its route answers 404).
  asana.routeTargetsTo(bot.url);
  trello?.routeTargetsTo(bot.url);
  monday?.routeTargetsTo(bot.url);
  const handshake = options.asana === false ? { secret: '', path: '/webhooks/asana' } : await connectAsanaWebhook(bot.services, asana, '1200', APPROVER);
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
    asanaHookPath: handshake.path,
    env,
    clickup,
    trello,
    monday,
    genericSecret,
    publicUrl: PUBLIC_URL,
    send: post,
    async completeMilestone(task) {
      asana.addTask(
        asanaTask({
          gid: task.gid,
          name: task.name,
          completed: true,
          billing: task.billing ?? true,
          amount: task.amount,
          quantity: task.quantity,
          rate: task.rate,
          projectGid: task.projectGid ?? '1200',
        }),
      );
      return harness.deliverAsana([completedEvent(task.gid)]);
    },
    async deliverAsana(events, secret = handshake.secret) {
      const delivery = asanaDelivery(secret, events);
      return post(handshake.path, delivery.body, delivery.headers);
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
    async deliverSlackEvent(event) {
      return harness.postSlack(eventCallbackBody(event));
    },
    async deliverStripe(type, invoiceId) {
      const delivery = stripe.signedDelivery(stripe.event(type, invoiceId));
      return post('/webhooks/stripe', delivery.body, delivery.headers);
    },
    async deliverEmail(request) {
      return fetch(`${bot.url}/webhooks/email`, { method: 'POST', body: request.body, headers: request.headers });
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
      asana.routeTargetsTo(bot.url);
      trello?.routeTargetsTo(bot.url);
      monday?.routeTargetsTo(bot.url);
    },
    async stop() {
      await bot.stop();
      await Promise.all([slack.close(), stripe.close(), asana.close(), smtp.close(), clickup?.close(), trello?.close(), monday?.close()]);
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { App, ExpressReceiver, SocketModeReceiver } from '@slack/bolt';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { loadClientsFile, type ClientsFileResult } from './clients-file.js';
import { createLogger, type Logger } from './log.js';
import { openDatabase, type Database } from './store/db.js';
import { mappedDoneStatuses, upsertClients } from './store/clients.js';
import { buildInvoicingBackends } from './providers/invoicing/build-backends.js';
import { buildTaxService } from './providers/tax/build-tax-service.js';
import { connectionHealth } from './usecases/connection-health.js';
import { createProjectTools, ownerAssignees } from './providers/projects/registry.js';
import { buildAsanaOAuth } from './providers/projects/asana-oauth.js';
import { createSmtpMailer } from './providers/mail/smtp.js';
import { SlackNotifier } from './slack/notifier.js';
import { registerListeners } from './slack/listeners.js';
import { webhookRouter } from './http/webhooks.js';
import { projectWebhookRouter } from './http/project-webhooks.js';
import { healthRouter } from './http/health.js';
import { inboundEmailRouter } from './http/inbound-email.js';
import { bounceWebhookRouter } from './http/bounce-webhooks.js';
import { registerDisputeActions } from './slack/dispute-actions.js';
import { registerLateFeeActions } from './slack/late-fee-actions.js';
import { registerDeadLetterActions } from './slack/dead-letter-actions.js';
import { registerSalesTaxActions } from './slack/sales-tax-actions.js';
import { registerClientSettings } from './slack/client-settings.js';
import { registerTodaysSendsActions } from './slack/todays-sends-actions.js';
import { registerClientSetup } from './slack/client-setup.js';
import { registerNewInvoice } from './slack/new-invoice.js';
import { registerTemplateActions } from './slack/template-commands.js';
import { accountingWebhookRouter } from './http/accounting-webhooks.js';
import { oauthRouter } from './http/oauth.js';
import { registerBackendConnectActions } from './slack/backend-connect-actions.js';
import { errorHandler, logRefusals, notFound } from './http/errors.js';
import { slackGate, slackReceiverErrorHandlers } from './http/slack-gate.js';
import { requestIds } from './http/request-id.js';
import { boltLevel, slackLogger } from './slack/bolt-logger.js';
import { startScheduler, type Scheduler } from '../jobs/define.js';
import type { BusinessSettings, Services } from './services.js';
import { BackgroundWork } from './background.js';
import { SlackAccess } from './slack/access.js';
import { authorizeInteractions, recordRegistrations, unauthorizedRegistrations, type RegisteredInteractions } from './slack/authorize.js';
import { HomeTab, registerHomeTab } from './slack/home-tab.js';
import { createTokenCipher } from './store/token-cipher.js';
import { sealPlaintextWebhookSecrets } from './store/secrets.js';
import { countingMailer, Metrics } from './metrics.js';
import { clientPageKey } from './domain/client-page-token.js';
import { clientPageRouter } from './http/client-page.js';

export interface DuebotOptions {
  /** Defaults to the process clock; tests and the demo pass a ShiftedClock. */
  clock?: Clock;
  logger?: Logger;
  /** Run the Agenda scheduler (default true). */
  scheduler?: boolean;
  /** Payment polling fallback interval (default: PAYMENT_POLL_EVERY, 15 minutes). */
  pollPaymentsEveryMs?: number;
  /** How long a burst of invoice changes is gathered before the Home tabs are republished (default 1.5 s). */
  homeRefreshDebounceMs?: number;
  /** Opens the database instead of DATABASE_URL / DATA_DIR (tests share one embedded server); closed on stop. */
  openDatabase?: () => Promise<Database>;
}

export interface Duebot {
  services: Services;
  slackApp: App;
  /** The ids of every Slack listener registered, per kind (each has a role in src/slack/authorize.ts). */
  interactions: RegisteredInteractions;
  server: Server;
  port: number;
  url: string;
  scheduler: Scheduler | null;
  stop(): Promise<void>;
}

const SLACK_ENDPOINT = '/slack/events';

/** The composition root: config → store → adapters → use cases → Slack app → jobs → HTTP. */
export async function startDuebot(config: Config, options: DuebotOptions = {}): Promise<Duebot> {
  const log = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  // Read first: a missing clients file stops the start before the database is opened (or created).
  const clientsFile = config.clientsFile ? await loadClientsFile(config.clientsFile) : null;
  const db = options.openDatabase ? await options.openDatabase() : await openDatabase({ url: config.database.url, dataDir: config.database.dataDir, log });
  log.info({ database: db.kind, location: db.location }, 'database ready');
  try {
    const doneStatuses = await loadClients(config, db, clock, log, clientsFile);
    return await wire(config, db, clock, log, options, doneStatuses);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

/**
 * Upserts the clients file (also used by `npm run import`, so customers match their clients); returns the
 * done statuses the stored clients' mappings name (clients added in Slack included), which the webhooks must let through.
 */
export async function loadClients(config: Config, db: Database, clock: Clock, log: Logger, read?: ClientsFileResult | null): Promise<string[]> {
  if (config.clientsFile) {
    const { clients, errors } = read ?? (await loadClientsFile(config.clientsFile));
    for (const error of errors) log.error(error);
    await upsertClients(db.pool, clients, clock.now());
    log.info({ loaded: clients.length, rejected: errors.length }, 'clients file loaded');
  }
  return mappedDoneStatuses(db.pool);
}

async function wire(config: Config, db: Database, clock: Clock, log: Logger, options: DuebotOptions, doneStatuses: string[]): Promise<Duebot> {
  const socketMode = Boolean(config.slack.appToken);
  // One pino stream: Bolt, its receiver and every WebClient Bolt creates (it hands them clientOptions.logger) log through it.
  const logger = slackLogger(log);
  const logLevel = boltLevel(config.logLevel);
  const clientOptions = { ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}), logger };
  const receiver = socketMode
    ? null
    : new ExpressReceiver({
        signingSecret: config.slack.signingSecret ?? '',
        endpoints: SLACK_ENDPOINT,
        logger,
        logLevel,
        signatureVerification: false,
        ...slackReceiverErrorHandlers(log),
      });
  // Built here rather than by `socketMode: true`: Bolt hands the socket client (apps.connections.open)
  // only installerOptions.clientOptions, so SLACK_API_URL would otherwise not reach it.
  const socketReceiver = socketMode ? new SocketModeReceiver({ appToken: config.slack.appToken!, installerOptions: { clientOptions }, logger, logLevel }) : null;
  const slackApp = new App({ token: config.slack.botToken, receiver: receiver ?? socketReceiver!, clientOptions, logger, logLevel });

  const settings: BusinessSettings = {
    businessName: config.business.name,
    timezone: config.business.timezone,
    billingChannelId: config.slack.billingChannelId,
    ownerSlackUserId: config.slack.ownerUserId,
    approverSlackUserIds: config.slack.approverUserIds,
    emailReplyTo: config.email.replyTo,
    emailDomain: emailDomain(config.email.from),
    invoiceNumberPrefix: config.business.invoiceNumberPrefix,
    ownerAsanaAssignee: config.asana.ownerAssignee,
    ownerAssignees: ownerAssignees(config),
    forecastChannelId: config.weekly.forecastChannelId,
    ownerEmail: config.weekly.ownerEmail,
    payInstructions: config.payInstructions,
    promiseMaxDays: config.promiseMaxDays,
    todaysSendsAt: config.todaysSendsAt,
    forecastMilestonesCacheMs: config.forecastMilestonesCacheMs,
    invoiceAmountCeiling: config.invoiceAmountCeiling,
    inboxRetry: config.inboxRetry,
  };
  // Told once per broken OAuth connection; bound to Slack below, once the services exist.
  let reportBroken: (provider: string, reason: string) => void = () => undefined;
  let homeTab: HomeTab | null = null;
  const metrics = new Metrics();
  const invoicing = await buildInvoicingBackends(config, db.pool, clock, (provider, reason) => reportBroken(provider, reason), metrics);
  const asanaOAuth = buildAsanaOAuth(
    config,
    invoicing,
    () => clock.now(),
    (provider, reason) => reportBroken(provider, reason),
  );
  const services: Services = {
    db,
    clock,
    backends: invoicing.backends,
    oauth: { connectors: { ...invoicing.connectors, ...(asanaOAuth ? { asana: asanaOAuth.connector } : {}) }, connections: invoicing.connections, publicUrl: invoicing.publicUrl },
    projectTools: createProjectTools(config, doneStatuses, metrics, asanaOAuth?.auth ?? null),
    mailer: countingMailer(createSmtpMailer({ url: config.email.smtpUrl, from: config.email.from, dkim: config.dkim }), metrics),
    slack: new SlackNotifier(slackApp.client, log),
    settings,
    log,
    instanceId: `duebot-${randomUUID().slice(0, 8)}`,
    background: new BackgroundWork(log),
    access: new SlackAccess(slackApp.client, settings, log),
    home: { invoiceChanged: () => homeTab?.refreshSoon() },
    doneStatuses,
    webhooks: { cipher: config.encryptionKey ? createTokenCipher(config.encryptionKey) : null, publicUrl: config.publicUrl, maxPerTool: config.webhookRegistrationsMax },
    metrics,
    tax: await buildTaxService(config.tax, metrics),
    clientPage: { key: config.encryptionKey ? clientPageKey(config.encryptionKey) : null, publicUrl: config.publicUrl },
  };
  await sealPlaintextWebhookSecrets(db.pool, services.webhooks.cipher, log);
  homeTab = new HomeTab(services, services.access, slackApp.client, options.homeRefreshDebounceMs);
  // Listeners go on after their ack (Slack's 3 s); stopping waits for them like for webhook work.
  slackApp.use(async ({ next }) => {
    await services.background.track(next());
  });
  // Every interaction passes authorize.ts first; a listener registered without a rule stops startup.
  const interactions = recordRegistrations(slackApp);
  slackApp.use(authorizeInteractions(services));
  for (const sub of registerListeners(slackApp, services).subcommands) interactions.subcommand.add(sub);
  registerDisputeActions(slackApp, services);
  registerDeadLetterActions(slackApp, services);
  registerSalesTaxActions(slackApp, services);
  registerClientSettings(slackApp, services);
  registerClientSetup(slackApp, services);
  registerNewInvoice(slackApp, services);
  registerTemplateActions(slackApp, services);
  registerHomeTab(slackApp, services, homeTab);
  registerBackendConnectActions(slackApp, services);
  registerTodaysSendsActions(slackApp, services);
  registerLateFeeActions(slackApp, services);
  const unauthorized = unauthorizedRegistrations(interactions);
  if (unauthorized.length) throw new Error(`Slack listeners without a role in src/slack/authorize.ts: ${unauthorized.join(', ')}`);
  reportBroken = connectionHealth(services).broken;

  let scheduler: Scheduler | null = null;
  const web = express();
  web.disable('x-powered-by');
  // Behind a proxy (TRUST_PROXY), req.ip is the caller from X-Forwarded-For, so the client page's per-address
  // limit counts visitors, not the proxy; without it the header is ignored, so nobody can pick an address.
  if (config.trustProxy !== null) web.set('trust proxy', config.trustProxy);
  web.use(requestIds(log));
  web.use(logRefusals(log));
  web.use(healthRouter({ services, metrics, scheduler: () => scheduler?.state() ?? null, processEveryMs: config.jobs.processEveryMs, metricsToken: config.metricsToken }));
  web.use(webhookRouter(services));
  web.use(projectWebhookRouter(services));
  web.use(inboundEmailRouter(services, config.inboundEmail));
  web.use(bounceWebhookRouter(services, { ...config.inboundEmail, sendgridPublicKey: config.sendgridWebhookPublicKey }));
  web.use(accountingWebhookRouter(services));
  web.use(oauthRouter(services));
  web.use(clientPageRouter(services));
  // slackGate verifies the signature and both ends of the timestamp window; Bolt is told not to do it again.
  if (receiver) web.use(slackGate(config.slack.signingSecret ?? '', SLACK_ENDPOINT), receiver.router);
  web.use(notFound);
  web.use(errorHandler(log));

  const server = await new Promise<Server>((resolve, reject) => {
    const s = web.listen(config.port, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port, slack: socketMode ? 'socket mode' : 'http /slack/events' }, 'duebot listening');

  if (options.scheduler !== false) {
    scheduler = await startScheduler(services, {
      processEveryMs: config.jobs.processEveryMs,
      lockLifetimeMs: config.jobs.lockLifetimeMs,
      pollPaymentsEveryMs: options.pollPaymentsEveryMs ?? config.payments.pollEveryMs,
    });
  }
  if (socketMode) await slackApp.start();

  let stopped = false;
  return {
    services,
    slackApp,
    interactions,
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    scheduler,
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // No new Slack work either, before draining (Bolt's receiver.stop() does not wait for the socket to close; this does).
      await socketReceiver?.client.disconnect();
      await services.background.drain();
      await scheduler?.stop();
      await homeTab?.stop();
      await services.mailer.close();
      await db.close();
    },
  };
}

function emailDomain(from: string): string {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
  return address.split('@')[1]?.trim() || 'duebot.local';
}

import type { Clock } from './clock.js';
import type { RetryPolicy } from './domain/retry-backoff.js';
import type { Database } from './store/db.js';
import type { InvoicingBackend } from './providers/invoicing/backend.js';
import type { OAuthWiring } from './providers/invoicing/build-backends.js';
import type { ProjectTool } from './providers/projects/tool.js';
import type { Mailer } from './providers/mail/mailer.js';
import type { SlackNotifier } from './slack/notifier.js';
import type { Logger } from './log.js';
import type { BackgroundWork } from './background.js';
import type { SlackAccess } from './slack/access.js';
import type { TokenCipher } from './store/token-cipher.js';
import type { Metrics } from './metrics.js';
import type { TaxService } from './providers/tax/tax-service.js';

/** What the business needs to know to act; a slice of the config, given to the use cases. */
export interface BusinessSettings {
  businessName: string;
  timezone: string;
  billingChannelId: string;
  ownerSlackUserId: string;
  approverSlackUserIds: string[];
  emailReplyTo: string | null;
  /** Domain for our own Message-IDs (from EMAIL_FROM). */
  emailDomain: string;
  invoiceNumberPrefix: string;
  ownerAsanaAssignee: string | null;
  /** Who escalation tasks are assigned to, per project tool name (the tool's user id, or null). */
  ownerAssignees?: Record<string, string | null>;
  /** Where the Monday forecast is posted (null: no weekly post). */
  forecastChannelId?: string | null;
  /** TODAYS_SENDS_AT ("HH:mm", business time): the daily list of reminder emails due; null: off. */
  todaysSendsAt?: string | null;
  /** Who gets the weekly summary email (null: none). */
  ownerEmail?: string | null;
  /** PAY_INSTRUCTIONS: shown where the back-end gives no payment link, unless the client has its own. */
  payInstructions?: string | null;
  /** PROMISE_MAX_DAYS: a client's promise to pay further out than this goes to a person (default 60). */
  promiseMaxDays?: number;
  /** INVOICE_AMOUNT_CEILING in whole major units (absent: the default, src/domain/amount-ceiling.ts). */
  invoiceAmountCeiling?: string;
  /** How long the forecast reuses a client's open tasks (FORECAST_MILESTONES_CACHE; absent: the default, 0: off). */
  forecastMilestonesCacheMs?: number;
  /** Backoff of failed inbox events (default: src/domain/retry-backoff.ts DEFAULT_RETRY_POLICY). */
  inboxRetry?: RetryPolicy;
}

/** Everything a use case may touch, wired once in the composition root (src/main.ts, tests, demo). */
export interface Services {
  db: Database;
  clock: Clock;
  /** Invoicing back-ends by provider name (a client's `provider`). */
  backends: Record<string, InvoicingBackend>;
  /** The OAuth back-ends' connect flows (`/invoices connect <name>`) and their token store. */
  oauth: OAuthWiring;
  /** Project tools by name (`asana`, `clickup`, `trello`, `monday`, `generic`): only the configured ones. */
  projectTools: Record<string, ProjectTool>;
  mailer: Mailer;
  slack: SlackNotifier;
  settings: BusinessSettings;
  log: Logger;
  /** Identifies this process in claims (two bot processes may run at once). */
  instanceId: string;
  /** Work started after answering a webhook; drained before the bot stops. */
  background: BackgroundWork;
  /** Approver / billing-channel viewer / outsider, for listeners that read or act. */
  access: SlackAccess;
  /** Told about every invoice change; republishes the Home tabs (debounced, src/slack/home-tab.ts). */
  home: { invoiceChanged(): void };
  /** Webhook registration and webhook secrets at rest (src/usecases/connect-project-tool.ts). */
  webhooks: WebhookSettings;
  /** This app's Prometheus metrics (its own registry; docs/operations.md). */
  metrics: Metrics;
  /** TAX_SERVICE (TaxJar, Avalara): computes each draft's sales tax (src/usecases/sales-tax.ts); absent: the back-end's own tax. */
  tax?: TaxService | null;
  /** The client page (docs/client-page.md); absent or either part null: no page links are made. */
  clientPage?: ClientPageSettings;
  /** The done statuses of the clients' mappings, one array shared with the project tools; refreshed in place after a Slack client save. */
  doneStatuses?: string[];
}

export interface ClientPageSettings {
  /** Derived from ENCRYPTION_KEY (src/domain/client-page-token.ts). */
  key: Buffer | null;
  /** PUBLIC_URL: the base of the links in the emails. */
  publicUrl: string | null;
}

export interface WebhookSettings {
  /** Seals webhook secrets at rest (ENCRYPTION_KEY); null: no tool can be connected and no stored secret read. */
  cipher: TokenCipher | null;
  /** PUBLIC_URL: the base of the target URLs duebot registers. */
  publicUrl: string | null;
  /** Registrations kept per tool (WEBHOOK_REGISTRATIONS_MAX). */
  maxPerTool: number;
}

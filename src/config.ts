import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { sendgridPublicKey } from './email/bounce-webhooks.js';
import { parseEncryptionKey } from './store/token-cipher.js';
import { isTimeZone, normalizeTimeOfDay } from './domain/quiet-hours.js';
import { DEFAULT_PROMISE_MAX_DAYS } from './domain/reply-trust.js';

/** Today's sends are on by default: the list appears at 08:30 business time (docs/reminders.md). */
export const DEFAULT_TODAYS_SENDS_AT = '08:30';
import { DEFAULT_INVOICE_AMOUNT_CEILING } from './domain/amount-ceiling.js';
import { DEFAULT_FORECAST_MILESTONES_CACHE_MS } from './domain/forecast.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './domain/retry-backoff.js';
import { taxConfig, type TaxConfig } from './providers/tax/tax-config.js';
import { checkInvoiceNinjaUrl, DEFAULT_INVOICENINJA_URL } from './providers/invoicing/invoiceninja-http.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The environment, parsed once at start-up into a typed object. Every problem is reported at once,
 * one line per variable (`NAME: what is wrong`); secret values never appear in the messages.
 * Nothing below this module reads process.env.
 */
export interface Config {
  /** 0 asks the OS for any free port (tests and the demo). */
  port: number;
  logLevel: LogLevel;
  database: { url: string | null; dataDir: string };
  slack: {
    botToken: string;
    signingSecret: string | null;
    appToken: string | null;
    apiUrl: string | null;
    billingChannelId: string;
    ownerUserId: string;
    approverUserIds: string[];
  };
  /** Null when Stripe is not configured (at least one invoicing back-end is). */
  stripe: { secretKey: string; webhookSecret: string; apiUrl: string | null } | null;
  /** 32-byte key sealing OAuth tokens at rest; required once an OAuth back-end is configured. */
  encryptionKey: Buffer | null;
  quickbooks: { clientId: string; clientSecret: string; webhookVerifier: string | null; apiUrl: string | null; sandbox: boolean; tokenUrl: string | null } | null;
  freshbooks: { clientId: string; clientSecret: string; webhookVerifier: string | null; apiUrl: string | null } | null;
  xero: {
    clientId: string;
    clientSecret: string;
    webhookKey: string | null;
    apiUrl: string | null;
    identityUrl: string | null;
    loginUrl: string | null;
    scopes: string | null;
    salesAccountCode: string | null;
  } | null;
  /** Invoice Ninja v5 (API token; hosted https://invoicing.co or self-hosted); null when no token is set. */
  invoiceninja: { baseUrl: string; apiToken: string } | null;
  /** Zoho Invoice (OAuth); `baseUrl` replaces every data centre's hosts (tests: `<baseUrl>/<dc>/…`). */
  zoho: { clientId: string; clientSecret: string; baseUrl: string | null } | null;
  /** Wave (public GraphQL API, OAuth 2.0; polled, no webhooks). Null URLs: Wave's own. */
  wave: { clientId: string; clientSecret: string; apiUrl: string | null; authorizeUrl: string | null; tokenUrl: string | null; productName: string | null } | null;
  payments: { pollEveryMs: number };
  /** accessToken and oauth both null: Asana is not used. oauth: connected by an approver (`/invoices connect asana`). */
  asana: {
    accessToken: string | null;
    apiUrl: string | null;
    ownerAssignee: string;
    oauth: { clientId: string; clientSecret: string; oauthUrl: string | null; scopes: string | null } | null;
  };
  /** Each further project tool is enabled only when its credentials are set (null otherwise). */
  clickup: { apiToken: string; webhookSecret: string; apiUrl: string | null; ownerAssignee: string | null } | null;
  trello: { apiKey: string; token: string; appSecret: string; callbackUrl: string; doneListIds: string[]; apiUrl: string | null; ownerMemberId: string | null } | null;
  monday: { apiToken: string; signingSecret: string; apiUrl: string | null; doneLabel: string; ownerUserId: string | null; audience: string | null } | null;
  generic: { secret: string } | null;
  email: { smtpUrl: string; from: string; replyTo: string | null };
  business: { name: string; timezone: string; invoiceNumberPrefix: string };
  /** How to pay when a back-end gives no payment link (QuickBooks without Payments); null: none configured. */
  payInstructions: string | null;
  /** PROMISE_MAX_DAYS: how far ahead a promise to pay may snooze reminders by itself. */
  promiseMaxDays: number;
  /** TODAYS_SENDS_AT: when the day's reminder emails are listed in the billing channel ("HH:mm", business time); null: off. */
  todaysSendsAt: string | null;
  /** INVOICE_AMOUNT_CEILING: whole major units of the client's currency; a larger draft is held for a human. */
  invoiceAmountCeiling: string;
  /** FORECAST_MILESTONES_CACHE: how long the forecast reuses a client's open tasks read from its project tool (0: off). */
  forecastMilestonesCacheMs: number;
  /** The Monday 08:00 forecast: posted to the channel and/or emailed to the owner (both null: off). */
  weekly: { forecastChannelId: string | null; ownerEmail: string | null };
  clientsFile: string | null;
  publicUrl: string | null;
  /** TRUST_PROXY: which proxies' X-Forwarded-For names the caller (a hop count or addresses); null: none, the socket's address counts. */
  trustProxy: number | string[] | null;
  /** How many webhook registrations `/invoices connect <tool>` keeps per project tool (WEBHOOK_REGISTRATIONS_MAX). */
  webhookRegistrationsMax: number;
  jobs: { processEveryMs: number; lockLifetimeMs: number };
  /** METRICS_TOKEN: GET /metrics wants it as a bearer token (null: open, for a port only Prometheus reaches). */
  metricsToken: string | null;
  /** Client replies at POST /webhooks/email (both null: the route answers 404). */
  inboundEmail: { mailgunSigningKey: string | null; basicAuth: string | null };
  /** SENDGRID_WEBHOOK_PUBLIC_KEY: verifies SendGrid's signed event webhook (bounces); null: that route answers 401. */
  sendgridWebhookPublicKey: KeyObject | null;
  /** DKIM signing of outgoing mail (DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY or _FILE); null: unsigned. */
  dkim: { domainName: string; keySelector: string; privateKey: string } | null;
  /** Backoff of failed inbox events and when they become dead letters (INBOX_RETRY_*, INBOX_GIVE_UP_AFTER). */
  inboxRetry: RetryPolicy;
  /** TAX_SERVICE (TaxJar, Avalara) with its credentials and TAX_FROM_*; null: the back-end's own tax, as before. */
  tax: TaxConfig | null;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());
const required = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema);
const str = (message: string) => z.string({ error: (issue) => (issue.input === undefined ? 'is required' : message) });
const prefixed = (prefixes: string[], what: string) =>
  str(`must be ${what}`).refine((v) => prefixes.some((p) => v.startsWith(p)), `must be ${what} (starting with ${prefixes.join(' or ')})`);
const url = (protocols: string[]) =>
  str('must be a URL').refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL`,
  );
const emailAddress = str('must be an email address').refine((v) => EMAIL.test(v), 'must be an email address');
const fromAddress = str('must be an address').refine(
  (v) => EMAIL.test(/<([^>]+)>\s*$/.exec(v)?.[1] ?? v),
  'must be an address like "Billing <billing@example.com>" or billing@example.com',
);
const slackId = (kinds: string, what: string) =>
  str(`must be a Slack ${what} id`).refine((v) => new RegExp(`^[${kinds}][A-Z0-9]{2,}$`).test(v), `must be a Slack ${what} id (like ${kinds[0]}0123ABCD)`);

/** One time-zone check for the config and the clients' own zones (src/domain/quiet-hours.ts). */
export const isValidTimeZone = isTimeZone;

/** "30 seconds", "2 minutes", "500 ms", "1500" (ms) → milliseconds. */
export function parseInterval(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hours?)?$/i.exec(text.trim());
  if (!match) return null;
  const n = Number(match[1]);
  const unit = (match[2] ?? 'ms').toLowerCase();
  const factor = unit.startsWith('ms') || unit.startsWith('milli') ? 1 : unit.startsWith('h') ? 3_600_000 : unit.startsWith('m') ? 60_000 : 1000;
  return Math.round(n * factor);
}

const TRUST_PROXY_RULE = 'must be a number of proxy hops (1-10) or a comma-separated list of addresses, subnets (10.0.0.0/8) or loopback, linklocal, uniquelocal';
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY, as Express's `trust proxy` takes it: a hop count, or the proxies' addresses. Never "all":
 * anyone could then name any address in X-Forwarded-For and escape the per-address limits.
 */
export function parseTrustProxy(text: string): number | string[] | null {
  const v = text.trim();
  if (/^\d{1,2}$/.test(v)) return Number(v) >= 1 && Number(v) <= 10 ? Number(v) : null;
  const entries = v.split(',').map((e) => e.trim().toLowerCase());
  const valid = (e: string) => {
    if (PROXY_NAMES.has(e)) return true;
    const [address, bits, extra] = e.split('/');
    const family = isIP(address ?? '');
    return family !== 0 && extra === undefined && (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)));
  };
  return entries.length && entries.every(valid) ? entries : null;
}

/** Node clamps timer delays above 2^31-1 ms to 1 ms, which would turn a long interval into a busy loop. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const MIN_PROCESS_EVERY_MS = 100;
/** JOBS_LOCK_LIFETIME's default: how soon another process takes over the sweep of one that died. */
export const DEFAULT_LOCK_LIFETIME_MS = 15_000;
const INTERVAL_EXAMPLES = '"30 seconds", "2 minutes", "500 ms" or a number of milliseconds';

const interval = str(`must be an interval like ${INTERVAL_EXAMPLES}`).transform((v, ctx) => {
  const ms = parseInterval(v);
  if (ms === null) ctx.addIssue({ code: 'custom', message: `must be an interval like ${INTERVAL_EXAMPLES}` });
  else if (ms < MIN_PROCESS_EVERY_MS) ctx.addIssue({ code: 'custom', message: `must be at least ${MIN_PROCESS_EVERY_MS} ms` });
  else if (ms > MAX_TIMER_MS) ctx.addIssue({ code: 'custom', message: 'must be at most 24 days' });
  else return ms;
  return z.NEVER;
});

/** A job lock shorter than a few seconds would be lost to one slow database round trip of its heartbeat. */
const MIN_LOCK_LIFETIME_MS = 3000;
const lockLifetime = interval.refine((ms) => ms >= MIN_LOCK_LIFETIME_MS, `must be at least ${MIN_LOCK_LIFETIME_MS / 1000} seconds`);

const asanaAssignee = str('must be me, an Asana user gid or an email address').refine(
  (v) => v === 'me' || /^\d+$/.test(v) || EMAIL.test(v),
  'must be me, an Asana user gid (digits) or an email address',
);

const digits = (what: string) => str(`must be ${what}`).regex(/^\d+$/, `must be ${what} (digits)`);
const idList = (what: string) =>
  str(`must be a comma-separated list of ${what}`)
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((ids) => ids.length > 0, `must be a comma-separated list of ${what}`);

const schema = z.object({
  PORT: optional(
    str('must be a port number (0..65535)')
      .regex(/^\d{1,5}$/, 'must be a port number (0..65535)')
      .transform(Number)
      .refine((n) => n <= 65535, 'must be a port number (0..65535)'),
  ),
  DATABASE_URL: optional(url(['postgres:', 'postgresql:'])),
  DATA_DIR: optional(z.string()),
  LOG_LEVEL: optional(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })),
  SLACK_BOT_TOKEN: required(prefixed(['xoxb-'], 'a bot token')),
  SLACK_SIGNING_SECRET: optional(z.string()),
  SLACK_APP_TOKEN: optional(prefixed(['xapp-'], 'an app-level token')),
  SLACK_API_URL: optional(url(['http:', 'https:'])),
  BILLING_CHANNEL_ID: required(slackId('CG', 'channel')),
  OWNER_SLACK_USER_ID: required(slackId('UW', 'user')),
  APPROVER_SLACK_USER_IDS: required(
    str('must be a comma-separated list of Slack user ids').refine(
      (v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean).length > 0 &&
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .every((id) => /^[UW][A-Z0-9]{2,}$/.test(id)),
      'must be a comma-separated list of Slack user ids (like U0123ABCD,U0456EFGH)',
    ),
  ),
  FORECAST_CHANNEL_ID: optional(slackId('CG', 'channel')),
  OWNER_EMAIL: optional(emailAddress),
  STRIPE_SECRET_KEY: optional(prefixed(['sk_', 'rk_'], 'a Stripe secret or restricted key')),
  STRIPE_WEBHOOK_SECRET: optional(prefixed(['whsec_'], 'a Stripe webhook signing secret')),
  STRIPE_API_URL: optional(url(['http:', 'https:'])),
  ENCRYPTION_KEY: optional(
    str('must be 32 bytes as 64 hex digits or base64').refine(
      (v) => parseEncryptionKey(v) !== null,
      'must be 32 bytes as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)',
    ),
  ),
  QUICKBOOKS_CLIENT_ID: optional(z.string()),
  QUICKBOOKS_CLIENT_SECRET: optional(z.string()),
  QUICKBOOKS_WEBHOOK_VERIFIER: optional(z.string()),
  QUICKBOOKS_API_URL: optional(url(['http:', 'https:'])),
  QUICKBOOKS_SANDBOX: optional(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })),
  QUICKBOOKS_TOKEN_URL: optional(url(['http:', 'https:'])),
  FRESHBOOKS_CLIENT_ID: optional(z.string()),
  FRESHBOOKS_CLIENT_SECRET: optional(z.string()),
  FRESHBOOKS_API_URL: optional(url(['http:', 'https:'])),
  FRESHBOOKS_WEBHOOK_VERIFIER: optional(z.string()),
  XERO_CLIENT_ID: optional(z.string()),
  XERO_CLIENT_SECRET: optional(z.string()),
  XERO_WEBHOOK_KEY: optional(z.string()),
  XERO_API_URL: optional(url(['http:', 'https:'])),
  XERO_IDENTITY_URL: optional(url(['http:', 'https:'])),
  XERO_LOGIN_URL: optional(url(['http:', 'https:'])),
  XERO_SCOPES: optional(z.string()),
  XERO_SALES_ACCOUNT: optional(z.string()),
  INVOICENINJA_URL: optional(
    str('must be a URL').refine((v) => checkInvoiceNinjaUrl(v) === null, 'must be an https base URL such as https://invoicing.co (http only for 127.0.0.1 or localhost)'),
  ),
  INVOICENINJA_API_TOKEN: optional(z.string()),
  ZOHO_CLIENT_ID: optional(z.string()),
  ZOHO_CLIENT_SECRET: optional(z.string()),
  ZOHO_BASE_URL: optional(url(['http:', 'https:'])),
  WAVE_CLIENT_ID: optional(z.string()),
  WAVE_CLIENT_SECRET: optional(z.string()),
  WAVE_API_URL: optional(url(['http:', 'https:'])),
  WAVE_AUTHORIZE_URL: optional(url(['http:', 'https:'])),
  WAVE_TOKEN_URL: optional(url(['http:', 'https:'])),
  WAVE_PRODUCT_NAME: optional(z.string()),
  ASANA_ACCESS_TOKEN: optional(str('must be an Asana access token')),
  ASANA_API_URL: optional(url(['http:', 'https:'])),
  OWNER_ASANA_ASSIGNEE: optional(asanaAssignee),
  ASANA_CLIENT_ID: optional(z.string()),
  ASANA_CLIENT_SECRET: optional(z.string()),
  ASANA_OAUTH_URL: optional(url(['http:', 'https:'])),
  ASANA_OAUTH_SCOPES: optional(str('must be space-separated scopes').regex(/^[a-z_]+:[a-z_]+( [a-z_]+:[a-z_]+)*$/, 'must be space-separated scopes like tasks:read projects:read')),
  CLICKUP_API_TOKEN: optional(z.string()),
  CLICKUP_WEBHOOK_SECRET: optional(z.string()),
  CLICKUP_API_URL: optional(url(['http:', 'https:'])),
  CLICKUP_OWNER_ASSIGNEE: optional(digits('a ClickUp user id')),
  TRELLO_API_KEY: optional(z.string()),
  TRELLO_TOKEN: optional(z.string()),
  TRELLO_APP_SECRET: optional(z.string()),
  TRELLO_CALLBACK_URL: optional(url(['http:', 'https:'])),
  TRELLO_DONE_LIST_IDS: optional(idList('Trello list ids')),
  TRELLO_API_URL: optional(url(['http:', 'https:'])),
  TRELLO_OWNER_MEMBER_ID: optional(str('must be a Trello member id').regex(/^[0-9a-f]{24}$/i, 'must be a Trello member id (24 hex characters)')),
  MONDAY_API_TOKEN: optional(z.string()),
  MONDAY_SIGNING_SECRET: optional(z.string()),
  MONDAY_API_URL: optional(url(['http:', 'https:'])),
  MONDAY_DONE_LABEL: optional(z.string()),
  MONDAY_OWNER_USER_ID: optional(digits('a monday.com user id')),
  GENERIC_WEBHOOK_SECRET: optional(str('must be a secret').min(16, 'must be at least 16 characters')),
  SMTP_URL: required(url(['smtp:', 'smtps:'])),
  EMAIL_FROM: required(fromAddress),
  EMAIL_REPLY_TO: optional(emailAddress),
  BUSINESS_NAME: required(str('must be your business name')),
  BUSINESS_TIMEZONE: optional(str('must be an IANA time zone').refine(isValidTimeZone, 'must be an IANA time zone such as Europe/London or America/New_York')),
  INVOICE_NUMBER_PREFIX: optional(z.string().max(20, 'must be at most 20 characters')),
  INVOICE_AMOUNT_CEILING: optional(
    str('must be a whole amount like 1000000')
      .transform((v) => v.replace(/[,_]/g, ''))
      // 12 digits: even in a three-decimal currency the ceiling stays within the 15 digits duebot carries.
      .refine((v) => /^[1-9]\d{0,11}$/.test(v), 'must be a whole amount above zero like 1000000 (at most 12 digits)'),
  ),
  // "\n" in the value starts a new line (one-line .env files).
  PAY_INSTRUCTIONS: optional(
    str('must be text')
      .max(1000, 'must be at most 1000 characters')
      .transform((v) => v.replace(/\\n/g, '\n')),
  ),
  TAX_SERVICE: optional(z.enum(['taxjar', 'avalara'], { error: 'must be taxjar or avalara (or empty for none)' })),
  TAXJAR_API_KEY: optional(z.string()),
  TAXJAR_API_URL: optional(url(['http:', 'https:'])),
  TAXJAR_PRODUCT_TAX_CODE: optional(z.string()),
  AVALARA_ACCOUNT_ID: optional(z.string()),
  AVALARA_LICENSE_KEY: optional(z.string()),
  AVALARA_COMPANY_CODE: optional(z.string()),
  AVALARA_ENVIRONMENT: optional(z.enum(['sandbox', 'production'], { error: 'must be sandbox or production' })),
  AVALARA_API_URL: optional(url(['http:', 'https:'])),
  AVALARA_TAX_CODE: optional(z.string()),
  TAX_FROM_STREET: optional(z.string()),
  TAX_FROM_CITY: optional(z.string()),
  TAX_FROM_STATE: optional(z.string()),
  TAX_FROM_ZIP: optional(z.string()),
  TAX_FROM_COUNTRY: optional(z.string()),
  TAX_NEXUS_STATES: optional(z.string()),
  CLIENTS_FILE: optional(z.string()),
  PUBLIC_URL: optional(url(['http:', 'https:'])),
  TRUST_PROXY: optional(
    str(TRUST_PROXY_RULE).transform((v, ctx) => {
      const parsed = parseTrustProxy(v);
      if (parsed === null) ctx.addIssue({ code: 'custom', message: TRUST_PROXY_RULE });
      return parsed ?? z.NEVER;
    }),
  ),
  WEBHOOK_REGISTRATIONS_MAX: optional(
    str('must be a whole number from 1 to 1000')
      .regex(/^\d+$/, 'must be a whole number from 1 to 1000')
      .transform(Number)
      .refine((n) => n >= 1 && n <= 1000, 'must be a whole number from 1 to 1000'),
  ),
  JOBS_PROCESS_EVERY: optional(interval),
  JOBS_LOCK_LIFETIME: optional(lockLifetime),
  METRICS_TOKEN: optional(str('must be at least 16 characters').min(16, 'must be at least 16 characters')),
  MAILGUN_SIGNING_KEY: optional(z.string()),
  INBOUND_EMAIL_BASIC_AUTH: optional(str('must be user:password').regex(/^[^:]+:.+$/, 'must be user:password')),
  SENDGRID_WEBHOOK_PUBLIC_KEY: optional(
    str('must be the verification key from SendGrid').refine(isSendgridKey, 'must be the base64 verification key SendGrid shows for the signed event webhook'),
  ),
  DKIM_DOMAIN: optional(str('must be a domain').regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i, 'must be a domain such as pixelco.example')),
  DKIM_SELECTOR: optional(
    str('must be a DNS label').regex(/^[a-z0-9]([a-z0-9_-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9_-]*[a-z0-9])?)*$/i, 'must be a selector such as duebot (letters, digits, - and _)'),
  ),
  DKIM_PRIVATE_KEY: optional(z.string()),
  DKIM_PRIVATE_KEY_FILE: optional(z.string()),
  PROMISE_MAX_DAYS: optional(
    str('must be a number of days (1..3650)')
      .regex(/^\d{1,4}$/, 'must be a number of days (1..3650)')
      .transform(Number)
      .refine((n) => n >= 1 && n <= 3650, 'must be a number of days (1..3650)'),
  ),
  PAYMENT_POLL_EVERY: optional(interval),
  INBOX_RETRY_FIRST: optional(interval),
  INBOX_RETRY_MAX_DELAY: optional(interval),
  INBOX_GIVE_UP_AFTER: optional(interval),
  FORECAST_MILESTONES_CACHE: optional(
    str(`must be an interval like ${INTERVAL_EXAMPLES}, or off`).transform((v, ctx) => {
      const ms = v.trim().toLowerCase() === 'off' ? 0 : parseInterval(v);
      if (ms !== null && ms <= MAX_TIMER_MS) return ms;
      ctx.addIssue({ code: 'custom', message: `must be an interval like ${INTERVAL_EXAMPLES}, or off` });
      return z.NEVER;
    }),
  ),
  TODAYS_SENDS_AT: optional(
    str('must be a time of day such as 08:30, or off').transform((v, ctx) =>
      v.trim().toLowerCase() === 'off' ? 'off' : (normalizeTimeOfDay(v) ?? (ctx.addIssue({ code: 'custom', message: 'must be a time of day such as 08:30, or off' }), z.NEVER)),
    ),
  ),
});

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${String(issue.path[0] ?? '?')}: ${issue.message}`);
  }
  const e = parsed.success ? parsed.data : null;
  if (!blankToUndefined(env.SLACK_APP_TOKEN) && !blankToUndefined(env.SLACK_SIGNING_SECRET)) {
    problems.push('SLACK_SIGNING_SECRET: is required (or set SLACK_APP_TOKEN to use Socket Mode)');
  }
  problems.push(...projectToolProblems(env));
  problems.push(...backendProblems(env));
  const inboxRetry: RetryPolicy = {
    firstMs: e?.INBOX_RETRY_FIRST ?? DEFAULT_RETRY_POLICY.firstMs,
    maxDelayMs: e?.INBOX_RETRY_MAX_DELAY ?? DEFAULT_RETRY_POLICY.maxDelayMs,
    giveUpAfterMs: e?.INBOX_GIVE_UP_AFTER ?? DEFAULT_RETRY_POLICY.giveUpAfterMs,
  };
  if (inboxRetry.firstMs > inboxRetry.maxDelayMs) problems.push('INBOX_RETRY_FIRST: must be at most INBOX_RETRY_MAX_DELAY');
  const dkim = dkimSettings(env, problems);
  const tax = parsed.success ? taxConfig(env) : { config: null, problems: [] };
  problems.push(...tax.problems);
  if (problems.length || !e) throw new ConfigError(problems.sort((a, b) => order(a) - order(b)));

  const withSlash = (u: string | undefined) => (u ? (u.endsWith('/') ? u : `${u}/`) : null);
  return {
    port: e.PORT ?? 3000,
    logLevel: e.LOG_LEVEL ?? 'info',
    database: { url: e.DATABASE_URL ?? null, dataDir: e.DATA_DIR ?? './data' },
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET ?? null,
      appToken: e.SLACK_APP_TOKEN ?? null,
      apiUrl: withSlash(e.SLACK_API_URL),
      billingChannelId: e.BILLING_CHANNEL_ID,
      ownerUserId: e.OWNER_SLACK_USER_ID,
      approverUserIds: e.APPROVER_SLACK_USER_IDS.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    },
    stripe: e.STRIPE_SECRET_KEY && e.STRIPE_WEBHOOK_SECRET ? { secretKey: e.STRIPE_SECRET_KEY, webhookSecret: e.STRIPE_WEBHOOK_SECRET, apiUrl: e.STRIPE_API_URL ?? null } : null,
    encryptionKey: e.ENCRYPTION_KEY ? parseEncryptionKey(e.ENCRYPTION_KEY) : null,
    quickbooks:
      e.QUICKBOOKS_CLIENT_ID && e.QUICKBOOKS_CLIENT_SECRET
        ? {
            clientId: e.QUICKBOOKS_CLIENT_ID,
            clientSecret: e.QUICKBOOKS_CLIENT_SECRET,
            webhookVerifier: e.QUICKBOOKS_WEBHOOK_VERIFIER ?? null,
            apiUrl: e.QUICKBOOKS_API_URL ?? null,
            sandbox: ['true', '1', 'yes'].includes(e.QUICKBOOKS_SANDBOX ?? 'false'),
            tokenUrl: e.QUICKBOOKS_TOKEN_URL ?? null,
          }
        : null,
    freshbooks:
      e.FRESHBOOKS_CLIENT_ID && e.FRESHBOOKS_CLIENT_SECRET
        ? {
            clientId: e.FRESHBOOKS_CLIENT_ID,
            clientSecret: e.FRESHBOOKS_CLIENT_SECRET,
            webhookVerifier: e.FRESHBOOKS_WEBHOOK_VERIFIER ?? null,
            apiUrl: e.FRESHBOOKS_API_URL ?? null,
          }
        : null,
    xero:
      e.XERO_CLIENT_ID && e.XERO_CLIENT_SECRET
        ? {
            clientId: e.XERO_CLIENT_ID,
            clientSecret: e.XERO_CLIENT_SECRET,
            webhookKey: e.XERO_WEBHOOK_KEY ?? null,
            apiUrl: e.XERO_API_URL ?? null,
            identityUrl: e.XERO_IDENTITY_URL ?? null,
            loginUrl: e.XERO_LOGIN_URL ?? null,
            scopes: e.XERO_SCOPES ?? null,
            salesAccountCode: e.XERO_SALES_ACCOUNT ?? null,
          }
        : null,
    invoiceninja: e.INVOICENINJA_API_TOKEN ? { baseUrl: (e.INVOICENINJA_URL ?? DEFAULT_INVOICENINJA_URL).replace(/\/+$/, ''), apiToken: e.INVOICENINJA_API_TOKEN } : null,
    zoho: e.ZOHO_CLIENT_ID && e.ZOHO_CLIENT_SECRET ? { clientId: e.ZOHO_CLIENT_ID, clientSecret: e.ZOHO_CLIENT_SECRET, baseUrl: e.ZOHO_BASE_URL ?? null } : null,
    wave:
      e.WAVE_CLIENT_ID && e.WAVE_CLIENT_SECRET
        ? {
            clientId: e.WAVE_CLIENT_ID,
            clientSecret: e.WAVE_CLIENT_SECRET,
            apiUrl: e.WAVE_API_URL ?? null,
            authorizeUrl: e.WAVE_AUTHORIZE_URL ?? null,
            tokenUrl: e.WAVE_TOKEN_URL ?? null,
            productName: e.WAVE_PRODUCT_NAME ?? null,
          }
        : null,
    payments: { pollEveryMs: e.PAYMENT_POLL_EVERY ?? 15 * 60 * 1000 },
    asana: {
      accessToken: e.ASANA_ACCESS_TOKEN ?? null,
      apiUrl: e.ASANA_API_URL ?? null,
      ownerAssignee: e.OWNER_ASANA_ASSIGNEE ?? 'me',
      oauth:
        e.ASANA_CLIENT_ID && e.ASANA_CLIENT_SECRET
          ? { clientId: e.ASANA_CLIENT_ID, clientSecret: e.ASANA_CLIENT_SECRET, oauthUrl: e.ASANA_OAUTH_URL ?? null, scopes: e.ASANA_OAUTH_SCOPES ?? null }
          : null,
    },
    clickup:
      e.CLICKUP_API_TOKEN && e.CLICKUP_WEBHOOK_SECRET
        ? { apiToken: e.CLICKUP_API_TOKEN, webhookSecret: e.CLICKUP_WEBHOOK_SECRET, apiUrl: e.CLICKUP_API_URL ?? null, ownerAssignee: e.CLICKUP_OWNER_ASSIGNEE ?? null }
        : null,
    trello:
      e.TRELLO_API_KEY && e.TRELLO_TOKEN && e.TRELLO_APP_SECRET
        ? {
            apiKey: e.TRELLO_API_KEY,
            token: e.TRELLO_TOKEN,
            appSecret: e.TRELLO_APP_SECRET,
            callbackUrl: e.TRELLO_CALLBACK_URL ?? `${e.PUBLIC_URL!.replace(/\/+$/, '')}/webhooks/trello`,
            doneListIds: e.TRELLO_DONE_LIST_IDS ?? [],
            apiUrl: e.TRELLO_API_URL ?? null,
            ownerMemberId: e.TRELLO_OWNER_MEMBER_ID ?? null,
          }
        : null,
    monday:
      e.MONDAY_API_TOKEN && e.MONDAY_SIGNING_SECRET
        ? {
            apiToken: e.MONDAY_API_TOKEN,
            signingSecret: e.MONDAY_SIGNING_SECRET,
            apiUrl: e.MONDAY_API_URL ?? null,
            doneLabel: e.MONDAY_DONE_LABEL ?? 'Done',
            ownerUserId: e.MONDAY_OWNER_USER_ID ?? null,
            audience: e.PUBLIC_URL ? `${e.PUBLIC_URL.replace(/\/+$/, '')}/webhooks/monday` : null,
          }
        : null,
    generic: e.GENERIC_WEBHOOK_SECRET ? { secret: e.GENERIC_WEBHOOK_SECRET } : null,
    email: { smtpUrl: e.SMTP_URL, from: e.EMAIL_FROM, replyTo: e.EMAIL_REPLY_TO ?? null },
    business: { name: e.BUSINESS_NAME, timezone: e.BUSINESS_TIMEZONE ?? 'UTC', invoiceNumberPrefix: e.INVOICE_NUMBER_PREFIX ?? 'INV-' },
    payInstructions: e.PAY_INSTRUCTIONS ?? null,
    promiseMaxDays: e.PROMISE_MAX_DAYS ?? DEFAULT_PROMISE_MAX_DAYS,
    todaysSendsAt: e.TODAYS_SENDS_AT === 'off' ? null : (e.TODAYS_SENDS_AT ?? DEFAULT_TODAYS_SENDS_AT),
    invoiceAmountCeiling: e.INVOICE_AMOUNT_CEILING ?? DEFAULT_INVOICE_AMOUNT_CEILING,
    forecastMilestonesCacheMs: e.FORECAST_MILESTONES_CACHE ?? DEFAULT_FORECAST_MILESTONES_CACHE_MS,
    weekly: { forecastChannelId: e.FORECAST_CHANNEL_ID ?? null, ownerEmail: e.OWNER_EMAIL ?? null },
    clientsFile: e.CLIENTS_FILE ?? null,
    publicUrl: e.PUBLIC_URL ?? null,
    trustProxy: e.TRUST_PROXY ?? null,
    webhookRegistrationsMax: e.WEBHOOK_REGISTRATIONS_MAX ?? 50,
    jobs: { processEveryMs: e.JOBS_PROCESS_EVERY ?? 30_000, lockLifetimeMs: e.JOBS_LOCK_LIFETIME ?? DEFAULT_LOCK_LIFETIME_MS },
    metricsToken: e.METRICS_TOKEN ?? null,
    inboundEmail: { mailgunSigningKey: e.MAILGUN_SIGNING_KEY ?? null, basicAuth: e.INBOUND_EMAIL_BASIC_AUTH ?? null },
    sendgridWebhookPublicKey: e.SENDGRID_WEBHOOK_PUBLIC_KEY ? sendgridPublicKey(e.SENDGRID_WEBHOOK_PUBLIC_KEY) : null,
    dkim,
    inboxRetry,
    tax: tax.config,
  };
}

/**
 * Each project tool needs its credentials together (a half-configured tool is an error, not silently off),
 * and at least one tool must be configured, or no milestone could ever be invoiced.
 */
function projectToolProblems(env: Record<string, string | undefined>): string[] {
  const set = (name: string) => blankToUndefined(env[name]) !== undefined;
  const problems: string[] = [];
  const together = (names: string[]) => {
    if (!names.some(set)) return false;
    for (const name of names.filter((n) => !set(n)))
      problems.push(`${name}: is required when ${names.filter(set).join(' and ')} ${names.filter(set).length > 1 ? 'are' : 'is'} set`);
    return names.every(set);
  };
  const clickup = together(['CLICKUP_API_TOKEN', 'CLICKUP_WEBHOOK_SECRET']);
  const trello = together(['TRELLO_API_KEY', 'TRELLO_TOKEN', 'TRELLO_APP_SECRET']);
  if (trello && !set('TRELLO_CALLBACK_URL') && !set('PUBLIC_URL')) problems.push('TRELLO_CALLBACK_URL: is required (the registered callback URL; or set PUBLIC_URL)');
  const monday = together(['MONDAY_API_TOKEN', 'MONDAY_SIGNING_SECRET']);
  const asanaOAuth = together(['ASANA_CLIENT_ID', 'ASANA_CLIENT_SECRET']);
  if (asanaOAuth && !set('ENCRYPTION_KEY')) problems.push('ENCRYPTION_KEY: is required to store the Asana OAuth tokens (32 bytes, e.g. `openssl rand -base64 32`)');
  if (!set('ASANA_ACCESS_TOKEN') && !asanaOAuth && !clickup && !trello && !monday && !set('GENERIC_WEBHOOK_SECRET') && problems.length === 0) {
    problems.push(
      'ASANA_ACCESS_TOKEN: is required (no project tool is configured: set ASANA_ACCESS_TOKEN, CLICKUP_API_TOKEN, TRELLO_API_KEY, MONDAY_API_TOKEN or GENERIC_WEBHOOK_SECRET)',
    );
  }
  return problems;
}

/**
 * Back-ends come in pairs of settings (a key and its webhook secret, a client id and its secret); a half
 * pair is a mistake worth naming. At least one back-end must be complete, and the OAuth ones need
 * ENCRYPTION_KEY for their tokens.
 */
function backendProblems(env: Record<string, string | undefined>): string[] {
  const has = (name: string) => blankToUndefined(env[name]) !== undefined;
  const problems: string[] = [];
  const pairs: [string, string, string][] = [
    ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'Stripe'],
    ['QUICKBOOKS_CLIENT_ID', 'QUICKBOOKS_CLIENT_SECRET', 'QuickBooks'],
    ['FRESHBOOKS_CLIENT_ID', 'FRESHBOOKS_CLIENT_SECRET', 'FreshBooks'],
    ['XERO_CLIENT_ID', 'XERO_CLIENT_SECRET', 'Xero'],
    ['ZOHO_CLIENT_ID', 'ZOHO_CLIENT_SECRET', 'Zoho Invoice'],
    ['WAVE_CLIENT_ID', 'WAVE_CLIENT_SECRET', 'Wave'],
  ];
  for (const [a, b, name] of pairs) {
    if (has(a) && !has(b)) problems.push(`${b}: is required to use ${name} (${a} is set)`);
    if (has(b) && !has(a)) problems.push(`${a}: is required to use ${name} (${b} is set)`);
  }
  if (has('INVOICENINJA_URL') && !has('INVOICENINJA_API_TOKEN')) problems.push('INVOICENINJA_API_TOKEN: is required to use Invoice Ninja (INVOICENINJA_URL is set)');
  if (!pairs.some(([a, b]) => has(a) || has(b)) && !has('INVOICENINJA_API_TOKEN')) {
    problems.push('STRIPE_SECRET_KEY: is required (or set QUICKBOOKS_CLIENT_ID/SECRET or FRESHBOOKS_CLIENT_ID/SECRET): configure at least one invoicing back-end');
  }
  const oauth =
    (has('QUICKBOOKS_CLIENT_ID') && has('QUICKBOOKS_CLIENT_SECRET')) ||
    (has('FRESHBOOKS_CLIENT_ID') && has('FRESHBOOKS_CLIENT_SECRET')) ||
    (has('XERO_CLIENT_ID') && has('XERO_CLIENT_SECRET')) ||
    (has('ZOHO_CLIENT_ID') && has('ZOHO_CLIENT_SECRET')) ||
    (has('WAVE_CLIENT_ID') && has('WAVE_CLIENT_SECRET'));
  if (oauth && !has('ENCRYPTION_KEY')) problems.push('ENCRYPTION_KEY: is required to store OAuth tokens (32 bytes, e.g. `openssl rand -base64 32`)');
  return problems;
}

function isSendgridKey(value: string): boolean {
  try {
    sendgridPublicKey(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * DKIM needs its domain, selector and private key together (the key inline as PEM, "\n" allowed for
 * one-line .env files, or DKIM_PRIVATE_KEY_FILE); the key must be an RSA or Ed25519 private key.
 */
function dkimSettings(env: Record<string, string | undefined>, problems: string[]): Config['dkim'] {
  const get = (name: string) => blankToUndefined(env[name]) as string | undefined;
  const names = ['DKIM_DOMAIN', 'DKIM_SELECTOR', 'DKIM_PRIVATE_KEY'];
  const keySet = get('DKIM_PRIVATE_KEY') !== undefined || get('DKIM_PRIVATE_KEY_FILE') !== undefined;
  const set = [get('DKIM_DOMAIN') !== undefined, get('DKIM_SELECTOR') !== undefined, keySet];
  if (!set.some(Boolean)) return null;
  if (get('DKIM_PRIVATE_KEY') !== undefined && get('DKIM_PRIVATE_KEY_FILE') !== undefined) problems.push('DKIM_PRIVATE_KEY: set it or DKIM_PRIVATE_KEY_FILE, not both');
  set.forEach((ok, i) => {
    if (!ok) problems.push(`${names[i]}: is required to sign outgoing mail with DKIM (${i === 2 ? 'or DKIM_PRIVATE_KEY_FILE' : 'the other DKIM_ settings are set'})`);
  });
  if (!set.every(Boolean)) return null;
  let pem: string;
  try {
    pem = get('DKIM_PRIVATE_KEY')?.replace(/\\n/g, '\n') ?? readFileSync(get('DKIM_PRIVATE_KEY_FILE')!, 'utf8');
  } catch (err) {
    problems.push(`DKIM_PRIVATE_KEY_FILE: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return null;
  }
  try {
    const type = createPrivateKey(pem).asymmetricKeyType;
    if (type !== 'rsa' && type !== 'ed25519') throw new Error(type);
  } catch {
    problems.push(`${get('DKIM_PRIVATE_KEY') !== undefined ? 'DKIM_PRIVATE_KEY' : 'DKIM_PRIVATE_KEY_FILE'}: must be an RSA (or Ed25519) private key in PEM format`);
    return null;
  }
  return { domainName: get('DKIM_DOMAIN')!.toLowerCase(), keySelector: get('DKIM_SELECTOR')!, privateKey: pem };
}

/** Every variable duebot reads, in the order of .env.example (problems are listed in this order too). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);
function order(problem: string): number {
  const index = CONFIG_VARIABLES.indexOf(problem.split(':')[0]!);
  return index < 0 ? CONFIG_VARIABLES.length : index;
}

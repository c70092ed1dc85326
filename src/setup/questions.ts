/** What `npm run setup` asks: the settings without which duebot cannot start. Everything else keeps its default. */
export interface Question {
  key: string;
  ask: string;
  /** Asked only when this holds for the answers so far. */
  when?: (answers: Readonly<Record<string, string>>) => boolean;
  /** Offered when nothing else is known (the environment's value comes first). */
  suggest?: (answers: Readonly<Record<string, string>>) => string;
}

const machineTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export const QUESTIONS: readonly Question[] = [
  { key: 'BUSINESS_NAME', ask: 'Your business name (shown in invoice emails)' },
  { key: 'BUSINESS_TIMEZONE', ask: 'Time zone for due dates (IANA, e.g. Europe/London)', suggest: machineTimeZone },
  { key: 'SLACK_BOT_TOKEN', ask: 'Slack Bot User OAuth Token (xoxb-...)' },
  { key: 'SLACK_SIGNING_SECRET', ask: 'Slack Signing Secret (empty: Socket Mode)' },
  { key: 'SLACK_APP_TOKEN', ask: 'Slack app-level token for Socket Mode (xapp-...)', when: (a) => !a.SLACK_SIGNING_SECRET },
  { key: 'BILLING_CHANNEL_ID', ask: 'Billing channel id (C...)' },
  { key: 'OWNER_SLACK_USER_ID', ask: "Owner's Slack user id (U...)" },
  { key: 'APPROVER_SLACK_USER_IDS', ask: 'Approvers, comma-separated Slack user ids', suggest: (a) => a.OWNER_SLACK_USER_ID ?? '' },
  { key: 'SMTP_URL', ask: 'Outgoing mail server (smtp://user:pass@host:587)' },
  { key: 'EMAIL_FROM', ask: 'Sender of invoices ("Billing <billing@example.com>")' },
  { key: 'STRIPE_SECRET_KEY', ask: 'Stripe secret key (sk_... ; empty: set QuickBooks or FreshBooks in .env)' },
  { key: 'STRIPE_WEBHOOK_SECRET', ask: 'Stripe webhook signing secret (whsec_...)', when: (a) => Boolean(a.STRIPE_SECRET_KEY) },
  { key: 'ASANA_ACCESS_TOKEN', ask: 'Asana access token (empty: set another project tool in .env)' },
  { key: 'PUBLIC_URL', ask: "The bot's public base URL (https://...)" },
];

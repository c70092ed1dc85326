/**
 * Schema migrations, applied in order at start-up under an advisory lock so that several bot
 * processes starting together do not race. Kept as TypeScript strings so the build ships them.
 * Timestamps are always written from the process clock (src/clock.ts), never SQL now().
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'core lifecycle',
    sql: `
CREATE TABLE clients (
  id text PRIMARY KEY,
  name text NOT NULL,
  emails text[] NOT NULL,
  currency char(3) NOT NULL,
  payment_terms_days integer NOT NULL CHECK (payment_terms_days >= 0),
  provider text NOT NULL,
  asana_project_gids text[] NOT NULL DEFAULT '{}',
  reminder_schedule jsonb NOT NULL,
  final_mode text NOT NULL CHECK (final_mode IN ('pause', 'notice-only')),
  auto_send boolean NOT NULL DEFAULT false,
  provider_customer_id text,
  updated_at timestamptz NOT NULL
);

CREATE TABLE invoice_counters (
  scope text PRIMARY KEY,
  last_value integer NOT NULL
);

CREATE TABLE invoices (
  id uuid PRIMARY KEY,
  seq integer NOT NULL UNIQUE,
  number text NOT NULL UNIQUE,
  client_id text NOT NULL REFERENCES clients(id),
  source text NOT NULL,
  source_ref text NOT NULL,
  source_url text,
  milestone text NOT NULL,
  currency char(3) NOT NULL,
  lines jsonb NOT NULL,
  total bigint NOT NULL CHECK (total >= 0),
  amount_paid bigint NOT NULL DEFAULT 0 CHECK (amount_paid >= 0),
  due_date date NOT NULL,
  status text NOT NULL CHECK (status IN ('draft', 'approved', 'sent', 'partially_paid', 'paid', 'void', 'uncollectible', 'discarded')),
  disputed boolean NOT NULL DEFAULT false,
  paused boolean NOT NULL DEFAULT false,
  recipients text[] NOT NULL,
  provider text NOT NULL,
  provider_invoice_id text UNIQUE,
  payment_url text,
  email_message_id text,
  slack_channel text,
  slack_ts text,
  attention text,
  created_at timestamptz NOT NULL,
  approved_at timestamptz,
  approved_by text,
  sent_at timestamptz,
  paid_at timestamptz,
  updated_at timestamptz NOT NULL,
  UNIQUE (source, source_ref)
);
CREATE INDEX invoices_open ON invoices (status) WHERE status IN ('approved', 'sent', 'partially_paid');

CREATE TABLE reminders (
  invoice_id uuid NOT NULL REFERENCES invoices(id),
  step_index integer NOT NULL,
  tone text NOT NULL CHECK (tone IN ('friendly', 'firm', 'final')),
  day integer NOT NULL,
  anchor text NOT NULL CHECK (anchor IN ('delivery', 'due')),
  due_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'claimed', 'sent', 'skipped', 'cancelled', 'unknown')),
  claimed_at timestamptz,
  claimed_by text,
  finished_at timestamptz,
  message_id text,
  note text,
  PRIMARY KEY (invoice_id, step_index)
);
CREATE INDEX reminders_due ON reminders (due_at) WHERE status = 'pending';

-- At-most-once ledger for side effects other than reminders (invoice email, escalation task, owner DM).
CREATE TABLE effects (
  key text PRIMARY KEY,
  invoice_id uuid REFERENCES invoices(id),
  kind text NOT NULL,
  status text NOT NULL CHECK (status IN ('claimed', 'done', 'unknown')),
  claimed_at timestamptz NOT NULL,
  claimed_by text,
  finished_at timestamptz,
  result jsonb
);

-- Every accepted webhook delivery, stored before it is acted on.
CREATE TABLE inbox_events (
  id bigserial PRIMARY KEY,
  source text NOT NULL,
  external_id text NOT NULL,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  received_at timestamptz NOT NULL,
  processed_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  UNIQUE (source, external_id)
);
CREATE INDEX inbox_unprocessed ON inbox_events (id) WHERE processed_at IS NULL;

CREATE TABLE payments (
  id bigserial PRIMARY KEY,
  invoice_id uuid NOT NULL REFERENCES invoices(id),
  source_event text NOT NULL UNIQUE,
  amount bigint NOT NULL,
  currency char(3) NOT NULL,
  amount_paid_after bigint NOT NULL,
  paid_at timestamptz NOT NULL
);

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  invoice_id uuid REFERENCES invoices(id),
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}',
  source_event text
);
CREATE INDEX audit_by_invoice ON audit_log (invoice_id, id);

CREATE TABLE webhook_secrets (
  provider text NOT NULL,
  scope text NOT NULL,
  secret text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (provider, scope)
);
`,
  },
  {
    version: 20,
    name: 'containers in the other project tools',
    sql: `
-- ClickUp lists, Trello boards, monday boards of a client, by tool name: {"clickup": ["901"], ...}.
ALTER TABLE clients ADD COLUMN tool_containers jsonb NOT NULL DEFAULT '{}';
`,
  },
  {
    version: 30,
    name: 'accounting connections',
    sql: `
-- One OAuth connection per accounting back-end (QuickBooks realm, FreshBooks account). Tokens are
-- AES-256-GCM sealed with ENCRYPTION_KEY (src/store/token-cipher.ts), never stored in clear.
CREATE TABLE connections (
  provider text PRIMARY KEY,
  account_id text NOT NULL,
  access_token text NOT NULL,
  refresh_token text NOT NULL,
  expires_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'broken')),
  last_success_at timestamptz,
  last_error text,
  updated_at timestamptz NOT NULL
);

-- Back-end invoice ids are unique per back-end, not across them.
ALTER TABLE invoices DROP CONSTRAINT invoices_provider_invoice_id_key;
ALTER TABLE invoices ADD CONSTRAINT invoices_provider_invoice_id_key UNIQUE (provider, provider_invoice_id);

-- OAuth "state" values handed out by /oauth/<provider>/start, checked once on the callback.
CREATE TABLE oauth_states (
  state text PRIMARY KEY,
  provider text NOT NULL,
  created_at timestamptz NOT NULL
);
`,
  },
  {
    version: 40,
    name: 'cash balance for the forecast',
    sql: `
-- Starting bank balance per currency for the cash-flow forecast (/invoices balance <amount>).
CREATE TABLE cash_balances (
  currency char(3) PRIMARY KEY,
  amount bigint NOT NULL,
  set_at timestamptz NOT NULL,
  set_by text NOT NULL
);
`,
  },
  {
    version: 50,
    name: 'disputes and client replies',
    sql: `
-- A disputed invoice's steps wait as "paused" (never skipped) until the dispute is resolved.
ALTER TABLE reminders DROP CONSTRAINT IF EXISTS reminders_status_check;
ALTER TABLE reminders ADD CONSTRAINT reminders_status_check
  CHECK (status IN ('pending', 'claimed', 'sent', 'skipped', 'cancelled', 'unknown', 'paused'));

ALTER TABLE invoices ADD COLUMN disputed_at timestamptz;
-- Business date a client promised to pay by; reminders wait until the morning after it.
ALTER TABLE invoices ADD COLUMN snoozed_until date;

-- Every client reply, with what it was matched to and how it was classified.
CREATE TABLE inbound_emails (
  id bigserial PRIMARY KEY,
  message_id text NOT NULL UNIQUE,
  inbox_event_id bigint REFERENCES inbox_events(id),
  invoice_id uuid REFERENCES invoices(id),
  matched_by text NOT NULL CHECK (matched_by IN ('in-reply-to', 'references', 'subject', 'none')),
  from_address text NOT NULL,
  subject text NOT NULL,
  references_ids text[] NOT NULL DEFAULT '{}',
  stripped_text text NOT NULL,
  kind text NOT NULL,
  classification jsonb NOT NULL,
  received_at timestamptz NOT NULL
);
CREATE INDEX inbound_emails_by_invoice ON inbound_emails (invoice_id, id);

-- Mailgun signs only timestamp+token, not the body: a token is accepted for one email only.
CREATE TABLE mailgun_tokens (
  token text PRIMARY KEY,
  message_id text NOT NULL,
  seen_at timestamptz NOT NULL
);
CREATE INDEX reminders_message_id ON reminders (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX invoices_email_message_id ON invoices (email_message_id) WHERE email_message_id IS NOT NULL;
`,
  },
  {
    version: 60,
    name: 'retainers',
    sql: `
-- The client's retainer from the clients file (amount in minor units, description, dayOfMonth, startsOn); null: none.
ALTER TABLE clients ADD COLUMN retainer jsonb;
-- Business date the retainer was first seen, when the clients file gives no startsOn: nothing before it
-- is billed. Cleared when the retainer is removed, so adding it again later starts afresh.
ALTER TABLE clients ADD COLUMN retainer_since date;
`,
  },
  {
    version: 70,
    name: 'weekly forecasts',
    sql: `
-- Each weekly forecast as posted, so its first week can later be compared with what was collected.
CREATE TABLE weekly_forecasts (
  slot_key text PRIMARY KEY,
  slot_at timestamptz NOT NULL,
  as_of date NOT NULL,
  -- [{ "currency": "USD", "weeks": [{ "start": "YYYY-MM-DD", "end": "YYYY-MM-DD", "expected": <minor units> }] }]
  currencies jsonb NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX payments_by_paid_at ON payments (paid_at);
`,
  },
  {
    version: 80,
    name: 'invoice tax and pay instructions',
    sql: `
-- Tax as the invoicing back-end computed it from the customer's settings. subtotal = sum of the lines;
-- total (existing column) = subtotal + tax_amount once the back-end invoice exists. tax_amount NULL:
-- not known yet (a draft: the back-end adds the tax when the invoice is created).
-- NULL reads as total (an invoice stored before tax was known, or by code that predates the column).
ALTER TABLE invoices ADD COLUMN subtotal bigint;
ALTER TABLE invoices ADD COLUMN tax_amount bigint CHECK (tax_amount IS NULL OR tax_amount >= 0);
ALTER TABLE invoices ADD COLUMN tax_name text;
-- Percent as a decimal string ("8.25"), exactly as the back-end states it; NULL when it gives none.
ALTER TABLE invoices ADD COLUMN tax_rate text;
-- Per client, from the clients file: the FreshBooks tax (by name) on every line, and how to pay
-- when the back-end gives no payment link (overrides PAY_INSTRUCTIONS).
ALTER TABLE clients ADD COLUMN freshbooks_tax text;
ALTER TABLE clients ADD COLUMN pay_instructions text;
`,
  },
  {
    version: 90,
    name: 'client milestone mapping and time billing',
    sql: `
-- The client's milestone mapping from the clients file (field, tag and status names); null: the default names.
ALTER TABLE clients ADD COLUMN milestone_mapping jsonb;
-- Lines from time entries: {groupBy, rate (minor units per hour), personRates}; null: from the Amount fields.
ALTER TABLE clients ADD COLUMN time_billing jsonb;
`,
  },
  {
    version: 100,
    name: 'client settings edited in Slack',
    sql: `
-- The client's time zone (IANA; null: BUSINESS_TIMEZONE) and business hours {start, end} ("HH:mm"; null: any time).
ALTER TABLE clients ADD COLUMN timezone text;
ALTER TABLE clients ADD COLUMN business_hours jsonb;
-- Fields changed in the Slack settings modal ({field: value}, only those changed there): laid over the
-- clients file at every start, so a value set in Slack stays until changed again in Slack.
CREATE TABLE client_settings_overrides (
  client_id text PRIMARY KEY REFERENCES clients(id),
  settings jsonb NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL
);
`,
  },
  {
    version: 110,
    name: 'editable email templates',
    sql: `
-- Edited email templates (src/email/): scope '*' is the workspace default, otherwise a client id whose
-- template overrides it. kind: 'invoice', a reminder tone or 'credit'. No row: the shipped wording.
CREATE TABLE email_templates (
  scope text NOT NULL,
  kind text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL,
  PRIMARY KEY (scope, kind)
);
`,
  },
  {
    version: 111,
    name: 'credits on issued invoices',
    sql: `
-- Each credit applied to an issued invoice (Adjust amount → credit): a credit note / memo at the
-- back-end lowers what the client owes without money coming in. effect_key ties it to the claim in
-- the effects ledger, so a credit is recorded once.
CREATE TABLE invoice_credits (
  id bigserial PRIMARY KEY,
  invoice_id uuid NOT NULL REFERENCES invoices(id),
  effect_key text NOT NULL UNIQUE,
  amount bigint NOT NULL CHECK (amount > 0),
  currency char(3) NOT NULL,
  reason text NOT NULL,
  balance_after bigint NOT NULL CHECK (balance_after >= 0),
  created_at timestamptz NOT NULL,
  created_by text NOT NULL
);
CREATE INDEX invoice_credits_by_invoice ON invoice_credits (invoice_id);
`,
  },
  {
    version: 120,
    name: 'imported invoice history',
    sql: `
-- Invoices imported from a back-end or a CSV (source 'import', source_ref '<origin>:<id>') are history
-- for the forecast, aging and client stats: they take no number from duebot's gap-free sequence.
ALTER TABLE invoices ALTER COLUMN seq DROP NOT NULL;
-- A client created by an import for a customer the clients file does not name (no emails, no reminders).
ALTER TABLE clients ADD COLUMN imported boolean NOT NULL DEFAULT false;
`,
  },
  {
    version: 130,
    name: 'home tab viewers and indexes for the commands',
    sql: `
-- Who opened duebot's Home tab: their view is republished when an invoice changes.
CREATE TABLE home_viewers (
  user_id text PRIMARY KEY,
  first_opened_at timestamptz NOT NULL,
  last_opened_at timestamptz NOT NULL
);

-- The commands and the Home tab with 100,000 invoices stored (see README "Benchmark").
CREATE INDEX invoices_number_upper ON invoices (upper(number));
CREATE INDEX invoices_by_client ON invoices (client_id, seq);
CREATE INDEX invoices_disputed ON invoices (seq) WHERE disputed;
CREATE INDEX invoices_sent_at ON invoices (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX payments_by_invoice ON payments (invoice_id, paid_at);
CREATE INDEX effects_by_invoice ON effects (invoice_id) WHERE invoice_id IS NOT NULL;
CREATE INDEX reminders_unknown ON reminders (invoice_id) WHERE status = 'unknown';
`,
  },
  {
    version: 140,
    name: 'approver-bound connect links, browser-bound states, pending back-end connections',
    sql: `
-- One-time links DMed by /invoices connect <back-end>: only the token's SHA-256 is kept.
CREATE TABLE oauth_links (
  token_hash text PRIMARY KEY,
  provider text NOT NULL,
  slack_user_id text NOT NULL,
  created_at timestamptz NOT NULL
);
-- A state now names the approver whose link started it and the browser (hash of its cookie nonce).
DELETE FROM oauth_states;
ALTER TABLE oauth_states ADD COLUMN slack_user_id text NOT NULL;
ALTER TABLE oauth_states ADD COLUMN browser_hash text NOT NULL;
-- The connected company/business name, so the channel can be told what is connected.
ALTER TABLE connections ADD COLUMN account_name text;
-- A connection to a different account than the current one, sealed and unused until an approver confirms.
CREATE TABLE pending_connections (
  id text PRIMARY KEY,
  provider text NOT NULL,
  account_id text NOT NULL,
  account_name text,
  access_token text NOT NULL,
  refresh_token text NOT NULL,
  expires_at timestamptz NOT NULL,
  requested_by text NOT NULL,
  created_at timestamptz NOT NULL,
  message_ts text
);
`,
  },
  {
    version: 150,
    name: 'webhook registrations duebot starts itself',
    sql: `
-- One row per project-tool webhook an approver connected (src/usecases/connect-project-tool.ts). The token is
-- the random ?hook= of the webhook's target URL; a handshake is accepted only for a pending row at most
-- 10 minutes old, once. The secret is sealed with ENCRYPTION_KEY (AES-GCM), never stored in plaintext.
CREATE TABLE webhook_registrations (
  token text PRIMARY KEY,
  tool text NOT NULL,
  resource text NOT NULL,
  -- 'api': duebot created the webhook through the tool's API; 'manual': an approver runs the tool's curl.
  mode text NOT NULL CHECK (mode IN ('api', 'manual')),
  status text NOT NULL CHECK (status IN ('pending', 'active')),
  secret text,
  webhook_id text,
  target_url text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  activated_at timestamptz,
  last_delivery_at timestamptz
);
CREATE INDEX webhook_registrations_by_tool ON webhook_registrations (tool, resource);
`,
  },
  {
    version: 170,
    name: 'inbox backoff and dead letters',
    sql: `
-- A failed event is tried again at next_attempt_at (exponential backoff, src/domain/retry-backoff.ts)
-- until its window (from arrival, or from an approver's Retry) is over; then it is a dead letter
-- (dead_at), posted to the billing channel (dead_letter_ts) with a Retry button.
ALTER TABLE inbox_events
  ADD COLUMN next_attempt_at timestamptz,
  ADD COLUMN retry_window_start timestamptz,
  ADD COLUMN window_attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN dead_at timestamptz,
  ADD COLUMN retried_by text,
  ADD COLUMN dead_letter_channel text,
  ADD COLUMN dead_letter_ts text;
UPDATE inbox_events SET next_attempt_at = received_at, retry_window_start = received_at, window_attempts = attempts;
-- Events the old sweep dropped silently after 20 attempts: dead letters now, announced with Retry.
UPDATE inbox_events SET dead_at = received_at WHERE processed_at IS NULL AND attempts >= 20;
ALTER TABLE inbox_events ALTER COLUMN next_attempt_at SET NOT NULL, ALTER COLUMN retry_window_start SET NOT NULL;
DROP INDEX inbox_unprocessed;
CREATE INDEX inbox_due ON inbox_events (next_attempt_at) WHERE processed_at IS NULL AND dead_at IS NULL;
CREATE INDEX inbox_dead ON inbox_events (dead_at) WHERE processed_at IS NULL AND dead_at IS NOT NULL;
`,
  },
  {
    version: 180,
    name: 'per-client invoice ceiling',
    sql: `
-- The clients file's maxInvoiceAmount in minor units: a draft above it is held for a human (NULL: INVOICE_AMOUNT_CEILING).
ALTER TABLE clients ADD COLUMN max_invoice_amount bigint CHECK (max_invoice_amount > 0);
`,
  },
  {
    version: 190,
    name: 'issue attempts and pinned due date',
    sql: `
-- Idempotency keys at the back-end carry issue_attempt: a definite failure moves to the next attempt,
-- so a stored error is never replayed after its cause is fixed (src/store/issue-attempts.ts).
-- issue_due_date: the due date sent to the back-end, pinned at the first attempt so a retry on a
-- later day sends the same parameters.
ALTER TABLE invoices ADD COLUMN issue_attempt integer NOT NULL DEFAULT 0, ADD COLUMN issue_due_date date;
`,
  },
  {
    version: 200,
    name: 'credits from the back-ends',
    sql: `
-- A credit made in the back-end's own UI (credit note, credit memo, credit payment) is recorded like one
-- made in duebot, with source 'backend'. backend_credit_id is the back-end's id of the credit (for
-- duebot's own credits too, once known), so one seen by webhook and again by the poll counts once.
ALTER TABLE invoice_credits
  ADD COLUMN source text NOT NULL DEFAULT 'duebot' CHECK (source IN ('duebot', 'backend')),
  ADD COLUMN backend_credit_id text;
CREATE UNIQUE INDEX invoice_credits_backend_id ON invoice_credits (invoice_id, backend_credit_id) WHERE backend_credit_id IS NOT NULL;
-- Settled by credits, not by money: no reminders, and neither a payment nor days-to-pay history.
ALTER TABLE invoices DROP CONSTRAINT IF EXISTS invoices_status_check;
ALTER TABLE invoices ADD CONSTRAINT invoices_status_check
  CHECK (status IN ('draft', 'approved', 'sent', 'partially_paid', 'paid', 'credited', 'void', 'uncollectible', 'discarded'));
-- Invoices an earlier duebot marked paid when a credit settled them.
UPDATE invoices SET status = 'credited', paid_at = NULL
 WHERE status = 'paid' AND id IN (SELECT invoice_id FROM invoice_credits WHERE balance_after = 0);
`,
  },
  {
    version: 210,
    name: 'email bounces',
    sql: `
-- An invoice or reminder email that bounced: refused at send (smtp-reject), a delivery status
-- notification at the inbound address (dsn) or a provider's bounce webhook (webhook). Matched to the
-- email duebot sent by its Message-ID; a bounce naming no email of ours is kept with invoice_id NULL
-- and acts on nothing. An open (resolved_at NULL) matched bounce holds the client's reminders until
-- the client's billing emails change. dedupe_key: the same bounce reported twice is stored once.
CREATE TABLE email_bounces (
  id bigserial PRIMARY KEY,
  dedupe_key text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('smtp-reject', 'dsn', 'webhook')),
  provider text NOT NULL,
  message_id text,
  recipient text NOT NULL,
  reason text NOT NULL,
  invoice_id uuid REFERENCES invoices(id),
  client_id text REFERENCES clients(id),
  received_at timestamptz NOT NULL,
  resolved_at timestamptz,
  resolved_by text
);
CREATE INDEX email_bounces_open ON email_bounces (client_id) WHERE resolved_at IS NULL AND invoice_id IS NOT NULL;
`,
  },
  {
    version: 230,
    name: 'sweep heartbeat',
    sql: `
-- When the sweep (due work) last finished, whichever process ran it: Agenda hands the job to one process
-- at a time, so only the database knows. GET /readyz and the metrics read it (docs/operations.md).
CREATE TABLE sweep_heartbeat (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  finished_at timestamptz NOT NULL,
  finished_by text NOT NULL
);
`,
  },
  {
    version: 240,
    name: 'oauth account choices',
    sql: `
-- A consent that authorised several accounts at once (Xero organisations) waits here for the approver
-- to pick one, in the browser that started it (src/usecases/choose-account.ts). Tokens sealed; the
-- choice token is kept as its hash; a row is spent by the pick or dropped after the state's lifetime.
CREATE TABLE oauth_account_choices (
  token_hash text PRIMARY KEY,
  provider text NOT NULL,
  slack_user_id text NOT NULL,
  browser_hash text NOT NULL,
  accounts jsonb NOT NULL,
  access_token text NOT NULL,
  refresh_token text NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL
);
`,
  },
  {
    version: 280,
    name: 'sales tax from a tax service',
    sql: `
-- Where sales tax is sourced to when a tax service (TaxJar, Avalara) is configured: clients file or Slack.
ALTER TABLE clients ADD COLUMN billing_address jsonb;
-- The tax a tax service computed for a draft (src/store/sales-tax.ts): shown on the draft, carried to the
-- back-end on send. pending: the service was down, retried at next_attempt_at; failed: it refused (a person
-- fixes the address and recomputes); skipped: an approver chose to send without tax.
CREATE TABLE invoice_sales_tax (
  invoice_id uuid PRIMARY KEY REFERENCES invoices(id),
  service text NOT NULL,
  status text NOT NULL CHECK (status IN ('computed', 'pending', 'failed', 'skipped')),
  amount bigint CHECK (amount >= 0),
  rate text,
  jurisdiction text,
  name text,
  line_taxes jsonb,
  ship_to jsonb,
  reason text,
  attempts integer NOT NULL DEFAULT 0,
  window_started_at timestamptz,
  next_attempt_at timestamptz,
  recorded_at timestamptz,
  voided_at timestamptz,
  decided_by text,
  updated_at timestamptz NOT NULL
);
CREATE INDEX invoice_sales_tax_due ON invoice_sales_tax (next_attempt_at) WHERE status = 'pending';
`,
  },
  {
    version: 300,
    name: 'late fees',
    sql: `
-- A client's late fee (src/domain/late-fees.ts LateFeeSettings as JSON); NULL: none, the default.
ALTER TABLE clients ADD COLUMN late_fee jsonb;
-- Each late fee added to an invoice, written before the back-end is called: fee_key 'step:<index>' (once
-- per reminder step) or 'invoice' (once per invoice) is unique per invoice, so a retry or a second
-- process never adds one twice. The fee is its own back-end invoice (number '<invoice>-F<n>'), issued
-- with this row's id as the idempotency anchor. status: pending (being issued; a crash leaves the
-- effects-ledger claim for a person), open (issued), waived (voided at the back-end by an approver),
-- paid or voided (as the back-end said when read before a later reminder).
CREATE TABLE late_fees (
  id uuid PRIMARY KEY,
  invoice_id uuid NOT NULL REFERENCES invoices(id),
  fee_key text NOT NULL,
  seq integer NOT NULL,
  number text NOT NULL UNIQUE,
  step_index integer NOT NULL,
  step_number integer NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  currency char(3) NOT NULL,
  reason text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'open', 'waived', 'paid', 'voided')),
  provider text NOT NULL,
  provider_invoice_id text,
  payment_url text,
  slack_ts text,
  created_at timestamptz NOT NULL,
  waived_at timestamptz,
  waived_by text,
  UNIQUE (invoice_id, fee_key),
  UNIQUE (invoice_id, seq)
);
`,
  },
  {
    version: 310,
    name: 'grouped reminders and send time per client',
    sql: `
-- groupReminders: several steps of one client due on a day go out as one statement email.
-- send_at ("HH:mm", the client's time zone): with today's sends on, a step due on a day waits until then.
ALTER TABLE clients ADD COLUMN group_reminders boolean NOT NULL DEFAULT false;
ALTER TABLE clients ADD COLUMN send_at text;
`,
  },
  {
    version: 320,
    name: 'client page links',
    sql: `
-- The client page (docs/client-page.md) is opt-in per client: clients file or the settings modal.
ALTER TABLE clients ADD COLUMN client_page boolean NOT NULL DEFAULT false;
-- One link per client at a time. The token itself is never stored: it is an HMAC of the salt under a key
-- derived from ENCRYPTION_KEY, so the emails can repeat it; the page finds the row by the token's SHA-256.
CREATE TABLE client_page_links (
  id bigserial PRIMARY KEY,
  client_id text NOT NULL REFERENCES clients(id),
  salt text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  revoked_at timestamptz,
  revoked_by text
);
CREATE UNIQUE INDEX client_page_links_active ON client_page_links (client_id) WHERE revoked_at IS NULL;
`,
  },
  {
    version: 330,
    name: "the client's language",
    sql: `
-- The language of a client's emails and replies (src/domain/locale.ts); NULL: English, as before.
ALTER TABLE clients ADD COLUMN locale text;
-- An edited template is per kind and language; every template edited before is the English one.
ALTER TABLE email_templates ADD COLUMN locale text NOT NULL DEFAULT 'en';
ALTER TABLE email_templates DROP CONSTRAINT email_templates_pkey;
ALTER TABLE email_templates ADD PRIMARY KEY (scope, kind, locale);
`,
  },
  {
    version: 340,
    name: 'audit search by client',
    sql: `
-- /invoices history <client>: a client's own entries (settings, setup) carry its id in details, not an invoice.
CREATE INDEX audit_by_client ON audit_log ((details->>'client'), id) WHERE invoice_id IS NULL;
`,
  },
  {
    version: 360,
    name: 'open invoices index with drafts',
    sql: `
-- /invoices forecast reads drafts with the open invoices (12,000 of 100,000 in the benchmark): with drafts in
-- the partial index that is an index scan, not a scan of every paid invoice (30 ms → 9 ms on PostgreSQL).
-- Queries for the sent states alone still use it (their condition implies its predicate).
DROP INDEX invoices_open;
CREATE INDEX invoices_open ON invoices (status) WHERE status IN ('draft', 'approved', 'sent', 'partially_paid');
`,
  },
];

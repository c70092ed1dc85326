import { randomBytes } from 'node:crypto';
import qs from 'qs';
import Stripe from 'stripe';
import { startStub, type StubReply } from './http-stub.js';

/**
 * A local stand-in for the Stripe API, spoken to by the real `stripe` SDK (point it at `fake.url` with
 * `createStripeBackend({ apiUrl })`). It models the slice of Stripe duebot uses, on the wire as Stripe
 * does it:
 *
 * - Requests are form-encoded (parsed with `qs`, so every scalar arrives as a string); responses are
 *   Stripe-shaped JSON with `object` fields; errors are `{ error: { type, message, code?, param? } }`
 *   with Stripe's status codes, and every response carries a `Request-Id`.
 * - `Authorization: Bearer sk_...` is required (401 otherwise).
 * - Idempotency: a POST repeating an `Idempotency-Key` replays the first response (status and body,
 *   errors included) with `Idempotent-Replayed: true`; the same key with different method, path or
 *   parameters is a 400 `idempotency_error`. Saved responses are kept 24 hours (by `options.now`), or
 *   until `expireIdempotencyKeys()`. Injected faults and auth failures are not saved, as Stripe saves
 *   nothing for requests that never started executing, unless `failNext(..., { saved: true })` says the
 *   failure happened while executing (a 500 Stripe stores and replays).
 * - Search (`/v1/customers/search`, `/v1/invoices/search`) understands `field:'value'` and
 *   `metadata['key']:'value'` clauses joined by ` AND `. Stripe's index lags up to a minute;
 *   `searchDelayMs` reproduces that (default 0: visible at once, so tests stay deterministic).
 * - Tax: an invoice's `default_tax_rates` (Tax Rate ids; answered expanded, as Stripe does) apply to
 *   every line: per line and rate, exclusive tax = amount × percentage rounded half up, inclusive tax =
 *   amount − amount ÷ (1 + percentage); `total_taxes` sums them per rate, `total` adds the exclusive ones.
 * - Invoices: `number` may be set on create (kept at finalization, else `FAKE-nnnn`); `due_date` must be in
 *   the future; an archived Tax Rate (`setTaxRateActive(id, false)`) is refused on a new invoice.
 * - Invoice lifecycle: draft → finalize → open (number, hosted_invoice_url = `<url>/pay/<id>`,
 *   invoice_pdf) → paid / void / uncollectible, with Stripe's transition rules (void only from open or
 *   uncollectible, mark_uncollectible only from open, a zero total is paid at finalization).
 *
 * Endpoints: POST /v1/customers, GET /v1/customers (list: `email`, `limit`), GET /v1/customers/:id, GET /v1/customers/search, POST /v1/invoices,
 * GET /v1/invoices/:id, POST /v1/invoices/:id (a draft's `due_date`), GET /v1/invoices/:id/lines, GET /v1/invoices/search, POST /v1/invoiceitems,
 * POST /v1/invoices/:id/finalize, POST /v1/invoices/:id/void, POST /v1/invoices/:id/mark_uncollectible,
 * POST /v1/credit_notes (pre-payment credit on an open invoice, `amount` form),
 * GET /v1/invoices (list: newest `created` first, `limit` 1..100 (default 10), `starting_after` /
 * `ending_before` cursors, `created[gte|gt|lte|lt]`, `customer`, `status`; `{ object: 'list', data, has_more, url }`),
 * POST /v1/credit_notes (pre-payment credit on an open invoice, `amount` form), GET /v1/credit_notes
 * (`invoice`, `limit`), GET /v1/credit_notes/:id, POST /v1/credit_notes/:id/void, POST /v1/tax_rates,
 * GET /v1/tax_rates/:id, POST /v1/customers/:id (metadata),
 * and the "payment link" pages GET /pay/:invoiceId (HTML) and GET /pay/:invoiceId/pdf.
 *
 * Things Stripe does that happen here only when a test asks: payments (`pay`), webhook deliveries
 * (`event` + `signedDelivery`: nothing is pushed anywhere), faults (`failNext`).
 */
export type StripeObject = Record<string, unknown> & { id: string };

export interface FakeStripeOptions {
  /** Defaults to a random `whsec_...`. */
  webhookSecret?: string;
  /** Objects show up in search results this long after creation (Stripe: up to ~1 min). Default 0. */
  searchDelayMs?: number;
  /** Milliseconds since the epoch, for the 24-hour life of idempotency keys. Default Date.now. */
  now?: () => number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Query string parsed with `qs` (GET parameters, e.g. `{ query: "...", limit: "1" }`). */
  query: Record<string, unknown>;
  /** Form body parsed with `qs` (`{}` for GET). Scalars are strings, as on the wire. */
  body: Record<string, unknown>;
  idempotencyKey: string | null;
  /** Status the fake answered with (set once the reply is decided). */
  status: number;
  /** The answer's `error.type` (e.g. `idempotency_error`), null for a success. */
  errorType: string | null;
}

export interface FailureOptions {
  /** Extra response headers, e.g. `{ 'retry-after': '2' }` or `{ 'stripe-should-retry': 'true' }`. */
  headers?: Record<string, string>;
  /** Only requests whose path equals this string or matches this pattern fail (default: any API request). */
  path?: string | RegExp;
  /** Only requests with this method fail (default: any). */
  method?: 'GET' | 'POST';
  /** The failure happened while executing: it is saved under the request's idempotency key and replayed. */
  saved?: boolean;
  /**
   * A lost answer instead of an error status: the request runs as usual (its result saved under its key)
   * and the connection is cut before the reply, so the caller sees a connection error, an unknown outcome.
   */
  drop?: boolean;
}

export interface FakeStripe {
  /** Base URL, e.g. `http://127.0.0.1:54321`: give it to `createStripeBackend({ apiUrl })`. */
  url: string;
  webhookSecret: string;
  /** Live, Stripe-shaped objects by id; tests may read them (and, with care, change them). */
  customers: Map<string, StripeObject>;
  invoices: Map<string, StripeObject>;
  invoiceItems: Map<string, StripeObject>;
  taxRates: Map<string, StripeObject>;
  /** A Tax Rate as the Dashboard would create it; returns its id (`txr_...`). */
  createTaxRate(displayName: string, percentage: string, options?: { inclusive?: boolean }): string;
  /** Archives (false) or restores (true) a Tax Rate, as the Dashboard does; archived ones are refused on new invoices. */
  setTaxRateActive(taxRateId: string, active: boolean): void;
  /** Every request received, in order (payment-page hits included). */
  requests: RecordedRequest[];
  /**
   * The next `count` API requests (optionally only those on `options.path`) are answered with `status`
   * and `body` (default: a Stripe-shaped error for that status; a 429 also gets `Retry-After: 1`).
   * Replaces any failures still pending; `failNext(0, 200)` clears them.
   * Note the SDK retries 5xx, 409 and connection errors (maxNetworkRetries) but a 429 only when the
   * response says `stripe-should-retry: true`.
   */
  failNext(count: number, status: number, body?: unknown, options?: FailureOptions): void;
  /** Injected failures not yet consumed. */
  pendingFailures(): number;
  /** Forgets saved idempotent responses, as if Stripe's 24-hour replay window had passed. */
  expireIdempotencyKeys(): void;
  /**
   * Records a payment on an open (or uncollectible) invoice: `amount` defaults to the whole remainder;
   * a smaller amount is a partial payment (amount_paid accumulates). The invoice becomes `paid` when
   * nothing remains. Throws on a non-positive amount, an overpayment or a wrong status. Returns the
   * live invoice.
   */
  pay(invoiceId: string, amount?: number): StripeObject;
  /** Voids an open or uncollectible invoice (throws otherwise). Returns the live invoice. */
  void(invoiceId: string): StripeObject;
  /**
   * An invoice finalized in the past, as a Stripe account's history holds it (for the list endpoint):
   * its customer is found by name or created; times are unix seconds. Returns the live invoice.
   */
  seedInvoice(invoice: SeedInvoice): StripeObject;
  /** Marks an open invoice uncollectible (throws otherwise). Returns the live invoice. */
  markUncollectible(invoiceId: string): StripeObject;
  /** Credit notes by id (`GET /v1/credit_notes?invoice=` lists them). */
  creditNotes: Map<string, StripeObject>;
  /** A credit note made in the Dashboard on an open invoice (`amount` in minor units); throws on a bad amount. Returns it. */
  creditNote(invoiceId: string, amount: number, memo?: string): StripeObject;
  /** Voids a credit note of a still-open invoice, as the Dashboard does. Returns it. */
  voidCreditNote(creditNoteId: string): StripeObject;
  /** A full Stripe event whose `data.object` is a copy of the credit note now (`credit_note.created`, `credit_note.voided`). */
  creditNoteEvent(type: string, creditNoteId: string): StripeObject;
  /** The `hosted_invoice_url` given to invoices finalized from now on (a misbehaving Stripe); default `<url>/pay/<id>`. */
  hostInvoicesAt(url: (invoiceId: string) => string): void;
  /** A full Stripe event (snapshot event, API v1 shape) whose `data.object` is a copy of the invoice now. */
  event(type: string, invoiceId: string): StripeObject;
  /**
   * Serializes `event` and signs it like Stripe does (`Stripe-Signature: t=..,v1=..`). `secret` and
   * `timestamp` (unix seconds) can be overridden to forge wrong or stale signatures.
   */
  signedDelivery(event: StripeObject, options?: { secret?: string; timestamp?: number }): { body: string; headers: Record<string, string> };
  close(): Promise<void>;
}

export interface SeedInvoice {
  customerName: string;
  number: string;
  currency: string;
  total: number;
  /** Finalized at (and created at) this unix time. */
  created: number;
  dueDate: number | null;
  status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';
  amountPaid?: number;
  paidAt?: number | null;
  metadata?: Record<string, string>;
}

export const FAKE_STRIPE_API_VERSION = '2026-10-28.endive';

/**
 * Stripe's own currency rules (docs.stripe.com/currencies), kept here apart from duebot's table so the
 * adapter is checked against them rather than against itself: amounts are integers of Stripe's minor
 * unit; ISK is two-decimal in the API and must be a multiple of 100 (whole kronur); the three-decimal
 * currencies must end in 0. Zero-decimal currencies (JPY, MGA, ...) are whole units.
 */
const STRIPE_THREE_DECIMAL = ['bhd', 'jod', 'kwd', 'omr', 'tnd'];
function stripeUnitProblem(amount: number, currency: string): string | null {
  const code = currency.toLowerCase();
  if (code === 'isk' && amount % 100 !== 0) return `Invalid amount for isk: ISK amounts must be whole kronur, a multiple of 100 (got ${amount}).`;
  if (STRIPE_THREE_DECIMAL.includes(code) && amount % 10 !== 0) return `Invalid amount for ${code}: the last digit of a three-decimal amount must be 0 (got ${amount}).`;
  return null;
}
/** Stripe's zero-decimal currencies: amounts in them are whole units (the fake's pages show them so). */
export const STRIPE_ZERO_DECIMAL = ['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf'];

/** A Stripe amount in major units as the hosted page shows it to the client, e.g. 150000 isk → "1500.00". */
export function stripeMajor(amount: number, currency: string): string {
  const code = currency.toLowerCase();
  const exp = STRIPE_ZERO_DECIMAL.includes(code) ? 0 : STRIPE_THREE_DECIMAL.includes(code) ? 3 : 2;
  const digits = Math.abs(amount)
    .toString()
    .padStart(exp + 1, '0');
  return (amount < 0 ? '-' : '') + (exp === 0 ? digits : `${digits.slice(0, -exp)}.${digits.slice(-exp)}`);
}

const newId = (prefix: string) => `${prefix}_${randomBytes(7).toString('hex')}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A Stripe event (as its webhooks deliver it) about a copy of `object`. */
function eventAbout(type: string, object: unknown) {
  return {
    id: newId('evt'),
    object: 'event',
    api_version: FAKE_STRIPE_API_VERSION,
    created: nowSeconds(),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object: clone(object) },
  };
}

function stripeError(status: number, type: string, message: string, extra: { code?: string; param?: string } = {}): StubReply {
  return { status, body: { error: { type, message, ...extra } } };
}
const invalid = (message: string, extra: { code?: string; param?: string } = {}) => stripeError(400, 'invalid_request_error', message, extra);
const missing = (param: string) => invalid(`Missing required param: ${param}.`, { code: 'parameter_missing', param });
const noSuch = (kind: string, id: string, param?: string) =>
  stripeError(param ? 400 : 404, 'invalid_request_error', `No such ${kind}: '${id}'`, { code: 'resource_missing', ...(param ? { param } : {}) });

function defaultFailureBody(status: number): unknown {
  if (status === 429) return { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Request rate limit exceeded. (injected by fake Stripe)' } };
  if (status === 401) return { error: { type: 'invalid_request_error', message: 'Invalid API Key provided (injected by fake Stripe)' } };
  if (status === 409) return { error: { type: 'invalid_request_error', code: 'lock_timeout', message: 'This object cannot be accessed right now (injected by fake Stripe)' } };
  if (status >= 500) return { error: { type: 'api_error', message: `Something went wrong on Stripe's end (injected ${status})` } };
  return { error: { type: 'invalid_request_error', message: `injected ${status} by fake Stripe` } };
}

/** `metadata['k']:'v' AND email:'x'` → clauses; null when the query is outside the supported grammar. */
export function parseSearchQuery(query: string): { field: string; metadataKey: string | null; value: string }[] | null {
  const clauses: { field: string; metadataKey: string | null; value: string }[] = [];
  const clause = /^\s*(?:metadata\['((?:[^'\\]|\\.)*)'\]|([a-z_]+)):'((?:[^'\\]|\\.)*)'\s*/;
  const unescape = (s: string) => s.replace(/\\(.)/g, '$1');
  let rest = query;
  for (;;) {
    const m = clause.exec(rest);
    if (!m) return null;
    clauses.push(m[1] !== undefined ? { field: 'metadata', metadataKey: unescape(m[1]), value: unescape(m[3]!) } : { field: m[2]!, metadataKey: null, value: unescape(m[3]!) });
    rest = rest.slice(m[0].length);
    if (rest === '') return clauses;
    if (!rest.startsWith('AND ')) return null;
    rest = rest.slice(4);
  }
}

export async function startFakeStripe(options: FakeStripeOptions = {}): Promise<FakeStripe> {
  const webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(16).toString('hex')}`;
  const searchDelayMs = options.searchDelayMs ?? 0;
  const customers = new Map<string, StripeObject>();
  const invoices = new Map<string, StripeObject>();
  const invoiceItems = new Map<string, StripeObject>();
  const taxRates = new Map<string, StripeObject>();
  const creditNotes = new Map<string, StripeObject>();
  const requests: RecordedRequest[] = [];
  const indexedAt = new Map<string, number>();
  const saved = new Map<string, { fingerprint: string; reply: StubReply; at: number }>();
  const clockMs = options.now ?? Date.now;
  const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
  let failure: {
    left: number;
    status: number;
    body: unknown;
    headers: Record<string, string>;
    path: string | RegExp | null;
    method: string | null;
    saved: boolean;
    drop: boolean;
  } | null = null;
  let numberSeq = 0;
  let hostedUrl = (id: string) => `${baseUrl}/pay/${id}`;
  let baseUrl = '';

  const created = <T extends StripeObject>(map: Map<string, StripeObject>, obj: T): T => {
    map.set(obj.id, obj);
    indexedAt.set(obj.id, Date.now() + searchDelayMs);
    return obj;
  };

  const linesOf = (inv: StripeObject) => inv.lines as { data: StripeObject[]; total_count: number };
  const transitions = (inv: StripeObject) => inv.status_transitions as Record<string, number | null>;
  /** Percentage string → millionths of the amount ("8.25" → 82_500), so tax is integer arithmetic. */
  const millionths = (pct: string) => {
    const [w, f = ''] = pct.split('.');
    return Number(w) * 10_000 + Number(f.padEnd(4, '0').slice(0, 4));
  };
  /** Stripe rounds each line's tax half up to the minor unit. */
  const roundDiv = (n: number, d: number) => Math.floor((2 * n + d) / (2 * d));
  const lineTax = (amount: number, rate: StripeObject) => {
    const p = millionths(String(rate.percentage));
    return rate.inclusive ? amount - roundDiv(amount * 1_000_000, 1_000_000 + p) : roundDiv(amount * p, 1_000_000);
  };
  const recompute = (inv: StripeObject) => {
    const subtotal = linesOf(inv).data.reduce((acc, line) => acc + (line.amount as number), 0);
    const rates = (inv.default_tax_rates as StripeObject[]) ?? [];
    const totals = new Map<string, { amount: number; taxable: number; inclusive: boolean }>();
    for (const line of linesOf(inv).data) {
      line.taxes = rates.map((rate) => {
        const amount = lineTax(line.amount as number, rate);
        const taxable = rate.inclusive ? (line.amount as number) - amount : (line.amount as number);
        const t = totals.get(rate.id) ?? { amount: 0, taxable: 0, inclusive: Boolean(rate.inclusive) };
        totals.set(rate.id, { ...t, amount: t.amount + amount, taxable: t.taxable + taxable });
        return {
          amount,
          tax_behavior: rate.inclusive ? 'inclusive' : 'exclusive',
          tax_rate_details: { tax_rate: rate.id },
          taxability_reason: 'standard_rated',
          taxable_amount: taxable,
          type: 'tax_rate_details',
        };
      });
    }
    inv.total_taxes = [...totals.entries()].map(([id, t]) => ({
      amount: t.amount,
      tax_behavior: t.inclusive ? 'inclusive' : 'exclusive',
      tax_rate_details: { tax_rate: id },
      taxability_reason: 'standard_rated',
      taxable_amount: t.taxable,
      type: 'tax_rate_details',
    }));
    const exclusive = [...totals.values()].filter((t) => !t.inclusive).reduce((acc, t) => acc + t.amount, 0);
    const inclusive = [...totals.values()].filter((t) => t.inclusive).reduce((acc, t) => acc + t.amount, 0);
    const total = subtotal + exclusive;
    inv.subtotal = subtotal;
    inv.subtotal_excluding_tax = subtotal - inclusive;
    inv.total = total;
    inv.total_excluding_tax = total - exclusive - inclusive;
    inv.amount_due = total;
    inv.amount_remaining = total - (inv.amount_paid as number);
    linesOf(inv).total_count = linesOf(inv).data.length;
  };

  function createTaxRate(body: Record<string, unknown>): StubReply {
    if (typeof body.display_name !== 'string' || !body.display_name) return missing('display_name');
    if (typeof body.percentage !== 'string' || !/^\d{1,3}(\.\d{1,4})?$/.test(body.percentage) || Number(body.percentage) > 100)
      return invalid('Invalid decimal: percentage', { param: 'percentage' });
    if (body.inclusive === undefined) return missing('inclusive');
    const rate = created(taxRates, {
      id: newId('txr'),
      object: 'tax_rate',
      active: true,
      display_name: body.display_name,
      percentage: Number(body.percentage),
      effective_percentage: Number(body.percentage),
      inclusive: body.inclusive === 'true',
      country: body.country ?? null,
      jurisdiction: body.jurisdiction ?? null,
      description: body.description ?? null,
      rate_type: 'percentage',
      metadata: body.metadata ?? {},
      created: nowSeconds(),
      livemode: false,
    });
    return { status: 200, body: rate };
  }

  // Transitions shared by the HTTP routes (which answer 400) and the test helpers (which throw).
  function applyPayment(inv: StripeObject, amount: number | undefined): string | null {
    if (inv.status !== 'open' && inv.status !== 'uncollectible') return `invoice ${inv.id} is ${String(inv.status)}; only open or uncollectible invoices can be paid`;
    const remaining = inv.amount_remaining as number;
    const paying = amount ?? remaining;
    if (!Number.isSafeInteger(paying) || paying <= 0) return `payment amount must be a positive integer of minor units, got ${paying}`;
    if (paying > remaining) return `payment of ${paying} exceeds the ${remaining} remaining on ${inv.id}`;
    inv.amount_paid = (inv.amount_paid as number) + paying;
    inv.amount_remaining = remaining - paying;
    if (inv.amount_remaining === 0) {
      inv.status = 'paid';
      transitions(inv).paid_at = nowSeconds();
    }
    return null;
  }
  /**
   * A pre-payment credit note on an open invoice: lowers amount_due and amount_remaining, adds to
   * pre_payment_credit_notes_amount; amount_paid is untouched. Crediting all that remains makes the
   * invoice paid, as Stripe does. Returns the credit note, or the problem.
   */
  function applyCreditNote(inv: StripeObject, amount: number, memo: string | null): StripeObject | string {
    if (inv.status !== 'open') return `fake Stripe models credit notes on open invoices only (${inv.id} is ${String(inv.status)}).`;
    const unitProblem = stripeUnitProblem(amount, String(inv.currency));
    if (unitProblem) return unitProblem;
    if (!Number.isSafeInteger(amount) || amount <= 0 || amount > (inv.amount_remaining as number))
      return `The sum of credit amount (${amount}) must be positive and at most the amount remaining.`;
    inv.amount_due = (inv.amount_due as number) - amount;
    inv.amount_remaining = (inv.amount_remaining as number) - amount;
    inv.pre_payment_credit_notes_amount = ((inv.pre_payment_credit_notes_amount as number | undefined) ?? 0) + amount;
    if (inv.amount_remaining === 0) {
      inv.status = 'paid';
      transitions(inv).paid_at = nowSeconds();
    }
    return created(creditNotes, {
      id: newId('cn'),
      object: 'credit_note',
      invoice: inv.id,
      customer: inv.customer,
      amount,
      subtotal: amount,
      total: amount,
      currency: inv.currency,
      memo,
      type: 'pre_payment',
      status: 'issued',
      pre_payment_amount: amount,
      post_payment_amount: 0,
      reason: null,
      number: `${String(inv.number)}-CN-${creditNotes.size + 1}`,
      voided_at: null,
      created: nowSeconds(),
      livemode: false,
      metadata: {},
    });
  }
  /** Voiding a credit note on a still-open invoice gives the amount back to what is due. */
  function applyCreditNoteVoid(note: StripeObject): string | null {
    if (note.status === 'void') return `Credit note ${note.id} is already voided.`;
    const inv = invoices.get(String(note.invoice))!;
    if (inv.status !== 'open') return `fake Stripe voids credit notes of open invoices only (${inv.id} is ${String(inv.status)}).`;
    const amount = note.amount as number;
    inv.amount_due = (inv.amount_due as number) + amount;
    inv.amount_remaining = (inv.amount_remaining as number) + amount;
    inv.pre_payment_credit_notes_amount = (inv.pre_payment_credit_notes_amount as number) - amount;
    note.status = 'void';
    note.voided_at = nowSeconds();
    return null;
  }
  function applyVoid(inv: StripeObject): string | null {
    if (inv.status !== 'open' && inv.status !== 'uncollectible') return `You can only pass in open or uncollectible invoices (${inv.id} is ${String(inv.status)}).`;
    inv.status = 'void';
    transitions(inv).voided_at = nowSeconds();
    return null;
  }
  function applyUncollectible(inv: StripeObject): string | null {
    if (inv.status !== 'open') return `You can only mark open invoices as uncollectible (${inv.id} is ${String(inv.status)}).`;
    inv.status = 'uncollectible';
    transitions(inv).marked_uncollectible_at = nowSeconds();
    return null;
  }

  function search(map: Map<string, StripeObject>, path: string, query: Record<string, unknown>): StubReply {
    if (typeof query.query !== 'string') return missing('query');
    const clauses = parseSearchQuery(query.query);
    if (!clauses)
      return invalid(`fake Stripe cannot parse search query ${JSON.stringify(query.query)} (supported: field:'v' and metadata['k']:'v' joined by AND)`, { param: 'query' });
    const limit = query.limit === undefined ? 10 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return invalid('Invalid limit: must be between 1 and 100', { param: 'limit' });
    const now = Date.now();
    const matches = [...map.values()].filter(
      (obj) =>
        (indexedAt.get(obj.id) ?? 0) <= now &&
        clauses.every((c) => String((c.metadataKey !== null ? (obj.metadata as Record<string, unknown>)[c.metadataKey] : obj[c.field]) ?? '') === c.value),
    );
    return {
      status: 200,
      body: { object: 'search_result', data: matches.slice(0, limit), has_more: matches.length > limit, next_page: null, total_count: matches.length, url: path },
    };
  }

  /** Stripe's list shape and cursor rules: newest first; `starting_after` continues after that object. */
  function listInvoices(query: Record<string, unknown>): StubReply {
    const limit = query.limit === undefined ? 10 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return invalid('Invalid limit: must be between 1 and 100', { param: 'limit' });
    const created = (query.created ?? {}) as Record<string, string>;
    const bounds: [string, (a: number, b: number) => boolean][] = [
      ['gte', (a, b) => a >= b],
      ['gt', (a, b) => a > b],
      ['lte', (a, b) => a <= b],
      ['lt', (a, b) => a < b],
    ];
    let all = [...invoices.values()]
      .filter((inv) => bounds.every(([op, test]) => created[op] === undefined || test(inv.created as number, Number(created[op]))))
      .filter((inv) => query.customer === undefined || inv.customer === query.customer)
      .filter((inv) => query.status === undefined || inv.status === query.status)
      .sort((a, b) => (b.created as number) - (a.created as number) || b.id.localeCompare(a.id));
    for (const [cursor, after] of [
      ['starting_after', true],
      ['ending_before', false],
    ] as const) {
      if (query[cursor] === undefined) continue;
      const at = all.findIndex((inv) => inv.id === query[cursor]);
      if (at < 0) return noSuch('invoice', String(query[cursor]), cursor);
      all = after ? all.slice(at + 1) : all.slice(Math.max(0, at - limit), at);
    }
    return { status: 200, body: { object: 'list', data: all.slice(0, limit), has_more: all.length > limit, url: '/v1/invoices' } };
  }

  function route(method: string, path: string, body: Record<string, unknown>, query: Record<string, unknown>): StubReply {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/customers') {
      const customer = created(customers, {
        id: newId('cus'),
        object: 'customer',
        name: body.name ?? null,
        email: body.email ?? null,
        description: body.description ?? null,
        metadata: body.metadata ?? {},
        created: nowSeconds(),
        livemode: false,
        currency: null,
        balance: 0,
        delinquent: false,
      });
      return { status: 200, body: customer };
    }
    if (method === 'GET' && path === '/v1/customers/search') return search(customers, path, query);
    if (method === 'GET' && path === '/v1/customers') {
      const limit = query.limit === undefined ? 10 : Number(query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) return invalid('Invalid limit: must be between 1 and 100', { param: 'limit' });
      // Stripe's email filter is exact and case-sensitive; newest first.
      const all = [...customers.values()].filter((c) => query.email === undefined || c.email === query.email).sort((a, b) => (b.created as number) - (a.created as number));
      return { status: 200, body: { object: 'list', data: all.slice(0, limit), has_more: all.length > limit, url: '/v1/customers' } };
    }
    if (method === 'GET' && (m = /^\/v1\/customers\/([^/]+)$/.exec(path))) {
      const customer = customers.get(m[1]!);
      return customer ? { status: 200, body: customer } : noSuch('customer', m[1]!);
    }
    if (method === 'POST' && (m = /^\/v1\/customers\/([^/]+)$/.exec(path))) {
      const customer = customers.get(m[1]!);
      if (!customer) return noSuch('customer', m[1]!);
      // Metadata merges key by key; an empty value removes the key.
      const metadata = { ...(customer.metadata as Record<string, string>) };
      for (const [k, v] of Object.entries((body.metadata as Record<string, string> | undefined) ?? {})) {
        if (v === '') delete metadata[k];
        else metadata[k] = v;
      }
      customer.metadata = metadata;
      return { status: 200, body: customer };
    }
    if (method === 'POST' && path === '/v1/tax_rates') return createTaxRate(body);
    if (method === 'GET' && (m = /^\/v1\/tax_rates\/([^/]+)$/.exec(path))) {
      const rate = taxRates.get(m[1]!);
      return rate ? { status: 200, body: rate } : noSuch('tax_rate', m[1]!);
    }

    if (method === 'POST' && path === '/v1/invoices') {
      if (!body.customer) return missing('customer');
      const customer = customers.get(String(body.customer));
      if (!customer) return noSuch('customer', String(body.customer), 'customer');
      const collection = String(body.collection_method ?? 'charge_automatically');
      if (collection === 'send_invoice' && body.days_until_due === undefined && body.due_date === undefined) return missing('days_until_due');
      const daysUntilDue = body.days_until_due === undefined ? null : Number(body.days_until_due);
      if (daysUntilDue !== null && (!Number.isInteger(daysUntilDue) || daysUntilDue < 0)) return invalid('Invalid integer: days_until_due', { param: 'days_until_due' });
      if (body.due_date !== undefined && (!/^\d+$/.test(String(body.due_date)) || Number(body.due_date) <= nowSeconds())) {
        return invalid('Invalid timestamp: must be an integer Unix timestamp in the future.', { param: 'due_date' });
      }
      const rateIds = body.default_tax_rates === undefined ? [] : Array.isArray(body.default_tax_rates) ? (body.default_tax_rates as string[]) : null;
      if (rateIds === null) return invalid('Invalid array', { param: 'default_tax_rates' });
      const rates: StripeObject[] = [];
      for (const rateId of rateIds) {
        const rate = taxRates.get(String(rateId));
        if (!rate) return noSuch('tax_rate', String(rateId), 'default_tax_rates');
        if (rate.active === false) return invalid(`The tax rate ${rate.id} is archived and cannot be applied to new invoices.`, { param: 'default_tax_rates' });
        rates.push(rate);
      }
      const id = newId('in');
      const inv = created(invoices, {
        default_tax_rates: rates,
        total_taxes: [],
        id,
        object: 'invoice',
        customer: customer.id,
        customer_email: customer.email,
        customer_name: customer.name,
        status: 'draft',
        currency: String(body.currency ?? 'usd').toLowerCase(),
        collection_method: collection,
        days_until_due: daysUntilDue,
        due_date: body.due_date === undefined ? null : Number(body.due_date),
        description: body.description ?? null,
        metadata: body.metadata ?? {},
        auto_advance: body.auto_advance === 'true',
        pending_invoice_items_behavior: body.pending_invoice_items_behavior ?? 'exclude',
        number: typeof body.number === 'string' && body.number !== '' ? body.number : null,
        hosted_invoice_url: null,
        invoice_pdf: null,
        amount_due: 0,
        amount_paid: 0,
        amount_remaining: 0,
        pre_payment_credit_notes_amount: 0,
        post_payment_credit_notes_amount: 0,
        subtotal: 0,
        subtotal_excluding_tax: 0,
        total: 0,
        total_excluding_tax: 0,
        status_transitions: { finalized_at: null, paid_at: null, voided_at: null, marked_uncollectible_at: null },
        created: nowSeconds(),
        livemode: false,
        lines: { object: 'list', data: [], has_more: false, total_count: 0, url: `/v1/invoices/${id}/lines` },
      });
      return { status: 200, body: inv };
    }
    if (method === 'GET' && path === '/v1/invoices/search') return search(invoices, path, query);
    if (method === 'GET' && path === '/v1/invoices') return listInvoices(query);

    if (method === 'POST' && path === '/v1/invoiceitems') {
      if (!body.customer) return missing('customer');
      if (!customers.has(String(body.customer))) return noSuch('customer', String(body.customer), 'customer');
      // Pending items (no `invoice`) get swept into a later invoice at Stripe; duebot never relies on that.
      if (!body.invoice) return invalid('fake Stripe models only invoice items attached to a draft invoice: pass `invoice`', { param: 'invoice' });
      const inv = invoices.get(String(body.invoice));
      if (!inv) return noSuch('invoice', String(body.invoice), 'invoice');
      if (inv.customer !== body.customer) return invalid(`The invoice ${inv.id} belongs to a different customer.`, { param: 'invoice' });
      if (inv.status !== 'draft') return invalid('You can only add invoice items to draft invoices.', { code: 'invoice_not_editable', param: 'invoice' });
      if (body.amount === undefined) return missing('amount');
      if (typeof body.amount !== 'string' || !/^-?\d+$/.test(body.amount) || !Number.isSafeInteger(Number(body.amount)))
        return invalid('Invalid integer: amount', { code: 'parameter_invalid_integer', param: 'amount' });
      const currency = String(body.currency ?? inv.currency).toLowerCase();
      if (currency !== inv.currency) return invalid(`The currency of the invoice item (${currency}) must match the invoice's (${String(inv.currency)}).`, { param: 'currency' });
      const amount = Number(body.amount);
      const unitProblem = stripeUnitProblem(amount, currency);
      if (unitProblem) return invalid(unitProblem, { code: 'amount_invalid', param: 'amount' });
      const metadata = body.metadata ?? {};
      const item = created(invoiceItems, {
        id: newId('ii'),
        object: 'invoiceitem',
        amount,
        currency,
        customer: inv.customer,
        description: body.description ?? null,
        invoice: inv.id,
        metadata,
        quantity: 1,
        date: nowSeconds(),
        livemode: false,
      });
      linesOf(inv).data.push({
        id: newId('il'),
        object: 'line_item',
        amount,
        currency,
        description: item.description,
        invoice: inv.id,
        metadata: clone(metadata),
        quantity: 1,
        livemode: false,
        parent: { type: 'invoice_item_details', invoice_item_details: { invoice_item: item.id } },
      });
      recompute(inv);
      return { status: 200, body: item };
    }

    if (method === 'POST' && path === '/v1/credit_notes') {
      if (!body.invoice) return missing('invoice');
      const inv = invoices.get(String(body.invoice));
      if (!inv) return noSuch('invoice', String(body.invoice), 'invoice');
      if (typeof body.amount !== 'string' || !/^\d+$/.test(body.amount)) return invalid('fake Stripe models credit notes with `amount` only', { param: 'amount' });
      const made = applyCreditNote(inv, Number(body.amount), body.memo === undefined ? null : String(body.memo));
      return typeof made === 'string' ? invalid(made, { param: made.includes('amount') ? 'amount' : 'invoice' }) : { status: 200, body: made };
    }
    if (method === 'GET' && path === '/v1/credit_notes') {
      // Listed newest first, optionally for one invoice; `limit` 1..100, no cursor beyond one page here.
      const limit = query.limit === undefined ? 10 : Number(query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) return invalid('Invalid limit: must be between 1 and 100', { param: 'limit' });
      const all = [...creditNotes.values()]
        .filter((n) => query.invoice === undefined || n.invoice === query.invoice)
        .sort((a, b) => (b.created as number) - (a.created as number) || b.id.localeCompare(a.id));
      return { status: 200, body: { object: 'list', data: all.slice(0, limit), has_more: all.length > limit, url: '/v1/credit_notes' } };
    }
    if ((m = /^\/v1\/credit_notes\/([^/]+)(\/void)?$/.exec(path))) {
      const note = creditNotes.get(m[1]!);
      if (!note) return noSuch('credit_note', m[1]!);
      if (method === 'GET' && !m[2]) return { status: 200, body: note };
      if (method === 'POST' && m[2]) {
        const problem = applyCreditNoteVoid(note);
        return problem ? invalid(problem) : { status: 200, body: note };
      }
    }
    if ((m = /^\/v1\/invoices\/([^/]+)(?:\/(lines|finalize|void|mark_uncollectible))?$/.exec(path))) {
      const inv = invoices.get(m[1]!);
      if (!inv) return noSuch('invoice', m[1]!);
      const action = m[2];
      if (method === 'GET' && !action) return { status: 200, body: inv };
      if (method === 'POST' && !action) {
        // Update: the fake models `due_date` on drafts (Stripe allows more).
        if (inv.status !== 'draft') return invalid('You can only update the due date of draft invoices.', { code: 'invoice_not_editable' });
        if (body.due_date !== undefined) {
          if (!/^\d+$/.test(String(body.due_date)) || Number(body.due_date) <= nowSeconds())
            return invalid('Invalid timestamp: must be an integer Unix timestamp in the future.', { param: 'due_date' });
          inv.due_date = Number(body.due_date);
          inv.days_until_due = null;
        }
        return { status: 200, body: inv };
      }
      if (method === 'GET' && action === 'lines') {
        const data = linesOf(inv).data;
        return { status: 200, body: { object: 'list', data, has_more: false, total_count: data.length, url: `/v1/invoices/${inv.id}/lines` } };
      }
      if (method === 'POST' && action === 'finalize') {
        if (inv.status !== 'draft') return invalid(`This invoice is already finalized, you can't re-finalize a non-draft invoice.`, { code: 'invoice_not_editable' });
        if (body.auto_advance !== undefined) inv.auto_advance = body.auto_advance === 'true';
        recompute(inv);
        inv.status = 'open';
        if (inv.number === null) inv.number = `FAKE-${String(++numberSeq).padStart(4, '0')}`;
        inv.hosted_invoice_url = hostedUrl(String(inv.id));
        inv.invoice_pdf = `${baseUrl}/pay/${inv.id}/pdf`;
        transitions(inv).finalized_at = nowSeconds();
        if (inv.due_date === null && inv.days_until_due !== null) inv.due_date = nowSeconds() + (inv.days_until_due as number) * 86_400;
        // Stripe marks a zero-total invoice paid the moment it is finalized.
        if (inv.amount_due === 0) {
          inv.status = 'paid';
          transitions(inv).paid_at = nowSeconds();
        }
        return { status: 200, body: inv };
      }
      if (method === 'POST' && (action === 'void' || action === 'mark_uncollectible')) {
        const problem = action === 'void' ? applyVoid(inv) : applyUncollectible(inv);
        return problem ? invalid(problem, { code: 'invoice_not_open' }) : { status: 200, body: inv };
      }
    }
    return stripeError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`);
  }

  function paymentPage(path: string): StubReply {
    const [, , invoiceId, pdf] = path.split('/');
    const inv = invoices.get(invoiceId ?? '');
    if (!inv || inv.status === 'draft') return { status: 404, body: '<!doctype html><title>Not found</title><p>This invoice link is not valid.</p>' };
    if (pdf === 'pdf') return { status: 200, headers: { 'content-type': 'application/pdf' }, body: `%PDF-1.4\n% fake invoice ${String(inv.number)}\n%%EOF\n` };
    const due = `${stripeMajor(inv.amount_remaining as number, String(inv.currency))} ${String(inv.currency).toUpperCase()}`;
    return {
      status: 200,
      body: `<!doctype html><title>Invoice ${String(inv.number)}</title><h1>Invoice ${String(inv.number)}</h1><p>Status: <b>${String(inv.status)}</b></p><p>Amount remaining: ${due}</p>`,
    };
  }

  const stub = await startStub((req) => {
    const method = req.method;
    const query = qs.parse(req.query.toString()) as Record<string, unknown>;
    const body = (method === 'GET' || method === 'DELETE' ? {} : qs.parse(req.body)) as Record<string, unknown>;
    const idempotencyKey = (req.headers['idempotency-key'] as string | undefined) ?? null;
    const entry: RecordedRequest = { method, path: req.path, query, body, idempotencyKey, status: 0, errorType: null };
    requests.push(entry);
    const answer = (reply: StubReply): StubReply => {
      entry.status = reply.status;
      entry.errorType = (reply.body as { error?: { type?: string } } | undefined)?.error?.type ?? null;
      return { ...reply, headers: { 'request-id': newId('req'), ...(reply.headers ?? {}) } };
    };

    if (method === 'GET' && req.path.startsWith('/pay/')) return answer(paymentPage(req.path));
    if (!/^Bearer sk_(test|live)_\S+$/.test(String(req.headers.authorization ?? ''))) {
      return answer(stripeError(401, 'invalid_request_error', 'Invalid API Key provided.'));
    }
    const saveKey = method === 'POST' && idempotencyKey ? idempotencyKey : null;
    const fingerprint = `${method} ${req.path} ${req.body}`;
    for (const [key, kept] of saved) if (clockMs() - kept.at >= KEY_LIFETIME_MS) saved.delete(key);
    const previous = saveKey ? saved.get(saveKey) : undefined;
    const failing =
      failure &&
      failure.left > 0 &&
      (failure.method === null || failure.method === method) &&
      (failure.path === null || (typeof failure.path === 'string' ? failure.path === req.path : failure.path.test(req.path)));
    let drop = false;
    if (failure && failing && failure.drop) {
      failure.left -= 1;
      drop = true;
    } else if (failure && failing) {
      failure.left -= 1;
      const reply: StubReply = { status: failure.status, headers: failure.headers, body: failure.body };
      if (failure.saved && saveKey) saved.set(saveKey, { fingerprint, reply: { status: reply.status, body: clone(reply.body) }, at: clockMs() });
      return answer(reply);
    }
    if (previous) {
      if (previous.fingerprint !== fingerprint) {
        return answer(
          stripeError(
            400,
            'idempotency_error',
            `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${saveKey}' if you meant to execute a different request.`,
          ),
        );
      }
      return answer({ ...previous.reply, headers: { 'idempotent-replayed': 'true' }, drop });
    }
    // Responses are frozen copies: later changes to the live object must not leak into a replay.
    const reply = route(method, req.path, body, query);
    const frozen: StubReply = { status: reply.status, body: clone(reply.body) };
    if (saveKey) saved.set(saveKey, { fingerprint, reply: frozen, at: clockMs() });
    return answer({ ...frozen, drop });
  });
  baseUrl = `http://127.0.0.1:${stub.port}`;

  const mustGet = (invoiceId: string) => {
    const inv = invoices.get(invoiceId);
    if (!inv) throw new Error(`fake Stripe: no invoice ${invoiceId}`);
    return inv;
  };
  const orThrow = (problem: string | null) => {
    if (problem) throw new Error(`fake Stripe: ${problem}`);
  };

  return {
    url: baseUrl,
    webhookSecret,
    customers,
    invoices,
    invoiceItems,
    taxRates,
    requests,
    createTaxRate(displayName, percentage, opts = {}) {
      const reply = createTaxRate({ display_name: displayName, percentage, inclusive: String(Boolean(opts.inclusive)) });
      if (reply.status !== 200) throw new Error(`fake Stripe: ${JSON.stringify(reply.body)}`);
      return (reply.body as StripeObject).id;
    },
    failNext(count, status, body, opts = {}) {
      const headers = { ...(status === 429 ? { 'retry-after': '1' } : {}), ...(opts.headers ?? {}) };
      failure =
        count > 0
          ? {
              left: count,
              status,
              body: body ?? defaultFailureBody(status),
              headers,
              path: opts.path ?? null,
              method: opts.method ?? null,
              saved: opts.saved ?? false,
              drop: opts.drop ?? false,
            }
          : null;
    },
    setTaxRateActive(taxRateId, active) {
      const rate = taxRates.get(taxRateId);
      if (!rate) throw new Error(`fake Stripe: no tax rate ${taxRateId}`);
      rate.active = active;
    },
    pendingFailures: () => failure?.left ?? 0,
    hostInvoicesAt(url) {
      hostedUrl = url;
    },
    expireIdempotencyKeys() {
      saved.clear();
    },
    pay(invoiceId, amount) {
      const inv = mustGet(invoiceId);
      orThrow(applyPayment(inv, amount));
      return inv;
    },
    void(invoiceId) {
      const inv = mustGet(invoiceId);
      orThrow(applyVoid(inv));
      return inv;
    },
    seedInvoice(seed) {
      const customer =
        [...customers.values()].find((c) => c.name === seed.customerName) ??
        created(customers, {
          id: newId('cus'),
          object: 'customer',
          name: seed.customerName,
          email: null,
          metadata: {},
          created: seed.created,
          livemode: false,
          balance: 0,
          delinquent: false,
        });
      const id = newId('in');
      const paid = seed.amountPaid ?? (seed.status === 'paid' ? seed.total : 0);
      const line = {
        id: newId('il'),
        object: 'line_item',
        amount: seed.total,
        currency: seed.currency.toLowerCase(),
        description: seed.number,
        invoice: id,
        metadata: {},
        quantity: 1,
        livemode: false,
      };
      return created(invoices, {
        id,
        object: 'invoice',
        customer: customer.id,
        customer_email: null,
        customer_name: seed.customerName,
        status: seed.status,
        currency: seed.currency.toLowerCase(),
        collection_method: 'send_invoice',
        days_until_due: null,
        due_date: seed.dueDate,
        description: null,
        metadata: seed.metadata ?? {},
        auto_advance: false,
        number: seed.status === 'draft' ? null : seed.number,
        hosted_invoice_url: `${baseUrl}/pay/${id}`,
        invoice_pdf: `${baseUrl}/pay/${id}/pdf`,
        amount_due: seed.total,
        amount_paid: paid,
        amount_remaining: seed.status === 'void' ? 0 : seed.total - paid,
        pre_payment_credit_notes_amount: 0,
        post_payment_credit_notes_amount: 0,
        subtotal: seed.total,
        subtotal_excluding_tax: seed.total,
        total: seed.total,
        total_excluding_tax: seed.total,
        status_transitions: {
          finalized_at: seed.status === 'draft' ? null : seed.created,
          paid_at: seed.status === 'paid' ? (seed.paidAt ?? seed.created) : null,
          voided_at: seed.status === 'void' ? seed.created : null,
          marked_uncollectible_at: seed.status === 'uncollectible' ? seed.created : null,
        },
        created: seed.created,
        livemode: false,
        lines: { object: 'list', data: [line], has_more: false, total_count: 1, url: `/v1/invoices/${id}/lines` },
      });
    },
    markUncollectible(invoiceId) {
      const inv = mustGet(invoiceId);
      orThrow(applyUncollectible(inv));
      return inv;
    },
    creditNotes,
    creditNote(invoiceId, amount, memo) {
      const made = applyCreditNote(mustGet(invoiceId), amount, memo ?? null);
      if (typeof made === 'string') throw new Error(`fake Stripe: ${made}`);
      return made;
    },
    voidCreditNote(creditNoteId) {
      const note = creditNotes.get(creditNoteId);
      if (!note) throw new Error(`fake Stripe: no credit note ${creditNoteId}`);
      orThrow(applyCreditNoteVoid(note));
      return note;
    },
    creditNoteEvent(type, creditNoteId) {
      const note = creditNotes.get(creditNoteId);
      if (!note) throw new Error(`fake Stripe: no credit note ${creditNoteId}`);
      return eventAbout(type, note);
    },
    event(type, invoiceId) {
      return eventAbout(type, mustGet(invoiceId));
    },
    signedDelivery(event, opts = {}) {
      const body = JSON.stringify(event);
      const header = Stripe.webhooks.generateTestHeaderString({
        payload: body,
        secret: opts.secret ?? webhookSecret,
        ...(opts.timestamp !== undefined ? { timestamp: opts.timestamp } : {}),
      });
      return { body, headers: { 'content-type': 'application/json', 'stripe-signature': header } };
    },
    close: stub.close,
  };
}

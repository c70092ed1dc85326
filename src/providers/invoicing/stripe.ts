import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import { formatMoney, money, normalizeCurrency } from '../../domain/money.js';
import { addPercents } from '../../domain/tax.js';
import type { InvoiceLine } from '../../domain/types.js';
import {
  WebhookSignatureError,
  type BackendCredit,
  type BackendEventKind,
  type BackendInvoice,
  type BackendInvoiceStatus,
  type BackendTax,
  type BackendWebhookEvent,
  type HistoricInvoice,
  type HistoryListOptions,
  type InvoicingBackend,
  type IssueInvoiceRequest,
} from './backend.js';
import { addDays, localDate, localTime } from '../../domain/calendar.js';
import { BackendError, backendErrorCode, retryAfterMs, type BackendErrorCode } from './errors.js';
import { observedCalls, unobserved, type CallObserver } from '../call-observer.js';
import { timestampProblem } from '../../http/signatures.js';
import { fromStripeAmount, toStripeAmount } from './stripe-currency.js';
import { ownValue } from '../../own-key.js';

export { BackendError, type BackendErrorCode } from './errors.js';

export interface StripeBackendOptions {
  secretKey: string;
  webhookSecret: string;
  /** e.g. `http://127.0.0.1:12111` for a local stand-in; null/absent = api.stripe.com. */
  apiUrl?: string | null;
  /** Told about every API call and rate-limit wait (the metrics); default: nobody. */
  observe?: CallObserver;
}

/** Stripe's own default: a signature older (or, here, newer) than this is refused. */
const SIGNATURE_TOLERANCE_SECONDS = 300;

const EVENT_KINDS: Record<string, BackendEventKind> = {
  'invoice.paid': 'paid',
  'invoice.payment_succeeded': 'payment',
  'invoice.voided': 'voided',
  'invoice.marked_uncollectible': 'uncollectible',
  // A credit note made in the Dashboard changes amount_remaining without a payment event.
  'invoice.updated': 'payment',
  'credit_note.created': 'credit',
  'credit_note.updated': 'credit',
  'credit_note.voided': 'credit',
};

const STATUSES: Record<string, BackendInvoiceStatus> = { draft: 'draft', open: 'open', paid: 'paid', void: 'void', uncollectible: 'uncollectible' };

/**
 * Stripe customers have no tax-rate field of their own (only `tax_exempt` and the address Stripe Tax
 * uses). The rate "configured on the customer" is therefore this metadata key on the Stripe customer,
 * edited in the Dashboard: Tax Rate ids (`txr_...`, comma-separated), applied as the invoice's
 * `default_tax_rates`. Without it the account's own setting applies (Stripe Tax's automatic tax when
 * the account enables it by default); either way duebot reads the tax back from `total_taxes`.
 */
export const CUSTOMER_TAX_RATES_KEY = 'tax_rates';

/** The customer's Tax Rate ids from its metadata; a malformed value is an error naming the customer and key. */
export function customerTaxRates(customer: Pick<Stripe.Customer, 'id' | 'metadata'>): string[] {
  const raw = customer.metadata?.[CUSTOMER_TAX_RATES_KEY]?.trim();
  if (!raw) return [];
  const ids = raw.split(/[\s,]+/).filter(Boolean);
  const bad = ids.find((id) => !/^txr_[A-Za-z0-9]+$/.test(id));
  if (bad) throw new BackendError(`Stripe customer ${customer.id}: metadata ${CUSTOMER_TAX_RATES_KEY} must list Tax Rate ids (txr_...), got "${bad}"`, 'invalid', false);
  return [...new Set(ids)];
}

/** Metadata key on each invoice item, so a re-run can tell which of our lines are already on a draft. */
const LINE_INDEX_KEY = 'duebot_line_index';
/** That key's value on the line carrying duebot's computed sales tax (IssueInvoiceRequest.salesTax). */
const SALES_TAX_LINE = 'sales-tax';

/** Client-level connection settings for `new Stripe(...)` from an `apiUrl` (the SDK has no per-request host). */
export function stripeConnection(apiUrl: string | null | undefined): { host: string; port: number; protocol: 'http' | 'https' } | Record<string, never> {
  if (!apiUrl) return {};
  const url = new URL(apiUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`Stripe apiUrl must be http(s), got ${apiUrl}`);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port ? Number(url.port) : protocol === 'https' ? 443 : 80, protocol };
}

/** A search-query string literal: Stripe's search syntax escapes quotes (and backslashes) with a backslash. */
export function searchLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** What a line looks like on the Stripe invoice: the quantity and unit price go in the text when not 1. */
export function stripeLineDescription(line: InvoiceLine, currency: string): string {
  if (line.quantity === '1') return line.description;
  return `${line.description} (${line.quantity} × ${formatMoney(money(line.unitAmount, currency))})`;
}

export function createStripeBackend(options: StripeBackendOptions): InvoicingBackend {
  const stripe = new Stripe(options.secretKey, { maxNetworkRetries: 2, timeout: 20_000, ...stripeConnection(options.apiUrl) });

  const observer = options.observe ?? unobserved;
  const call = observedCalls(observer, toBackendError, backendErrorCode);

  /**
   * Search lags up to a minute behind writes; a customer made by an earlier attempt in that window is
   * found by listing by email (list is consistent) and matching our metadata.
   */
  async function findOrCreateCustomer(customer: IssueInvoiceRequest['customer'], attempt: number): Promise<Stripe.Customer> {
    if (customer.providerCustomerId) {
      // Read every time: its tax rates may have changed since the last invoice.
      const existing = await call('retrieve customer', () => stripe.customers.retrieve(customer.providerCustomerId!));
      if (!existing.deleted) return existing;
    }
    const ours = (c: Stripe.Customer) => c.metadata?.duebot_client_id === customer.clientId;
    const found = await call('search customers', () => stripe.customers.search({ query: `metadata['duebot_client_id']:${searchLiteral(customer.clientId)}`, limit: 1 }));
    if (found.data[0]) return found.data[0];
    const email = customer.emails[0];
    if (email) {
      const listed = await call('list customers', () => stripe.customers.list({ email, limit: 100 }));
      const mine = listed.data.find(ours);
      if (mine) return mine;
    }
    const params: Stripe.CustomerCreateParams = { name: customer.name, ...(email ? { email } : {}), metadata: { duebot_client_id: customer.clientId } };
    // The key names the parameters it carries (a new name or email is a new request, never an
    // idempotency_error) and the attempt (a stored failure is left behind once its cause is fixed).
    return call('create customer', () => stripe.customers.create(params, { idempotencyKey: `duebot-customer-${customer.clientId}-${paramsHash(params)}-a${attempt}` }));
  }

  /**
   * Our invoice at Stripe, if an earlier attempt got that far. Idempotency keys replay for only 24 hours
   * and each attempt has its own, so a retry must find the invoice before creating one: by search
   * (misses the last minute's writes), then among the customer's newest invoices (list is consistent).
   */
  async function searchedInvoice(invoiceId: string): Promise<Stripe.Invoice | null> {
    const found = await call('search invoices', () => stripe.invoices.search({ query: `metadata['duebot_invoice_id']:${searchLiteral(invoiceId)}`, limit: 1 }));
    return found.data[0] ?? null;
  }
  async function listedInvoice(invoiceId: string, customer: string): Promise<Stripe.Invoice | null> {
    const recent = await call('list customer invoices', () => stripe.invoices.list({ customer, limit: 100 }));
    return recent.data.find((inv) => inv.metadata?.duebot_invoice_id === invoiceId) ?? null;
  }

  async function lineIndexesOn(invoice: Stripe.Invoice): Promise<Set<string>> {
    const indexes = new Set<string>();
    const lines = invoice.lines?.has_more
      ? await call('list invoice lines', () => stripe.invoices.listLineItems(invoice.id!, { limit: 100 }).autoPagingToArray({ limit: 10_000 }))
      : (invoice.lines?.data ?? []);
    for (const line of lines) {
      const index = line.metadata?.[LINE_INDEX_KEY];
      if (index !== undefined) indexes.add(index);
    }
    return indexes;
  }

  /** The invoice with its credit notes one by one (listed only when the invoice shows any). */
  async function withCredits(inv: Stripe.Invoice): Promise<BackendInvoice> {
    const read = toBackendInvoice(inv);
    if (read.amountCredited === 0) return { ...read, credits: [] };
    const notes = await call('list credit notes', () => stripe.creditNotes.list({ invoice: inv.id!, limit: 100 }).autoPagingToArray({ limit: 1000 }));
    return { ...read, credits: stripeCredits(notes, inv.currency) };
  }

  return {
    name: 'stripe',

    async issueInvoice(req) {
      // Stripe's units, checked before anything exists at Stripe: an amount it cannot hold is refused here.
      const lineAmounts = req.lines.map((line) => toStripeAmount(line.amount, req.currency));
      const salesTaxAmount = req.salesTax ? toStripeAmount(req.salesTax.amount, req.currency) : null;
      const key = (what: string) => `duebot-${what}-${req.invoiceId}-a${req.attempt}`;
      const remembered = req.customer.providerCustomerId;
      let existing = (await searchedInvoice(req.invoiceId)) ?? (remembered ? await listedInvoice(req.invoiceId, remembered) : null);
      if (existing && existing.status !== 'draft') return toBackendInvoice(existing);

      const currency = normalizeCurrency(req.currency).toLowerCase();
      const customerRecord = existing ? null : await findOrCreateCustomer(req.customer, req.attempt);
      if (!existing && customerRecord!.id !== remembered) existing = await listedInvoice(req.invoiceId, customerRecord!.id);
      if (existing && existing.status !== 'draft') return toBackendInvoice(existing);
      const customer = existing ? customerId(existing) : customerRecord!.id;
      // A tax duebot computed replaces the customer's configured rates: never both.
      const taxRates = customerRecord && !req.salesTax ? customerTaxRates(customerRecord) : [];
      const draft =
        existing ??
        (await call('create invoice', () =>
          stripe.invoices.create(
            {
              customer,
              ...(taxRates.length ? { default_tax_rates: taxRates } : {}),
              collection_method: 'send_invoice',
              // An instant, pinned by duebot: the end of the due day in the business time zone.
              due_date: stripeDueDate(req.dueDate, req.timezone),
              // duebot's number on the client's invoice (Stripe otherwise numbers it at finalization).
              number: req.number,
              currency,
              auto_advance: false,
              pending_invoice_items_behavior: 'exclude',
              description: req.memo,
              metadata: { ...req.metadata, duebot_invoice_id: req.invoiceId, duebot_number: req.number },
            },
            { idempotencyKey: key('invoice') },
          ),
        ));
      const draftId = draft.id!;
      // A draft from an earlier attempt keeps that attempt's due date; this attempt's pinned one replaces it
      // (an old date may have passed, and Stripe finalizes only with a due date ahead).
      const dueDate = stripeDueDate(req.dueDate, req.timezone);
      if (existing && existing.due_date !== dueDate)
        await call('update due date', () => stripe.invoices.update(draftId, { due_date: dueDate }, { idempotencyKey: key('due-date') }));
      // Lines already on the draft (from this or an earlier attempt) carry their index; only the rest are added.
      const present = await lineIndexesOn(draft);
      for (const [index, line] of req.lines.entries()) {
        if (present.has(String(index))) continue;
        await call('add invoice line', () =>
          stripe.invoiceItems.create(
            {
              customer,
              invoice: draftId,
              currency,
              amount: lineAmounts[index]!,
              description: stripeLineDescription(line, req.currency),
              metadata: { [LINE_INDEX_KEY]: String(index) },
            },
            { idempotencyKey: `${key('line')}-${index}` },
          ),
        );
      }
      // duebot's computed sales tax: a last invoice item of exactly that amount (Stripe's Tax Rates are
      // percentages, which cannot promise an exact amount), marked so a re-run finds it on the draft.
      if (req.salesTax && salesTaxAmount !== null && salesTaxAmount > 0 && !present.has(SALES_TAX_LINE)) {
        const tax = req.salesTax;
        await call('add sales tax line', () =>
          stripe.invoiceItems.create(
            {
              customer,
              invoice: draftId,
              currency,
              amount: salesTaxAmount,
              description: `${tax.name} (${tax.ratePercent}%)`,
              metadata: { [LINE_INDEX_KEY]: SALES_TAX_LINE, duebot_tax_source: tax.source },
            },
            { idempotencyKey: `${key('line')}-${SALES_TAX_LINE}` },
          ),
        );
      }
      // No sendInvoice: duebot emails the invoice itself.
      const finalized = await call('finalize invoice', () => stripe.invoices.finalizeInvoice(draftId, { auto_advance: false }, { idempotencyKey: key('finalize') }));
      return toBackendInvoice(finalized);
    },

    async voidInvoice(providerInvoiceId) {
      const current = await call('retrieve invoice', () => stripe.invoices.retrieve(providerInvoiceId));
      if (current.status === 'void') return toBackendInvoice(current);
      return toBackendInvoice(await call('void invoice', () => stripe.invoices.voidInvoice(providerInvoiceId, {}, { idempotencyKey: `duebot-void-${providerInvoiceId}` })));
    },

    async fetchInvoice(providerInvoiceId) {
      return withCredits(await call('retrieve invoice', () => stripe.invoices.retrieve(providerInvoiceId)));
    },

    async listOpenInvoices() {
      return call('list open invoices', async () => {
        const open: BackendInvoice[] = [];
        for await (const inv of stripe.invoices.list({ status: 'open', limit: 100 })) open.push(toBackendInvoice(inv));
        return open;
      });
    },

    async creditInvoice(providerInvoiceId, amountMinor, reason) {
      // A credit note on an open invoice lowers what is still due (Stripe's pre-payment credit).
      const current = await call('retrieve invoice', () => stripe.invoices.retrieve(providerInvoiceId));
      const amount = toStripeAmount(amountMinor, current.currency);
      const note = await call('create credit note', () => stripe.creditNotes.create({ invoice: providerInvoiceId, amount, memo: reason }));
      return { ...(await withCredits(await call('retrieve invoice', () => stripe.invoices.retrieve(providerInvoiceId)))), creditId: note.id };
    },

    listInvoicesForImport: (listing) => listStripeHistory(stripe, listing),

    parseWebhook(rawBody, headers) {
      const header = headers['stripe-signature'];
      const signature = Array.isArray(header) ? header[0] : header;
      if (!signature) throw new WebhookSignatureError('missing Stripe-Signature header');
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(rawBody, signature, options.webhookSecret, SIGNATURE_TOLERANCE_SECONDS);
      } catch (err) {
        if (err instanceof Stripe.errors.StripeSignatureVerificationError) throw new WebhookSignatureError(signatureReason(err.message));
        throw err;
      }
      // The SDK refuses only old timestamps; one from the future is a replay prepared in advance.
      const signedAt = /(?:^|,)\s*t=([^,]*)/.exec(signature)?.[1];
      const problem = timestampProblem(signedAt, Date.now(), SIGNATURE_TOLERANCE_SECONDS);
      if (problem) throw new WebhookSignatureError(`Stripe signature: ${problem}`);
      return toWebhookEvent(event);
    },
  };
}

/** The last second of `dueDate` in `timezone`, in unix seconds: Stripe's `due_date` is an instant. */
export function stripeDueDate(dueDate: string, timezone: string): number {
  return Math.floor(localTime(addDays(dueDate, 1), 0, timezone).getTime() / 1000) - 1;
}

/** A short digest of request parameters, for idempotency keys that must change when the parameters do. */
function paramsHash(params: unknown): string {
  return createHash('sha256').update(JSON.stringify(params)).digest('hex').slice(0, 16);
}

/** Maps a verified Stripe event to the back-end-neutral shape. */
export function toWebhookEvent(event: Stripe.Event): BackendWebhookEvent {
  const object = event.data.object as { object?: string; id?: string; metadata?: Record<string, string> | null; invoice?: string | { id?: string } | null };
  if (object.object === 'credit_note') {
    // A credit note names its invoice; processing re-reads that invoice (the note's metadata is not ours).
    const invoice = typeof object.invoice === 'string' ? object.invoice : (object.invoice?.id ?? null);
    const kind = invoice ? (ownValue(EVENT_KINDS, event.type) ?? 'ignored') : 'ignored';
    return {
      eventId: event.id,
      type: event.type,
      kind,
      providerInvoiceId: kind === 'ignored' ? null : invoice,
      duebotInvoiceId: null,
      occurredAt: eventTime(event),
      subject: object.id ? { type: 'credit_note', id: object.id } : null,
    };
  }
  const isInvoice = object.object === 'invoice';
  return {
    eventId: event.id,
    type: event.type,
    kind: isInvoice ? (ownValue(EVENT_KINDS, event.type) ?? 'ignored') : 'ignored',
    providerInvoiceId: isInvoice ? (object.id ?? null) : null,
    duebotInvoiceId: isInvoice ? (object.metadata?.duebot_invoice_id ?? null) : null,
    occurredAt: eventTime(event),
  };
}

function eventTime(event: Stripe.Event): Date {
  const occurredAt = new Date(Number.isFinite(event.created) ? event.created * 1000 : NaN);
  if (Number.isNaN(occurredAt.getTime())) throw new Error(`created is not a valid Unix time: ${JSON.stringify(event.created)}`);
  return occurredAt;
}

/** Issued credit notes (a voided one credits nothing), in duebot's units, oldest first. */
export function stripeCredits(notes: readonly Stripe.CreditNote[], currency: string): BackendCredit[] {
  return notes
    .filter((n) => n.status !== 'void')
    .sort((a, b) => a.created - b.created)
    .map((n) => ({ id: n.id, amount: fromStripeAmount(n.amount, currency) }));
}

/** The SDK's messages run to several sentences with advice; keep the first, which names the cause. */
function signatureReason(message: string): string {
  const first = (message.split('\n')[0] ?? '').trim();
  const sentence = /^[^.]*\./.exec(first)?.[0] ?? first;
  return sentence.length > 0 ? `Stripe signature: ${sentence}` : 'Stripe signature mismatch';
}

function customerId(inv: Stripe.Invoice): string {
  return typeof inv.customer === 'string' ? inv.customer : (inv.customer?.id ?? '');
}

export function toBackendInvoice(inv: Stripe.Invoice): BackendInvoice {
  const status = STATUSES[inv.status ?? ''];
  if (!status) throw new BackendError(`Stripe invoice ${inv.id ?? '?'} has an unknown status "${String(inv.status)}"`, 'invalid', false);
  return {
    providerInvoiceId: inv.id!,
    providerCustomerId: customerId(inv),
    status,
    currency: inv.currency.toUpperCase(),
    amountDue: fromStripeAmount(inv.amount_due, inv.currency),
    // Money received only: credit notes lower amount_remaining without touching amount_paid.
    amountPaid: fromStripeAmount(inv.amount_paid, inv.currency),
    amountCredited: fromStripeAmount((inv.pre_payment_credit_notes_amount ?? 0) + (inv.post_payment_credit_notes_amount ?? 0), inv.currency),
    amountRemaining: fromStripeAmount(inv.amount_remaining, inv.currency),
    paymentUrl: inv.hosted_invoice_url ?? null,
    pdfUrl: inv.invoice_pdf ?? null,
    number: inv.number ?? null,
    metadata: { ...(inv.metadata ?? {}) },
    ...(inv.status !== 'draft' && inv.total_taxes !== undefined ? { tax: stripeTax(inv) } : {}),
  };
}

/** What Stripe computed: `total_taxes` (the amounts), the invoice's default Tax Rates (name and percentage). In duebot's units. */
export function stripeTax(inv: Stripe.Invoice): BackendTax {
  const stripeAmount = (inv.total_taxes ?? []).reduce((sum, t) => sum + t.amount, 0);
  const amount = fromStripeAmount(stripeAmount, inv.currency);
  const rates = (inv.default_tax_rates ?? []).filter((r): r is Stripe.TaxRate => typeof r === 'object' && r !== null);
  const exclusive = (inv.total_taxes ?? []).every((t) => t.tax_behavior !== 'inclusive');
  return {
    // Inclusive rates are inside the line amounts: the subtotal is then what remains without them.
    subtotal: fromStripeAmount(exclusive ? inv.subtotal : (inv.total_excluding_tax ?? inv.total - stripeAmount), inv.currency),
    amount,
    name: rates.length ? rates.map((r) => r.display_name).join(' + ') : null,
    ratePercent: rates.length && amount > 0 ? addPercents(rates.map((r) => r.percentage)) : null,
  };
}

/** Sorts stripe-node's error hierarchy into retry-or-give-up codes. */
export function toBackendError(what: string, err: unknown): BackendError {
  if (err instanceof BackendError) return err;
  const e = (err ?? {}) as { type?: string; statusCode?: number; message?: string; code?: string; headers?: Record<string, string> };
  const status = e.statusCode ?? null;
  const message = `Stripe ${what} failed${status ? ` (${status}${e.code ? ` ${e.code}` : ''})` : ''}: ${e.message ?? String(err)}`;
  const retryAfter = status === 429 ? retryAfterMs(e.headers?.['retry-after'], new Date()) : null;
  const make = (code: BackendErrorCode, retryable: boolean) => new BackendError(message, code, retryable, { status, cause: err, retryAfterMs: retryAfter });
  switch (e.type) {
    case 'StripeRateLimitError':
      return make('rate_limited', true);
    case 'StripeAuthenticationError':
    case 'StripePermissionError':
      return make('auth', false);
    case 'StripeConnectionError':
      return make('unavailable', true);
    default:
      if (status === 429) return make('rate_limited', true);
      if (status === 401 || status === 403) return make('auth', false);
      if (status === 404) return make('not_found', false);
      // 409: a lock timeout or a concurrent request on the same idempotency key; trying again is safe.
      if (status === 409) return make('unavailable', true);
      if (status !== null && status >= 500) return make('unavailable', true);
      // 4xx, or no response at all from something that is not a connection error (a bug on our side).
      return make('invalid', false);
  }
}

/**
 * Every invoice created since `since` (newest first, as Stripe lists them), following `has_more` with
 * `starting_after` through the SDK's auto-pagination, 100 a page. Paid date: `status_transitions.paid_at`.
 */
export async function listStripeHistory(stripe: Stripe, listing: HistoryListOptions): Promise<HistoricInvoice[]> {
  const params: Stripe.InvoiceListParams = {
    limit: Math.min(listing.pageSize ?? 100, 100),
    ...(listing.since ? { created: { gte: Math.floor(localTime(listing.since, 0, listing.timezone).getTime() / 1000) } } : {}),
  };
  const day = (seconds: number | null | undefined) => (seconds ? localDate(new Date(seconds * 1000), listing.timezone) : null);
  const out: HistoricInvoice[] = [];
  try {
    for await (const inv of stripe.invoices.list(params)) {
      const status = STATUSES[inv.status ?? ''] ?? 'draft';
      out.push({
        providerInvoiceId: inv.id!,
        providerCustomerId: customerId(inv),
        customerName: inv.customer_name ?? customerId(inv),
        number: inv.number ?? inv.id!,
        currency: inv.currency.toUpperCase(),
        total: fromStripeAmount(inv.total, inv.currency),
        amountPaid: fromStripeAmount(inv.amount_paid, inv.currency),
        issueDate: day(inv.status_transitions?.finalized_at ?? inv.created)!,
        dueDate: day(inv.due_date),
        paidDate: status === 'paid' ? day(inv.status_transitions?.paid_at) : null,
        status,
      });
    }
  } catch (err) {
    throw toBackendError('list invoices', err);
  }
  return out;
}

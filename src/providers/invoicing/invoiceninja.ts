import { money, normalizeCurrency, toMajorString } from '../../domain/money.js';
import { addPercents } from '../../domain/tax.js';
import {
  WebhookSignatureError,
  type BackendCredit,
  type BackendInvoice,
  type BackendInvoiceStatus,
  type BackendTax,
  type BackendWebhookEvent,
  type HistoricInvoice,
  type InvoicingBackend,
  type IssueInvoiceRequest,
} from './backend.js';
import { BackendError } from './errors.js';
import { createRateLimiter } from './rate-limiter.js';
import { currencyTable, fromInvoiceNinjaAmount, toInvoiceNinjaAmount, type InvoiceNinjaCurrency } from './invoiceninja-currency.js';
import { invoiceNinjaClient, refusedField, type InvoiceNinjaCall } from './invoiceninja-http.js';
import { INVOICENINJA_EVENTS, parseInvoiceNinjaDelivery, type InvoiceNinjaDeliveryAuth } from './invoiceninja-webhooks.js';
import type { WebhookSubscriptions } from './backend-webhooks.js';
import { unobserved, type CallObserver } from '../call-observer.js';

export const INVOICENINJA = 'invoiceninja';
/** Marks the line carrying a tax service's amount (`request.salesTax`), so a read-back counts it as tax. */
const SALES_TAX_MARK = 'duebot:sales-tax';

export interface InvoiceNinjaBackendOptions {
  /** INVOICENINJA_URL: hosted https://invoicing.co or a self-hosted install (checked by config.ts). */
  baseUrl: string;
  /** INVOICENINJA_API_TOKEN: a company API token (Settings → Account management → API tokens). */
  apiToken: string;
  now: () => Date;
  /** Told once when Invoice Ninja starts refusing the token (403/401), again only after a success. */
  onBroken?: (provider: string, reason: string) => void;
  /** Hosted: 500 requests a minute (per IP); self-hosted installs have no limit. Overridable for tests. */
  limits?: { concurrency: number; perMinute: number };
  observe?: CallObserver;
}

export interface InvoiceNinjaBackend extends InvoicingBackend {
  /**
   * Verifies a delivery against the registration its `?hook=` token named (its own secret header) and maps
   * it; the event comes from the registration, since Invoice Ninja's bodies carry none.
   */
  parseDelivery(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, auth: InvoiceNinjaDeliveryAuth): BackendWebhookEvent[];
  /** Creates and deletes Invoice Ninja webhooks (`/invoices connect invoiceninja`). */
  webhookSubscriptions: WebhookSubscriptions;
}

interface NinjaContact {
  id?: string;
  email?: string;
}
interface NinjaClient {
  id: string;
  name?: string;
  is_deleted?: boolean;
  contacts?: NinjaContact[];
  settings?: { currency_id?: string | number | null; tax_name1?: string | null; tax_rate1?: number | string | null };
}
interface NinjaLine {
  product_key?: string;
  notes?: string;
  cost?: number;
  quantity?: number;
  line_total?: number;
  custom_value1?: string;
  custom_value2?: string;
}
interface NinjaPaymentable {
  invoice_id?: string;
  credit_id?: string;
  amount?: number;
  refunded?: number;
}
export interface NinjaPayment {
  id: string;
  date?: string;
  is_deleted?: boolean;
  paymentables?: NinjaPaymentable[];
}
interface NinjaInvoice {
  id: string;
  client_id: string;
  number?: string;
  status_id?: string;
  is_deleted?: boolean;
  amount?: number;
  balance?: number;
  paid_to_date?: number;
  total_taxes?: number;
  tax_name1?: string;
  tax_rate1?: number;
  tax_name2?: string;
  tax_rate2?: number;
  tax_name3?: string;
  tax_rate3?: number;
  date?: string;
  due_date?: string;
  line_items?: NinjaLine[];
  invitations?: { link?: string }[];
  payments?: NinjaPayment[];
  client?: NinjaClient;
}
interface Page<T> {
  data: T[];
  meta?: { pagination?: { total_pages?: number; current_page?: number } };
}

/** Reads bring what duebot needs at once: the payments (to tell credits from money) and the client (its currency). */
const INCLUDE = 'payments,client';

export function createInvoiceNinjaBackend(options: InvoiceNinjaBackendOptions): InvoiceNinjaBackend {
  const observer = options.observe ?? unobserved;
  const limiter = createRateLimiter({
    concurrency: options.limits?.concurrency ?? 10,
    perWindow: options.limits?.perMinute ?? 500,
    windowMs: 60_000,
    onWait: (ms) => observer.rateLimitWait(ms / 1000),
  });
  const raw = invoiceNinjaClient({ baseUrl: options.baseUrl, apiToken: options.apiToken, limiter, observe: observer, now: options.now });
  let brokenReported = false;

  /** Every call: a refused token is reported once (an API-token back-end has nothing to refresh). */
  const call: InvoiceNinjaCall = async (what, method, path, request) => {
    try {
      const result = await raw(what, method, path, request);
      brokenReported = false;
      return result as never;
    } catch (err) {
      // Only a refused token breaks the back-end; a 403 "This action is unauthorized." is one action the
      // token may not take (creating webhooks needs an admin token and a plan with API access).
      if (err instanceof BackendError && (err.status === 401 || /Invalid token/i.test(err.message)) && !brokenReported) {
        brokenReported = true;
        options.onBroken?.(INVOICENINJA, `Invoice Ninja refused the API token (${err.status}); set a valid INVOICENINJA_API_TOKEN and restart`);
      }
      throw err;
    }
  };

  let currencies: Promise<ReturnType<typeof currencyTable>> | null = null;
  function currencyRows(): Promise<ReturnType<typeof currencyTable>> {
    currencies ??= call<{ currencies?: unknown[]; data?: { currencies?: unknown[] } }>('read statics', 'GET', '/statics')
      .then((statics) => currencyTable((statics.currencies ?? statics.data?.currencies ?? []) as never))
      .catch((err: unknown) => {
        currencies = null;
        throw err;
      });
    return currencies;
  }
  async function currencyByCode(code: string): Promise<InvoiceNinjaCurrency> {
    const found = (await currencyRows()).byCode.get(normalizeCurrency(code));
    if (!found) throw new BackendError(`Invoice Ninja has no currency ${code}`, 'invalid', false);
    return found;
  }
  let companyCurrencyId: Promise<string | null> | null = null;
  /** A client without its own currency uses the company's (POST /companies/current). */
  async function currencyOf(client: NinjaClient | undefined): Promise<InvoiceNinjaCurrency> {
    let id = client?.settings?.currency_id ? String(client.settings.currency_id) : null;
    if (!id) {
      companyCurrencyId ??= call<{ data?: { settings?: { currency_id?: string | number } } }>('read company', 'POST', '/companies/current').then((c) =>
        c.data?.settings?.currency_id ? String(c.data.settings.currency_id) : null,
      );
      id = await companyCurrencyId;
    }
    const found = id ? (await currencyRows()).byId.get(id) : undefined;
    if (!found) throw new BackendError(`Invoice Ninja client ${client?.id ?? '?'} has a currency duebot does not know (currency_id ${id ?? 'none'})`, 'invalid', false);
    return found;
  }

  async function findOrCreateClient(customer: IssueInvoiceRequest['customer'], currency: InvoiceNinjaCurrency): Promise<NinjaClient> {
    let client: NinjaClient | null = null;
    if (customer.providerCustomerId) {
      client = (await call<{ data: NinjaClient }>('get client', 'GET', `/clients/${encodeURIComponent(customer.providerCustomerId)}`)).data;
    } else {
      const email = customer.emails[0];
      // `email` matches a contact exactly; `name` is a LIKE search, so the exact name is picked here.
      const query: Record<string, string> = email ? { email, per_page: '20' } : { name: customer.name, per_page: '100' };
      const found = await call<Page<NinjaClient>>('list clients', 'GET', '/clients', { query });
      client =
        found.data.find(
          (c) => !c.is_deleted && (email ? (c.contacts ?? []).some((x) => x.email?.toLowerCase() === email.toLowerCase()) : c.name?.trim() === customer.name.trim()),
        ) ?? null;
    }
    if (client) {
      const has = await currencyOf(client);
      if (has.code !== currency.code)
        throw new BackendError(
          `Invoice Ninja client "${client.name ?? client.id}" bills in ${has.code}, not ${currency.code}: change the client's currency there or in the clients file`,
          'invalid',
          false,
        );
      return client;
    }
    const emails = [...new Set(customer.emails.map((e) => e.toLowerCase()))];
    const created = await call<{ data: NinjaClient }>('create client', 'POST', '/clients', {
      body: {
        name: customer.name,
        // Contact emails must be distinct; each contact with send_email gets an invitation (the portal link).
        contacts: (emails.length ? emails : ['']).map((email, i) => ({ first_name: '', last_name: '', email, send_email: true, is_primary: i === 0 })),
        settings: { currency_id: currency.id },
      },
    });
    return created.data;
  }

  /** Our invoice, found by duebot's number (unique per company), whatever its status. */
  async function findByNumber(number: string): Promise<NinjaInvoice | null> {
    const found = await call<Page<NinjaInvoice>>('find invoice', 'GET', '/invoices', { query: { number, status: 'active,archived,deleted', include: INCLUDE } });
    return found.data.find((i) => i.number === number) ?? null;
  }

  async function readInvoice(id: string): Promise<BackendInvoice> {
    let inv: NinjaInvoice;
    try {
      inv = (await call<{ data: NinjaInvoice }>('get invoice', 'GET', `/invoices/${encodeURIComponent(id)}`, { query: { include: INCLUDE } })).data;
    } catch (err) {
      // The route binds active invoices only: an archived or deleted one answers 404 but is still listed.
      if (!(err instanceof BackendError && err.code === 'not_found')) throw err;
      const gone = (await all<NinjaInvoice>('list archived invoices', '/invoices', { status: 'archived,deleted', include: INCLUDE }, 500)).find((i) => i.id === id);
      if (!gone) throw err;
      inv = gone;
    }
    return toBackendInvoice(inv, await currencyOf(inv.client));
  }

  function ours(inv: NinjaInvoice, clientId: string, number: string): NinjaInvoice {
    if (inv.client_id !== clientId) throw new BackendError(`Invoice Ninja already has an invoice numbered ${number} for another client`, 'invalid', false);
    return inv;
  }

  async function all<T>(what: string, path: string, query: Record<string, string>, perPage: number): Promise<T[]> {
    const rows: T[] = [];
    for (let page = 1; ; page += 1) {
      const got = await call<Page<T>>(what, 'GET', path, { query: { ...query, per_page: String(perPage), page: String(page) } });
      rows.push(...got.data);
      const pages = got.meta?.pagination?.total_pages ?? 1;
      if (page >= pages || got.data.length === 0) return rows;
    }
  }

  async function withCurrencies(invoices: NinjaInvoice[]): Promise<{ inv: NinjaInvoice; state: BackendInvoice }[]> {
    const out: { inv: NinjaInvoice; state: BackendInvoice }[] = [];
    for (const inv of invoices) out.push({ inv, state: toBackendInvoice(inv, await currencyOf(inv.client)) });
    return out;
  }

  const today = () => options.now().toISOString().slice(0, 10);

  return {
    name: INVOICENINJA,

    async issueInvoice(req) {
      const currency = await currencyByCode(req.currency);
      // Invoice Ninja's units, checked before anything is created there: an amount it would round is refused.
      const lines = req.lines.map((line) => lineItem(line, currency));
      const taxLine = req.salesTax
        ? {
            product_key: req.salesTax.name,
            notes: `${req.salesTax.name} (${req.salesTax.ratePercent}%, ${req.salesTax.source})`,
            cost: toInvoiceNinjaAmount(req.salesTax.amount, currency),
            quantity: 1,
            custom_value1: SALES_TAX_MARK,
            custom_value2: req.salesTax.ratePercent,
          }
        : null;
      const client = await findOrCreateClient(req.customer, currency);
      let invoice = await findByNumber(req.number);
      if (invoice) ours(invoice, client.id, req.number);
      if (!invoice) {
        // The client's default tax (its settings in Invoice Ninja) unless a tax service computed the tax.
        const tax =
          !req.salesTax && client.settings?.tax_name1 && Number(client.settings.tax_rate1) > 0
            ? { tax_name1: client.settings.tax_name1, tax_rate1: Number(client.settings.tax_rate1) }
            : {};
        try {
          invoice = (
            await call<{ data: NinjaInvoice }>('create invoice', 'POST', '/invoices', {
              // Marked sent in the same request: duebot emails the invoice itself, Invoice Ninja only records it as sent.
              query: { mark_sent: 'true', include: INCLUDE },
              body: {
                client_id: client.id,
                number: req.number,
                date: req.issueDate,
                due_date: req.dueDate,
                public_notes: req.memo,
                private_notes: `duebot ${req.invoiceId}`,
                uses_inclusive_taxes: false,
                line_items: taxLine ? [...lines, taxLine] : lines,
                ...tax,
              },
            })
          ).data;
        } catch (err) {
          // The number is unique per company: a 422 on it means an earlier attempt (or a race) made it.
          if (!refusedField(err, 'number')) throw err;
          const existing = await findByNumber(req.number);
          if (!existing) throw err;
          invoice = ours(existing, client.id, req.number);
        }
      }
      if (invoice.status_id === '1') {
        await call('mark sent', 'POST', '/invoices/bulk', { body: { action: 'mark_sent', ids: [invoice.id] } });
      }
      return readInvoice(invoice.id);
    },

    fetchInvoice: readInvoice,

    async voidInvoice(providerInvoiceId) {
      const current = await readInvoice(providerInvoiceId);
      if (current.status === 'void') return current;
      if (current.status === 'paid') throw new BackendError(`Invoice Ninja invoice ${providerInvoiceId} is paid: reverse it in Invoice Ninja instead`, 'invalid', false);
      // Cancel is Invoice Ninja's void for a sent or partly paid invoice: it keeps its number, its balance
      // goes to 0 and payments stay linked. A draft cannot be cancelled; it is deleted instead.
      await call('cancel invoice', 'POST', '/invoices/bulk', { body: { action: current.status === 'draft' ? 'delete' : 'cancel', ids: [providerInvoiceId] } });
      const after = await readInvoice(providerInvoiceId);
      if (after.status !== 'void') throw new BackendError(`Invoice Ninja did not cancel invoice ${providerInvoiceId}`, 'unavailable', true);
      return after;
    },

    parseWebhook() {
      throw new WebhookSignatureError('Invoice Ninja deliveries are verified against their registration: POST /webhooks/invoiceninja?hook=…');
    },

    parseDelivery: (rawBody, headers, auth) => parseInvoiceNinjaDelivery(rawBody, headers, auth, options.now()),

    async resolveInvoiceId(event) {
      if (event.subject?.type !== 'payment') return event.providerInvoiceId;
      try {
        const payment = (await call<{ data: NinjaPayment }>('get payment', 'GET', `/payments/${encodeURIComponent(event.subject.id)}`)).data;
        return payment.paymentables?.find((p) => p.invoice_id)?.invoice_id ?? null;
      } catch (err) {
        if (err instanceof BackendError && err.code === 'not_found') return null;
        throw err;
      }
    },

    async creditInvoice(providerInvoiceId, amountMinor, reason) {
      const inv = (await call<{ data: NinjaInvoice }>('get invoice', 'GET', `/invoices/${encodeURIComponent(providerInvoiceId)}`, { query: { include: 'client' } })).data;
      const currency = await currencyOf(inv.client);
      const amount = toInvoiceNinjaAmount(amountMinor, currency);
      // A credit (Invoice Ninja's credit note), sent so it has a balance to apply...
      const credit = (
        await call<{ data: { id: string } }>('create credit', 'POST', '/credits', {
          query: { mark_sent: 'true' },
          body: { client_id: inv.client_id, date: today(), public_notes: reason, line_items: [{ product_key: 'Credit', notes: reason, cost: amount, quantity: 1 }] },
        })
      ).data;
      // ...applied the way Invoice Ninja applies credits: a payment of 0 moving the credit onto the invoice.
      await call('apply credit', 'POST', '/payments', {
        body: {
          client_id: inv.client_id,
          amount: 0,
          date: today(),
          invoices: [{ invoice_id: providerInvoiceId, amount }],
          credits: [{ credit_id: credit.id, amount }],
          idempotency_key: `duebot-credit-${credit.id}`.slice(0, 64),
          private_notes: reason,
        },
      });
      return { ...(await readInvoice(providerInvoiceId)), creditId: credit.id };
    },

    async listOpenInvoices() {
      const open = await all<NinjaInvoice>('list open invoices', '/invoices', { client_status: 'unpaid', include: INCLUDE }, 500);
      return (await withCurrencies(open)).map((x) => x.state);
    },

    async listInvoicesForImport(listing) {
      const perPage = Math.min(listing.pageSize ?? 500, 500);
      const invoices = await all<NinjaInvoice>(
        'list invoices',
        '/invoices',
        { include: INCLUDE, status: 'active,archived', ...(listing.since ? { date: listing.since } : {}) },
        perPage,
      );
      return (await withCurrencies(invoices)).map(({ inv, state }) => historic(inv, state));
    },

    webhookSubscriptions: {
      label: 'Invoice Ninja',
      events: Object.keys(INVOICENINJA_EVENTS),
      async create(event, targetUrl, headers) {
        const eventId = INVOICENINJA_EVENTS[event as keyof typeof INVOICENINJA_EVENTS];
        if (!eventId) throw new BackendError(`unknown Invoice Ninja event ${event}`, 'invalid', false);
        const created = await call<{ data: { id: string } }>('create webhook', 'POST', '/webhooks', {
          body: { target_url: targetUrl, event_id: String(eventId), rest_method: 'post', format: 'JSON', headers },
        });
        return created.data.id;
      },
      async remove(webhookId) {
        try {
          await call('delete webhook', 'DELETE', `/webhooks/${encodeURIComponent(webhookId)}`);
        } catch (err) {
          if (!(err instanceof BackendError && err.code === 'not_found')) throw err;
        }
      },
    },
  };
}

/**
 * One duebot line as an Invoice Ninja line item (it computes `line_total` = cost × quantity at its
 * precision). When duebot's rounded amount is not exactly cost × quantity, the line goes as one unit of
 * its amount, the quantity told in the notes, so Invoice Ninja's total is duebot's total.
 */
function lineItem(line: IssueInvoiceRequest['lines'][number], currency: InvoiceNinjaCurrency): NinjaLine {
  const amount = toInvoiceNinjaAmount(line.amount, currency);
  const [whole = '0', fraction = ''] = line.quantity.split('.');
  const exact = BigInt(line.unitAmount) * BigInt(whole + fraction) === BigInt(line.amount) * 10n ** BigInt(fraction.length);
  const cost = exact ? safeAmount(line.unitAmount, currency) : null;
  return cost === null
    ? {
        product_key: line.description.slice(0, 100),
        notes: `${line.description} (${line.quantity} × ${toMajorString(money(line.unitAmount, currency.code))})`,
        cost: amount,
        quantity: 1,
      }
    : { product_key: line.description.slice(0, 100), notes: line.description, cost, quantity: Number(line.quantity) };
}

/** A unit price Invoice Ninja can hold exactly, or null (the line then goes as its total). */
function safeAmount(amountMinor: number, currency: InvoiceNinjaCurrency): number | null {
  try {
    return toInvoiceNinjaAmount(amountMinor, currency);
  } catch {
    return null;
  }
}

const STATUS: Record<string, BackendInvoiceStatus> = { '1': 'draft', '2': 'open', '3': 'open', '4': 'paid', '5': 'void', '6': 'void' };

/** The invoice in duebot's terms; without its payments (not included) everything paid counts as money. */
export function toBackendInvoice(inv: NinjaInvoice, currency: InvoiceNinjaCurrency): BackendInvoice {
  const code = currency.code;
  const minor = (v: number | undefined) => fromInvoiceNinjaAmount(v, code);
  // Cancelled (5) and reversed (6) are Invoice Ninja's voids; a deleted invoice is gone for the client too.
  const status: BackendInvoiceStatus = inv.is_deleted ? 'void' : (STATUS[String(inv.status_id ?? '1')] ?? 'open');
  const amountDue = minor(inv.amount);
  const credits = inv.payments ? invoiceNinjaCredits(inv.id, inv.payments, code) : undefined;
  const amountCredited = (credits ?? []).reduce((sum, c) => sum + c.amount, 0);
  return {
    providerInvoiceId: inv.id,
    providerCustomerId: inv.client_id,
    status,
    currency: code,
    amountDue,
    amountPaid: Math.max(0, minor(inv.paid_to_date) - amountCredited),
    amountCredited,
    ...(credits ? { credits } : {}),
    amountRemaining: status === 'void' ? 0 : minor(inv.balance),
    paymentUrl: status === 'void' ? null : (inv.invitations?.find((i) => i.link)?.link ?? null),
    pdfUrl: null,
    number: inv.number ?? null,
    metadata: inv.number ? { duebot_number: inv.number } : {},
    ...(status === 'void' ? {} : { tax: invoiceNinjaTax(inv, code, amountDue) }),
  };
}

/**
 * Credits applied to invoice `invoiceId`, by the credit's id. Invoice Ninja applies a credit through a
 * payment whose paymentables name the credit(s) and the invoice(s): within one payment the credits cover
 * its invoice rows first, in order (a payment of 0 is all credit); the rest of a payment is money.
 */
export function invoiceNinjaCredits(invoiceId: string, payments: readonly NinjaPayment[], currency: string): BackendCredit[] {
  const byCredit = new Map<string, number>();
  const net = (p: NinjaPaymentable) => fromInvoiceNinjaAmount(p.amount, currency) - fromInvoiceNinjaAmount(p.refunded, currency);
  for (const payment of payments) {
    if (payment.is_deleted) continue;
    const rows = payment.paymentables ?? [];
    const pool = rows.filter((p) => p.credit_id).map((p) => ({ id: p.credit_id!, left: net(p) }));
    for (const row of rows) {
      if (!row.invoice_id) continue;
      let owed = net(row);
      for (const credit of pool) {
        const used = Math.min(owed, credit.left);
        if (used <= 0) continue;
        credit.left -= used;
        owed -= used;
        if (row.invoice_id === invoiceId) byCredit.set(credit.id, (byCredit.get(credit.id) ?? 0) + used);
      }
    }
  }
  return [...byCredit].filter(([, amount]) => amount > 0).map(([id, amount]) => ({ id, amount }));
}

/** Invoice-level taxes on top of the lines (exclusive), or the tax service's marked line. */
function invoiceNinjaTax(inv: NinjaInvoice, currency: string, total: number): BackendTax {
  const marked = (inv.line_items ?? []).filter((l) => l.custom_value1 === SALES_TAX_MARK);
  if (marked.length) {
    const amount = marked.reduce((sum, l) => sum + fromInvoiceNinjaAmount(l.line_total ?? l.cost, currency), 0);
    return { subtotal: total - amount, amount, name: marked[0]!.product_key ?? null, ratePercent: marked[0]!.custom_value2 || null };
  }
  const amount = fromInvoiceNinjaAmount(inv.total_taxes, currency);
  const taxes = [
    [inv.tax_name1, inv.tax_rate1],
    [inv.tax_name2, inv.tax_rate2],
    [inv.tax_name3, inv.tax_rate3],
  ].filter(([name, rate]) => name && Number(rate) > 0) as [string, number][];
  return {
    subtotal: total - amount,
    amount,
    name: taxes.length ? taxes.map(([name]) => name).join(' + ') : null,
    ratePercent: amount > 0 && taxes.length ? addPercents(taxes.map(([, rate]) => rate)) : null,
  };
}

function historic(inv: NinjaInvoice, state: BackendInvoice): HistoricInvoice {
  const paidDates = (inv.payments ?? []).filter((p) => !p.is_deleted && p.date).map((p) => p.date!);
  return {
    providerInvoiceId: state.providerInvoiceId,
    providerCustomerId: state.providerCustomerId,
    customerName: inv.client?.name || `Invoice Ninja client ${inv.client_id}`,
    number: inv.number || inv.id,
    currency: state.currency,
    total: state.amountDue,
    amountPaid: state.amountPaid,
    issueDate: inv.date ?? '',
    dueDate: inv.due_date || null,
    paidDate: state.status === 'paid' ? (paidDates.sort().at(-1) ?? null) : null,
    status: state.status,
  };
}

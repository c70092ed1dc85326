import { localDate } from '../../domain/calendar.js';
import { normalizeCurrency } from '../../domain/money.js';
import type { ConnectionStore } from '../../store/connections.js';
import { observeCall, unobserved, type CallObserver } from '../call-observer.js';
import {
  WebhookSignatureError,
  type BackendInvoice,
  type BackendInvoiceStatus,
  type HistoricInvoice,
  type InvoicingBackend,
  type IssueInvoiceRequest,
  type SalesTax,
} from './backend.js';
import { BackendError } from './errors.js';
import { createOAuthSession, type RefreshedTokens } from './oauth-session.js';
import { keyedRateLimiter } from './rate-limiter.js';
import { fromWaveMoney, toWaveDecimal } from './wave-currency.js';
import { createWaveGraphQL, succeeded, type WaveOperation } from './wave-graphql.js';
import { exchangeWaveCode, refreshWaveToken, waveAuthorizeUrl, type WaveOAuthOptions } from './wave-oauth.js';
import {
  BUSINESSES,
  CURRENCY,
  CUSTOMER_CREATE,
  CUSTOMERS,
  INCOME_ACCOUNTS,
  INVOICE_APPROVE,
  INVOICE_BY_ID,
  INVOICE_CREATE,
  INVOICE_DELETE,
  INVOICE_MARK_SENT,
  INVOICES,
  INVOICES_IN_STATUS,
  PRODUCT_CREATE,
  PRODUCTS,
  type PageInfo,
  type WaveBusiness,
  type WaveInvoice,
} from './wave-operations.js';

export const WAVE = 'wave';
export const WAVE_API_URL = 'https://gql.waveapps.com/graphql/public';
/** The product every duebot line is billed under (Wave wants a product per invoice item). */
export const WAVE_DEFAULT_PRODUCT = 'duebot';

export interface WaveBackendOptions {
  clientId: string;
  clientSecret: string;
  /** `${PUBLIC_URL}/oauth/wave/callback`. */
  redirectUri: string;
  apiUrl?: string | null;
  authorizeUrl?: string | null;
  tokenUrl?: string | null;
  /** Name of the Wave product duebot bills its lines under (found, or created once per business). */
  productName?: string | null;
  connections: ConnectionStore;
  now: () => Date;
  onBroken?: (provider: string, reason: string) => void;
  observe?: CallObserver;
  /** Per business pacing. Wave publishes no limits; about 60 a minute per token is reported (unconfirmed). */
  limits?: { concurrency: number; perMinute: number };
}

/** A Wave business duebot can invoice from (not archived, not on Wave's classic invoicing). */
export interface WaveBusinessChoice {
  accountId: string;
  accountName: string;
}

export interface WaveBackend extends InvoicingBackend {
  authorizeUrl(state: string): string;
  /**
   * Code → tokens for the one business they reach, or, when they reach several, `choices` for the approver
   * to pick from (src/usecases/choose-account.ts); refused when they reach none duebot can invoice from.
   */
  exchangeCode(code: string): Promise<{ tokens: RefreshedTokens & { accountId: string }; accountName: string | null; choices?: WaveBusinessChoice[] }>;
}

/** The statuses of approved, unsettled invoices (SAVED: approved, not yet marked sent). */
const OPEN_STATUSES = ['SAVED', 'SENT', 'VIEWED', 'PARTIAL', 'OVERDUE', 'UNPAID'];

/** Wave statuses → duebot's; everything approved and not settled is open (PAID/OVERPAID settle it). */
function statusOf(wave: string): BackendInvoiceStatus {
  if (wave === 'DRAFT') return 'draft';
  if (wave === 'PAID' || wave === 'OVERPAID') return 'paid';
  return 'open';
}

export function createWaveBackend(options: WaveBackendOptions): WaveBackend {
  const observer = options.observe ?? unobserved;
  const request = createWaveGraphQL({ apiUrl: options.apiUrl ?? WAVE_API_URL, now: options.now });
  const oauth: WaveOAuthOptions = {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUri: options.redirectUri,
    authorizeUrl: options.authorizeUrl ?? null,
    tokenUrl: options.tokenUrl ?? null,
    now: options.now,
  };
  const productName = options.productName || WAVE_DEFAULT_PRODUCT;
  const limiterFor = keyedRateLimiter({
    concurrency: options.limits?.concurrency ?? 2,
    perWindow: options.limits?.perMinute ?? 60,
    windowMs: 60_000,
    onWait: (ms) => observer.rateLimitWait(ms / 1000),
  });
  const session = createOAuthSession({
    provider: WAVE,
    store: options.connections,
    now: options.now,
    refresh: (refreshToken) => refreshWaveToken(oauth, refreshToken),
    ...(options.onBroken ? { onBroken: options.onBroken } : {}),
  });
  const exponents = new Map<string, number>();
  const products = new Map<string, string>();

  /** One GraphQL call for the connected business, paced, with a fresh token; a 401 gets one refresh and one retry. */
  async function call<TData, TVariables>(op: WaveOperation<TData, TVariables>, variables: (businessId: string) => TVariables, missingAt: string[][] = []): Promise<TData> {
    let tokens = await session.tokens();
    for (let attempt = 0; ; attempt += 1) {
      const businessId = tokens.accountId;
      const accessToken = tokens.accessToken;
      try {
        const data = await limiterFor(businessId)(() =>
          observeCall(
            observer,
            op.name,
            // A business gone (or out of this token's reach) answers NOT_FOUND with `business` null.
            () => request(op, variables(businessId), accessToken, [['business'], ...missingAt]),
            (err) => (err instanceof BackendError ? err.code : 'error'),
          ),
        );
        await options.connections.markSuccess(WAVE, options.now());
        return data;
      } catch (err) {
        const status = err instanceof BackendError ? err.status : null;
        if (status === 401 && attempt === 0) {
          tokens = await session.refresh(tokens);
          continue;
        }
        if (status === 401) await session.broken(`Wave ${op.name} answered UNAUTHENTICATED after a token refresh`);
        throw err;
      }
    }
  }

  /** Every node of a paged list (`page` from 1 while `currentPage < totalPages`), or until `stop` finds one. */
  async function pages<T>(read: (page: number) => Promise<{ pageInfo: PageInfo; edges: { node: T }[] } | null>, stop?: (node: T) => boolean): Promise<T[]> {
    const all: T[] = [];
    for (let page = 1; ; page += 1) {
      const list = await read(page);
      if (!list) return all;
      for (const { node } of list.edges) {
        all.push(node);
        if (stop?.(node)) return all;
      }
      if (list.pageInfo.currentPage >= list.pageInfo.totalPages || list.edges.length === 0) return all;
    }
  }

  /** The connected business is gone or out of the token's reach: only a reconnect helps (told once via onBroken). */
  async function missingBusiness(): Promise<never> {
    await session.broken('the connected Wave business is no longer reachable (deleted, or access removed)');
    throw new BackendError('the connected Wave business is no longer reachable with this connection: an approver runs `/invoices connect wave`', 'not_connected', false);
  }

  /** How many decimals Wave keeps for `currency` (its `Currency.exponent`), read once per process. */
  async function waveExponent(currency: string): Promise<number> {
    const known = exponents.get(currency);
    if (known !== undefined) return known;
    const { currency: found } = await call(CURRENCY, () => ({ code: currency }));
    if (!found) throw new BackendError(`Wave does not support the currency ${currency}`, 'invalid', false);
    exponents.set(currency, found.exponent);
    return found.exponent;
  }

  async function findOrCreateCustomer(customer: IssueInvoiceRequest['customer'], currency: string): Promise<string> {
    if (customer.providerCustomerId) return customer.providerCustomerId;
    const email = customer.emails[0] ?? null;
    const same = (c: { name: string; email: string | null }) => (email ? (c.email ?? '').toLowerCase() === email.toLowerCase() : c.name === customer.name);
    // Wave filters customers by email; without one, the list is read for the same name.
    const found = await pages(
      async (page) => (await call(CUSTOMERS, (businessId) => ({ businessId, email, page, pageSize: 100 }))).business?.customers ?? (await missingBusiness()),
      same,
    );
    const match = found.find(same);
    if (match) return match.id;
    const created = await call(CUSTOMER_CREATE, (businessId) => ({
      input: { businessId, name: customer.name, ...(email ? { email } : {}), currency },
    }));
    return succeeded(created.customerCreate, `create the customer ${customer.name}`).customer!.id;
  }

  /**
   * Wave bills every item under a product: duebot's lines all go under one product of the business
   * (named by WAVE_PRODUCT_NAME, "duebot" by default), each item carrying its own description and
   * price. Found by name, or created once against the business's first income account.
   */
  async function productFor(businessId: string): Promise<string> {
    const known = products.get(businessId);
    if (known) return known;
    const isOurs = (p: { name: string; isArchived: boolean }) => p.name === productName && !p.isArchived;
    const listed = await pages(async (page) => (await call(PRODUCTS, (id) => ({ businessId: id, page, pageSize: 100 }))).business?.products ?? (await missingBusiness()), isOurs);
    let id = listed.find(isOurs)?.id;
    if (!id) {
      const accounts = await pages(
        async (page) => (await call(INCOME_ACCOUNTS, (bid) => ({ businessId: bid, page, pageSize: 100 }))).business?.accounts ?? (await missingBusiness()),
        (a) => !a.isArchived,
      );
      const income = accounts.find((a) => !a.isArchived);
      if (!income) throw new BackendError('the Wave business has no income account to book duebot invoices to; add one under Accounting → Chart of Accounts', 'invalid', false);
      const created = await call(PRODUCT_CREATE, (bid) => ({
        input: { businessId: bid, name: productName, description: 'Billed by duebot; each invoice line says what it is for.', incomeAccountId: income.id },
      }));
      id = succeeded(created.productCreate, `create the product "${productName}"`).product!.id;
    }
    products.set(businessId, id);
    return id;
  }

  /** Our invoice at Wave, found by duebot's number and the customer (Wave has no idempotency keys). */
  async function findByNumber(number: string, customerId: string): Promise<WaveInvoice | null> {
    const { business } = await call(INVOICES, (businessId) => ({ businessId, invoiceNumber: number, invoiceDateStart: null, page: 1, pageSize: 20 }));
    if (!business) return await missingBusiness();
    return business.invoices.edges.map((e) => e.node).find((i) => i.invoiceNumber === number && i.customer.id === customerId) ?? null;
  }

  /** The invoice, or null once it is gone (deleted in Wave: the public API knows no other way to take one back). */
  async function readInvoice(invoiceId: string): Promise<WaveInvoice | null> {
    const { business } = await call(INVOICE_BY_ID, (businessId) => ({ businessId, invoiceId }), [['business', 'invoice']]);
    if (!business) return await missingBusiness();
    return business.invoice;
  }

  async function fetchState(invoiceId: string): Promise<BackendInvoice> {
    const invoice = await readInvoice(invoiceId);
    return invoice ? toBackendInvoice(invoice) : deletedInvoice(invoiceId);
  }

  return {
    name: WAVE,

    async issueInvoice(req) {
      const currency = normalizeCurrency(req.currency);
      const exponent = await waveExponent(currency);
      // Every amount in Wave's terms before anything is created there: one it cannot hold is refused.
      const items = req.lines.map((line) => {
        toWaveDecimal(line.amount, currency, exponent); // the line total Wave computes must fit too
        return { description: line.description, quantity: line.quantity, unitPrice: toWaveDecimal(line.unitAmount, currency, exponent) };
      });
      // A tax a tax service computed: Wave's sales taxes are rates on items, so the amount goes as a last line.
      if (req.salesTax && req.salesTax.amount > 0) items.push({ description: req.salesTax.name, quantity: '1', unitPrice: toWaveDecimal(req.salesTax.amount, currency, exponent) });

      const customerId = await findOrCreateCustomer(req.customer, currency);
      let invoice = await findByNumber(req.number, customerId);
      if (!invoice) {
        const tokens = await session.tokens();
        const productId = await productFor(tokens.accountId);
        const created = await call(INVOICE_CREATE, (businessId) => ({
          input: {
            businessId,
            customerId,
            status: 'DRAFT' as const,
            currency,
            invoiceNumber: req.number,
            invoiceDate: req.issueDate,
            dueDate: req.dueDate,
            memo: req.memo,
            // A tax service's tax replaces the product's default sales taxes, never adds to them (nor taxes its own line).
            items: items.map((item) => ({ productId, ...item, ...(req.salesTax ? { taxes: [] } : {}) })),
          },
        }));
        try {
          invoice = succeeded(created.invoiceCreate, `create invoice ${req.number}`).invoice!;
        } catch (err) {
          // The product may have been archived or deleted in Wave: the next attempt looks it up again.
          products.delete(tokens.accountId);
          throw err;
        }
      }
      if (invoice.status === 'DRAFT') {
        succeeded((await call(INVOICE_APPROVE, () => ({ input: { invoiceId: invoice!.id } }))).invoiceApprove, `approve invoice ${req.number}`);
      }
      if (invoice.status === 'DRAFT' || invoice.status === 'SAVED' || invoice.status === 'UNSENT') {
        // duebot emails the link itself; Wave only records that the invoice went out.
        succeeded(
          (await call(INVOICE_MARK_SENT, () => ({ input: { invoiceId: invoice!.id, sendMethod: 'MARKED_SENT' as const } }))).invoiceMarkSent,
          `mark invoice ${req.number} sent`,
        );
      }
      const state = await fetchState(invoice.id);
      return req.salesTax && req.salesTax.amount > 0 ? withSalesTaxLine(state, req.salesTax) : state;
    },

    fetchInvoice: fetchState,

    async voidInvoice(providerInvoiceId) {
      const invoice = await readInvoice(providerInvoiceId);
      if (!invoice) return deletedInvoice(providerInvoiceId);
      const state = toBackendInvoice(invoice);
      if (state.amountPaid > 0) throw cannotVoid(invoice.invoiceNumber, 'it has payments recorded');
      // Wave has no void; deleting is how Wave takes an invoice back. Its public API is documented to
      // delete drafts only: when it refuses an approved invoice, a person deletes it in Wave instead.
      const deleted = await call(INVOICE_DELETE, () => ({ input: { invoiceId: providerInvoiceId } }));
      if (!deleted.invoiceDelete.didSucceed) {
        const said = (deleted.invoiceDelete.inputErrors ?? []).map((e) => e.message).join('; ');
        throw cannotVoid(invoice.invoiceNumber, `Wave's public API has no void and deletes only drafts${said ? ` (Wave said: ${said})` : ''}`);
      }
      return deletedInvoice(providerInvoiceId);
    },

    async listOpenInvoices() {
      // Wave's status filter takes one value: one listing per status an unsettled invoice can have.
      // An invoice in none of them (a status not listed here) is read on its own by the poll, as before.
      const open = new Map<string, BackendInvoice>();
      for (const status of OPEN_STATUSES) {
        const listed = await pages(
          async (page) => (await call(INVOICES_IN_STATUS, (businessId) => ({ businessId, status, page, pageSize: 100 }))).business?.invoices ?? (await missingBusiness()),
        );
        for (const inv of listed) if (statusOf(inv.status) === 'open') open.set(inv.id, toBackendInvoice(inv));
      }
      return [...open.values()];
    },

    parseWebhook() {
      throw new WebhookSignatureError('Wave deliveries are not accepted: duebot polls Wave (its webhook format is unconfirmed)');
    },

    async listInvoicesForImport(listing) {
      const pageSize = Math.min(listing.pageSize ?? 50, 100);
      const invoices = await pages(
        async (page) =>
          (await call(INVOICES, (businessId) => ({ businessId, invoiceNumber: null, invoiceDateStart: listing.since, page, pageSize }))).business?.invoices ??
          (await missingBusiness()),
      );
      return invoices.map((inv): HistoricInvoice => {
        const state = toBackendInvoice(inv);
        return {
          providerInvoiceId: inv.id,
          providerCustomerId: inv.customer.id,
          customerName: inv.customer.name,
          number: inv.invoiceNumber || inv.id,
          currency: state.currency,
          total: state.amountDue,
          amountPaid: state.amountPaid,
          issueDate: inv.invoiceDate,
          dueDate: inv.dueDate,
          // The public API lists no payments: the last change of a paid invoice stands in for its payment date.
          paidDate: state.status === 'paid' ? localDate(new Date(inv.modifiedAt), listing.timezone) : null,
          status: state.status,
        };
      });
    },

    authorizeUrl: (state) => waveAuthorizeUrl(oauth, state),

    async exchangeCode(code) {
      const tokens = await exchangeWaveCode(oauth, code);
      const businesses: WaveBusiness[] = await pages(
        async (page) =>
          (
            await observeCall(
              observer,
              BUSINESSES.name,
              () => request(BUSINESSES, { page, pageSize: 50 }, tokens.accessToken),
              (err) => (err instanceof BackendError ? err.code : 'error'),
            )
          ).businesses,
      );
      const usable = businesses.filter((b) => !b.isArchived && !b.isClassicInvoicing).map((b) => ({ accountId: b.id, accountName: b.name }));
      if (usable.length === 0) throw new BackendError('the Wave user has no business that invoices with Wave (not archived, not on classic invoicing)', 'invalid', false);
      if (usable.length === 1) return { tokens: { ...tokens, accountId: usable[0]!.accountId }, accountName: usable[0]!.accountName };
      return { tokens: { ...tokens, accountId: '' }, accountName: null, choices: usable };
    },
  };
}

function cannotVoid(number: string, why: string): BackendError {
  return new BackendError(
    `Wave cannot void invoice ${number}: ${why}. Delete it in Wave (Sales & Payments → Invoices → Delete), then adjust again; duebot then sees it gone.`,
    'invalid',
    false,
  );
}

/** An invoice no longer in Wave (deleted there): void for duebot, with nothing owed. */
function deletedInvoice(providerInvoiceId: string): BackendInvoice {
  return {
    providerInvoiceId,
    providerCustomerId: '',
    status: 'void',
    // ISO 4217 "no currency": Wave no longer says which it was.
    currency: 'XXX',
    amountDue: 0,
    amountPaid: 0,
    amountCredited: 0,
    credits: [],
    amountRemaining: 0,
    paymentUrl: null,
    pdfUrl: null,
    metadata: {},
  };
}

/** The tax line duebot added is tax, not a service line: reported as such (with any tax Wave added itself). */
function withSalesTaxLine(state: BackendInvoice, salesTax: SalesTax): BackendInvoice {
  const wave = state.tax ?? { subtotal: state.amountDue, amount: 0, name: null, ratePercent: null };
  return {
    ...state,
    tax: {
      subtotal: wave.subtotal - salesTax.amount,
      amount: wave.amount + salesTax.amount,
      name: wave.name ? `${salesTax.name} + ${wave.name}` : salesTax.name,
      ratePercent: wave.amount === 0 ? salesTax.ratePercent : null,
    },
  };
}

/** Wave's invoice in duebot's terms. The public API has no credit notes, so nothing is ever credited. */
export function toBackendInvoice(inv: WaveInvoice): BackendInvoice {
  const currency = normalizeCurrency(inv.currency.code);
  const total = fromWaveMoney(inv.total, currency);
  const taxAmount = fromWaveMoney(inv.taxTotal, currency);
  const status = statusOf(inv.status);
  const taxNames = [...new Set((inv.items ?? []).flatMap((item) => (item.taxes ?? []).map((t) => t.salesTax?.name).filter((n): n is string => Boolean(n))))];
  return {
    providerInvoiceId: inv.id,
    providerCustomerId: inv.customer.id,
    status,
    currency,
    amountDue: total,
    amountPaid: fromWaveMoney(inv.amountPaid, currency),
    amountCredited: 0,
    credits: [],
    amountRemaining: Math.max(0, fromWaveMoney(inv.amountDue, currency)),
    paymentUrl: inv.viewUrl,
    pdfUrl: inv.pdfUrl,
    number: inv.invoiceNumber,
    metadata: { duebot_number: inv.invoiceNumber },
    tax: { subtotal: total - taxAmount, amount: taxAmount, name: taxNames.length ? taxNames.join(' + ') : null, ratePercent: null },
  };
}

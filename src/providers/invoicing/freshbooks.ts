import { createHash, createHmac } from 'node:crypto';
import freshbooks from '@freshbooks/api';
import builders from '@freshbooks/api/dist/models/builders/index.js';
import type { Client as FreshBooksClient } from '@freshbooks/api';
import type { Bills } from '@freshbooks/api/dist/models/index.js';
import { normalizeCurrency } from '../../domain/money.js';
import { fromFreshBooksAmount, toFreshBooksAmount } from './freshbooks-currency.js';
import { addPercents } from '../../domain/tax.js';
import { assertYmd, daysBetween } from '../../domain/calendar.js';
import type { ConnectionStore } from '../../store/connections.js';
import { safeEqual } from '../../http/signatures.js';
import {
  WebhookSignatureError,
  type BackendCredit,
  type BackendEventKind,
  type BackendInvoice,
  type BackendTax,
  type BillDue,
  type HistoricInvoice,
  type InvoicingBackend,
  type IssueInvoiceRequest,
} from './backend.js';
import { BackendError, backendErrorFor } from './errors.js';
import { ownValue } from '../../own-key.js';
import { createOAuthSession, type OAuthSession, type RefreshedTokens } from './oauth-session.js';
import { observeCall, unobserved, type CallObserver } from '../call-observer.js';

const { Client } = freshbooks;
const { SearchQueryBuilder, PaginationQueryBuilder, IncludesQueryBuilder } = builders;

/** A tax as FreshBooks keeps it (GET .../taxes/taxes): `amount` is the percentage as a decimal string. */
export interface FreshBooksTax {
  taxid: number;
  name: string;
  amount: string;
  number?: string | null;
}

/**
 * The SDK has no taxes resource; its private request helper is used so the call carries the same
 * auth, base URL and error shape as every other FreshBooks call.
 */
type RawCall = { call(method: 'GET', url: string, config: { transformResponse: (data: string) => unknown }, data: null, name: string): Promise<{ data?: unknown }> };

export const FRESHBOOKS = 'freshbooks';

export interface FreshBooksBackendOptions {
  clientId: string;
  clientSecret: string;
  /** `${PUBLIC_URL}/oauth/freshbooks/callback`: FreshBooks wants it on every token request. */
  redirectUri: string;
  /** e.g. `http://127.0.0.1:4020`; null/absent = https://api.freshbooks.com (token endpoint included). */
  apiUrl?: string | null;
  /** The verifier of a callback registered outside duebot (HMAC key of its deliveries). */
  webhookVerifier?: string | null;
  connections: ConnectionStore;
  now: () => Date;
  onBroken?: (provider: string, reason: string) => void;
  /** Told about every API call and rate-limit wait (the metrics); default: nobody. */
  observe?: CallObserver;
}

export interface FreshBooksBackend extends InvoicingBackend {
  /** Answers the verification message FreshBooks sends to a new callback (`verifier`, `object_id`). */
  confirmWebhook(callbackId: string, verifier: string): Promise<void>;
  /** Code → tokens for the connect flow; also finds the account id (first business membership). */
  exchangeCode(code: string): Promise<RefreshedTokens & { accountId: string; accountName: string | null }>;
  authorizeUrl(state: string): string;
}

/** A FreshBooks SDK error (`APIClientError`) or an axios error without a response. */
type SdkError = { name?: string; message?: string; statusCode?: string; code?: string; response?: unknown };

/**
 * FreshBooks: form fields serialised as Python's `json.dumps` does by default (the key of
 * `X-FreshBooks-Hmac-SHA256`): field order as received, `", "` / `": "`, non-ASCII as \uXXXX.
 */
export function freshbooksSignedString(form: URLSearchParams): string {
  const escape = (v: string) => JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `{${[...form.entries()].map(([k, v]) => `${escape(k)}: ${escape(v)}`).join(', ')}}`;
}

export function freshbooksSignature(verifier: string, form: URLSearchParams): string {
  return createHmac('sha256', verifier).update(freshbooksSignedString(form)).digest('base64');
}

const EVENT_KINDS: Record<string, BackendEventKind> = {
  'payment.create': 'payment',
  'payment.update': 'payment',
  'payment.delete': 'payment',
  'invoice.update': 'payment',
  'invoice.delete': 'voided',
};

export function createFreshBooksBackend(options: FreshBooksBackendOptions): FreshBooksBackend {
  // No SDK retries: its default (10 exponential retries on 429/5xx, POSTs included) would both stall
  // a job for minutes and risk duplicate creates. Failures surface as BackendErrors; jobs retry.
  const client: FreshBooksClient = new Client(options.clientId, {
    clientSecret: options.clientSecret,
    redirectUri: options.redirectUri,
    ...(options.apiUrl ? { apiUrl: options.apiUrl.replace(/\/$/, '') } : {}),
    retryOptions: { retries: 0 },
  });

  const tokenCall = async (work: () => Promise<{ accessToken: string; refreshToken: string; accessTokenExpiresAt: Date } | undefined>): Promise<RefreshedTokens> => {
    try {
      const t = await work();
      if (!t) throw new BackendError('FreshBooks token endpoint answered without tokens', 'invalid', false);
      return { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.accessTokenExpiresAt };
    } catch (err) {
      throw toBackendError('token request', err);
    }
  };

  const session: OAuthSession = createOAuthSession({
    provider: FRESHBOOKS,
    store: options.connections,
    now: options.now,
    refresh: (refreshToken) => tokenCall(() => client.refreshAccessToken(refreshToken)),
    ...(options.onBroken ? { onBroken: options.onBroken } : {}),
  });

  const observer = options.observe ?? unobserved;
  /** Runs one API call with a fresh token; a 401 gets one refresh and one retry, then breaks the connection. */
  async function call<T>(what: string, work: (accountId: string) => Promise<{ data?: T }>): Promise<T> {
    let tokens = await session.tokens();
    for (let attempt = 0; ; attempt += 1) {
      client.accessToken = tokens.accessToken;
      try {
        const result = await observeCall(
          observer,
          what,
          () => work(tokens.accountId),
          (err) => toBackendError(what, err).code,
        );
        await options.connections.markSuccess(FRESHBOOKS, options.now());
        return result.data as T;
      } catch (err) {
        const mapped = toBackendError(what, err);
        if (mapped.status === 401 && attempt === 0) {
          tokens = await session.refresh(tokens);
          continue;
        }
        if (mapped.status === 401) await session.broken(`FreshBooks ${what} answered 401 after a token refresh`);
        throw mapped;
      }
    }
  }

  const pageOf = (page: number, perPage: number) => new PaginationQueryBuilder().page(page).perPage(perPage);
  /** Every row of a listing: FreshBooks pages with page/per_page (at most 100) and says how many pages there are. */
  async function allPages<T>(
    what: string,
    list: (account: string, page: number) => Promise<{ data?: { pages: { pages: number } } & Record<string, unknown> }>,
    key: string,
  ): Promise<T[]> {
    const rows: T[] = [];
    for (let page = 1; ; page += 1) {
      const result = await call(what, (account) => list(account, page));
      rows.push(...((result[key] as T[] | undefined) ?? []));
      if (page >= result.pages.pages) return rows;
    }
  }

  async function findOrCreateCustomer(customer: IssueInvoiceRequest['customer'], currency: string): Promise<number> {
    if (customer.providerCustomerId) return Number(customer.providerCustomerId);
    const email = customer.emails[0];
    const search = email ? new SearchQueryBuilder().equals('email', email) : new SearchQueryBuilder().like('organization_like', customer.name);
    const found = await call('list clients', (account) => client.clients.list(account, [search]));
    const match = found.clients.find((c) => (email ? c.email === email : c.organization === customer.name));
    if (match?.id !== undefined) return Number(match.id);
    const created = await call('create client', (account) =>
      client.clients.create({ organization: customer.name, ...(email ? { email } : {}), currencyCode: currency } as Parameters<FreshBooksClient['clients']['create']>[0], account),
    );
    return Number(created.id);
  }

  /** Our invoice at FreshBooks, found by its number (FreshBooks has no idempotency keys). */
  async function findExisting(number: string, customerId: number): Promise<FreshBooksInvoice | null> {
    const found = await call('list invoices', (account) => client.invoices.list(account, [new SearchQueryBuilder().equals('invoice_number', number)]));
    // Same number and same client: an invoice someone numbered the same by hand is not ours.
    return (found.invoices as FreshBooksInvoice[]).find((i) => i.invoiceNumber === number && Number(i.customerId) === customerId && i.visState !== 1) ?? null;
  }

  /**
   * FreshBooks clients carry no tax of their own, so the clients file names the FreshBooks tax for
   * the client (`freshbooksTax`); its rate is read from FreshBooks, never written in duebot.
   */
  async function taxNamed(name: string): Promise<FreshBooksTax> {
    const list = await call<{ taxes: FreshBooksTax[] }>(
      'list taxes',
      (account) =>
        (client as unknown as RawCall).call(
          'GET',
          `/accounting/account/${account}/taxes/taxes?search[name]=${encodeURIComponent(name)}&per_page=100`,
          { transformResponse: (data) => (JSON.parse(data) as { response?: { result?: unknown } }).response?.result ?? {} },
          null,
          'List Taxes',
        ) as Promise<{ data?: { taxes: FreshBooksTax[] } }>,
    );
    const tax = (list.taxes ?? []).find((t) => t.name.trim().toLowerCase() === name.trim().toLowerCase());
    if (!tax) throw new BackendError(`FreshBooks has no tax named "${name}" (clients file freshbooksTax); add it under Settings → Taxes or fix the name`, 'invalid', false);
    if (!/^\d+(\.\d+)?$/.test(String(tax.amount))) throw new BackendError(`FreshBooks tax "${name}" has no percentage (amount ${JSON.stringify(tax.amount)})`, 'invalid', false);
    return tax;
  }

  /** The invoice with its lines (FreshBooks includes them only when asked), which carry the taxes. */
  async function readInvoice(providerInvoiceId: string): Promise<FreshBooksInvoice> {
    return (await call('get invoice', (account) => client.invoices.single(account, providerInvoiceId, [new IncludesQueryBuilder().includes('lines')]))) as FreshBooksInvoice;
  }

  async function withLink(inv: FreshBooksInvoice): Promise<BackendInvoice> {
    const link = await call('share link', (account) => client.invoices.shareLink(account, String(inv.id)));
    return toBackendInvoice(inv, (link as unknown as { shareLink?: string }).shareLink ?? null, await creditsOn(inv));
  }

  /**
   * FreshBooks counts an applied credit as a payment (type "Credit") in the invoice's `paid`: its
   * payments are read (only when something was paid) to tell credits from money.
   */
  async function creditsOn(inv: FreshBooksInvoice): Promise<BackendCredit[]> {
    const currency = normalizeCurrency(inv.currencyCode ?? inv.paid?.code ?? 'USD');
    if (!inv.paid || inv.id === undefined || fromFreshBooksAmount(inv.paid.amount, currency) <= 0) return [];
    const payments: FreshBooksPayment[] = [];
    for (let page = 1; ; page += 1) {
      const listed = await call('list payments', (account) =>
        client.payments.list(account, [new SearchQueryBuilder().equals('invoiceid', inv.id!), new PaginationQueryBuilder().page(page).perPage(100)]),
      );
      payments.push(...((listed.payments as unknown as FreshBooksPayment[]) ?? []));
      if (page >= listed.pages.pages) break;
    }
    return freshbooksCredits(
      payments.filter((x) => Number(x.invoiceId) === Number(inv.id)),
      currency,
    );
  }

  return {
    name: FRESHBOOKS,

    async issueInvoice(req) {
      const currency = normalizeCurrency(req.currency);
      // FreshBooks' units, checked before anything is created there: a unit cost it cannot hold is refused.
      const unitCosts = req.lines.map((line) => toFreshBooksAmount(line.unitAmount, currency));
      for (const line of req.lines) toFreshBooksAmount(line.amount, currency); // the line total FreshBooks computes must fit too
      const salesTax = req.salesTax && req.salesTax.amount > 0 ? { ...req.salesTax, wire: toFreshBooksAmount(req.salesTax.amount, currency) } : null;
      const customerId = await findOrCreateCustomer(req.customer, currency);
      let invoice = await findExisting(req.number, customerId);
      if (!invoice) {
        // A tax duebot computed replaces the client's FreshBooks tax: never both.
        const tax = req.customer.freshbooksTax && !req.salesTax ? await taxNamed(req.customer.freshbooksTax) : null;
        invoice = (await call('create invoice', (account) =>
          client.invoices.create(
            {
              customerId,
              // The SDK writes a Date's local calendar day: built from duebot's issue date, it stays that day.
              createDate: localMidnight(req.issueDate),
              // FreshBooks stores the due date as days after the create date.
              dueOffsetDays: Math.max(0, daysBetween(req.issueDate, req.dueDate)),
              currencyCode: currency,
              invoiceNumber: req.number,
              notes: req.memo,
              lines: req.lines
                .map((line, index) => ({
                  type: 0,
                  name: line.description.slice(0, 100),
                  description: line.description,
                  qty: line.quantity,
                  unitCost: { amount: unitCosts[index]!, code: currency },
                  ...(tax ? { taxName1: tax.name, taxAmount1: tax.amount } : {}),
                }))
                .concat(
                  // duebot's computed sales tax as a last, untaxed line of exactly that amount (FreshBooks
                  // taxes are percentages per line, which cannot promise an exact total).
                  salesTax
                    ? [
                        {
                          type: 0,
                          name: salesTax.name.slice(0, 100),
                          description: `${salesTax.name} (${salesTax.ratePercent}%)`,
                          qty: '1',
                          unitCost: { amount: salesTax.wire, code: currency },
                        },
                      ]
                    : [],
                ),
            } as unknown as Parameters<FreshBooksClient['invoices']['create']>[0],
            account,
          ),
        )) as FreshBooksInvoice;
      }
      if (invoice.v3Status === 'draft' || invoice.v3Status === 'created') {
        // duebot emails the invoice itself; FreshBooks only needs to know it went out.
        invoice = (await call('mark sent', (account) => client.invoices.update(account, String(invoice!.id), { actionMarkAsSent: true }))) as FreshBooksInvoice;
      }
      // Read back with its lines: the taxes FreshBooks applied are on them.
      return withLink(await readInvoice(String(invoice.id)));
    },

    async fetchInvoice(providerInvoiceId) {
      return withLink(await readInvoice(providerInvoiceId));
    },

    async voidInvoice(providerInvoiceId) {
      // FreshBooks has no void: deleting (vis_state 1) is how its own UI takes an invoice back.
      const current = await this.fetchInvoice(providerInvoiceId);
      if (current.status === 'void') return current;
      await call('delete invoice', (account) => client.invoices.delete(account, providerInvoiceId));
      return this.fetchInvoice(providerInvoiceId);
    },

    parseWebhook(rawBody, headers) {
      const events = this.parseWebhookEvents!(rawBody, headers);
      return events[0]!;
    },

    parseWebhookEvents(rawBody, headers, extraSecrets = []) {
      const header = headers['x-freshbooks-hmac-sha256'];
      const signature = Array.isArray(header) ? header[0] : header;
      if (!signature) throw new WebhookSignatureError('missing X-FreshBooks-Hmac-SHA256 header');
      const form = new URLSearchParams(rawBody.toString('utf8'));
      const secrets = [options.webhookVerifier ?? '', ...extraSecrets].filter(Boolean);
      if (!secrets.some((secret) => safeEqual(freshbooksSignature(secret, form), signature.trim()))) {
        throw new WebhookSignatureError('X-FreshBooks-Hmac-SHA256 does not match any verifier');
      }
      const name = form.get('name');
      const objectId = form.get('object_id');
      if (!name || !objectId) throw new Error('expected form fields name and object_id');
      const kind = ownValue(EVENT_KINDS, name) ?? 'ignored';
      const isPayment = name.startsWith('payment.');
      const now = options.now();
      // Deliveries carry no event id. Creations are unique by object; repeats of an update within the
      // same minute are one change (processing re-reads the invoice, so a repeat is harmless anyway).
      const eventId = name.endsWith('.create')
        ? `${name}:${objectId}`
        : `${name}:${objectId}:${createHash('sha256').update(rawBody).digest('hex').slice(0, 12)}:${Math.floor(now.getTime() / 60_000)}`;
      return [
        {
          eventId,
          type: name,
          kind,
          providerInvoiceId: kind !== 'ignored' && name.startsWith('invoice.') ? objectId : null,
          duebotInvoiceId: null,
          occurredAt: now,
          subject: isPayment && kind !== 'ignored' ? { type: 'payment', id: objectId } : null,
        },
      ];
    },

    async resolveInvoiceId(event) {
      if (event.subject?.type !== 'payment') return event.providerInvoiceId;
      const payment = await call('get payment', (account) => client.payments.single(account, event.subject!.id));
      const invoiceId = (payment as unknown as { invoiceId?: number | null }).invoiceId;
      return invoiceId ? String(invoiceId) : null;
    },

    async creditInvoice(providerInvoiceId, amountMinor, reason) {
      const inv = (await call('get invoice', (account) => client.invoices.single(account, providerInvoiceId))) as FreshBooksInvoice;
      const currency = normalizeCurrency(inv.currencyCode ?? 'USD');
      const amount = toFreshBooksAmount(amountMinor, currency);
      await call('create credit note', (account) =>
        client.creditNotes.create(
          {
            clientId: String(inv.customerId),
            currencyCode: currency,
            createDate: options.now(),
            lines: [{ type: 0, name: reason.slice(0, 100), qty: 1, unitCost: { amount, code: currency } }],
          } as unknown as Parameters<FreshBooksClient['creditNotes']['create']>[0],
          account,
        ),
      );
      // FreshBooks applies a client's credit to an invoice as a payment of type "Credit".
      const applied = await call('apply credit', (account) =>
        client.payments.create(account, { invoiceId: inv.id, amount: { amount, code: currency }, date: options.now(), type: 'Credit', note: reason }),
      );
      return { ...(await this.fetchInvoice(providerInvoiceId)), creditId: String((applied as unknown as { id?: number | string }).id) };
    },

    async listInvoicesForImport(listing) {
      const perPage = Math.min(listing.pageSize ?? 100, 100);
      const since = listing.since ? [new SearchQueryBuilder().between('date', { min: listing.since })] : [];
      const invoices = await allPages<FreshBooksInvoice>('list invoices', (account, page) => client.invoices.list(account, [pageOf(page, perPage), ...since]) as never, 'invoices');
      const payments = await allPages<FreshBooksPayment>('list payments', (account, page) => client.payments.list(account, [pageOf(page, perPage)]) as never, 'payments');
      return freshBooksHistory(invoices, payments);
    },

    async billsDue(from, to) {
      // Read whole and filtered here: bills are few next to invoices, and only unpaid, not deleted ones count.
      const bills = await allPages<Bills>('list bills', (account, page) => client.bills.list(account, [pageOf(page, 100)]) as never, 'bills');
      return freshBooksBillsDue(bills, assertYmd(from), assertYmd(to));
    },

    async confirmWebhook(callbackId, verifier) {
      await call('verify callback', (account) => client.callbacks.verify(account, callbackId, verifier));
    },

    async exchangeCode(code) {
      const tokens = await tokenCall(() => client.getAccessToken(code));
      client.accessToken = tokens.accessToken;
      let me;
      try {
        me = (await client.users.me()).data;
      } catch (err) {
        throw toBackendError('identity', err);
      }
      const business = me?.businessMemberships?.map((m) => m.business).find((b) => b?.accountId);
      if (!business?.accountId) throw new BackendError('FreshBooks user has no business with an accounting account', 'invalid', false);
      return { ...tokens, accountId: business.accountId, accountName: business.name || null };
    },

    authorizeUrl(state) {
      return `${client.getAuthRequestUrl()}&state=${encodeURIComponent(state)}`;
    },
  };
}

interface FreshBooksMoney {
  amount: string;
  code: string;
}

/** The slice of the SDK's (camel-cased) invoice duebot reads. */
interface FreshBooksInvoice {
  id?: number;
  /** The SDK turns `YYYY-MM-DD` into a Date at local midnight of this process. */
  createDate?: Date;
  dueDate?: Date;
  /** Raw `YYYY-MM-DD` (the SDK leaves it as it comes). */
  datePaid?: string | null;
  currentOrganization?: string;
  organization?: string;
  fName?: string;
  lName?: string;
  invoiceNumber?: string;
  customerId?: number;
  currencyCode?: string;
  amount?: FreshBooksMoney;
  outstanding?: FreshBooksMoney;
  paid?: FreshBooksMoney;
  paymentStatus?: string;
  v3Status?: string;
  visState?: number;
  lines?: FreshBooksLine[];
}

interface FreshBooksLine {
  amount?: FreshBooksMoney;
  taxName1?: string | null;
  taxAmount1?: string | number | null;
  taxName2?: string | null;
  taxAmount2?: string | number | null;
}

/** `YYYY-MM-DD` as a Date at this process's local midnight (what the SDK turns back into that day). */
function localMidnight(ymd: string): Date {
  const [y, m, d] = ymd.split('-').map(Number);
  return new Date(y!, m! - 1, d!);
}

/** Payments of type "Credit" (or paid from credit), not deleted: credits, keyed by the payment id. */
export function freshbooksCredits(payments: readonly FreshBooksPayment[], currency: string): BackendCredit[] {
  return payments
    .filter((x) => (x.type === 'Credit' || x.fromCredit === true) && x.visState !== 1 && x.id !== undefined && x.amount)
    .map((x) => ({ id: String(x.id), amount: fromFreshBooksAmount(x.amount!.amount, currency) }));
}

/** The invoice in duebot's terms; without `credits` (a listing) everything paid counts as money. */
export function toBackendInvoice(inv: FreshBooksInvoice, shareLink: string | null, credits?: BackendCredit[]): BackendInvoice {
  const currency = normalizeCurrency(inv.currencyCode ?? inv.amount?.code ?? 'USD');
  const minor = (m: FreshBooksMoney | undefined) => (m ? fromFreshBooksAmount(m.amount, currency) : 0);
  const amountDue = minor(inv.amount);
  const amountCredited = (credits ?? []).reduce((sum, c) => sum + c.amount, 0);
  const amountPaid = Math.max(0, minor(inv.paid) - amountCredited);
  const status = inv.visState === 1 ? 'void' : inv.paymentStatus === 'paid' || inv.paymentStatus === 'auto-paid' ? 'paid' : inv.v3Status === 'draft' ? 'draft' : 'open';
  return {
    providerInvoiceId: String(inv.id),
    providerCustomerId: String(inv.customerId ?? ''),
    status,
    currency,
    amountDue,
    amountPaid,
    amountCredited,
    ...(credits ? { credits } : {}),
    amountRemaining: inv.outstanding ? minor(inv.outstanding) : Math.max(0, amountDue - amountPaid - amountCredited),
    paymentUrl: status === 'void' ? null : shareLink,
    pdfUrl: null,
    number: inv.invoiceNumber ?? null,
    metadata: inv.invoiceNumber ? { duebot_number: inv.invoiceNumber } : {},
    ...(inv.lines && status !== 'void' ? { tax: freshbooksTax(inv.lines, currency, amountDue) } : {}),
  };
}

/** Lines are before tax; the invoice amount includes the taxes FreshBooks added per line. */
function freshbooksTax(lines: FreshBooksLine[], currency: string, total: number): BackendTax {
  const subtotal = lines.reduce((sum, l) => sum + (l.amount ? fromFreshBooksAmount(l.amount.amount, currency) : 0), 0);
  const taxes = new Map<string, string>();
  for (const l of lines) {
    if (l.taxName1 && l.taxAmount1 != null) taxes.set(l.taxName1, String(l.taxAmount1));
    if (l.taxName2 && l.taxAmount2 != null) taxes.set(l.taxName2, String(l.taxAmount2));
  }
  const amount = Math.max(0, total - subtotal);
  // One combined rate only when every line carries the same taxes; otherwise the names say enough.
  const uniform = lines.every((l) => [l.taxName1, l.taxName2].filter(Boolean).length === taxes.size);
  return {
    subtotal,
    amount,
    name: taxes.size ? [...taxes.keys()].join(' + ') : null,
    ratePercent: amount > 0 && uniform ? addPercents([...taxes.values()]) : null,
  };
}

function toBackendError(what: string, err: unknown): BackendError {
  if (err instanceof BackendError) return err;
  const e = (err ?? {}) as SdkError;
  const status = e.statusCode && /^\d+$/.test(e.statusCode) ? Number(e.statusCode) : null;
  if (status === null && e.response === undefined && e.name !== 'AxiosError' && e.code === undefined) {
    // Neither an HTTP answer nor a network failure: a bug on our side or in the SDK.
    return new BackendError(`FreshBooks ${what} failed: ${e.message ?? 'unknown error'}`, 'invalid', false);
  }
  // No `cause`: an AxiosError carries the request (bearer token, refresh token), which must never reach a log.
  return backendErrorFor(`FreshBooks ${what} failed${status ? ` (${status})` : ''}: ${e.message ?? 'no answer'}`, status, undefined);
}

interface FreshBooksPayment {
  id?: number | string;
  invoiceId?: number | string | null;
  date?: Date;
  visState?: number;
  type?: string;
  fromCredit?: boolean;
  amount?: FreshBooksMoney;
}

/** Unpaid, not deleted or archived bills due within from … to, with what is still outstanding on each. */
export function freshBooksBillsDue(bills: readonly Bills[], from: string, to: string): BillDue[] {
  return bills.flatMap((bill) => {
    const dueDate = sdkDay(bill.dueDate);
    const currency = bill.outstanding?.code ?? bill.currencyCode;
    const outstanding = bill.outstanding?.amount;
    if (bill.visState || bill.status === 'paid' || !dueDate || dueDate < from || dueDate > to || !currency || !outstanding || bill.id === undefined) return [];
    const amountDue = fromFreshBooksAmount(outstanding, normalizeCurrency(currency));
    if (amountDue <= 0) return [];
    return [{ providerBillId: String(bill.id), vendor: bill.vendor?.vendorName || 'FreshBooks vendor', currency: normalizeCurrency(currency), amountDue, dueDate }];
  });
}

/** Back to `YYYY-MM-DD` from the SDK's local-midnight Date; null for a missing or invalid one. */
function sdkDay(date: Date | undefined): string | null {
  if (!date || Number.isNaN(date.getTime())) return null;
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

/** Invoices with the date of their last (not deleted) payment; FreshBooks' own `date_paid` when none is listed. */
export function freshBooksHistory(invoices: readonly FreshBooksInvoice[], payments: readonly FreshBooksPayment[]): HistoricInvoice[] {
  const lastPayment = new Map<string, string>();
  for (const payment of payments) {
    const day = sdkDay(payment.date);
    if (!payment.invoiceId || payment.visState === 1 || !day) continue;
    const key = String(payment.invoiceId);
    if ((lastPayment.get(key) ?? '') < day) lastPayment.set(key, day);
  }
  return invoices.map((inv) => {
    const state = toBackendInvoice(inv, null);
    const person = [inv.fName, inv.lName].filter(Boolean).join(' ');
    return {
      providerInvoiceId: state.providerInvoiceId,
      providerCustomerId: state.providerCustomerId,
      customerName: inv.currentOrganization || inv.organization || person || `FreshBooks client ${state.providerCustomerId}`,
      number: inv.invoiceNumber ?? state.providerInvoiceId,
      currency: state.currency,
      total: state.amountDue,
      amountPaid: state.amountPaid,
      issueDate: sdkDay(inv.createDate) ?? '',
      dueDate: sdkDay(inv.dueDate),
      paidDate: state.status === 'paid' ? (lastPayment.get(state.providerInvoiceId) ?? inv.datePaid ?? null) : null,
      status: state.status,
    };
  });
}

import { createHmac } from 'node:crypto';
import { promisify } from 'node:util';
import QuickBooks from 'node-quickbooks';
import { normalizeCurrency, parseMajor } from '../../domain/money.js';
import { assertYmd } from '../../domain/calendar.js';
import { fromQuickBooksAmount, toQuickBooksAmount, toQuickBooksUnitPrice } from './quickbooks-currency.js';
import { addPercents } from '../../domain/tax.js';
import type { ConnectionStore } from '../../store/connections.js';
import { safeEqual } from '../../http/signatures.js';
import {
  WebhookSignatureError,
  type BackendCredit,
  type BackendEventKind,
  type BackendInvoice,
  type BackendTax,
  type BackendWebhookEvent,
  type HistoricInvoice,
  type InvoicingBackend,
  type IssueInvoiceRequest,
} from './backend.js';
import { BackendError, backendErrorFor, retryAfterMs } from './errors.js';
import { ownValue } from '../../own-key.js';
import { createOAuthSession, type OAuthSession, type RefreshedTokens } from './oauth-session.js';
import { keyedRateLimiter } from './rate-limiter.js';
import { observeCall, unobserved, type CallObserver } from '../call-observer.js';

export const QUICKBOOKS = 'quickbooks';
const DEFAULT_TOKEN_URL = 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer';
const AUTHORIZE_URL = 'https://appcenter.intuit.com/connect/oauth2';

export interface QuickBooksBackendOptions {
  clientId: string;
  clientSecret: string;
  /** `${PUBLIC_URL}/oauth/quickbooks/callback`. */
  redirectUri: string;
  /** Base URL without `/v3/company/`, e.g. `http://127.0.0.1:4010`; null = Intuit (sandbox or production). */
  apiUrl?: string | null;
  sandbox?: boolean;
  tokenUrl?: string | null;
  /** The app's webhook verifier token (HMAC key of `intuit-signature`). */
  webhookVerifier?: string | null;
  /** Item used on every invoice line (QuickBooks wants one; "1" is the stock "Services" item). */
  itemId?: string;
  connections: ConnectionStore;
  now: () => Date;
  onBroken?: (provider: string, reason: string) => void;
  /** QuickBooks limits per realm: 10 concurrent, 500 per minute (overridable for tests). */
  limits?: { concurrency: number; perMinute: number };
  /** Told about every API call and rate-limit wait (the metrics); default: nobody. */
  observe?: CallObserver;
}

export interface QuickBooksBackend extends InvoicingBackend {
  /** Code → tokens, with the company's name (CompanyInfo) so people can tell which company was connected. */
  exchangeCode(code: string, realmId: string): Promise<RefreshedTokens & { accountId: string; accountName: string | null }>;
  authorizeUrl(state: string): string;
}

/** Intuit: `intuit-signature` is the base64 HMAC-SHA256 of the raw body with the verifier token. */
export function intuitSignature(verifier: string, rawBody: Buffer | string): string {
  return createHmac('sha256', verifier).update(rawBody).digest('base64');
}

type Callback<T> = (err: unknown, data: T) => void;
/** The node-quickbooks methods duebot calls (the package's typings are loose). */
interface Qbo {
  endpoint: string;
  findCustomers(criteria: unknown, cb: Callback<{ QueryResponse: { Customer?: QboCustomer[] } }>): void;
  createCustomer(body: unknown, cb: Callback<QboCustomer>): void;
  findInvoices(criteria: unknown, cb: Callback<{ QueryResponse: { Invoice?: QboInvoice[] } }>): void;
  findPayments(criteria: unknown, cb: Callback<{ QueryResponse: { Payment?: QboPayment[] } }>): void;
  findAccounts(criteria: unknown, cb: Callback<{ QueryResponse: { Account?: QboAccount[] } }>): void;
  findBills(criteria: unknown, cb: Callback<{ QueryResponse: { Bill?: QboBill[] } }>): void;
  createInvoice(body: unknown, cb: Callback<QboInvoice>): void;
  getInvoice(id: string, cb: Callback<QboInvoice>): void;
  getInvoicePdf(id: string, cb: Callback<Buffer>): void;
  getTaxCode(id: string, cb: Callback<{ Id: string; Name?: string }>): void;
  getCustomer(id: string, cb: Callback<QboCustomer>): void;
  getCompanyInfo(id: string, cb: Callback<{ CompanyName?: string; LegalName?: string }>): void;
  voidInvoice(idOrEntity: unknown, cb: Callback<unknown>): void;
  getPayment(id: string, cb: Callback<QboPayment>): void;
  getCreditMemo(id: string, cb: Callback<QboCreditMemo>): void;
  createCreditMemo(body: unknown, cb: Callback<{ Id: string }>): void;
  createPayment(body: unknown, cb: Callback<{ Id: string }>): void;
  changeDataCapture(entities: string[], since: Date, cb: Callback<CdcResponse>): void;
  refreshAccessToken(cb: Callback<{ access_token: string; refresh_token: string; expires_in: number }>): void;
  refreshToken: string | null;
}
interface QboCustomer {
  Id: string;
  DisplayName: string;
  DefaultTaxCodeRef?: { value: string };
  Taxable?: boolean;
}
/** A bank account as QuickBooks keeps it: CurrentBalance in major units, in the account's currency. */
interface QboAccount {
  Id: string;
  Name?: string;
  CurrentBalance?: number;
  CurrencyRef?: { value: string };
}

/** A supplier bill (accounts payable): Balance is what is still to pay, in major units of CurrencyRef. */
interface QboBill {
  Id: string;
  VendorRef?: { value: string; name?: string };
  DueDate?: string;
  TotalAmt?: number;
  Balance?: number;
  CurrencyRef?: { value: string };
}

interface QboInvoice {
  Id: string;
  DocNumber?: string;
  CustomerRef: { value: string; name?: string };
  TxnDate?: string;
  DueDate?: string;
  MetaData?: { LastUpdatedTime?: string };
  CurrencyRef?: { value: string };
  TotalAmt: number;
  Balance: number;
  PrivateNote?: string;
  InvoiceLink?: string;
  TxnTaxDetail?: QboTxnTaxDetail;
  /** What was applied to it: payments (cash, or $0 ones applying a credit memo) and credit memos. */
  LinkedTxn?: { TxnId: string; TxnType: string }[];
}
interface QboCreditMemo {
  Id: string;
  TotalAmt?: number;
  LinkedTxn?: { TxnId: string; TxnType: string }[];
}
/** The tax QuickBooks computed for the invoice from its tax code (the customer's default). */
interface QboTxnTaxDetail {
  TxnTaxCodeRef?: { value: string; name?: string };
  TotalTax?: number;
  TaxLine?: { Amount?: number; TaxLineDetail?: { TaxRateRef?: { value: string; name?: string }; PercentBased?: boolean; TaxPercent?: number } }[];
}
interface CdcResponse {
  CDCResponse?: { QueryResponse?: { Invoice?: { Id: string }[]; Payment?: QboPayment[] }[] }[];
}
interface QboPayment {
  Id: string;
  TxnDate?: string;
  /** Cash received: the invoice lines less the credit memo lines (0 for a payment that only applies a credit). */
  TotalAmt?: number;
  Line?: { Amount?: number; LinkedTxn?: { TxnId: string; TxnType: string }[] }[];
}

const QboClass = QuickBooks as unknown as {
  new (...args: unknown[]): Qbo;
  TOKEN_URL: string;
};

export function createQuickBooksBackend(options: QuickBooksBackendOptions): QuickBooksBackend {
  const apiBase = (options.apiUrl ?? (options.sandbox ? 'https://sandbox-quickbooks.api.intuit.com' : 'https://quickbooks.api.intuit.com')).replace(/\/$/, '');
  const tokenUrl = options.tokenUrl ?? DEFAULT_TOKEN_URL;
  const observer = options.observe ?? unobserved;
  const limiterFor = keyedRateLimiter({
    concurrency: options.limits?.concurrency ?? 10,
    perWindow: options.limits?.perMinute ?? 500,
    windowMs: 60_000,
    onWait: (ms) => observer.rateLimitWait(ms / 1000),
  });

  const qbo = (accessToken: string, realmId: string, refreshToken: string | null = null): Qbo => {
    // Positional: key, secret, token, tokenSecret, realm, sandbox, debug, minorversion, oauth version, refresh token.
    const client = new QboClass(options.clientId, options.clientSecret, accessToken, false, realmId, Boolean(options.sandbox), false, 75, '2.0', refreshToken);
    client.endpoint = `${apiBase}/v3/company/`;
    return client;
  };

  const session: OAuthSession = createOAuthSession({
    provider: QUICKBOOKS,
    store: options.connections,
    now: options.now,
    refresh: async (refreshToken) => {
      const client = qbo('', '', refreshToken);
      // The SDK reads the token URL from a static at call time; set it right before, synchronously.
      QboClass.TOKEN_URL = tokenUrl;
      try {
        const data = await promisify(client.refreshAccessToken.bind(client))();
        return { accessToken: data.access_token, refreshToken: data.refresh_token, expiresAt: new Date(options.now().getTime() + data.expires_in * 1000) };
      } catch (err) {
        throw toBackendError('token refresh', err, options.now());
      }
    },
    ...(options.onBroken ? { onBroken: options.onBroken } : {}),
  });

  /** One SDK call under the realm's limits with a fresh token; a 401 gets one refresh and one retry. */
  async function call<T>(what: string, work: (client: Qbo) => Promise<T>): Promise<T> {
    let tokens = await session.tokens();
    for (let attempt = 0; ; attempt += 1) {
      const client = qbo(tokens.accessToken, tokens.accountId);
      try {
        const result = await limiterFor(tokens.accountId)(() =>
          observeCall(
            observer,
            what,
            () => work(client),
            (err) => toBackendError(what, err, options.now()).code,
          ),
        );
        await options.connections.markSuccess(QUICKBOOKS, options.now());
        return result;
      } catch (err) {
        const mapped = toBackendError(what, err, options.now());
        if (mapped.status === 401 && attempt === 0) {
          tokens = await session.refresh(tokens);
          continue;
        }
        if (mapped.status === 401) await session.broken(`QuickBooks ${what} answered 401 after a token refresh`);
        throw mapped;
      }
    }
  }
  const p = <T>(fn: (cb: Callback<T>) => void): Promise<T> => new Promise<T>((resolve, reject) => fn((err, data) => (err ? reject(err) : resolve(data))));

  const finders = { Invoice: 'findInvoices', Payment: 'findPayments', Bill: 'findBills' } as const;
  /** Every row of a query: QuickBooks pages with startposition/maxresults (at most 1000); a short page is the last. */
  async function queryAll<T>(entity: keyof typeof finders, where: string, size: number): Promise<T[]> {
    const rows: T[] = [];
    for (let start = 1; ; start += size) {
      const criteria = `${where}startposition ${start} maxresults ${size}`;
      const page = await call(`query ${entity}`, (c) => p<{ QueryResponse: Record<string, unknown> }>((cb) => c[finders[entity]](criteria, cb as never)));
      const got = (page.QueryResponse?.[entity] as T[] | undefined) ?? [];
      rows.push(...got);
      if (got.length < size) return rows;
    }
  }

  async function findOrCreateCustomer(customer: IssueInvoiceRequest['customer']): Promise<QboCustomer> {
    if (customer.providerCustomerId) return call('get customer', (c) => p<QboCustomer>((cb) => c.getCustomer(customer.providerCustomerId!, cb)));
    const found = await call('find customers', (c) => p<{ QueryResponse: { Customer?: QboCustomer[] } }>((cb) => c.findCustomers({ DisplayName: customer.name }, cb)));
    const existing = found.QueryResponse.Customer?.[0];
    if (existing) return existing;
    const email = customer.emails[0];
    return call('create customer', (c) =>
      p<QboCustomer>((cb) => c.createCustomer({ DisplayName: customer.name, CompanyName: customer.name, ...(email ? { PrimaryEmailAddr: { Address: email } } : {}) }, cb)),
    );
  }

  let lastChangePoll: Date | null = null;

  async function readInvoice(id: string, options: { taxName?: boolean } = {}): Promise<BackendInvoice> {
    // `include=invoiceLink` yields the pay link where QuickBooks Payments is on; otherwise it is absent.
    const inv = await call('get invoice', (c) => p<QboInvoice>((cb) => c.getInvoice(`${id}?include=invoiceLink`, cb)));
    const read = toBackendInvoice(inv, await appliedTo(inv));
    // The invoice names its tax code by id only; its name is read once per code, when issuing.
    const code = inv.TxnTaxDetail?.TxnTaxCodeRef;
    if (options.taxName && read.tax && read.tax.amount > 0 && !read.tax.name && code) read.tax.name = await taxCodeName(code.value);
    return read;
  }

  /**
   * Money and credits applied to the invoice, split: QuickBooks lowers Balance for both, so the
   * transactions linked to it are read (only when something was applied): each Payment, whose credit
   * memo lines are credit and the rest cash, and any credit memo linked directly.
   */
  async function appliedTo(inv: QboInvoice): Promise<AppliedAmounts | undefined> {
    const currency = normalizeCurrency(inv.CurrencyRef?.value ?? 'USD');
    const applied = fromQuickBooksAmount(inv.TotalAmt, currency) - fromQuickBooksAmount(inv.Balance, currency);
    if (applied <= 0 || /^voided/i.test(inv.PrivateNote ?? '')) return undefined;
    const links = inv.LinkedTxn ?? [];
    const ids = (type: string) => [...new Set(links.filter((t) => t.TxnType === type).map((t) => t.TxnId))];
    const payments: QboPayment[] = [];
    for (const id of ids('Payment')) payments.push(await call('get payment', (c) => p<QboPayment>((cb) => c.getPayment(id, cb))));
    const memos: QboCreditMemo[] = [];
    for (const id of ids('CreditMemo')) memos.push(await call('get credit memo', (c) => p<QboCreditMemo>((cb) => c.getCreditMemo(id, cb))));
    return quickbooksApplied(inv.Id, applied, payments, memos, currency);
  }

  const taxCodeNames = new Map<string, string | null>();
  async function taxCodeName(id: string): Promise<string | null> {
    if (!taxCodeNames.has(id)) {
      const code = await call('get tax code', (c) => p<{ Id: string; Name?: string }>((cb) => c.getTaxCode(id, cb)));
      taxCodeNames.set(id, code.Name ?? null);
    }
    return taxCodeNames.get(id) ?? null;
  }

  return {
    name: QUICKBOOKS,

    async issueInvoice(req) {
      const currency = normalizeCurrency(req.currency);
      // QuickBooks' units, checked before anything is created there: an amount it would round is refused.
      const lineAmounts = req.lines.map((line) => toQuickBooksAmount(line.amount, currency));
      const salesTax = req.salesTax && req.salesTax.amount > 0 ? { ...req.salesTax, wire: toQuickBooksAmount(req.salesTax.amount, currency) } : null;
      const customer = await findOrCreateCustomer(req.customer);
      // Our number on this customer: found again after a crash (QuickBooks replays a requestid only so long).
      const found = await call('find invoices', (c) =>
        p<{ QueryResponse: { Invoice?: QboInvoice[] } }>((cb) => c.findInvoices({ DocNumber: req.number, CustomerRef: customer.Id }, cb)),
      );
      const existing = found.QueryResponse.Invoice?.[0];
      if (existing) return readInvoice(existing.Id, { taxName: true });
      const email = req.customer.emails[0];
      // A tax duebot computed replaces the customer's tax code: the lines are then non-taxable in QuickBooks.
      const lineTax = { value: customer.Taxable && !req.salesTax ? 'TAX' : 'NON' };
      const body = {
        // QuickBooks' own idempotency key: a replay of the same requestid returns the first result; a
        // new attempt (after a definite failure) gets a new one, the DocNumber lookup above keeps it single.
        requestId: `duebot-${req.invoiceId}-a${req.attempt}`,
        CustomerRef: { value: customer.Id },
        CurrencyRef: { value: currency },
        // duebot's number on the client's invoice. Needs "Custom transaction numbers" on (Account and
        // settings → Sales → Sales form content): otherwise QuickBooks' own counter collides with it (docs/billing.md).
        DocNumber: req.number,
        TxnDate: req.issueDate,
        DueDate: req.dueDate,
        ...(email ? { BillEmail: { Address: email } } : {}),
        AllowOnlineCreditCardPayment: true,
        AllowOnlineACHPayment: true,
        CustomerMemo: { value: req.memo.slice(0, 1000) },
        PrivateNote: `duebot ${req.invoiceId}`,
        // QuickBooks takes JSON numbers in major units; each is the exact decimal string's shortest double.
        Line: req.lines
          .map((line, index) => ({
            DetailType: 'SalesItemLineDetail',
            Amount: lineAmounts[index]!,
            Description: line.description,
            SalesItemLineDetail: {
              ItemRef: { value: options.itemId ?? '1' },
              Qty: Number(line.quantity),
              UnitPrice: toQuickBooksUnitPrice(line.unitAmount, currency),
              TaxCodeRef: lineTax,
            },
          }))
          .concat(
            // duebot's computed sales tax as a last line of exactly that amount (US QuickBooks computes its
            // own sales tax from tax codes and agencies; a line keeps the amount exact on every edition).
            salesTax
              ? [
                  {
                    DetailType: 'SalesItemLineDetail',
                    Amount: salesTax.wire,
                    Description: `${salesTax.name} (${salesTax.ratePercent}%)`,
                    SalesItemLineDetail: { ItemRef: { value: options.itemId ?? '1' }, Qty: 1, UnitPrice: salesTax.wire, TaxCodeRef: { value: 'NON' } },
                  },
                ]
              : [],
          ),
        ...(customer.DefaultTaxCodeRef && !req.salesTax ? { TxnTaxDetail: { TxnTaxCodeRef: customer.DefaultTaxCodeRef } } : {}),
      };
      const created = await call('create invoice', (c) => p<QboInvoice>((cb) => c.createInvoice(body, cb)));
      return readInvoice(created.Id, { taxName: true });
    },

    fetchInvoice: (id) => readInvoice(id),

    async invoicePdf(providerInvoiceId) {
      const pdf = await call('get invoice PDF', (c) => p<Buffer>((cb) => c.getInvoicePdf(providerInvoiceId, cb)));
      const bytes = Buffer.isBuffer(pdf) ? pdf : Buffer.from(pdf as ArrayBuffer);
      if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') throw new BackendError(`QuickBooks invoice ${providerInvoiceId} PDF is not a PDF`, 'invalid', true);
      return bytes;
    },

    async bankBalances() {
      // Queries return active accounts only, as QuickBooks does by default.
      const found = await call('query bank accounts', (c) => p<{ QueryResponse: { Account?: QboAccount[] } }>((cb) => c.findAccounts({ AccountType: 'Bank' }, cb)));
      const byCurrency = new Map<string, { amount: number; accounts: number }>();
      for (const account of found.QueryResponse.Account ?? []) {
        if (!account.CurrencyRef?.value) continue; // every account carries one; without it the amount cannot be read safely
        const balance = parseMajor(account.CurrentBalance ?? 0, account.CurrencyRef.value);
        const sum = byCurrency.get(balance.currency) ?? { amount: 0, accounts: 0 };
        byCurrency.set(balance.currency, { amount: sum.amount + balance.amount, accounts: sum.accounts + 1 });
      }
      return [...byCurrency].map(([currency, sum]) => ({ currency, ...sum }));
    },

    async voidInvoice(providerInvoiceId) {
      const current = await readInvoice(providerInvoiceId);
      if (current.status === 'void') return current;
      // Given an id, node-quickbooks reads the invoice first for its SyncToken, then voids it.
      await call('void invoice', (c) => p<unknown>((cb) => c.voidInvoice(providerInvoiceId, cb)));
      return readInvoice(providerInvoiceId);
    },

    parseWebhook(rawBody, headers) {
      const events = this.parseWebhookEvents!(rawBody, headers);
      if (!events[0]) throw new Error('delivery carries no events');
      return events[0];
    },

    parseWebhookEvents(rawBody, headers) {
      const header = headers['intuit-signature'];
      const signature = Array.isArray(header) ? header[0] : header;
      if (!signature) throw new WebhookSignatureError('missing intuit-signature header');
      if (!options.webhookVerifier || !safeEqual(intuitSignature(options.webhookVerifier, rawBody), signature.trim())) {
        throw new WebhookSignatureError('intuit-signature does not match the verifier token');
      }
      return parseIntuitEvents(JSON.parse(rawBody.toString('utf8')) as unknown, options.now());
    },

    async resolveInvoiceId(event) {
      if (event.subject?.type === 'credit_memo') {
        // A memo reaches an invoice through the ($0) payment that applies it; unapplied, it concerns no invoice yet.
        const memo = await call('get credit memo', (c) => p<QboCreditMemo>((cb) => c.getCreditMemo(event.subject!.id, cb)));
        const paymentId = memo.LinkedTxn?.find((t) => t.TxnType === 'Payment')?.TxnId;
        if (!paymentId) return memo.LinkedTxn?.find((t) => t.TxnType === 'Invoice')?.TxnId ?? null;
        return this.resolveInvoiceId!({ ...event, subject: { type: 'payment', id: paymentId } });
      }
      if (event.subject?.type !== 'payment') return event.providerInvoiceId;
      const payment = await call('get payment', (c) => p<QboPayment>((cb) => c.getPayment(event.subject!.id, cb)));
      for (const line of payment.Line ?? []) {
        const linked = line.LinkedTxn?.find((t) => t.TxnType === 'Invoice');
        if (linked) return linked.TxnId;
      }
      return null;
    },

    async creditInvoice(providerInvoiceId, amountMinor, reason) {
      const inv = await call('get invoice', (c) => p<QboInvoice>((cb) => c.getInvoice(providerInvoiceId, cb)));
      const currency = normalizeCurrency(inv.CurrencyRef?.value ?? 'USD');
      const amount = toQuickBooksAmount(amountMinor, currency);
      const memo = await call('create credit memo', (c) =>
        p<{ Id: string }>((cb) =>
          c.createCreditMemo(
            {
              CustomerRef: inv.CustomerRef,
              CurrencyRef: { value: currency },
              PrivateNote: reason.slice(0, 4000),
              Line: [
                {
                  DetailType: 'SalesItemLineDetail',
                  Amount: amount,
                  Description: reason,
                  SalesItemLineDetail: { ItemRef: { value: options.itemId ?? '1' }, Qty: 1, UnitPrice: amount },
                },
              ],
            },
            cb,
          ),
        ),
      );
      // A credit memo stands apart until applied: a zero-total payment links it to the invoice.
      const applied = await call('apply credit memo', (c) =>
        p<{ Id: string }>((cb) =>
          c.createPayment(
            {
              CustomerRef: inv.CustomerRef,
              TotalAmt: 0,
              Line: [
                { Amount: amount, LinkedTxn: [{ TxnId: providerInvoiceId, TxnType: 'Invoice' }] },
                { Amount: amount, LinkedTxn: [{ TxnId: memo.Id, TxnType: 'CreditMemo' }] },
              ],
            },
            cb,
          ),
        ),
      );
      return { ...(await readInvoice(providerInvoiceId)), creditId: `Payment/${applied.Id}` };
    },

    async listInvoicesForImport(listing) {
      const size = Math.min(listing.pageSize ?? 1000, 1000);
      const where = listing.since ? `where TxnDate >= '${listing.since}' ` : '';
      // Payments on or after `since` cover every payment of an invoice dated on or after it.
      return quickBooksHistory(await queryAll<QboInvoice>('Invoice', where, size), await queryAll<QboPayment>('Payment', where, size));
    },

    async billsDue(from, to) {
      // QuickBooks keeps no status on a bill: Balance > 0 is still owed.
      const bills = await queryAll<QboBill>('Bill', `where DueDate >= '${assertYmd(from)}' and DueDate <= '${assertYmd(to)}' `, 1000);
      return bills.flatMap((bill) => {
        const currency = bill.CurrencyRef?.value;
        if (!currency || !bill.DueDate || !bill.Balance) return [];
        const amountDue = fromQuickBooksAmount(bill.Balance, currency);
        if (amountDue <= 0) return [];
        return [
          {
            providerBillId: bill.Id,
            vendor: bill.VendorRef?.name ?? `QuickBooks vendor ${bill.VendorRef?.value ?? ''}`.trim(),
            currency: normalizeCurrency(currency),
            amountDue,
            dueDate: bill.DueDate,
          },
        ];
      });
    },

    async changedSinceLastPoll() {
      const started = options.now();
      const previous = lastChangePoll;
      lastChangePoll = started;
      // QuickBooks keeps 30 days of changes; without a previous poll (or past that) check everything.
      if (!previous || started.getTime() - previous.getTime() > 29 * 86_400_000) return null;
      try {
        // A minute of overlap: a change written while the previous poll ran is not missed.
        const data = await call('change data capture', (c) => p<CdcResponse>((cb) => c.changeDataCapture(['Invoice', 'Payment'], new Date(previous.getTime() - 60_000), cb)));
        const ids = new Set<string>();
        for (const response of data.CDCResponse ?? []) {
          for (const page of response.QueryResponse ?? []) {
            for (const invoice of page.Invoice ?? []) ids.add(invoice.Id);
            for (const payment of page.Payment ?? []) {
              for (const line of payment.Line ?? []) for (const t of line.LinkedTxn ?? []) if (t.TxnType === 'Invoice') ids.add(t.TxnId);
            }
          }
        }
        return ids;
      } catch {
        lastChangePoll = previous;
        return null;
      }
    },

    async exchangeCode(code, realmId) {
      const response = await fetch(tokenUrl, {
        method: 'POST',
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: options.redirectUri }).toString(),
      }).catch((err: unknown) => {
        throw backendErrorFor(`QuickBooks token exchange failed: ${err instanceof Error ? err.message : 'no answer'}`, null, undefined);
      });
      if (!response.ok) throw backendErrorFor(`QuickBooks token exchange failed (${response.status})`, response.status, null);
      const data = (await response.json()) as { access_token: string; refresh_token: string; expires_in: number };
      const company = await limiterFor(realmId)(() => p<{ CompanyName?: string; LegalName?: string }>((cb) => qbo(data.access_token, realmId).getCompanyInfo(realmId, cb))).catch(
        (err: unknown) => {
          throw toBackendError('company info', err, options.now());
        },
      );
      const accountName = company.CompanyName || company.LegalName || null;
      return {
        accountId: realmId,
        accountName,
        accessToken: data.access_token,
        refreshToken: data.refresh_token,
        expiresAt: new Date(options.now().getTime() + data.expires_in * 1000),
      };
    },

    authorizeUrl(state) {
      const params = new URLSearchParams({
        client_id: options.clientId,
        response_type: 'code',
        scope: 'com.intuit.quickbooks.accounting',
        redirect_uri: options.redirectUri,
        state,
      });
      return `${AUTHORIZE_URL}?${params.toString()}`;
    },
  };
}

const ENTITY_KINDS: Record<string, BackendEventKind> = { invoice: 'payment', payment: 'payment', creditmemo: 'credit' };

/** Both webhook formats: legacy `eventNotifications` and the CloudEvents array. Only Invoice, Payment and CreditMemo matter. */
export function parseIntuitEvents(body: unknown, now: Date): BackendWebhookEvent[] {
  const events: BackendWebhookEvent[] = [];
  const add = (eventId: string, entity: string, id: string, operation: string, at: string | undefined) => {
    const name = entity.toLowerCase();
    const op = operation.toLowerCase();
    let kind: BackendEventKind = ownValue(ENTITY_KINDS, name) ?? 'ignored';
    if (name === 'invoice' && (op === 'void' || op === 'delete')) kind = 'voided';
    const occurredAt = at && !Number.isNaN(Date.parse(at)) ? new Date(at) : now;
    events.push({
      eventId,
      type: `${entity}.${operation}`,
      kind,
      providerInvoiceId: kind !== 'ignored' && name === 'invoice' ? id : null,
      duebotInvoiceId: null,
      occurredAt,
      subject: kind === 'ignored' ? null : name === 'payment' ? { type: 'payment', id } : name === 'creditmemo' ? { type: 'credit_memo', id } : null,
    });
  };
  if (Array.isArray(body)) {
    for (const item of body as { id?: string; type?: string; intuitentityid?: string; intuitaccountid?: string; time?: string }[]) {
      // type: qbo.<entity>.<operation>.v<n>
      const [, entity, operation] = /^qbo\.([a-z]+)\.([a-z]+)\.v\d+$/i.exec(item.type ?? '') ?? [];
      if (!item.id || !entity || !operation || !item.intuitentityid) throw new Error('CloudEvent without id, type qbo.<entity>.<operation>.v1 or intuitentityid');
      add(item.id, entity, item.intuitentityid, operation, item.time);
    }
    return events;
  }
  const legacy = body as { eventNotifications?: { realmId?: string; dataChangeEvent?: { entities?: { name: string; id: string; operation: string; lastUpdated?: string }[] } }[] };
  if (!Array.isArray(legacy?.eventNotifications)) throw new Error('expected eventNotifications or a CloudEvents array');
  for (const note of legacy.eventNotifications) {
    for (const e of note.dataChangeEvent?.entities ?? []) {
      // Legacy deliveries carry no event id: realm, entity, id, operation and time identify one.
      add(`${note.realmId ?? ''}:${e.name}:${e.id}:${e.operation}:${e.lastUpdated ?? ''}`, e.name, e.id, e.operation, e.lastUpdated);
    }
  }
  return events;
}

/** What was applied to an invoice, in minor units: cash and, one by one, the credits. */
export interface AppliedAmounts {
  paid: number;
  credits: BackendCredit[];
}

/**
 * Splits what was applied to invoice `invoiceId` into cash and credits. Within one payment its credit
 * memo lines cover its invoice lines first, in line order (a $0 payment is all credit); a credit memo
 * linked to the invoice directly covers what the payments leave unexplained. The rest is cash.
 */
export function quickbooksApplied(invoiceId: string, applied: number, payments: readonly QboPayment[], memos: readonly QboCreditMemo[], currency: string): AppliedAmounts {
  const minor = (n: number | undefined) => fromQuickBooksAmount(n ?? 0, currency);
  const credits: BackendCredit[] = [];
  let explained = 0;
  for (const payment of payments) {
    const lines = payment.Line ?? [];
    let credit = lines.filter((l) => l.LinkedTxn?.some((t) => t.TxnType === 'CreditMemo')).reduce((sum, l) => sum + minor(l.Amount), 0);
    let toThis = 0;
    let creditToThis = 0;
    for (const line of lines) {
      if (!line.LinkedTxn?.some((t) => t.TxnType === 'Invoice')) continue;
      const amount = minor(line.Amount);
      const covered = Math.min(amount, credit);
      credit -= covered;
      if (line.LinkedTxn.some((t) => t.TxnType === 'Invoice' && t.TxnId === invoiceId)) {
        toThis += amount;
        creditToThis += covered;
      }
    }
    explained += toThis;
    if (creditToThis > 0) credits.push({ id: `Payment/${payment.Id}`, amount: creditToThis });
  }
  for (const memo of memos) {
    const amount = Math.min(minor(memo.TotalAmt), Math.max(0, applied - explained));
    explained += amount;
    if (amount > 0) credits.push({ id: `CreditMemo/${memo.Id}`, amount });
  }
  const credited = credits.reduce((sum, c) => sum + c.amount, 0);
  return { paid: Math.max(0, applied - credited), credits };
}

/** The invoice in duebot's terms; without `applied` (a listing) everything applied counts as paid. */
export function toBackendInvoice(inv: QboInvoice, applied?: AppliedAmounts): BackendInvoice {
  const currency = normalizeCurrency(inv.CurrencyRef?.value ?? 'USD');
  const total = fromQuickBooksAmount(inv.TotalAmt, currency);
  const balance = fromQuickBooksAmount(inv.Balance, currency);
  const credited = applied ? applied.credits.reduce((sum, c) => sum + c.amount, 0) : 0;
  // A voided invoice keeps its number with every amount zeroed and "Voided" in the private note.
  const voided = /^voided/i.test(inv.PrivateNote ?? '');
  const status = voided ? 'void' : balance === 0 && total > 0 ? 'paid' : 'open';
  return {
    providerInvoiceId: inv.Id,
    providerCustomerId: inv.CustomerRef.value,
    status,
    currency,
    amountDue: total,
    amountPaid: total - balance - credited,
    amountCredited: credited,
    ...(applied || total === balance ? { credits: applied?.credits ?? [] } : {}),
    amountRemaining: balance,
    paymentUrl: voided ? null : inv.InvoiceLink || null,
    pdfUrl: null,
    number: inv.DocNumber ?? null,
    metadata: inv.DocNumber ? { duebot_number: inv.DocNumber } : {},
    ...(voided ? {} : { tax: quickbooksTax(inv, currency, total) }),
  };
}

/** TotalTax on top of the lines (QuickBooks US sales tax is exclusive); the rate from the tax lines. */
function quickbooksTax(inv: QboInvoice, currency: string, total: number): BackendTax {
  const detail = inv.TxnTaxDetail;
  const amount = detail?.TotalTax ? fromQuickBooksAmount(detail.TotalTax, currency) : 0;
  const percents = (detail?.TaxLine ?? [])
    .map((l) => l.TaxLineDetail)
    .filter((d) => d?.PercentBased !== false && typeof d?.TaxPercent === 'number')
    .map((d) => d!.TaxPercent!);
  const names = (detail?.TaxLine ?? []).map((l) => l.TaxLineDetail?.TaxRateRef?.name).filter((n): n is string => Boolean(n));
  return {
    subtotal: total - amount,
    amount,
    name: detail?.TxnTaxCodeRef?.name ?? (names.length ? names.join(' + ') : null),
    ratePercent: amount > 0 ? addPercents(percents) : null,
  };
}

/** node-quickbooks hands back an AxiosError (HTTP failure) or the Fault body (200 with a Fault). */
function toBackendError(what: string, err: unknown, now: Date): BackendError {
  if (err instanceof BackendError) return err;
  const e = (err ?? {}) as {
    response?: { status?: number; headers?: Record<string, string>; data?: unknown };
    message?: string;
    Fault?: { Error?: { Message?: string; Detail?: string }[] };
    code?: string;
  };
  const status = e.response?.status ?? null;
  const fault = (e.Fault ?? (e.response?.data as { Fault?: typeof e.Fault } | undefined)?.Fault)?.Error?.[0];
  const detail = fault ? `${fault.Message ?? ''}${fault.Detail ? `: ${fault.Detail}` : ''}` : (e.message ?? String(err));
  // No `cause`: the SDK's AxiosError carries the request headers and body (bearer token, refresh token),
  // and whatever logs this error must never see them.
  if (status === null && e.Fault) return new BackendError(`QuickBooks ${what} failed: ${detail}`, 'invalid', false);
  return backendErrorFor(
    `QuickBooks ${what} failed${status ? ` (${status})` : ''}: ${detail}`,
    status,
    undefined,
    status === 429 ? retryAfterMs(e.response?.headers?.['retry-after'], now) : null,
  );
}

/** Invoices with the date of the payment that settled each (the latest payment linked to it). */
export function quickBooksHistory(invoices: readonly QboInvoice[], payments: readonly QboPayment[]): HistoricInvoice[] {
  const lastPayment = new Map<string, string>();
  for (const payment of payments) {
    for (const line of payment.Line ?? []) {
      for (const t of line.LinkedTxn ?? []) {
        if (t.TxnType !== 'Invoice' || !payment.TxnDate) continue;
        const before = lastPayment.get(t.TxnId);
        if (!before || before < payment.TxnDate) lastPayment.set(t.TxnId, payment.TxnDate);
      }
    }
  }
  return invoices.map((inv) => {
    const state = toBackendInvoice(inv);
    // A Balance of 0 without a linked payment (closed by a credit memo): its last change is the best date known.
    const paidDate = state.status === 'paid' ? (lastPayment.get(inv.Id) ?? inv.MetaData?.LastUpdatedTime?.slice(0, 10) ?? null) : null;
    return {
      providerInvoiceId: inv.Id,
      providerCustomerId: inv.CustomerRef.value,
      customerName: inv.CustomerRef.name ?? `QuickBooks customer ${inv.CustomerRef.value}`,
      number: inv.DocNumber ?? inv.Id,
      currency: state.currency,
      total: state.amountDue,
      amountPaid: state.amountPaid,
      issueDate: inv.TxnDate ?? inv.MetaData?.LastUpdatedTime?.slice(0, 10) ?? '',
      dueDate: inv.DueDate ?? null,
      paidDate,
      status: state.status,
    };
  });
}

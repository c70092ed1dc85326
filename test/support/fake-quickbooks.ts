import { createHmac, randomBytes } from 'node:crypto';
import { startStub, type StubReply, type StubRequest } from './http-stub.js';
import { minimalPdf } from './pdf.js';

/**
 * A local stand-in for QuickBooks Online, spoken to by the real `node-quickbooks` SDK
 * (`endpoint = <url>/v3/company/`, token URL `<url>/oauth2/v1/tokens/bearer`). Wire format as Intuit's:
 * `<base>/<realm>/<entity>?minorversion=75&format=json`, answers `{ "Invoice": {...}, "time": ... }`,
 * queries `GET /query?query=select * from Customer where DisplayName = 'x' startposition 1 maxresults 1000`
 * answered as `{ "QueryResponse": { "Customer": [...], "startPosition", "maxResults" } }` (Customer, Invoice,
 * Payment, Account, Bill; `=`, `>=`, `<=`, `>`, `<` joined by `and`; paged by startposition/maxresults, `{}` when empty), errors as `{ "Fault": { "Error": [...], "type" } }`,
 * amounts as JSON decimal numbers in major units, `requestid` replays (QuickBooks' idempotency key).
 *
 * - OAuth: form-encoded token endpoint with Basic client auth; refresh tokens rotate (each works once).
 *   Tokens belong to one company (realm): the one the authorization code was granted for. A call to
 *   another realm answers 403 AuthorizationFault. GET /companyinfo/<realm> answers `{ "CompanyInfo": {...} }`.
 *   `addCompany` adds another company; `authorize(realm)` is the code Intuit's consent screen would return.
 * - Invoice: Balance follows payments (and credit memos applied through a $0 Payment's LinkedTxn lines);
 *   `LinkedTxn` lists each Payment applied to it; GET /payment/:id and /creditmemo/:id answer the
 *   documents (a memo lists the Payment that spent it); void zeroes amounts and sets PrivateNote "Voided".
 *   `InvoiceLink` is returned only with `include=invoiceLink` and while `paymentsEnabled` is on.
 * - Sales tax (US model): an invoice with `TxnTaxDetail.TxnTaxCodeRef` gets each rate of that tax code
 *   applied to the lines whose `TaxCodeRef` is `TAX`, rounded half up to the cent per rate; answered as
 *   `TxnTaxDetail { TotalTax, TaxLine[{ Amount, TaxLineDetail { TaxRateRef, PercentBased, TaxPercent,
 *   NetAmountTaxable } }] }` with `TotalAmt` = lines + tax. GET /taxcode/:id, /taxrate/:id.
 * - GET /invoice/:id/pdf: the invoice as real PDF bytes (`application/pdf`).
 * - GET /cdc (change-data-capture): invoices changed by payments, credits or voids, and payments, since
 *   `changedSince` (creations are not tracked).
 * - Test hooks: `pay`, `void`, `failNext`, `revokeAccessTokens`, `revokeRefreshTokens`, signed
 *   webhook deliveries in both formats, `peakInFlight` with `delayMs` to watch concurrency.
 */
export interface FakeQuickBooks {
  url: string;
  realmId: string;
  /** The default company's name (CompanyInfo.CompanyName). */
  companyName: string;
  clientId: string;
  clientSecret: string;
  verifier: string;
  invoices: Map<string, Record<string, unknown>>;
  customers: Map<string, Record<string, unknown>>;
  /** A sales tax code with one rate, as set up in QuickBooks; returns the code's id. */
  createTaxCode(name: string, ratePercent: string): string;
  /** The customer's default tax as QuickBooks keeps it: `Taxable` and `DefaultTaxCodeRef`. */
  setCustomerTax(customerId: string, taxCodeId: string | null): void;
  /** The PDF bytes served for an invoice (what an email attachment must equal). */
  pdfOf(invoiceId: string): Buffer;
  requests: { method: string; path: string; query: URLSearchParams; body: unknown; status: number }[];
  paymentsEnabled: boolean;
  delayMs: number;
  peakInFlight: number;
  issueTokens(realm?: string): { accessToken: string; refreshToken: string; expiresAt: Date };
  /** Another company the same Intuit user may connect. */
  addCompany(realm: string, companyName: string): void;
  /** An authorization code for that company, as the consent screen hands it to the callback (with `realmId`). */
  authorize(realm: string): string;
  liveRefreshTokens(): string[];
  revokeAccessTokens(): void;
  revokeRefreshTokens(): void;
  failNext(count: number, status: number, headers?: Record<string, string>): void;
  /** A Payment linked to the invoice; amount in cents (default: the whole balance), dated `txnDate` (default today, UTC). */
  pay(invoiceId: string, amountCents?: number, txnDate?: string): { paymentId: string };
  /**
   * A credit memo made in QuickBooks' own UI for the invoice's customer and applied to the invoice
   * through Receive Payment, as QuickBooks does it: a $0 Payment whose lines link the invoice and the memo.
   */
  creditMemo(invoiceId: string, amountCents: number): { creditMemoId: string; paymentId: string };
  /** An invoice from the company's past (for the history import); its customer is found by name or created. Returns its Id. */
  seedInvoice(invoice: { customerName: string; docNumber: string; txnDate: string; dueDate: string; totalCents: number; currency?: string }): string;
  void(invoiceId: string): void;
  /** A bank account (Chart of Accounts, AccountType Bank) with its current balance in cents. */
  addBankAccount(name: string, balanceCents: number, currency?: string): void;
  /**
   * A supplier bill (accounts payable) as QuickBooks keeps it: `VendorRef`, `DueDate`, `TotalAmt`, `Balance`
   * (what is still to pay; `paidCents` already paid), `CurrencyRef`. Returns its Id.
   */
  addBill(bill: { vendor: string; dueDate: string; totalCents: number; paidCents?: number; currency?: string }): string;
  signed(body: unknown, verifier?: string): { body: string; headers: Record<string, string> };
  close(): Promise<void>;
}

/** The bot's QuickBooks settings pointing at this fake (the OAuth connection itself is still to be made). */
export function quickbooksEnv(fake: Pick<FakeQuickBooks, 'clientId' | 'clientSecret' | 'verifier' | 'url'>): Record<string, string> {
  return {
    QUICKBOOKS_CLIENT_ID: fake.clientId,
    QUICKBOOKS_CLIENT_SECRET: fake.clientSecret,
    QUICKBOOKS_WEBHOOK_VERIFIER: fake.verifier,
    QUICKBOOKS_API_URL: fake.url,
    QUICKBOOKS_TOKEN_URL: `${fake.url}/oauth2/v1/tokens/bearer`,
  };
}

const toCents = (n: number) => Math.round(n * 100);
const today = () => new Date().toISOString().slice(0, 10);
const fromCents = (c: number) => c / 100;

export async function startFakeQuickBooks(): Promise<FakeQuickBooks> {
  const realmId = '9130355';
  const companyName = 'Pixel & Co Books';
  /** Company name by realm. */
  const companies = new Map<string, string>([[realmId, companyName]]);
  /** Codes handed out by `authorize`, by the realm they were granted for (other valid codes: the default realm). */
  const codeRealms = new Map<string, string>();
  const clientId = 'ABqbo-client';
  const clientSecret = `qbosecret_${randomBytes(6).toString('hex')}`;
  const verifier = `verifier-${randomBytes(8).toString('hex')}`;
  /** Live tokens → the realm they were granted for. */
  const access = new Map<string, string>();
  const refresh = new Map<string, string>();
  /** Authorization codes are `qbo-code` or `qbo-code-<anything>`, each good once. */
  const usedCodes = new Set<string>();
  const invoices = new Map<string, Record<string, unknown>>();
  const customers = new Map<string, Record<string, unknown>>();
  const accounts = new Map<string, Record<string, unknown>>();
  const bills = new Map<string, Record<string, unknown>>();
  const payments = new Map<string, Record<string, unknown>>();
  const creditMemos = new Map<string, Record<string, unknown>>();
  /** Payment documents by Id; `payments` holds what each applies to each invoice. */
  const paymentDocs = new Map<string, Record<string, unknown>>();
  const taxCodes = new Map<string, Record<string, unknown>>();
  const taxRates = new Map<string, Record<string, unknown>>();
  const replays = new Map<string, StubReply>();
  const requests: FakeQuickBooks['requests'] = [];
  let nextId = 100;
  let failure: { left: number; status: number; headers: Record<string, string> } | null = null;
  let inFlight = 0;

  const spendCode = (code: string) => {
    if (!/^qbo-code(-.+)?$/.test(code) || usedCodes.has(code)) return false;
    usedCodes.add(code);
    return true;
  };
  const issueTokens = (realm = realmId) => {
    const accessToken = `qboat_${randomBytes(8).toString('hex')}`;
    const refreshToken = `qbort_${randomBytes(8).toString('hex')}`;
    access.set(accessToken, realm);
    refresh.set(refreshToken, realm);
    return { accessToken, refreshToken, expiresAt: new Date(Date.now() + 3600_000) };
  };
  const fault = (status: number, type: string, message: string, code: string): StubReply => ({
    status,
    body: { Fault: { Error: [{ Message: message, Detail: message, code }], type }, time: new Date().toISOString() },
  });
  const entity = (name: string, value: unknown): StubReply => ({ status: 200, body: { [name]: value, time: new Date().toISOString() } });
  const meta = () => ({ CreateTime: new Date().toISOString(), LastUpdatedTime: new Date().toISOString() });

  /** Payments as QuickBooks shows them (without the fake's own `at`). */
  function paymentRows(): Record<string, unknown>[] {
    return [...paymentDocs.values()].map(({ at: _at, ...doc }) => doc);
  }

  /**
   * A Payment as QuickBooks keeps it: `Line[]` each linking one Invoice (applied to it) or one
   * CreditMemo (credit spent), `TotalAmt` the cash (invoice lines less credit memo lines; 0 when it only
   * applies a credit). Each invoice and credit memo it touches lists it in `LinkedTxn`.
   */
  function savePayment(id: string, lines: { Amount: number; LinkedTxn: { TxnId: string; TxnType: string }[] }[], totalAmt: number, txnDate: string): Record<string, unknown> {
    const firstInvoice = invoices.get(lines.find((l) => l.LinkedTxn[0]?.TxnType === 'Invoice')?.LinkedTxn[0]?.TxnId ?? '');
    const doc = { Id: id, SyncToken: '0', TxnDate: txnDate, TotalAmt: totalAmt, CustomerRef: firstInvoice?.CustomerRef, Line: lines, MetaData: meta(), at: Date.now() };
    paymentDocs.set(id, doc);
    for (const l of lines) {
      const target = l.LinkedTxn[0]!;
      const linked = target.TxnType === 'Invoice' ? invoices.get(target.TxnId) : creditMemos.get(target.TxnId);
      if (!linked) continue;
      linked.LinkedTxn = [...((linked.LinkedTxn as unknown[]) ?? []), { TxnId: id, TxnType: 'Payment' }];
      if (target.TxnType === 'Invoice') {
        payments.set(`${id}:${target.TxnId}`, { Id: id, invoiceId: target.TxnId, TotalAmt: l.Amount, TxnDate: txnDate, at: Date.now() });
        recompute(linked);
      }
    }
    return doc;
  }

  /** `select * from X where A = 'v' and B >= 'w' startposition 1 maxresults 1000` → one page of rows. */
  function query(text: string): StubReply {
    const m = /^select \* from (\w+)(?: where (.*?))?(?: startposition (\d+))?(?: maxresults (\d+))?$/i.exec(text.trim());
    if (!m) return fault(400, 'ValidationFault', `QueryParserError: ${text}`, '4000');
    const entityName = m[1]!.toLowerCase();
    const tables: Record<string, () => Record<string, unknown>[]> = {
      customer: () => [...customers.values()],
      invoice: () => [...invoices.values()],
      payment: paymentRows,
      account: () => [...accounts.values()],
      bill: () => [...bills.values()],
    };
    const table = tables[entityName]?.() ?? null;
    if (!table) return fault(400, 'ValidationFault', `unsupported entity ${m[1]}`, '4000');
    const clauses = (m[2] ?? '')
      .split(/ and /i)
      .filter(Boolean)
      .map((c) => {
        const cm = /^(\w+) (=|>=|<=|>|<) '((?:\\'|[^'])*)'$/.exec(c.trim());
        if (!cm) throw new Error(`fake QuickBooks: unsupported clause ${c}`);
        return [cm[1]!, cm[2]!, cm[3]!.replace(/\\'/g, "'")] as const;
      });
    // Reference fields (CustomerRef) compare by their `value`, as QuickBooks queries do.
    const scalar = (v: unknown) => String(v !== null && typeof v === 'object' && 'value' in v ? (v as { value: unknown }).value : (v ?? ''));
    const test = (a: string, op: string, b: string) => (op === '=' ? a === b : op === '>=' ? a >= b : op === '<=' ? a <= b : op === '>' ? a > b : a < b);
    const start = Number(m[3] ?? 1);
    const max = Number(m[4] ?? 100);
    if (max > 1000) return fault(400, 'ValidationFault', 'QueryValidationError: maxresults must be at most 1000', '4001');
    const rows = table.filter((row) => clauses.every(([field, op, value]) => test(scalar(row[field]), op, value))).slice(start - 1, start - 1 + max);
    const name = m[1]!.charAt(0).toUpperCase() + m[1]!.slice(1).toLowerCase();
    return { status: 200, body: { QueryResponse: rows.length ? { [name]: rows, startPosition: start, maxResults: rows.length } : {}, time: new Date().toISOString() } };
  }

  /** Change times for /cdc (QuickBooks' change-data-capture). */
  const changedAt = new Map<string, number>();
  const touch = (key: string) => changedAt.set(key, Date.now());

  function recompute(inv: Record<string, unknown>): void {
    touch(`Invoice:${inv.Id as string}`);
    const total = toCents(inv.TotalAmt as number);
    const paid = [...payments.values()].filter((p) => p.invoiceId === inv.Id).reduce((s, p) => s + toCents(p.TotalAmt as number), 0);
    inv.Balance = fromCents(Math.max(0, total - paid));
  }

  function route(req: StubRequest, body: Record<string, unknown>): StubReply {
    if (req.method === 'POST' && req.path === '/oauth2/v1/tokens/bearer') {
      const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
      if (req.headers.authorization !== `Basic ${basic}`) return { status: 401, body: { error: 'invalid_client' } };
      const form = new URLSearchParams(req.body);
      const code = form.get('code') ?? '';
      const realm = form.get('grant_type') === 'refresh_token' ? refresh.get(form.get('refresh_token') ?? '') : (codeRealms.get(code) ?? realmId);
      const ok =
        form.get('grant_type') === 'refresh_token' ? refresh.delete(form.get('refresh_token') ?? '') : form.get('grant_type') === 'authorization_code' ? spendCode(code) : false;
      if (!ok || !realm) return { status: 400, body: { error: 'invalid_grant' } };
      const t = issueTokens(realm);
      return { status: 200, body: { access_token: t.accessToken, refresh_token: t.refreshToken, token_type: 'bearer', expires_in: 3600, x_refresh_token_expires_in: 8_726_400 } };
    }
    const token = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (!token || !access.has(token)) return fault(401, 'AUTHENTICATION', 'message=AuthenticationFailed; errorCode=003200; statusCode=401', '3200');
    if (failure && failure.left > 0) {
      failure.left -= 1;
      const reply =
        failure.status === 429
          ? fault(429, 'ThrottleExceeded', 'message=ThrottleExceeded; errorCode=003001; statusCode=429', '3001')
          : fault(failure.status, 'SERVICE', 'Service unavailable', '10000');
      return { ...reply, headers: failure.headers };
    }
    const realm = /^\/v3\/company\/([^/]+)/.exec(req.path)?.[1] ?? '';
    if (!companies.has(realm) || access.get(token) !== realm) return fault(403, 'AuthorizationFault', 'wrong realm', '003100');
    const prefix = `/v3/company/${realm}`;
    if (req.query.get('format') !== 'json' || !req.query.get('minorversion')) return fault(400, 'ValidationFault', 'format=json and minorversion are expected', '4000');
    const path = req.path.slice(prefix.length);
    const requestId = req.query.get('requestid');
    if (requestId && replays.has(`${req.method} ${path} ${requestId}`)) return replays.get(`${req.method} ${path} ${requestId}`)!;
    const save = (reply: StubReply) => {
      if (requestId) replays.set(`${req.method} ${path} ${requestId}`, reply);
      return reply;
    };
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && path === `/companyinfo/${realm}`) {
      return entity('CompanyInfo', {
        Id: realm,
        SyncToken: '0',
        CompanyName: companies.get(realm),
        LegalName: companies.get(realm),
        Country: 'US',
        SupportedLanguages: 'en',
        MetaData: meta(),
      });
    }
    if (req.method === 'GET' && path === '/query') return query(req.query.get('query') ?? '');
    if (req.method === 'GET' && path === '/cdc') {
      const since = Date.parse(req.query.get('changedSince') ?? '');
      if (Number.isNaN(since)) return fault(400, 'ValidationFault', 'changedSince is required', '4000');
      const entities = (req.query.get('entities') ?? '').split(',');
      const pages: Record<string, unknown>[] = [];
      if (entities.includes('Invoice')) {
        const rows = [...invoices.values()].filter((i) => (changedAt.get(`Invoice:${i.Id as string}`) ?? 0) >= since);
        if (rows.length) pages.push({ Invoice: rows, startPosition: 1, maxResults: rows.length });
      }
      if (entities.includes('Payment')) {
        const rows = [...paymentDocs.values()].filter((x) => (x.at as number) >= since).map(({ at: _at, ...doc }) => doc);
        if (rows.length) pages.push({ Payment: rows, startPosition: 1, maxResults: rows.length });
      }
      return { status: 200, body: { CDCResponse: [{ QueryResponse: pages }], time: new Date().toISOString() } };
    }

    if (req.method === 'POST' && path === '/customer') {
      const name = String(body.DisplayName ?? '');
      if ([...customers.values()].some((c) => c.DisplayName === name)) return fault(400, 'ValidationFault', 'Duplicate Name Exists Error', '6240');
      const id = String(nextId++);
      const c = {
        Id: id,
        SyncToken: '0',
        DisplayName: name,
        CompanyName: body.CompanyName,
        PrimaryEmailAddr: body.PrimaryEmailAddr,
        Taxable: false,
        Active: true,
        MetaData: meta(),
      };
      customers.set(id, c);
      return save(entity('Customer', c));
    }
    if (req.method === 'GET' && (m = /^\/(taxcode|taxrate)\/(\w+)$/.exec(path))) {
      const row = (m[1] === 'taxcode' ? taxCodes : taxRates).get(m[2]!);
      return row ? entity(m[1] === 'taxcode' ? 'TaxCode' : 'TaxRate', row) : fault(400, 'ValidationFault', 'Object Not Found', '610');
    }
    if (req.method === 'GET' && (m = /^\/invoice\/(\w+)\/pdf$/.exec(path))) {
      if (!invoices.has(m[1]!)) return fault(400, 'ValidationFault', 'Object Not Found', '610');
      return { status: 200, headers: { 'content-type': 'application/pdf' }, body: pdfOf(m[1]!) };
    }
    if (req.method === 'GET' && (m = /^\/customer\/(\w+)$/.exec(path))) {
      const c = customers.get(m[1]!);
      return c ? entity('Customer', c) : fault(400, 'ValidationFault', 'Object Not Found', '610');
    }
    if (req.method === 'POST' && path === '/invoice' && req.query.get('operation') === 'void') {
      const inv = invoices.get(String(body.Id));
      if (!inv || body.SyncToken !== inv.SyncToken) return fault(400, 'ValidationFault', 'Stale Object Error', '5010');
      voidInvoice(inv);
      return entity('Invoice', inv);
    }
    if (req.method === 'POST' && path === '/invoice') {
      const customer = customers.get(String((body.CustomerRef as { value?: string } | undefined)?.value));
      if (!customer) return fault(400, 'ValidationFault', 'Invalid Reference Id: CustomerRef', '2500');
      const lines = (body.Line as { Amount: number; SalesItemLineDetail: { Qty: number; UnitPrice: number } }[]) ?? [];
      for (const l of lines) {
        if (typeof l.Amount !== 'number' || Math.abs(toCents(l.SalesItemLineDetail.Qty * l.SalesItemLineDetail.UnitPrice) - toCents(l.Amount)) > 0) {
          return fault(400, 'ValidationFault', 'Amount is not equal to UnitPrice * Qty', '6070');
        }
      }
      const codeRef = (body.TxnTaxDetail as { TxnTaxCodeRef?: { value?: string } } | undefined)?.TxnTaxCodeRef;
      const code = codeRef ? taxCodes.get(String(codeRef.value)) : undefined;
      if (codeRef && !code) return fault(400, 'ValidationFault', 'Invalid Reference Id: TxnTaxCodeRef', '2500');
      const subtotalCents = lines.reduce((s, l) => s + toCents(l.Amount), 0);
      const taxableCents = lines
        .filter((l) => (l.SalesItemLineDetail as { TaxCodeRef?: { value?: string } }).TaxCodeRef?.value === 'TAX')
        .reduce((s, l) => s + toCents(l.Amount), 0);
      const taxLines = code ? ratesOf(code).map((rate) => ({ rate, cents: Math.floor((taxableCents * toBasisPoints(rate.RateValue as string) * 2 + 1_000_000) / 2_000_000) })) : [];
      const taxCents = taxLines.reduce((s, t) => s + t.cents, 0);
      const txnTaxDetail = code
        ? {
            TxnTaxCodeRef: { value: code.Id },
            TotalTax: fromCents(taxCents),
            TaxLine: taxLines.map((t) => ({
              Amount: fromCents(t.cents),
              DetailType: 'TaxLineDetail',
              TaxLineDetail: { TaxRateRef: { value: t.rate.Id }, PercentBased: true, TaxPercent: Number(t.rate.RateValue), NetAmountTaxable: fromCents(taxableCents) },
            })),
          }
        : { TotalTax: 0 };
      const id = String(nextId++);
      const total = fromCents(subtotalCents + taxCents);
      // QuickBooks answers references with the name of what they point at.
      const inv: Record<string, unknown> = {
        ...body,
        TxnTaxDetail: txnTaxDetail,
        CustomerRef: { value: customer.Id, name: customer.DisplayName },
        Id: id,
        SyncToken: '0',
        TotalAmt: total,
        Balance: total,
        EmailStatus: 'NotSet',
        MetaData: meta(),
      };
      invoices.set(id, inv);
      return save(entity('Invoice', inv));
    }
    if (req.method === 'GET' && (m = /^\/invoice\/(\w+)$/.exec(path))) {
      const inv = invoices.get(m[1]!);
      if (!inv) return fault(400, 'ValidationFault', 'Object Not Found', '610');
      const withLink =
        req.query.get('include') === 'invoiceLink' && fake.paymentsEnabled && inv.BillEmail ? { ...inv, InvoiceLink: `${baseUrl}/comm/pay/${inv.Id as string}` } : inv;
      return entity('Invoice', withLink);
    }
    if (req.method === 'POST' && path === '/creditmemo') {
      const customer = customers.get(String((body.CustomerRef as { value?: string } | undefined)?.value));
      if (!customer) return fault(400, 'ValidationFault', 'Invalid Reference Id: CustomerRef', '2500');
      const total = fromCents(((body.Line as { Amount: number }[]) ?? []).reduce((s, l) => s + toCents(l.Amount), 0));
      const id = String(nextId++);
      const memo = { ...body, Id: id, SyncToken: '0', TotalAmt: total, Balance: total, RemainingCredit: total, MetaData: meta() };
      creditMemos.set(id, memo);
      return save(entity('CreditMemo', memo));
    }
    if (req.method === 'POST' && path === '/payment') {
      // Lines link the payment to invoices (money in) and to credit memos (credit spent); the sums must match.
      const lines = (body.Line as { Amount: number; LinkedTxn: { TxnId: string; TxnType: string }[] }[]) ?? [];
      const toInvoices = lines.filter((l) => l.LinkedTxn[0]?.TxnType === 'Invoice');
      const fromMemos = lines.filter((l) => l.LinkedTxn[0]?.TxnType === 'CreditMemo');
      const sum = (ls: typeof lines) => ls.reduce((s, l) => s + toCents(l.Amount), 0);
      if (sum(toInvoices) !== toCents(Number(body.TotalAmt ?? 0)) + sum(fromMemos)) return fault(400, 'ValidationFault', 'Payment lines do not balance', '6000');
      for (const l of fromMemos) {
        const memo = creditMemos.get(l.LinkedTxn[0]!.TxnId);
        if (!memo || toCents(memo.RemainingCredit as number) < toCents(l.Amount)) return fault(400, 'ValidationFault', 'Credit memo has not enough credit', '6000');
        memo.RemainingCredit = fromCents(toCents(memo.RemainingCredit as number) - toCents(l.Amount));
      }
      if (toInvoices.some((l) => !invoices.has(l.LinkedTxn[0]!.TxnId))) return fault(400, 'ValidationFault', 'Invalid Reference Id: Invoice', '2500');
      const { at: _at, ...doc } = savePayment(String(nextId++), lines, Number(body.TotalAmt ?? 0), String(body.TxnDate ?? today()));
      return save(entity('Payment', doc));
    }
    if (req.method === 'GET' && (m = /^\/payment\/(\w+)$/.exec(path))) {
      const pay = paymentDocs.get(m[1]!);
      if (!pay) return fault(400, 'ValidationFault', 'Object Not Found', '610');
      const { at: _at, ...doc } = pay;
      return entity('Payment', doc);
    }
    if (req.method === 'GET' && (m = /^\/creditmemo\/(\w+)$/.exec(path))) {
      const memo = creditMemos.get(m[1]!);
      return memo ? entity('CreditMemo', memo) : fault(400, 'ValidationFault', 'Object Not Found', '610');
    }
    return fault(400, 'ValidationFault', `Unsupported operation ${req.method} ${path}`, '4000');
  }

  /** "8.25" → 82_500 ten-thousandths of a percent: cents × that ÷ 1_000_000 is the tax in cents. */
  const toBasisPoints = (pct: string) => {
    const [w, f = ''] = pct.split('.');
    return Number(w) * 10_000 + Number(f.padEnd(4, '0').slice(0, 4));
  };
  const ratesOf = (code: Record<string, unknown>) =>
    ((code.SalesTaxRateList as { TaxRateDetail: { TaxRateRef: { value: string } }[] }).TaxRateDetail ?? []).map((d) => taxRates.get(d.TaxRateRef.value)!);
  const pdfOf = (invoiceId: string) => {
    const inv = invoices.get(invoiceId)!;
    return minimalPdf([
      `Invoice ${String(inv.DocNumber ?? inv.Id)}`,
      `Total ${String(inv.TotalAmt)} ${String((inv.CurrencyRef as { value?: string } | undefined)?.value ?? 'USD')}`,
      `Balance ${String(inv.Balance)}`,
    ]);
  };

  function voidInvoice(inv: Record<string, unknown>): void {
    inv.TotalAmt = 0;
    inv.TxnTaxDetail = { TotalTax: 0 };
    inv.Balance = 0;
    inv.PrivateNote = 'Voided';
    touch(`Invoice:${inv.Id as string}`);
    inv.SyncToken = String(Number(inv.SyncToken) + 1);
    for (const line of (inv.Line as Record<string, unknown>[]) ?? []) line.Amount = 0;
  }

  let baseUrl = '';
  const stub = await startStub(async (req) => {
    let body: Record<string, unknown> = {};
    if (req.body && req.headers['content-type']?.includes('json')) body = JSON.parse(req.body) as Record<string, unknown>;
    const entry = { method: req.method, path: req.path, query: req.query, body, status: 0 };
    requests.push(entry);
    inFlight += 1;
    fake.peakInFlight = Math.max(fake.peakInFlight, inFlight);
    try {
      if (fake.delayMs > 0) await new Promise((r) => setTimeout(r, fake.delayMs));
      const reply = route(req, body);
      entry.status = reply.status;
      return reply;
    } finally {
      inFlight -= 1;
    }
  });
  baseUrl = `http://127.0.0.1:${stub.port}`;

  const mustGet = (id: string) => {
    const inv = invoices.get(id);
    if (!inv) throw new Error(`fake QuickBooks: no invoice ${id}`);
    return inv;
  };
  const fake: FakeQuickBooks = {
    url: baseUrl,
    realmId,
    companyName,
    addCompany(realm, name) {
      companies.set(realm, name);
    },
    authorize(realm) {
      const code = `qbo-code-${realm}-${randomBytes(4).toString('hex')}`;
      codeRealms.set(code, realm);
      return code;
    },
    clientId,
    clientSecret,
    verifier,
    invoices,
    customers,
    addBankAccount(name, balanceCents, currency = 'USD') {
      const id = String(nextId++);
      accounts.set(id, {
        Id: id,
        Name: name,
        AccountType: 'Bank',
        AccountSubType: 'Checking',
        Active: true,
        CurrentBalance: fromCents(balanceCents),
        CurrencyRef: { value: currency },
        MetaData: meta(),
      });
    },
    addBill({ vendor, dueDate, totalCents, paidCents = 0, currency = 'USD' }) {
      const id = String(nextId++);
      bills.set(id, {
        Id: id,
        SyncToken: '0',
        VendorRef: { value: String(nextId++), name: vendor },
        APAccountRef: { value: '33', name: 'Accounts Payable (A/P)' },
        TxnDate: dueDate,
        DueDate: dueDate,
        TotalAmt: fromCents(totalCents),
        Balance: fromCents(totalCents - paidCents),
        CurrencyRef: { value: currency },
        Line: [{ Id: '1', Amount: fromCents(totalCents), DetailType: 'AccountBasedExpenseLineDetail', AccountBasedExpenseLineDetail: { AccountRef: { value: '7' } } }],
        MetaData: meta(),
      });
      return id;
    },
    createTaxCode(name, ratePercent) {
      const rateId = String(nextId++);
      taxRates.set(rateId, { Id: rateId, Name: `${name} rate`, RateValue: ratePercent, Active: true, MetaData: meta() });
      const codeId = String(nextId++);
      taxCodes.set(codeId, {
        Id: codeId,
        Name: name,
        Active: true,
        Taxable: true,
        TaxGroup: false,
        SalesTaxRateList: { TaxRateDetail: [{ TaxRateRef: { value: rateId }, TaxTypeApplicable: 'TaxOnAmount', TaxOrder: 0 }] },
        MetaData: meta(),
      });
      return codeId;
    },
    setCustomerTax(customerId, taxCodeId) {
      const c = customers.get(customerId);
      if (!c) throw new Error(`fake QuickBooks: no customer ${customerId}`);
      c.Taxable = taxCodeId !== null;
      if (taxCodeId) c.DefaultTaxCodeRef = { value: taxCodeId };
      else delete c.DefaultTaxCodeRef;
    },
    pdfOf: (invoiceId) => pdfOf(mustGet(invoiceId).Id as string),
    requests,
    paymentsEnabled: true,
    delayMs: 0,
    peakInFlight: 0,
    issueTokens,
    liveRefreshTokens: () => [...refresh.keys()],
    revokeAccessTokens: () => access.clear(),
    revokeRefreshTokens: () => refresh.clear(),
    failNext(count, status, headers = {}) {
      failure = count > 0 ? { left: count, status, headers } : null;
    },
    pay(invoiceId, amountCents, txnDate) {
      const inv = mustGet(invoiceId);
      const id = String(nextId++);
      const amount = fromCents(amountCents ?? toCents(inv.Balance as number));
      savePayment(id, [{ Amount: amount, LinkedTxn: [{ TxnId: invoiceId, TxnType: 'Invoice' }] }], amount, txnDate ?? today());
      return { paymentId: id };
    },
    creditMemo(invoiceId, amountCents) {
      const inv = mustGet(invoiceId);
      if (amountCents <= 0 || amountCents > toCents(inv.Balance as number))
        throw new Error(`fake QuickBooks: a credit of ${amountCents} cents does not fit the balance of invoice ${invoiceId}`);
      const amount = fromCents(amountCents);
      const memoId = String(nextId++);
      creditMemos.set(memoId, {
        Id: memoId,
        SyncToken: '0',
        CustomerRef: inv.CustomerRef,
        CurrencyRef: inv.CurrencyRef ?? { value: 'USD' },
        TxnDate: today(),
        TotalAmt: amount,
        Balance: 0,
        RemainingCredit: 0,
        MetaData: meta(),
        Line: [{ DetailType: 'SalesItemLineDetail', Amount: amount, Description: 'Credit', SalesItemLineDetail: { ItemRef: { value: '1' }, Qty: 1, UnitPrice: amount } }],
      });
      // Applied in Receive Payment: a $0 payment spends the memo on the invoice.
      const paymentId = String(nextId++);
      savePayment(
        paymentId,
        [
          { Amount: amount, LinkedTxn: [{ TxnId: invoiceId, TxnType: 'Invoice' }] },
          { Amount: amount, LinkedTxn: [{ TxnId: memoId, TxnType: 'CreditMemo' }] },
        ],
        0,
        today(),
      );
      return { creditMemoId: memoId, paymentId };
    },
    seedInvoice(seed) {
      let customer = [...customers.values()].find((c) => c.DisplayName === seed.customerName);
      if (!customer) {
        const cid = String(nextId++);
        customer = { Id: cid, SyncToken: '0', DisplayName: seed.customerName, Taxable: false, Active: true, MetaData: meta() };
        customers.set(cid, customer);
      }
      const id = String(nextId++);
      const total = fromCents(seed.totalCents);
      invoices.set(id, {
        Id: id,
        SyncToken: '0',
        DocNumber: seed.docNumber,
        TxnDate: seed.txnDate,
        DueDate: seed.dueDate,
        CustomerRef: { value: customer.Id, name: customer.DisplayName },
        CurrencyRef: { value: seed.currency ?? 'USD' },
        TotalAmt: total,
        Balance: total,
        EmailStatus: 'EmailSent',
        MetaData: meta(),
        Line: [{ DetailType: 'SalesItemLineDetail', Amount: total, Description: seed.docNumber, SalesItemLineDetail: { ItemRef: { value: '1' }, Qty: 1, UnitPrice: total } }],
      });
      return id;
    },
    void(invoiceId) {
      voidInvoice(mustGet(invoiceId));
    },
    signed(payload, key = verifier) {
      const body = JSON.stringify(payload);
      return { body, headers: { 'content-type': 'application/json', 'intuit-signature': createHmac('sha256', key).update(body).digest('base64') } };
    },
    close: stub.close,
  };
  return fake;
}

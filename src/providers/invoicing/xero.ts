import { createHash } from 'node:crypto';
import xeroNode from 'xero-node';
import type { AccountingApi as XeroAccountingApi, Contact, CurrencyCode, Invoice, TaxRate } from 'xero-node';
import { assertYmd } from '../../domain/calendar.js';
import { normalizeCurrency } from '../../domain/money.js';
import { addPercents } from '../../domain/tax.js';
import type { ConnectedAccount, ConnectionStore } from '../../store/connections.js';
import type { BackendCredit, BackendInvoice, BackendInvoiceStatus, BackendTax, BillDue, HistoricInvoice, InvoicingBackend, IssueInvoiceRequest } from './backend.js';
import { BackendError, backendErrorFor, retryAfterMs } from './errors.js';
import { createOAuthSession, type OAuthSession, type RefreshedTokens } from './oauth-session.js';
import { keyedRateLimiter } from './rate-limiter.js';
import { observeCall, unobserved, type CallObserver } from '../call-observer.js';
import { fromXeroAmount, toXeroAmount, toXeroUnitAmount, XERO_UNIT_DECIMALS } from './xero-currency.js';
import { accessTokenClaim, tenantsOfConsent, xeroAuthorizeUrl, xeroTenants, xeroTokenRequest, XERO_DEFAULT_SCOPES, type XeroIdentityOptions } from './xero-identity.js';
import { parseXeroEvents, verifyXeroSignature } from './xero-webhooks.js';

const { AccountingApi, Invoice: InvoiceModel, CreditNote: CreditNoteModel, LineAmountTypes } = xeroNode;

import { XERO } from './xero-webhooks.js';

export interface XeroBackendOptions {
  clientId: string;
  clientSecret: string;
  /** `${PUBLIC_URL}/oauth/xero/callback`. */
  redirectUri: string;
  /** API host, e.g. `http://127.0.0.1:4040`; null = https://api.xero.com (Accounting API under /api.xro/2.0, /connections). */
  apiUrl?: string | null;
  /** Token endpoint host; null = https://identity.xero.com. */
  identityUrl?: string | null;
  /** Consent page host; null = https://login.xero.com. */
  loginUrl?: string | null;
  scopes?: string | null;
  /** The app's webhook key (HMAC key of `x-xero-signature`). */
  webhookKey?: string | null;
  /** Revenue account code for invoice and credit note lines (Xero's demo chart: "200" Sales). */
  salesAccountCode?: string | null;
  connections: ConnectionStore;
  now: () => Date;
  onBroken?: (provider: string, reason: string) => void;
  /** Xero's limits per organisation: 5 in flight, 60 a minute (overridable for tests). */
  limits?: { concurrency: number; perMinute: number };
  observe?: CallObserver;
  /** How long an Accounting API call may take before it counts as unanswered (default 30 s). */
  timeoutMs?: number;
}

export interface XeroBackend extends InvoicingBackend {
  authorizeUrl(state: string): string;
  /**
   * Code → tokens and the organisations this consent authorised. One: `tokens.accountId` is its tenant
   * id. Several: `choices` lists them and the approver picks one (accountId is then empty).
   */
  exchangeCode(code: string): Promise<{ tokens: RefreshedTokens & { accountId: string }; accountName: string | null; choices?: ConnectedAccount[] }>;
}

/** What xero-node rejects with: a JSON string of `{ response: { statusCode, body, headers } }` (statusCode 0: no answer). */
interface SdkFailure {
  response?: { statusCode?: number; body?: unknown; headers?: Record<string, string> };
}

type SdkResult<T> = Promise<{ body: T }>;

const STATUS: Record<string, BackendInvoiceStatus> = { DRAFT: 'draft', SUBMITTED: 'open', AUTHORISED: 'open', PAID: 'paid', VOIDED: 'void', DELETED: 'void' };

/** `YYYY-MM-DD` of what xero-node hands back for a Xero date: a Date (from `/Date(ms+0000)/`, UTC midnight) or a string. */
export function xeroDay(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString().slice(0, 10);
  if (typeof value !== 'string') return null;
  const ms = /^\/Date\((-?\d+)/.exec(value);
  if (ms) return new Date(Number(ms[1])).toISOString().slice(0, 10);
  return /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : null;
}

/** A YYYY-MM-DD day in Xero's where syntax: `DateTime(2026,12,5)`. */
function xeroDateTime(ymd: string): string {
  const [y, m, d] = assertYmd(ymd).split('-');
  return `DateTime(${Number(y)},${Number(m)},${Number(d)})`;
}

export function createXeroBackend(options: XeroBackendOptions): XeroBackend {
  const apiHost = (options.apiUrl ?? 'https://api.xero.com').replace(/\/$/, '');
  const accountingUrl = `${apiHost}/api.xro/2.0`;
  const identity: XeroIdentityOptions = {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUri: options.redirectUri,
    identityUrl: (options.identityUrl ?? 'https://identity.xero.com').replace(/\/$/, ''),
    loginUrl: (options.loginUrl ?? 'https://login.xero.com').replace(/\/$/, ''),
    connectionsUrl: `${apiHost}/connections`,
    scopes: options.scopes ?? XERO_DEFAULT_SCOPES,
    now: options.now,
  };
  const salesAccount = options.salesAccountCode ?? '200';
  const observer = options.observe ?? unobserved;
  const limiterFor = keyedRateLimiter({
    concurrency: options.limits?.concurrency ?? 5,
    perWindow: options.limits?.perMinute ?? 60,
    // A second of margin: Xero counts a call when it arrives, a moment after duebot started it.
    windowMs: 61_000,
    onWait: (ms) => observer.rateLimitWait(ms / 1000),
  });
  let lastChangePoll: Date | null = null;
  /** Per organisation: when Xero said its daily allowance is spent, calls fail fast until its Retry-After. */
  const dayBlockedUntil = new Map<string, number>();

  const session: OAuthSession = createOAuthSession({
    provider: XERO,
    store: options.connections,
    now: options.now,
    refresh: (refreshToken) => xeroTokenRequest(identity, { grant_type: 'refresh_token', refresh_token: refreshToken }),
    ...(options.onBroken ? { onBroken: options.onBroken } : {}),
  });

  /**
   * One Accounting API call for the connected organisation (`xero-tenant-id` = the stored account id),
   * under its limits, with a fresh token; a 401 gets one refresh and one retry, then breaks the
   * connection, as does a 403 (the organisation was disconnected from the app, or a scope is missing).
   */
  async function call<T>(what: string, work: (api: XeroAccountingApi, tenantId: string) => SdkResult<T>): Promise<T> {
    let tokens = await session.tokens();
    for (let attempt = 0; ; attempt += 1) {
      const tenantId = tokens.accountId;
      const blockedUntil = dayBlockedUntil.get(tenantId) ?? 0;
      const now = options.now().getTime();
      if (blockedUntil > now) {
        throw new BackendError(`Xero's daily call limit for this organisation is spent (${what})`, 'rate_limited', true, { status: 429, retryAfterMs: blockedUntil - now });
      }
      // One API object per call: the SDK keeps the bearer token on the instance.
      const api = new AccountingApi(accountingUrl);
      api.accessToken = tokens.accessToken;
      // The SDK sets no timeout; its request hook is where one goes. No answer in time = unknown outcome.
      api.setDefaultAuthentication({ applyToRequest: (request) => void (request.timeout = options.timeoutMs ?? 30_000) });
      try {
        const result = await limiterFor(tenantId)(() =>
          observeCall(
            observer,
            what,
            () => work(api, tenantId),
            (err) => toBackendError(what, err, options.now()).code,
          ),
        );
        await options.connections.markSuccess(XERO, options.now());
        return result.body;
      } catch (err) {
        const mapped = toBackendError(what, err, options.now());
        if (mapped.status === 429 && rateLimitProblem(err) === 'day') dayBlockedUntil.set(tenantId, options.now().getTime() + (mapped.retryAfterMs ?? 3_600_000));
        if (mapped.status === 401 && attempt === 0) {
          tokens = await session.refresh(tokens);
          continue;
        }
        if (mapped.status === 401) await session.broken(`Xero ${what} answered 401 after a token refresh`);
        if (mapped.status === 403) await session.broken(`Xero ${what} answered 403: the organisation is not connected to the app (or a scope is missing)`);
        throw mapped;
      }
    }
  }

  async function findOrCreateContact(customer: IssueInvoiceRequest['customer']): Promise<Contact> {
    if (customer.providerCustomerId) {
      // Gone from Xero (deleted, or an earlier organisation's): found or made again below.
      const got = await call('get contact', (api, t) => api.getContact(t, customer.providerCustomerId!)).catch((err: unknown) => {
        if (err instanceof BackendError && err.code === 'not_found') return null;
        throw err;
      });
      const contact = got?.contacts?.[0];
      if (contact?.contactID && String(contact.contactStatus ?? 'ACTIVE') !== 'ARCHIVED') return contact;
    }
    // Contact names are unique in a Xero organisation; duebot's client id rides in ContactNumber.
    const found = await call('search contacts', (api, t) => api.getContacts(t, undefined, undefined, undefined, undefined, 1, false, false, customer.name));
    const contacts = found.contacts ?? [];
    const match = contacts.find((c) => c.contactNumber === customer.clientId) ?? contacts.find((c) => (c.name ?? '').trim().toLowerCase() === customer.name.trim().toLowerCase());
    if (match?.contactID) return match;
    const email = customer.emails[0];
    const created = await call('create contact', (api, t) =>
      api.createContacts(
        t,
        { contacts: [{ name: customer.name.slice(0, 255), contactNumber: customer.clientId.slice(0, 50), ...(email ? { emailAddress: email } : {}) }] },
        true,
        // Keyed by what is sent: a retry replays the first create; other details are another request.
        `duebot-contact-${createHash('sha256')
          .update(`${customer.clientId}|${customer.name}|${email ?? ''}`)
          .digest('hex')
          .slice(0, 40)}`,
      ),
    );
    const contact = created.contacts?.[0];
    if (!contact?.contactID) throw new BackendError('Xero created no contact', 'invalid', false);
    return contact;
  }

  /** Our number at Xero (made by an earlier attempt): ACCREC numbers are unique in an organisation. */
  async function findExisting(number: string, contactId: string): Promise<Invoice | null> {
    const found = await call('find invoices', (api, t) => api.getInvoices(t, undefined, undefined, undefined, undefined, [number]));
    const same = (found.invoices ?? []).filter((i) => String(i.type) === 'ACCREC' && i.invoiceNumber === number && String(i.status) !== 'DELETED');
    const ours = same.find((i) => i.contact?.contactID === contactId);
    if (!ours && same.length > 0)
      throw new BackendError(`Xero already has invoice ${number} for another contact; duebot's numbers must not collide with Xero's own`, 'invalid', false);
    return ours ?? null;
  }

  const taxRates = new Map<string, TaxRate | null>();
  async function taxRate(taxType: string): Promise<TaxRate | null> {
    if (!taxRates.has(taxType)) {
      const got = await call('get tax rates', (api, t) => api.getTaxRates(t, `TaxType=="${taxType.replace(/[^A-Za-z0-9_]/g, '')}"`));
      taxRates.set(taxType, got.taxRates?.find((r) => r.taxType === taxType) ?? null);
    }
    return taxRates.get(taxType) ?? null;
  }

  /** The tax Xero computed: TotalTax over SubTotal, named by the lines' tax rates. */
  async function taxOf(inv: Invoice, currency: string): Promise<BackendTax> {
    const amount = fromXeroAmount(inv.totalTax, currency);
    const subtotal = fromXeroAmount(inv.subTotal, currency);
    if (amount === 0) return { subtotal, amount, name: null, ratePercent: null };
    const types = [...new Set((inv.lineItems ?? []).map((l) => l.taxType).filter((t): t is string => Boolean(t)))];
    const rates = (await Promise.all(types.map(taxRate))).filter((r): r is TaxRate => r !== null && Number(r.effectiveRate ?? 0) > 0);
    return {
      subtotal,
      amount,
      name: rates.length ? rates.map((r) => r.name ?? r.taxType).join(' + ') : null,
      // One rate when every line carries it; several different rates on different lines have no one rate.
      ratePercent: rates.length === 1 && (inv.lineItems ?? []).every((l) => l.taxType === rates[0]!.taxType) ? addPercents([String(rates[0]!.effectiveRate)]) : null,
    };
  }

  /** The online invoice URL (the client's view and pay page) does not change: read once per invoice. */
  const onlineUrls = new Map<string, string | null>();
  async function onlineUrl(invoiceId: string): Promise<string | null> {
    if (!onlineUrls.has(invoiceId)) {
      const got = await call('online invoice', (api, t) => api.getOnlineInvoice(t, invoiceId));
      onlineUrls.set(invoiceId, got.onlineInvoices?.[0]?.onlineInvoiceUrl ?? null);
    }
    return onlineUrls.get(invoiceId) ?? null;
  }

  async function readInvoice(invoiceId: string): Promise<BackendInvoice> {
    const got = await call('get invoice', (api, t) => api.getInvoice(t, invoiceId));
    const inv = got.invoices?.[0];
    if (!inv?.invoiceID) throw new BackendError(`Xero has no invoice ${invoiceId}`, 'not_found', false, { status: 404 });
    // A credit note listed on the invoice should carry AppliedAmount (what it covers here); without it,
    // its allocations to this invoice are read, so one split across invoices is not counted whole.
    const allocated = new Map<string, number>();
    for (const note of inv.creditNotes ?? []) {
      if (note.appliedAmount !== undefined || !note.creditNoteID) continue;
      const full = await call('get credit note', (api, t) => api.getCreditNote(t, note.creditNoteID!));
      const allocations = (full.creditNotes?.[0]?.allocations ?? []).filter((a) => a.invoice?.invoiceID === inv.invoiceID && !a.isDeleted);
      allocated.set(
        note.creditNoteID,
        allocations.reduce((sum, a) => sum + fromXeroAmount(a.amount, String(inv.currencyCode ?? 'USD')), 0),
      );
    }
    const read = toBackendInvoice(inv, allocated);
    if (read.status === 'void') return read;
    return { ...read, paymentUrl: read.status === 'draft' ? null : await onlineUrl(inv.invoiceID), tax: await taxOf(inv, read.currency) };
  }

  return {
    name: XERO,

    async issueInvoice(req) {
      const currency = normalizeCurrency(req.currency);
      // Xero's units, checked before anything is created there: an amount it cannot hold is refused.
      const lines = req.lines.map((line) => ({
        description: line.description.slice(0, 4000),
        quantity: Number(line.quantity),
        unitAmount: toXeroUnitAmount(line.unitAmount, currency),
        lineAmount: toXeroAmount(line.amount, currency),
        accountCode: salesAccount,
      }));
      const salesTax = req.salesTax ?? null;
      if (salesTax)
        lines.push({
          description: salesTax.name,
          quantity: 1,
          unitAmount: toXeroAmount(salesTax.amount, currency),
          lineAmount: toXeroAmount(salesTax.amount, currency),
          accountCode: salesAccount,
        });
      const contact = await findOrCreateContact(req.customer);
      const contactId = contact.contactID!;
      let invoiceId = (await findExisting(req.number, contactId))?.invoiceID ?? null;
      if (!invoiceId) {
        // The contact's default sales tax, as Xero's own UI applies it; none: the account's default.
        // A tax service's amount goes as a last line on an invoice without Xero tax, so it is exact.
        const taxType = salesTax ? null : (contact.accountsReceivableTaxType ?? null);
        const created = await call('create invoice', (api, t) =>
          api.createInvoices(
            t,
            {
              invoices: [
                {
                  type: InvoiceModel.TypeEnum.ACCREC,
                  contact: { contactID: contactId },
                  invoiceNumber: req.number,
                  reference: req.memo.slice(0, 255),
                  date: req.issueDate,
                  dueDate: req.dueDate,
                  currencyCode: currency as unknown as CurrencyCode,
                  lineAmountTypes: salesTax ? LineAmountTypes.NoTax : LineAmountTypes.Exclusive,
                  status: InvoiceModel.StatusEnum.AUTHORISED,
                  lineItems: lines.map((l) => ({ ...l, ...(taxType ? { taxType } : {}) })),
                },
              ],
            },
            true,
            XERO_UNIT_DECIMALS,
            // Xero's own idempotency key: a replay returns the first result; a new attempt gets a new one.
            `duebot-${req.invoiceId}-a${req.attempt}`,
          ),
        );
        invoiceId = created.invoices?.[0]?.invoiceID ?? null;
        if (!invoiceId) throw new BackendError('Xero created no invoice', 'invalid', false);
      }
      const read = await readInvoice(invoiceId);
      if (!salesTax || read.status === 'void') return read;
      const subtotal = read.amountDue - salesTax.amount;
      return { ...read, tax: { subtotal, amount: salesTax.amount, name: salesTax.name, ratePercent: salesTax.ratePercent } };
    },

    fetchInvoice: (id) => readInvoice(id),

    async voidInvoice(providerInvoiceId) {
      const current = await readInvoice(providerInvoiceId);
      if (current.status === 'void') return current;
      // Xero voids only an AUTHORISED invoice without payments; duebot never deletes a client's payment.
      if (current.amountPaid > 0) throw new BackendError(`Xero invoice ${current.number ?? providerInvoiceId} has payments; remove them in Xero before voiding`, 'invalid', false);
      await call('void invoice', (api, t) => api.updateInvoice(t, providerInvoiceId, { invoices: [{ invoiceID: providerInvoiceId, status: InvoiceModel.StatusEnum.VOIDED }] }));
      return readInvoice(providerInvoiceId);
    },

    parseWebhook(rawBody, headers) {
      const events = this.parseWebhookEvents!(rawBody, headers);
      if (!events[0]) throw new Error('delivery carries no events');
      return events[0];
    },

    parseWebhookEvents(rawBody, headers) {
      verifyXeroSignature(options.webhookKey ?? null, rawBody, headers);
      return parseXeroEvents(JSON.parse(rawBody.toString('utf8')) as unknown, options.now());
    },

    async resolveInvoiceId(event) {
      if (event.subject?.type !== 'credit_note') return event.providerInvoiceId;
      // A credit note of another organisation (an earlier connection) is not found here: nothing to do.
      const got = await call('get credit note', (api, t) => api.getCreditNote(t, event.subject!.id)).catch((err: unknown) => {
        if (err instanceof BackendError && err.code === 'not_found') return null;
        throw err;
      });
      if (!got) return null;
      const allocation = (got.creditNotes?.[0]?.allocations ?? []).find((a) => a.invoice?.invoiceID && !a.isDeleted);
      return allocation?.invoice?.invoiceID ?? null;
    },

    async creditInvoice(providerInvoiceId, amountMinor, reason) {
      const got = await call('get invoice', (api, t) => api.getInvoice(t, providerInvoiceId));
      const inv = got.invoices?.[0];
      if (!inv?.invoiceID || !inv.contact?.contactID) throw new BackendError(`Xero has no invoice ${providerInvoiceId}`, 'not_found', false, { status: 404 });
      const currency = normalizeCurrency(String(inv.currencyCode ?? 'USD'));
      const amount = toXeroAmount(amountMinor, currency);
      const today = options.now().toISOString().slice(0, 10);
      // Same invoice, amount, reason and credits so far: a retry after a lost answer replays the first create.
      const key = createHash('sha256')
        .update(`${providerInvoiceId}|${amountMinor}|${reason}|${(inv.creditNotes ?? []).length}`)
        .digest('hex')
        .slice(0, 48);
      const created = await call('create credit note', (api, t) =>
        api.createCreditNotes(
          t,
          {
            creditNotes: [
              {
                type: CreditNoteModel.TypeEnum.ACCRECCREDIT,
                contact: { contactID: inv.contact!.contactID! },
                date: today,
                currencyCode: currency as unknown as CurrencyCode,
                lineAmountTypes: LineAmountTypes.NoTax,
                status: CreditNoteModel.StatusEnum.AUTHORISED,
                reference: `${inv.invoiceNumber ?? ''} ${reason}`.trim().slice(0, 255),
                lineItems: [{ description: reason.slice(0, 4000), quantity: 1, unitAmount: amount, accountCode: salesAccount }],
              },
            ],
          },
          true,
          undefined,
          `duebot-credit-${key}`,
        ),
      );
      const creditNoteId = created.creditNotes?.[0]?.creditNoteID;
      if (!creditNoteId) throw new BackendError('Xero created no credit note', 'invalid', false);
      await call('allocate credit note', (api, t) =>
        api.createCreditNoteAllocation(t, creditNoteId, { allocations: [{ invoice: { invoiceID: providerInvoiceId }, amount, date: today }] }, true, `duebot-allocate-${key}`),
      );
      return { ...(await readInvoice(providerInvoiceId)), creditId: creditNoteId };
    },

    async changedSinceLastPoll() {
      const started = options.now();
      const previous = lastChangePoll;
      lastChangePoll = started;
      if (!previous) return null;
      try {
        // If-Modified-Since with a minute of overlap: a change written while the last poll ran is not missed.
        const since = new Date(previous.getTime() - 60_000);
        const ids = new Set<string>();
        for (let page = 1; ; page += 1) {
          const got = await call('changed invoices', (api, t) =>
            api.getInvoices(t, since, 'Type=="ACCREC"', undefined, undefined, undefined, undefined, undefined, page, undefined, undefined, undefined, true),
          );
          for (const inv of got.invoices ?? []) if (inv.invoiceID) ids.add(inv.invoiceID);
          if ((got.invoices ?? []).length < 100) return ids;
        }
      } catch (err) {
        lastChangePoll = previous;
        // Rate limited: the poll leaves Xero alone for this run instead of reading every invoice one by one.
        if (err instanceof BackendError && err.code === 'rate_limited') throw err;
        return null;
      }
    },

    async listInvoicesForImport(listing) {
      const pageSize = Math.min(listing.pageSize ?? 1000, 1000);
      const where = `Type=="ACCREC"${listing.since ? ` AND Date>=${xeroDateTime(listing.since)}` : ''}`;
      const rows: HistoricInvoice[] = [];
      for (let page = 1; ; page += 1) {
        const got = await call('list invoices', (api, t) =>
          api.getInvoices(
            t,
            undefined,
            where,
            'Date ASC',
            undefined,
            undefined,
            undefined,
            ['AUTHORISED', 'PAID', 'VOIDED'],
            page,
            undefined,
            undefined,
            undefined,
            false,
            pageSize,
          ),
        );
        const invoices = got.invoices ?? [];
        rows.push(...invoices.filter((i) => i.invoiceID).map(toHistoric));
        const pageCount = got.pagination?.pageCount;
        if (pageCount !== undefined ? page >= pageCount : invoices.length < pageSize) return rows;
      }
    },

    async billsDue(from, to) {
      // Bills are ACCPAY invoices; AUTHORISED is "awaiting payment" (drafts and bills awaiting approval are not owed yet).
      const where = `Type=="ACCPAY" AND DueDate>=${xeroDateTime(from)} AND DueDate<=${xeroDateTime(to)}`;
      const bills: BillDue[] = [];
      for (let page = 1; ; page += 1) {
        const got = await call('list bills', (api, t) =>
          api.getInvoices(t, undefined, where, 'DueDate ASC', undefined, undefined, undefined, ['AUTHORISED'], page, undefined, undefined, undefined, true, 1000),
        );
        const invoices = got.invoices ?? [];
        for (const inv of invoices) {
          const currency = normalizeCurrency(String(inv.currencyCode ?? 'USD'));
          const amountDue = fromXeroAmount(inv.amountDue, currency);
          const dueDate = xeroDay(inv.dueDate);
          if (inv.invoiceID && dueDate && amountDue > 0) bills.push({ providerBillId: inv.invoiceID, vendor: inv.contact?.name || 'Xero supplier', currency, amountDue, dueDate });
        }
        const pageCount = got.pagination?.pageCount;
        if (pageCount !== undefined ? page >= pageCount : invoices.length < 1000) return bills;
      }
    },

    async exchangeCode(code) {
      const tokens = await xeroTokenRequest(identity, { grant_type: 'authorization_code', code, redirect_uri: options.redirectUri });
      const authEventId = accessTokenClaim(tokens.accessToken, 'authentication_event_id');
      const tenants = tenantsOfConsent(await xeroTenants(identity, tokens.accessToken, authEventId), authEventId);
      if (tenants.length === 0) throw new BackendError('no Xero organisation was authorised in this consent', 'invalid', false);
      if (tenants.length === 1) return { tokens: { ...tokens, accountId: tenants[0]!.tenantId }, accountName: tenants[0]!.tenantName };
      return { tokens: { ...tokens, accountId: '' }, accountName: null, choices: tenants.map((t) => ({ accountId: t.tenantId, accountName: t.tenantName })) };
    },

    authorizeUrl: (state) => xeroAuthorizeUrl(identity, state),
  };
}

/** The invoice in duebot's terms, without the link and tax (read separately); `allocated`: credit notes' amounts on it, when read apart. */
export function toBackendInvoice(inv: Invoice, allocated: ReadonlyMap<string, number> = new Map()): BackendInvoice {
  const currency = normalizeCurrency(String(inv.currencyCode ?? 'USD'));
  const status = STATUS[String(inv.status)] ?? 'open';
  const total = fromXeroAmount(inv.total, currency);
  // AmountCredited counts credit notes, overpayments and prepayments: only credit notes are credits; the others are money received.
  const credits: BackendCredit[] = (inv.creditNotes ?? [])
    .filter((c) => c.creditNoteID)
    .map((c) => ({ id: c.creditNoteID!, amount: allocated.get(c.creditNoteID!) ?? fromXeroAmount(c.appliedAmount ?? c.total, currency) }))
    .filter((c) => c.amount > 0);
  const credited = credits.reduce((sum, c) => sum + c.amount, 0);
  const paid = fromXeroAmount(inv.amountPaid, currency) + Math.max(0, fromXeroAmount(inv.amountCredited, currency) - credited);
  const void_ = status === 'void';
  return {
    providerInvoiceId: inv.invoiceID ?? '',
    providerCustomerId: inv.contact?.contactID ?? '',
    status,
    currency,
    amountDue: total,
    amountPaid: paid,
    amountCredited: credited,
    credits,
    amountRemaining: void_ ? 0 : fromXeroAmount(inv.amountDue, currency),
    paymentUrl: null,
    pdfUrl: null,
    number: inv.invoiceNumber ?? null,
    metadata: inv.invoiceNumber ? { duebot_number: inv.invoiceNumber } : {},
  };
}

function toHistoric(inv: Invoice): HistoricInvoice {
  const state = toBackendInvoice(inv);
  return {
    providerInvoiceId: state.providerInvoiceId,
    providerCustomerId: state.providerCustomerId,
    customerName: inv.contact?.name || `Xero contact ${state.providerCustomerId}`,
    number: inv.invoiceNumber || state.providerInvoiceId,
    currency: state.currency,
    total: state.amountDue,
    amountPaid: state.amountPaid,
    issueDate: xeroDay(inv.date) ?? '',
    dueDate: xeroDay(inv.dueDate),
    paidDate: state.status === 'paid' ? xeroDay(inv.fullyPaidOnDate) : null,
    status: state.status,
  };
}

function sdkFailure(err: unknown): SdkFailure | null {
  if (typeof err !== 'string') return null;
  try {
    return JSON.parse(err) as SdkFailure;
  } catch {
    return null;
  }
}

/** `X-Rate-Limit-Problem` of a 429 ("minute", "day", "concurrent"), lower-cased. */
function rateLimitProblem(err: unknown): string | null {
  const headers = sdkFailure(err)?.response?.headers ?? {};
  const value = headers['x-rate-limit-problem'] ?? headers['X-Rate-Limit-Problem'];
  return typeof value === 'string' ? value.toLowerCase() : null;
}

/** Xero's message: a validation error's first element message, else Message / Detail / Title. */
function xeroMessage(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 200);
  const b = (body ?? {}) as { Message?: string; Detail?: string; Title?: string; Elements?: { ValidationErrors?: { Message?: string }[] }[] };
  const validation =
    b.Elements?.flatMap((e) => e.ValidationErrors ?? [])
      .map((v) => v.Message)
      .filter(Boolean) ?? [];
  return (validation.length ? validation.join('; ') : (b.Detail ?? b.Message ?? b.Title ?? '')).slice(0, 300);
}

/** xero-node rejects with a JSON string (an HTTP failure) or throws an Error (a bad argument). */
function toBackendError(what: string, err: unknown, now: Date): BackendError {
  if (err instanceof BackendError) return err;
  const failure = sdkFailure(err);
  if (!failure?.response) {
    return new BackendError(`Xero ${what} failed: ${err instanceof Error ? err.message : 'unexpected error'}`, 'invalid', false);
  }
  const status = failure.response.statusCode ? failure.response.statusCode : null;
  const detail = status ? xeroMessage(failure.response.body) : 'no answer';
  const headers = failure.response.headers ?? {};
  // No `cause`: the SDK's failure holds request details; only the status and Xero's message travel.
  return backendErrorFor(
    `Xero ${what} failed${status ? ` (${status}${status === 429 && rateLimitProblem(err) ? `, ${rateLimitProblem(err)} limit` : ''})` : ''}: ${detail}`,
    status,
    undefined,
    status === 429 ? retryAfterMs(headers['retry-after'] ?? headers['Retry-After'], now) : null,
  );
}

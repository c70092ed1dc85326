import { normalizeCurrency } from '../../domain/money.js';
import { addPercents } from '../../domain/tax.js';
import type { ConnectionStore } from '../../store/connections.js';
import {
  WebhookSignatureError,
  type BackendCredit,
  type BackendInvoice,
  type BackendInvoiceStatus,
  type BackendTax,
  type HistoricInvoice,
  type InvoicingBackend,
  type IssueInvoiceRequest,
} from './backend.js';
import { BackendError } from './errors.js';
import { createOAuthSession, type OAuthSession, type RefreshedTokens } from './oauth-session.js';
import { keyedRateLimiter } from './rate-limiter.js';
import { observeCall, unobserved, type CallObserver } from '../call-observer.js';
import { ZOHO_DUPLICATE_NUMBER, ZohoApiError, zohoRequest, type ZohoRequest } from './zoho-api.js';
import { fromZohoAmount, toZohoAmount } from './zoho-currency.js';
import { dataCentreFromCallback, zohoHosts } from './zoho-dc.js';
import { exchangeZohoCode, refreshZohoToken, unpackZohoRefreshToken, zohoAuthorizeUrl, type ZohoOAuthOptions } from './zoho-oauth.js';

export const ZOHO = 'zoho';

export interface ZohoBackendOptions {
  clientId: string;
  clientSecret: string;
  /** `${PUBLIC_URL}/oauth/zoho/callback`. */
  redirectUri: string;
  /** Replaces every data centre's hosts (tests): `<baseUrl>/<dc>/…`; null = Zoho's own. */
  baseUrl?: string | null;
  connections: ConnectionStore;
  now: () => Date;
  onBroken?: (provider: string, reason: string) => void;
  /**
   * Zoho's limits per organization: 100 requests a minute (documented for Zoho Books/Inventory, which
   * share the platform; the Invoice page names no figure), at most 5 in flight on the free plan, and a
   * daily cap by plan (1,000 free) that pacing cannot help: its 429 surfaces like any other.
   */
  limits?: { concurrency: number; perMinute: number };
  observe?: CallObserver;
}

export interface ZohoOrganization {
  id: string;
  name: string | null;
}

export interface ZohoBackend extends InvoicingBackend {
  authorizeUrl(state: string): string;
  /**
   * The consent callback's query → tokens at the data centre it names (one of Zoho's, or refused) and
   * the organizations those tokens reach, for the approver to choose from when there are several.
   */
  exchangeCallback(query: URLSearchParams): Promise<{ tokens: RefreshedTokens; organizations: ZohoOrganization[] }>;
}

/** The slice of Zoho's invoice object duebot reads (numbers are JSON numbers in major units). */
export interface ZohoInvoice {
  invoice_id: string;
  invoice_number?: string;
  customer_id?: string;
  customer_name?: string;
  status?: string;
  date?: string;
  due_date?: string;
  currency_code?: string;
  total?: number;
  sub_total?: number;
  tax_total?: number;
  balance?: number;
  payment_made?: number;
  credits_applied?: number;
  write_off_amount?: number;
  invoice_url?: string;
  last_payment_date?: string;
  taxes?: { tax_name?: string; tax_amount?: number }[];
  line_items?: { tax_id?: string; tax_name?: string; tax_percentage?: number }[];
}

interface ZohoContact {
  contact_id: string;
  contact_name?: string;
  email?: string;
  currency_code?: string;
  tax_id?: string;
}

interface ZohoCurrency {
  currency_id: string;
  currency_code: string;
  price_precision?: number;
}

/** Zoho's invoice statuses → duebot's: everything issued and not settled is open. */
export function zohoStatus(status: string | undefined): BackendInvoiceStatus {
  switch (status) {
    case 'draft':
      return 'draft';
    case 'paid':
      return 'paid';
    case 'void':
      return 'void';
    default:
      return 'open';
  }
}

export function createZohoBackend(options: ZohoBackendOptions): ZohoBackend {
  const observer = options.observe ?? unobserved;
  const baseUrl = options.baseUrl ?? null;
  const oauth: ZohoOAuthOptions = { clientId: options.clientId, clientSecret: options.clientSecret, redirectUri: options.redirectUri, baseUrl, now: options.now };
  const limiterFor = keyedRateLimiter({
    concurrency: options.limits?.concurrency ?? 5,
    perWindow: options.limits?.perMinute ?? 100,
    windowMs: 60_000,
    onWait: (ms) => observer.rateLimitWait(ms / 1000),
  });
  const session: OAuthSession = createOAuthSession({
    provider: ZOHO,
    store: options.connections,
    now: options.now,
    refresh: (stored) => refreshZohoToken(oauth, stored),
    ...(options.onBroken ? { onBroken: options.onBroken } : {}),
  });

  /** One API call for the connected organization; a 401 gets one refresh and one retry, then breaks the connection. */
  async function call<T>(what: string, req: ZohoRequest): Promise<T> {
    let tokens = await session.tokens();
    for (let attempt = 0; ; attempt += 1) {
      const api = zohoHosts(unpackZohoRefreshToken(tokens.refreshToken).dc, baseUrl).api;
      const accessToken = tokens.accessToken;
      const org = tokens.accountId;
      try {
        const result = await limiterFor(org)(() =>
          observeCall(
            observer,
            what,
            () => zohoRequest<T>(api, accessToken, org, what, req, options.now()),
            (err) => (err instanceof BackendError ? err.code : 'error'),
          ),
        );
        await options.connections.markSuccess(ZOHO, options.now());
        return result;
      } catch (err) {
        if (err instanceof BackendError && err.status === 401 && attempt === 0) {
          tokens = await session.refresh(tokens);
          continue;
        }
        if (err instanceof BackendError && err.status === 401) await session.broken(`Zoho Invoice ${what} answered 401 after a token refresh`);
        throw err;
      }
    }
  }

  // Currencies as this organization has them set up (id for contacts, decimals for amounts), per org.
  const currencies = new Map<string, Map<string, ZohoCurrency>>();
  async function currencyOf(code: string): Promise<{ id: string; precision: number }> {
    const org = (await session.tokens()).accountId;
    let known = currencies.get(org);
    if (!known?.has(code)) {
      const list = await call<{ currencies?: ZohoCurrency[] }>('list currencies', { method: 'GET', path: '/settings/currencies' });
      known = new Map((list.currencies ?? []).map((c) => [normalizeCurrency(c.currency_code), c]));
      currencies.set(org, known);
    }
    const found = known.get(code);
    if (!found) throw new BackendError(`Zoho Invoice has no ${code} currency in this organization: add it under Settings → Currencies, then approve again`, 'invalid', false);
    return { id: found.currency_id, precision: typeof found.price_precision === 'number' ? found.price_precision : 2 };
  }

  async function findOrCreateContact(customer: IssueInvoiceRequest['customer'], currency: string, currencyId: string): Promise<ZohoContact> {
    const found = customer.providerCustomerId ?? (await findContact(customer));
    if (found) {
      // Search results are summaries: the contact itself carries its currency and default tax.
      const { contact } = await call<{ contact: ZohoContact }>('get contact', { method: 'GET', path: `/contacts/${encodeURIComponent(found)}` });
      // A Zoho invoice is in its contact's currency: one in another currency would bill the wrong amount.
      if (contact.currency_code && normalizeCurrency(contact.currency_code) !== currency) {
        throw new BackendError(
          `the Zoho Invoice contact "${contact.contact_name ?? contact.contact_id}" bills in ${contact.currency_code}, not ${currency}: change the client's currency or the contact`,
          'invalid',
          false,
        );
      }
      return contact;
    }
    const email = customer.emails[0];
    const created = await call<{ contact: ZohoContact }>('create contact', {
      method: 'POST',
      path: '/contacts',
      body: {
        contact_name: customer.name,
        company_name: customer.name,
        currency_id: currencyId,
        ...(email ? { contact_persons: [{ first_name: customer.name.slice(0, 100), email, is_primary_contact: true }] } : {}),
      },
    });
    return created.contact;
  }

  /** The client's contact made earlier (by duebot or by hand): by billing email first, then by exact name. */
  async function findContact(customer: IssueInvoiceRequest['customer']): Promise<string | null> {
    const email = customer.emails[0];
    if (email) {
      const byEmail = await call<{ contacts?: ZohoContact[] }>('find contacts', { method: 'GET', path: '/contacts', query: { email } });
      const match = (byEmail.contacts ?? []).find((c) => c.email?.toLowerCase() === email.toLowerCase());
      if (match) return match.contact_id;
    }
    const byName = await call<{ contacts?: ZohoContact[] }>('find contacts', { method: 'GET', path: '/contacts', query: { contact_name: customer.name } });
    return (byName.contacts ?? []).find((c) => c.contact_name === customer.name)?.contact_id ?? null;
  }

  /** Our invoice at Zoho, found by duebot's number on this contact (Zoho has no idempotency keys). */
  async function findByNumber(number: string, customerId: string): Promise<ZohoInvoice | null> {
    const found = await call<{ invoices?: ZohoInvoice[] }>('find invoices', { method: 'GET', path: '/invoices', query: { invoice_number: number } });
    return (found.invoices ?? []).find((i) => i.invoice_number === number && i.customer_id === customerId) ?? null;
  }

  async function readInvoice(id: string): Promise<BackendInvoice> {
    const { invoice } = await call<{ invoice: ZohoInvoice }>('get invoice', { method: 'GET', path: `/invoices/${encodeURIComponent(id)}` });
    const currency = normalizeCurrency(invoice.currency_code ?? 'USD');
    let credits: BackendCredit[] = [];
    if (fromZohoAmount(invoice.credits_applied, currency) > 0) {
      const applied = await call<{ credits?: { creditnote_id: string; amount_applied?: number }[] }>('list credits applied', {
        method: 'GET',
        path: `/invoices/${encodeURIComponent(id)}/creditsapplied`,
      });
      credits = (applied.credits ?? []).map((c) => ({ id: String(c.creditnote_id), amount: fromZohoAmount(c.amount_applied, currency) }));
    }
    return toBackendInvoice(invoice, credits);
  }

  return {
    name: ZOHO,

    async issueInvoice(req) {
      const currency = normalizeCurrency(req.currency);
      const { id: currencyId, precision } = await currencyOf(currency);
      // Zoho's decimals, checked before anything is created there: an amount it would round is refused.
      const rates = req.lines.map((line) => toZohoAmount(line.unitAmount, currency, precision));
      for (const line of req.lines) toZohoAmount(line.amount, currency, precision);
      const salesTax = req.salesTax ? toZohoAmount(req.salesTax.amount, currency, precision) : null;
      const contact = await findOrCreateContact(req.customer, currency, currencyId);
      let invoice = await findByNumber(req.number, contact.contact_id);
      if (!invoice) {
        // A tax service's amount replaces the contact's tax: Zoho takes no explicit tax amount, so it is a last line.
        const taxId = req.salesTax ? undefined : contact.tax_id;
        const lineItems = req.lines.map((line, index) => ({
          name: line.description.slice(0, 100),
          description: line.description,
          rate: rates[index]!,
          quantity: Number(line.quantity),
          ...(taxId ? { tax_id: taxId } : {}),
        }));
        if (req.salesTax && salesTax !== null)
          lineItems.push({ name: req.salesTax.name.slice(0, 100), description: `${req.salesTax.ratePercent}% (${req.salesTax.source})`, rate: salesTax, quantity: 1 });
        try {
          invoice = (
            await call<{ invoice: ZohoInvoice }>('create invoice', {
              method: 'POST',
              path: '/invoices',
              // duebot's own number: Zoho's auto-numbering would otherwise replace it.
              query: { ignore_auto_number_generation: true },
              body: {
                customer_id: contact.contact_id,
                invoice_number: req.number,
                date: req.issueDate,
                due_date: req.dueDate,
                notes: req.memo.slice(0, 5000),
                line_items: lineItems,
              },
            })
          ).invoice;
        } catch (err) {
          // 1001 "number already exists": an earlier attempt made it (its answer was lost), or someone else used the number.
          if (!(err instanceof ZohoApiError && err.zohoCode === ZOHO_DUPLICATE_NUMBER)) throw err;
          invoice = await findByNumber(req.number, contact.contact_id);
          if (!invoice) throw new BackendError(`Zoho Invoice already has an invoice numbered ${req.number} for another customer`, 'invalid', false, { status: 400 });
        }
      }
      if (invoice.status === 'draft') {
        // duebot emails the invoice itself; Zoho only needs to know it went out (a draft has no client link).
        await call('mark sent', { method: 'POST', path: `/invoices/${encodeURIComponent(invoice.invoice_id)}/status/sent` });
      }
      const issued = await readInvoice(invoice.invoice_id);
      if (req.salesTax && issued.status !== 'void') {
        issued.tax = { subtotal: issued.amountDue - req.salesTax.amount, amount: req.salesTax.amount, name: req.salesTax.name, ratePercent: req.salesTax.ratePercent };
      }
      return issued;
    },

    fetchInvoice: (id) => readInvoice(id),

    async voidInvoice(providerInvoiceId) {
      const current = await readInvoice(providerInvoiceId);
      if (current.status === 'void') return current;
      await call('void invoice', { method: 'POST', path: `/invoices/${encodeURIComponent(providerInvoiceId)}/status/void` });
      return readInvoice(providerInvoiceId);
    },

    parseWebhook() {
      // Zoho Invoice signs nothing: a delivery is vouched for by the secret in its URL, checked by the route.
      throw new WebhookSignatureError('Zoho Invoice deliveries are verified by the secret in their URL (POST /webhooks/zoho/<secret>)');
    },

    async resolveInvoiceId(event) {
      if (event.subject?.type !== 'payment') return event.providerInvoiceId;
      const { payment } = await call<{ payment: { invoices?: { invoice_id: string }[] } }>('get payment', {
        method: 'GET',
        path: `/customerpayments/${encodeURIComponent(event.subject.id)}`,
      });
      return payment.invoices?.[0]?.invoice_id ?? null;
    },

    async creditInvoice(providerInvoiceId, amountMinor, reason) {
      const { invoice } = await call<{ invoice: ZohoInvoice }>('get invoice', { method: 'GET', path: `/invoices/${encodeURIComponent(providerInvoiceId)}` });
      const currency = normalizeCurrency(invoice.currency_code ?? 'USD');
      const amount = toZohoAmount(amountMinor, currency, (await currencyOf(currency)).precision);
      const { creditnote } = await call<{ creditnote: { creditnote_id: string } }>('create credit note', {
        method: 'POST',
        path: '/creditnotes',
        body: {
          customer_id: invoice.customer_id,
          date: options.now().toISOString().slice(0, 10),
          reference_number: (invoice.invoice_number ?? '').slice(0, 50),
          line_items: [{ name: reason.slice(0, 100), description: reason, rate: amount, quantity: 1 }],
        },
      });
      // A credit note stands apart until applied to the invoice.
      await call('apply credits', {
        method: 'POST',
        path: `/invoices/${encodeURIComponent(providerInvoiceId)}/credits`,
        body: { apply_creditnotes: [{ creditnote_id: creditnote.creditnote_id, amount_applied: amount }] },
      });
      return { ...(await readInvoice(providerInvoiceId)), creditId: String(creditnote.creditnote_id) };
    },

    async listInvoicesForImport(listing) {
      // Zoho pages with page/per_page (at most 200) and says whether there is more.
      const perPage = Math.min(listing.pageSize ?? 200, 200);
      const rows: ZohoInvoice[] = [];
      for (let page = 1; ; page += 1) {
        const result = await call<{ invoices?: ZohoInvoice[]; page_context?: { has_more_page?: boolean } }>('list invoices', {
          method: 'GET',
          path: '/invoices',
          query: { page, per_page: perPage, ...(listing.since ? { date_start: listing.since } : {}) },
        });
        rows.push(...(result.invoices ?? []));
        if (!result.page_context?.has_more_page) break;
      }
      return rows.filter((inv) => !listing.since || (inv.date ?? '') >= listing.since).map(zohoHistory);
    },

    authorizeUrl: (state) => zohoAuthorizeUrl(oauth, state),

    async exchangeCallback(query) {
      const picked = dataCentreFromCallback(query);
      if ('error' in picked) throw new BackendError(`refused the Zoho callback: ${picked.error}`, 'invalid', false, { status: 400 });
      const tokens = await exchangeZohoCode(oauth, picked.dc, query.get('code') ?? '');
      const listed = await zohoRequest<{ organizations?: { organization_id: string | number; name?: string }[] }>(
        zohoHosts(picked.dc, baseUrl).api,
        tokens.accessToken,
        null,
        'list organizations',
        { method: 'GET', path: '/organizations' },
        options.now(),
      );
      const organizations = (listed.organizations ?? []).map((o) => ({ id: String(o.organization_id), name: o.name ?? null }));
      if (!organizations.length) throw new BackendError('this Zoho account has no Zoho Invoice organization', 'invalid', false, { status: 400 });
      return { tokens, organizations };
    },
  };
}

/** The invoice in duebot's terms: payments and credits apart (Zoho keeps them apart too). */
export function toBackendInvoice(inv: ZohoInvoice, credits: BackendCredit[] | undefined): BackendInvoice {
  const currency = normalizeCurrency(inv.currency_code ?? 'USD');
  const minor = (n: number | undefined) => fromZohoAmount(n, currency);
  const status = zohoStatus(inv.status);
  const total = minor(inv.total);
  const balance = minor(inv.balance);
  const amountCredited = credits ? credits.reduce((sum, c) => sum + c.amount, 0) : minor(inv.credits_applied);
  const amountPaid = inv.payment_made !== undefined ? minor(inv.payment_made) : Math.max(0, total - balance - amountCredited);
  return {
    providerInvoiceId: String(inv.invoice_id),
    providerCustomerId: String(inv.customer_id ?? ''),
    status,
    currency,
    amountDue: total,
    amountPaid,
    amountCredited,
    ...(credits ? { credits } : {}),
    amountRemaining: status === 'void' ? 0 : balance,
    // A draft's or a void invoice's page is no place to send a client.
    paymentUrl: status === 'open' || status === 'paid' ? inv.invoice_url || null : null,
    pdfUrl: null,
    number: inv.invoice_number ?? null,
    metadata: inv.invoice_number ? { duebot_number: inv.invoice_number } : {},
    ...(status !== 'void' && inv.sub_total !== undefined ? { tax: zohoTax(inv, currency, total) } : {}),
  };
}

function zohoTax(inv: ZohoInvoice, currency: string, total: number): BackendTax {
  const amount = fromZohoAmount(inv.tax_total, currency);
  const names = [...new Set((inv.taxes ?? []).map((t) => t.tax_name).filter((n): n is string => Boolean(n)))];
  const lines = inv.line_items ?? [];
  const percents = [...new Set(lines.map((l) => l.tax_percentage).filter((p): p is number => typeof p === 'number' && p > 0))];
  // One rate only when every line carries the same tax.
  const uniform = lines.length > 0 && percents.length === 1 && lines.every((l) => l.tax_percentage === percents[0]);
  return { subtotal: total - amount, amount, name: names.length ? names.join(' + ') : null, ratePercent: amount > 0 && uniform ? addPercents(percents) : null };
}

export function zohoHistory(inv: ZohoInvoice): HistoricInvoice {
  const state = toBackendInvoice(inv, undefined);
  return {
    providerInvoiceId: state.providerInvoiceId,
    providerCustomerId: state.providerCustomerId,
    customerName: inv.customer_name || `Zoho contact ${state.providerCustomerId}`,
    number: inv.invoice_number ?? state.providerInvoiceId,
    currency: state.currency,
    total: state.amountDue,
    amountPaid: state.amountPaid,
    issueDate: inv.date ?? '',
    dueDate: inv.due_date ?? null,
    paidDate: state.status === 'paid' ? (inv.last_payment_date ?? null) : null,
    status: state.status,
  };
}

import { randomBytes } from 'node:crypto';
import { startStub, type StubReply, type StubRequest } from './http-stub.js';

/**
 * A local stand-in for Zoho Invoice (API v3) and Zoho Accounts, one server for every data centre:
 * `<url>/<dc>/oauth/v2/…` is that DC's accounts server and `<url>/<dc>/invoice/v3/…` its API (the
 * adapter's one base-URL override puts every DC host under `<url>/<dc>`).
 *
 * - Accounts: GET /us/oauth/v2/auth redirects to the redirect URI with `code`, `state`, `location`
 *   and `accounts-server` (Zoho's real host for the user's DC, as Zoho sends it). POST /<dc>/oauth/v2/token
 *   (form) takes `authorization_code` (a code works once, only at the DC that issued it) and
 *   `refresh_token`; failures answer **200** `{"error":"invalid_code"}` as Zoho Accounts does. Refresh
 *   tokens are not rotated; a user holds at most 20, a 21st evicts the oldest.
 * - API: `Authorization: Zoho-oauthtoken <token>` (401 `{code:57}` otherwise) and
 *   `X-com-zoho-invoice-organizationid` (400 `{code:6041}` when missing or not this user's), except
 *   GET /organizations. Every answer is `{code, message, <resource>}`, code 0 for success.
 * - Money: JSON numbers in major units, kept with the organization currency's `price_precision`; a
 *   number with more decimals is refused (400, code 2), where real Zoho would round (stricter on purpose).
 * - Invoices: create (`ignore_auto_number_generation=true` keeps our `invoice_number`, a repeat is 400
 *   code 1001), list (invoice_number, date_start, page/per_page ≤ 200 → page_context.has_more_page),
 *   get, status/sent, status/void (refused with payments), payments, creditsapplied, credits (apply credit
 *   notes). Taxes per line from `tax_id`, rounded per line. Statuses draft → sent → partially_paid → paid, void.
 * - Test hooks: `pay`, `void`, `credit`-free helpers, `failNext`, rate limit per organization and minute,
 *   `revokeAccessTokens`, `revokeRefreshTokens`, `workflowDelivery` (the default invoice JSON body).
 */

export const ZOHO_ACCOUNT_HOSTS: Record<string, string> = {
  us: 'https://accounts.zoho.com',
  eu: 'https://accounts.zoho.eu',
  in: 'https://accounts.zoho.in',
  au: 'https://accounts.zoho.com.au',
  jp: 'https://accounts.zoho.jp',
  ca: 'https://accounts.zohocloud.ca',
};

type Json = Record<string, unknown>;

export interface FakeZohoOptions {
  /** The user's data centre (where consent sends them, and where their organizations live). */
  dc?: string;
  organizations?: { organization_id: string; name: string }[];
  /** `price_precision` per currency code (defaults: ISO-like, KWD 3). */
  precision?: Record<string, number>;
  /** Requests a minute per organization before 429 (default 100). */
  perMinute?: number;
}

export interface FakeZoho {
  url: string;
  clientId: string;
  clientSecret: string;
  dc: string;
  organizationId: string;
  invoices: Map<string, Json>;
  contacts: Map<string, Json>;
  creditNotes: Map<string, Json>;
  requests: { method: string; path: string; query: URLSearchParams; headers: StubRequest['headers']; body: unknown; status: number }[];
  /** Tokens as the connect flow would have them (the raw Zoho refresh token). */
  issueTokens(expiresInSeconds?: number): { accessToken: string; refreshToken: string; expiresAt: Date };
  liveRefreshTokens(): string[];
  revokeAccessTokens(): void;
  revokeRefreshTokens(): void;
  failNext(count: number, status: number, headers?: Record<string, string>, body?: Json): void;
  /** A tax as set up under Settings → Taxes; returns its tax_id. */
  createTax(name: string, percent: string): string;
  /** A contact as made in Zoho's UI (with a default tax, say). */
  createContact(contact: { contact_name: string; email?: string; currency_code?: string; tax_id?: string }): string;
  /** A customer payment applied to the invoice (default: the whole balance), in major units. */
  pay(invoiceId: string, amount?: string): { paymentId: string };
  void(invoiceId: string): void;
  /** The body Zoho's workflow webhook sends by default for an invoice (the entity as JSON). */
  workflowDelivery(invoiceId: string): string;
  /**
   * The next `count` invoice searches by number miss (as a search index lagging behind a write would),
   * so a create that already happened is only learnt from its 1001 answer.
   */
  searchLag(count: number): void;
  /** The next invoice create is stored, but its answer never arrives (the connection is cut). */
  dropNextCreate(): void;
  /** The next `count` token requests are throttled as Zoho Accounts does (400 "Access Denied", too many requests). */
  throttleTokens(count: number): void;
  close(): Promise<void>;
}

/** The env that points duebot's Zoho back-end at the stand-in (every data centre under its URL). */
export function zohoEnv(fake: Pick<FakeZoho, 'clientId' | 'clientSecret' | 'url'>): Record<string, string> {
  return { ZOHO_CLIENT_ID: fake.clientId, ZOHO_CLIENT_SECRET: fake.clientSecret, ZOHO_BASE_URL: fake.url };
}

const DEFAULT_PRECISION: Record<string, number> = { USD: 2, EUR: 2, GBP: 2, JPY: 0, ISK: 0, MGA: 2, KWD: 3, CAD: 2, INR: 2, AUD: 2 };

/** A JSON number (or numeric string) in major units → integer units at `precision`, or null when it has more decimals. */
function units(value: unknown, precision: number): number | null {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return null;
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  if (fraction.length > precision) return null;
  const n = Number(match[2]) * 10 ** precision + Number((fraction + '0'.repeat(precision)).slice(0, precision) || '0');
  return match[1] ? -n : n;
}
const major = (n: number, precision: number) => Number((n / 10 ** precision).toFixed(precision));
const today = () => new Date().toISOString().slice(0, 10);

export async function startFakeZoho(options: FakeZohoOptions = {}): Promise<FakeZoho> {
  const clientId = '1000.FAKEZOHOCLIENT';
  const clientSecret = randomBytes(12).toString('hex');
  const dc = options.dc ?? 'us';
  const organizations = options.organizations ?? [{ organization_id: '10234695', name: 'Zylker Design' }];
  const precision = { ...DEFAULT_PRECISION, ...(options.precision ?? {}) };
  const perMinute = options.perMinute ?? 100;
  const invoices = new Map<string, Json>();
  const contacts = new Map<string, Json>();
  const creditNotes = new Map<string, Json>();
  const payments = new Map<string, Json>();
  const taxes = new Map<string, { tax_id: string; tax_name: string; tax_percentage: number }>();
  const codes = new Map<string, { dc: string; redirectUri: string }>();
  const accessTokens = new Map<string, { dc: string; expiresAt: number }>();
  let refreshTokens: { token: string; dc: string }[] = [];
  const requests: FakeZoho['requests'] = [];
  const failures: { status: number; headers: Record<string, string>; body: Json }[] = [];
  const minuteCounts = new Map<string, { minute: number; count: number }>();
  let seq = 460000000000000;
  const nextId = () => String((seq += 1));
  let baseUrl = '';
  let lagging = 0;
  let dropCreate = false;
  let throttled = 0;

  const ok = (message: string, body: Json = {}, status = 200): StubReply => ({ status, body: { code: 0, message, ...body } });
  const fail = (status: number, code: number, message: string): StubReply => ({ status, body: { code, message } });

  function newAccessToken(tokenDc: string, seconds = 3600): string {
    const token = `1000.${randomBytes(16).toString('hex')}`;
    accessTokens.set(token, { dc: tokenDc, expiresAt: Date.now() + seconds * 1000 });
    return token;
  }
  function newRefreshToken(tokenDc: string): string {
    const token = `1000.${randomBytes(16).toString('hex')}.${randomBytes(8).toString('hex')}`;
    refreshTokens.push({ token, dc: tokenDc });
    // Zoho keeps 20 refresh tokens per user: the 21st evicts the oldest, in use or not.
    if (refreshTokens.length > 20) refreshTokens = refreshTokens.slice(-20);
    return token;
  }

  const precisionOf = (currency: string) => precision[currency] ?? 2;
  const currencyId = (code: string) => `9820000${[...code].map((c) => c.charCodeAt(0)).join('')}`;

  /** Recomputes an invoice's totals and status from its lines, payments and credits (all in units). */
  function recompute(inv: Json): void {
    const p = precisionOf(String(inv.currency_code));
    const lines = inv.line_items as Json[];
    let sub = 0;
    let tax = 0;
    const byTax = new Map<string, number>();
    for (const line of lines) {
      const item = Math.round((Number(line._rate_units) * Number(line.quantity) * 1e6) / 1e6);
      line.item_total = major(item, p);
      sub += item;
      if (line.tax_percentage) {
        const t = Math.round((item * Number(line.tax_percentage)) / 100);
        tax += t;
        byTax.set(String(line.tax_name), (byTax.get(String(line.tax_name)) ?? 0) + t);
      }
    }
    const total = sub + tax;
    const paid = Number(inv._paid_units ?? 0);
    const credited = Number(inv._credited_units ?? 0);
    const balance = inv.status === 'void' ? 0 : total - paid - credited;
    Object.assign(inv, {
      sub_total: major(sub, p),
      tax_total: major(tax, p),
      taxes: [...byTax].map(([tax_name, t]) => ({ tax_name, tax_amount: major(t, p) })),
      total: major(total, p),
      payment_made: major(paid, p),
      credits_applied: major(credited, p),
      balance: major(balance, p),
      _total_units: total,
      _balance_units: balance,
    });
    if (inv.status === 'void' || inv.status === 'draft') return;
    inv.status = balance === 0 ? 'paid' : paid + credited > 0 ? 'partially_paid' : 'sent';
  }

  const visible = (inv: Json) => Object.fromEntries(Object.entries(inv).filter(([k]) => !k.startsWith('_')));
  const visibleLines = (inv: Json) => ({ ...visible(inv), line_items: (inv.line_items as Json[]).map(visible) });

  function api(req: StubRequest, path: string, org: string | null, body: Json): StubReply {
    const parts = path.split('/').filter(Boolean);
    const [resource, id, sub, action] = parts;
    if (req.method === 'GET' && path === '/organizations')
      return ok('success', { organizations: organizations.map((o) => ({ ...o, currency_code: 'USD', is_default_org: false })) });
    if (!org || !organizations.some((o) => o.organization_id === org)) return fail(400, 6041, 'This user is not associated with the organization.');
    const count = minuteCounts.get(org);
    const minute = Math.floor(Date.now() / 60_000);
    const current = count && count.minute === minute ? count : { minute, count: 0 };
    current.count += 1;
    minuteCounts.set(org, current);
    if (current.count > perMinute)
      return {
        status: 429,
        headers: { 'retry-after': String(60 - (Math.floor(Date.now() / 1000) % 60)) },
        body: { code: 44, message: 'Too many requests. Please try after some time.' },
      };

    if (resource === 'settings' && id === 'currencies' && req.method === 'GET') {
      return ok('success', {
        currencies: Object.entries(precision).map(([code, p]) => ({ currency_id: currencyId(code), currency_code: code, price_precision: p, is_base_currency: code === 'USD' })),
      });
    }
    if (resource === 'contacts') {
      if (req.method === 'GET' && !id) {
        const email = req.query.get('email');
        const name = req.query.get('contact_name');
        const list = [...contacts.values()].filter((c) => (email ? String(c.email ?? '').toLowerCase() === email.toLowerCase() : true) && (name ? c.contact_name === name : true));
        return ok('success', {
          contacts: list.map((c) => ({ contact_id: c.contact_id, contact_name: c.contact_name, email: c.email, currency_code: c.currency_code })),
          page_context: { page: 1, per_page: 200, has_more_page: false },
        });
      }
      if (req.method === 'GET' && id) {
        const contact = contacts.get(id);
        return contact ? ok('success', { contact }) : fail(404, 1002, 'Contact does not exist.');
      }
      if (req.method === 'POST' && !id) {
        if (typeof body.contact_name !== 'string' || !body.contact_name) return fail(400, 2, 'Invalid value passed for contact_name');
        if ([...contacts.values()].some((c) => c.contact_name === body.contact_name)) return fail(400, 3062, 'The contact name already exists.');
        const currency = Object.keys(precision).find((code) => currencyId(code) === body.currency_id);
        const persons = (body.contact_persons as Json[] | undefined) ?? [];
        const contactId = createContact({
          contact_name: body.contact_name,
          ...(persons[0]?.email ? { email: String(persons[0].email) } : {}),
          currency_code: currency ?? 'USD',
        });
        return ok('The contact has been added.', { contact: contacts.get(contactId) }, 201);
      }
    }
    if (resource === 'invoices') {
      if (req.method === 'GET' && !id) {
        let list = [...invoices.values()];
        const number = req.query.get('invoice_number');
        if (number) list = lagging > 0 ? ((lagging -= 1), []) : list.filter((i) => i.invoice_number === number);
        const since = req.query.get('date_start');
        if (since) list = list.filter((i) => String(i.date) >= since);
        const perPage = Math.min(Number(req.query.get('per_page') ?? 200), 200);
        const page = Math.max(1, Number(req.query.get('page') ?? 1));
        const slice = list.slice((page - 1) * perPage, page * perPage).map((i) => {
          const { line_items: _lines, taxes: _taxes, ...summary } = visible(i);
          return summary;
        });
        return ok('success', { invoices: slice, page_context: { page, per_page: perPage, has_more_page: page * perPage < list.length } });
      }
      if (req.method === 'POST' && !id) {
        const created = createInvoice(req, body);
        if (dropCreate && created.status === 201) {
          dropCreate = false;
          return { ...created, drop: true };
        }
        return created;
      }
      const inv = id ? invoices.get(id) : undefined;
      if (!inv) return fail(404, 1002, 'Invoice does not exist.');
      if (req.method === 'GET' && !sub) return ok('success', { invoice: visibleLines(inv) });
      if (req.method === 'POST' && sub === 'status' && action === 'sent') {
        if (inv.status === 'draft') {
          inv.status = 'sent';
          recompute(inv);
        }
        return ok('Invoice status has been changed to Sent.');
      }
      if (req.method === 'POST' && sub === 'status' && action === 'void') {
        if (Number(inv._paid_units ?? 0) > 0) return fail(400, 1011, 'Invoices with payments recorded cannot be voided. Delete the payments first.');
        inv.status = 'void';
        recompute(inv);
        return ok('Invoice status has been changed to Void.');
      }
      if (req.method === 'GET' && sub === 'payments') return ok('success', { payments: [...payments.values()].filter((p) => p._invoice_id === id).map(visible) });
      if (req.method === 'GET' && sub === 'creditsapplied') return ok('success', { credits: (inv._credits as Json[] | undefined) ?? [] });
      if (req.method === 'POST' && sub === 'credits') return applyCredits(inv, body);
    }
    if (resource === 'creditnotes' && req.method === 'POST' && !id) {
      const contact = contacts.get(String(body.customer_id));
      if (!contact) return fail(400, 1002, 'Contact does not exist.');
      const p = precisionOf(String(contact.currency_code));
      let total = 0;
      for (const line of (body.line_items as Json[] | undefined) ?? []) {
        const rate = units(line.rate, p);
        if (rate === null) return fail(400, 2, 'Invalid value passed for rate');
        total += Math.round(rate * Number(line.quantity ?? 1));
      }
      const creditnoteId = nextId();
      const note = {
        creditnote_id: creditnoteId,
        creditnote_number: `CN-${String(creditNotes.size + 1).padStart(5, '0')}`,
        customer_id: body.customer_id,
        status: 'open',
        total: major(total, p),
        balance: major(total, p),
        _balance_units: total,
      };
      creditNotes.set(creditnoteId, note);
      return ok('The credit note has been created.', { creditnote: visible(note) }, 201);
    }
    if (resource === 'customerpayments' && req.method === 'GET' && id) {
      const payment = payments.get(id);
      return payment ? ok('success', { payment: visible(payment) }) : fail(404, 1002, 'Payment does not exist.');
    }
    return fail(404, 5, 'Invalid URL Passed');
  }

  function createInvoice(req: StubRequest, body: Json): StubReply {
    const contact = contacts.get(String(body.customer_id));
    if (!contact) return fail(400, 1002, 'Contact does not exist.');
    const own = req.query.get('ignore_auto_number_generation') === 'true';
    const number = own ? String(body.invoice_number ?? '') : `INV-${String(invoices.size + 1).padStart(6, '0')}`;
    if (own && !number) return fail(400, 2, 'Invalid value passed for invoice_number');
    if ([...invoices.values()].some((i) => i.invoice_number === number)) return fail(400, 1001, `Invoice "${number}" already exists.`);
    const currency = String(contact.currency_code ?? 'USD');
    const p = precisionOf(currency);
    const lines: Json[] = [];
    for (const line of (body.line_items as Json[] | undefined) ?? []) {
      const rate = units(line.rate, p);
      if (rate === null || typeof line.quantity !== 'number') return fail(400, 2, 'Invalid value passed for rate');
      const tax = line.tax_id ? taxes.get(String(line.tax_id)) : undefined;
      if (line.tax_id && !tax) return fail(400, 2, 'Invalid value passed for tax_id');
      lines.push({
        line_item_id: nextId(),
        name: line.name,
        description: line.description,
        rate: line.rate,
        quantity: line.quantity,
        _rate_units: rate,
        ...(tax ? { tax_id: tax.tax_id, tax_name: tax.tax_name, tax_percentage: tax.tax_percentage } : {}),
      });
    }
    if (!lines.length) return fail(400, 2, 'Invalid value passed for line_items');
    const invoiceId = nextId();
    const inv: Json = {
      invoice_id: invoiceId,
      invoice_number: number,
      customer_id: contact.contact_id,
      customer_name: contact.contact_name,
      status: 'draft',
      date: body.date ?? today(),
      due_date: body.due_date ?? body.date ?? today(),
      currency_code: currency,
      notes: body.notes,
      line_items: lines,
      invoice_url: `${baseUrl}/portal/zylker/secure?CInvoiceID=${randomBytes(20).toString('hex')}`,
      _paid_units: 0,
      _credited_units: 0,
      _credits: [],
    };
    recompute(inv);
    invoices.set(invoiceId, inv);
    return ok('The invoice has been created.', { invoice: visibleLines(inv) }, 201);
  }

  function applyCredits(inv: Json, body: Json): StubReply {
    const p = precisionOf(String(inv.currency_code));
    for (const apply of (body.apply_creditnotes as Json[] | undefined) ?? []) {
      const note = creditNotes.get(String(apply.creditnote_id));
      const amount = units(apply.amount_applied, p);
      if (!note || amount === null || amount <= 0) return fail(400, 2, 'Invalid value passed for apply_creditnotes');
      if (amount > Number(note._balance_units) || amount > Number(inv._balance_units)) return fail(400, 12010, 'Amount applied exceeds the balance.');
      note._balance_units = Number(note._balance_units) - amount;
      note.balance = major(Number(note._balance_units), p);
      if (note._balance_units === 0) note.status = 'closed';
      inv._credited_units = Number(inv._credited_units) + amount;
      (inv._credits as Json[]).push({ creditnote_id: note.creditnote_id, creditnotes_number: note.creditnote_number, credited_date: today(), amount_applied: major(amount, p) });
      recompute(inv);
    }
    return ok('Credits have been applied to the invoice(s).', { apply_to_invoices: { credits: inv._credits } });
  }

  function createContact(contact: { contact_name: string; email?: string; currency_code?: string; tax_id?: string }): string {
    const contactId = nextId();
    const tax = contact.tax_id ? taxes.get(contact.tax_id) : undefined;
    contacts.set(contactId, {
      contact_id: contactId,
      contact_name: contact.contact_name,
      company_name: contact.contact_name,
      email: contact.email ?? '',
      currency_code: contact.currency_code ?? 'USD',
      ...(tax ? { tax_id: tax.tax_id, tax_name: tax.tax_name, tax_percentage: tax.tax_percentage } : {}),
    });
    return contactId;
  }

  const stub = await startStub((req) => {
    const reply = handle(req);
    let body: unknown = req.body;
    try {
      body = req.body && String(req.headers['content-type'] ?? '').includes('json') ? JSON.parse(req.body) : req.body;
    } catch {
      /* recorded as text */
    }
    requests.push({ method: req.method, path: req.path, query: req.query, headers: req.headers, body, status: reply.status });
    return reply;
  });

  function handle(req: StubRequest): StubReply {
    const [, reqDc, ...rest] = req.path.split('/');
    const path = `/${rest.join('/')}`;
    if (!reqDc || !ZOHO_ACCOUNT_HOSTS[reqDc]) return { status: 404, body: { error: 'no such data centre' } };
    if (path === '/oauth/v2/auth' && req.method === 'GET') {
      // Consent starts at the US server; Zoho sends the user on to their DC and names it in the redirect.
      const location = dc;
      const code = `1000.${randomBytes(16).toString('hex')}`;
      codes.set(code, { dc, redirectUri: req.query.get('redirect_uri') ?? '' });
      const target = new URL(req.query.get('redirect_uri') ?? 'http://invalid/');
      target.searchParams.set('state', req.query.get('state') ?? '');
      target.searchParams.set('code', code);
      target.searchParams.set('location', location);
      target.searchParams.set('accounts-server', ZOHO_ACCOUNT_HOSTS[dc]!);
      return { status: 302, headers: { location: target.toString() } };
    }
    if (path === '/oauth/v2/token' && req.method === 'POST') {
      const form = new URLSearchParams(req.body);
      if (throttled > 0) {
        throttled -= 1;
        return { status: 400, body: { error: 'Access Denied', error_description: 'You have made too many requests continuously. Please try again after some time.' } };
      }
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) return { status: 200, body: { error: 'invalid_client' } };
      if (form.get('grant_type') === 'authorization_code') {
        const code = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        // A code is good once, at the DC that issued it, for the redirect URI it was issued to.
        if (!code || code.dc !== reqDc || code.redirectUri !== form.get('redirect_uri')) return { status: 200, body: { error: 'invalid_code' } };
        return {
          status: 200,
          body: {
            access_token: newAccessToken(reqDc),
            refresh_token: newRefreshToken(reqDc),
            api_domain: `https://www.zohoapis.${reqDc === 'us' ? 'com' : reqDc}`,
            token_type: 'Bearer',
            expires_in: 3600,
          },
        };
      }
      if (form.get('grant_type') === 'refresh_token') {
        const known = refreshTokens.find((t) => t.token === form.get('refresh_token') && t.dc === reqDc);
        if (!known) return { status: 200, body: { error: 'invalid_code' } };
        return { status: 200, body: { access_token: newAccessToken(reqDc), api_domain: 'https://www.zohoapis.com', token_type: 'Bearer', expires_in: 3600 } };
      }
      return { status: 200, body: { error: 'unsupported_grant_type' } };
    }
    if (path.startsWith('/invoice/v3/')) {
      const failure = failures.shift();
      if (failure) return { status: failure.status, headers: failure.headers, body: failure.body };
      const auth = String(req.headers.authorization ?? '');
      const token = /^Zoho-oauthtoken (.+)$/.exec(auth)?.[1];
      const known = token ? accessTokens.get(token) : undefined;
      if (!known || known.dc !== reqDc || known.expiresAt <= Date.now()) return fail(401, 57, 'You are not authorized to perform this operation');
      let body: Json = {};
      if (req.body) {
        if (!String(req.headers['content-type'] ?? '').includes('application/json')) return fail(400, 2, 'Invalid value passed for JSONString');
        try {
          body = JSON.parse(req.body) as Json;
        } catch {
          return fail(400, 2, 'Invalid value passed for JSONString');
        }
      }
      const org = (req.headers['x-com-zoho-invoice-organizationid'] as string | undefined) ?? req.query.get('organization_id');
      return api(req, path.slice('/invoice/v3'.length), org, body);
    }
    return { status: 404, body: { code: 5, message: 'Invalid URL Passed' } };
  }

  baseUrl = `http://127.0.0.1:${stub.port}`;
  return {
    url: baseUrl,
    clientId,
    clientSecret,
    dc,
    organizationId: organizations[0]!.organization_id,
    invoices,
    contacts,
    creditNotes,
    requests,
    issueTokens(expiresInSeconds = 3600) {
      return { accessToken: newAccessToken(dc, expiresInSeconds), refreshToken: newRefreshToken(dc), expiresAt: new Date(Date.now() + expiresInSeconds * 1000) };
    },
    liveRefreshTokens: () => refreshTokens.map((t) => t.token),
    revokeAccessTokens: () => accessTokens.clear(),
    revokeRefreshTokens: () => {
      refreshTokens = [];
    },
    failNext(
      count,
      status,
      headers = {},
      body = { code: status === 429 ? 44 : 1000, message: status === 429 ? 'Too many requests. Please try after some time.' : 'Internal error' },
    ) {
      for (let i = 0; i < count; i += 1) failures.push({ status, headers, body });
    },
    createTax(name, percent) {
      const taxId = nextId();
      taxes.set(taxId, { tax_id: taxId, tax_name: name, tax_percentage: Number(percent) });
      return taxId;
    },
    createContact,
    pay(invoiceId, amount) {
      const inv = invoices.get(invoiceId)!;
      const p = precisionOf(String(inv.currency_code));
      const paid = amount === undefined ? Number(inv._balance_units) : units(amount, p)!;
      inv._paid_units = Number(inv._paid_units) + paid;
      recompute(inv);
      const paymentId = nextId();
      payments.set(paymentId, {
        payment_id: paymentId,
        customer_id: inv.customer_id,
        amount: major(paid, p),
        date: today(),
        payment_mode: 'banktransfer',
        invoices: [{ invoice_id: invoiceId, amount_applied: major(paid, p) }],
        _invoice_id: invoiceId,
      });
      inv.last_payment_date = today();
      return { paymentId };
    },
    void(invoiceId) {
      const inv = invoices.get(invoiceId)!;
      inv.status = 'void';
      recompute(inv);
    },
    workflowDelivery(invoiceId) {
      const inv = invoices.get(invoiceId)!;
      return JSON.stringify({ invoice: visibleLines(inv) });
    },
    searchLag: (count) => {
      lagging = count;
    },
    dropNextCreate: () => {
      dropCreate = true;
    },
    throttleTokens: (count) => {
      throttled = count;
    },
    close: stub.close,
  };
}

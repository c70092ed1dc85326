import { createHmac, randomBytes } from 'node:crypto';
import { startStub, type StubReply, type StubRequest } from './http-stub.js';

/**
 * A local stand-in for the FreshBooks API, spoken to by the real `@freshbooks/api` SDK (`apiUrl`).
 * Wire format as FreshBooks has it: JSON bodies wrapped as `{ "invoice": {...} }`, answers as
 * `{ "response": { "result": { "invoice": {...} } } }`, snake_case fields, money as
 * `{ "amount": "1500.00", "code": "USD" }` decimal strings, accounting errors as
 * `{ "response": { "errors": [{ "errno", "message" }] } }`.
 *
 * - OAuth: POST /auth/oauth/token (authorization_code and refresh_token grants, JSON body). Refresh
 *   tokens rotate: each one works once. Access tokens are checked on every API call (401 otherwise).
 * - GET /auth/api/v1/users/me (business membership with the account id).
 * - Clients: list (search[email], search[organization_like]) and create.
 * - Invoices: list (search[invoice_number], search[date_min|date_max] on create_date, page / per_page
 *   (default 15, at most 100) answered with page, pages, per_page, total), create, single, update
 *   (action_mark_as_sent, vis_state), share_link. Payments: list (paged the same way, search[invoiceid]), single, create
 *   (type "Credit" spends the client's credit notes). Credit notes: create. Callbacks: verify (PUT).
 * - Bills (accounts payable): GET /bills/bills, paged like invoices: `{ id, bill_number, vendorid, vendor:
 *   { vendorid, vendor_name, ... }, issue_date, due_date, due_offset_days, currency_code, amount, paid,
 *   outstanding, total_amount, tax_amount (money objects), status: unpaid | partial | paid | overdue,
 *   vis_state, created_at, updated_at }`.
 * - Taxes: GET /taxes/taxes (search[name] is a "contains" match), `{ taxid, name, amount: "8.25" (percent), number, compound }`.
 *   An invoice line's `taxName1`/`taxAmount1` (and `2`) are the tax's name and percentage; the line
 *   `amount` stays before tax and the invoice `amount` adds each line's tax, rounded half up to the cent.
 *   GET of a single invoice returns `lines` only with `include[]=lines`, as FreshBooks does.
 * - Test hooks: `pay`, `void` (FreshBooks deletes: vis_state 1), `failNext`, `revokeAccessTokens`,
 *   `signedDelivery` (form-encoded with X-FreshBooks-Hmac-SHA256), `verificationDelivery`.
 */
export interface FakeFreshBooks {
  url: string;
  accountId: string;
  clientId: string;
  clientSecret: string;
  verifier: string;
  invoices: Map<number, Record<string, unknown>>;
  clients: Map<number, Record<string, unknown>>;
  requests: { method: string; path: string; query: URLSearchParams; body: unknown; status: number }[];
  /** A tax as set up under Settings → Taxes; `percent` like "8.25". Returns its taxid. */
  createTax(name: string, percent: string): number;
  /** Tokens for a connection as the connect flow would have stored them. */
  issueTokens(expiresInSeconds?: number): { accessToken: string; refreshToken: string; expiresAt: Date };
  /** Every refresh token handed out that is still usable. */
  liveRefreshTokens(): string[];
  revokeAccessTokens(): void;
  revokeRefreshTokens(): void;
  failNext(count: number, status: number, headers?: Record<string, string>): void;
  /** Records a payment (default: the whole outstanding amount), as a string of major units, dated `date` (default today, UTC). */
  pay(invoiceId: number | string, amount?: string, date?: string): { paymentId: number };
  /**
   * A credit made in FreshBooks' own UI: a credit note for the invoice's client, applied to the invoice
   * as FreshBooks does it, a payment of type "Credit" (counted in the invoice's `paid`). `amount` in major units.
   */
  credit(invoiceId: number | string, amount: string): { creditNoteId: number; paymentId: number };
  /** A sent invoice from the account's past (for the history import); its client is found by organization or created. Returns its id. */
  seedInvoice(invoice: { organization: string; invoiceNumber: string; createDate: string; dueOffsetDays: number; amount: string; currency?: string }): number;
  void(invoiceId: number | string): void;
  /** A supplier bill, `paid` of it already paid (major units); `visState` 1 deleted, 2 archived. Returns its id. */
  addBill(bill: { vendor: string; dueDate: string; amount: string; paid?: string; currency?: string; visState?: number }): number;
  signedDelivery(fields: Record<string, string>, verifier?: string): { body: string; headers: Record<string, string> };
  verifiedCallbacks: Map<string, string>;
  close(): Promise<void>;
}

/** Written apart from the adapter on purpose (FreshBooks' documented recipe), so one cannot mirror a bug of the other. */
function sign(key: string, form: URLSearchParams): string {
  const text = '{' + [...form.entries()].map(([k, v]) => JSON.stringify(k) + ': ' + JSON.stringify(String(v))).join(', ') + '}';
  return createHmac('sha256', key).update(text).digest('base64');
}

const today = () => new Date().toISOString().slice(0, 10);
const plusDays = (ymd: string, days: number) => new Date(Date.parse(`${ymd}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** One page of a list the way FreshBooks answers it (`page` from 1, `per_page` default 15, at most 100). */
function paged(key: string, all: unknown[], query: URLSearchParams): StubReply {
  const perPage = Math.min(Number(query.get('per_page') ?? 15), 100);
  const page = Math.max(1, Number(query.get('page') ?? 1));
  const pages = Math.max(1, Math.ceil(all.length / perPage));
  return { status: 200, body: { response: { result: { [key]: all.slice((page - 1) * perPage, page * perPage), page, pages, per_page: perPage, total: all.length } } } };
}

/** FreshBooks keeps money to the cent: "1500", "1500.5" and "1500.00" are all 150000 cents. */
const cents = (s: string) => {
  const [w, f = ''] = s.split('.');
  return BigInt(w! + f.padEnd(2, '0'));
};
const decimal = (c: bigint) => {
  const neg = c < 0n;
  const t = (neg ? -c : c).toString().padStart(3, '0');
  return `${neg ? '-' : ''}${t.slice(0, -2)}.${t.slice(-2)}`;
};
/** qty (decimal string) × unit cost (2-decimal string), rounded half up to cents. */
const lineTotal = (qty: string, unit: string) => {
  const [w, f = ''] = qty.split('.');
  const scale = 10n ** BigInt(f.length);
  const product = BigInt(w! + f) * cents(unit);
  return (product + scale / 2n) / scale;
};

/** The bot's FreshBooks settings pointing at this fake (the OAuth connection itself is still to be made). */
export function freshbooksEnv(fake: Pick<FakeFreshBooks, 'clientId' | 'clientSecret' | 'url'>): Record<string, string> {
  return { FRESHBOOKS_CLIENT_ID: fake.clientId, FRESHBOOKS_CLIENT_SECRET: fake.clientSecret, FRESHBOOKS_API_URL: fake.url };
}

export async function startFakeFreshBooks(): Promise<FakeFreshBooks> {
  const accountId = 'zDmNq';
  const clientId = 'fb-client-id';
  const clientSecret = `fbsecret_${randomBytes(6).toString('hex')}`;
  const verifier = `verifier_${randomBytes(8).toString('hex')}`;
  const access = new Set<string>();
  const refresh = new Set<string>();
  const codes = new Set<string>(['good-code']);
  const invoices = new Map<number, Record<string, unknown>>();
  const clients = new Map<number, Record<string, unknown>>();
  const payments = new Map<number, Record<string, unknown>>();
  const creditNotes = new Map<number, Record<string, unknown>>();
  const taxes = new Map<number, Record<string, unknown>>();
  const bills = new Map<number, Record<string, unknown>>();
  const verifiedCallbacks = new Map<string, string>();
  const requests: FakeFreshBooks['requests'] = [];
  let nextId = 1000;
  let failure: { left: number; status: number; headers: Record<string, string> } | null = null;

  const issueTokens = (expiresIn = 43_200) => {
    const accessToken = `fbat_${randomBytes(8).toString('hex')}`;
    const refreshToken = `fbrt_${randomBytes(8).toString('hex')}`;
    access.add(accessToken);
    refresh.add(refreshToken);
    return { accessToken, refreshToken, expiresAt: new Date(Date.now() + expiresIn * 1000), expiresIn };
  };
  const result = (key: string, value: unknown): StubReply => ({ status: 200, body: { response: { result: { [key]: value } } } });
  const accountingError = (status: number, errno: number, message: string): StubReply => ({
    status,
    body: { response: { errors: [{ errno, field: null, message, object: null, value: null }] } },
  });
  /** A line's tax in cents: amount × percent ÷ 100, half up. */
  const lineTax = (lineCents: bigint, percent: string | number | null | undefined) => {
    if (percent === null || percent === undefined || percent === '') return 0n;
    const [w, f = ''] = String(percent).split('.');
    const scaled = BigInt(w! + f.padEnd(4, '0').slice(0, 4)); // ten-thousandths of a percent
    return (lineCents * scaled * 2n + 1_000_000n) / 2_000_000n;
  };
  const recompute = (inv: Record<string, unknown>) => {
    const total = (inv.lines as { amount: { amount: string }; taxAmount1?: string | null; taxAmount2?: string | null }[]).reduce(
      (sum, l) => sum + cents(l.amount.amount) + lineTax(cents(l.amount.amount), l.taxAmount1) + lineTax(cents(l.amount.amount), l.taxAmount2),
      0n,
    );
    const paid = [...payments.values()].filter((p) => p.invoiceid === inv.id && p.vis_state === 0).reduce((sum, p) => sum + cents((p.amount as { amount: string }).amount), 0n);
    const code = inv.currency_code as string;
    inv.amount = { amount: decimal(total), code };
    inv.paid = { amount: decimal(paid), code };
    inv.outstanding = { amount: decimal(total - paid > 0n ? total - paid : 0n), code };
    inv.payment_status = paid === 0n ? 'unpaid' : paid >= total ? 'paid' : 'partial';
    if (paid >= total && total > 0n) inv.v3_status = 'paid';
    else if (paid > 0n) inv.v3_status = 'partial';
    // FreshBooks' own "fully paid on" date: the last payment's, once nothing is outstanding.
    const dates = [...payments.values()]
      .filter((p) => p.invoiceid === inv.id && p.vis_state === 0)
      .map((p) => String(p.date))
      .sort();
    inv.date_paid = paid >= total && total > 0n ? (dates.at(-1) ?? null) : null;
  };
  const mustInvoice = (id: number | string) => {
    const inv = invoices.get(Number(id));
    if (!inv) throw new Error(`fake FreshBooks: no invoice ${id}`);
    return inv;
  };

  function route(req: StubRequest, body: Record<string, unknown>): StubReply {
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && req.path === '/auth/oauth/token') {
      if (body.client_id !== clientId || body.client_secret !== clientSecret)
        return { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed.' } };
      if (!body.redirect_uri) return { status: 400, body: { error: 'invalid_request', error_description: 'redirect_uri is required' } };
      const ok =
        body.grant_type === 'authorization_code' ? codes.delete(String(body.code)) : body.grant_type === 'refresh_token' ? refresh.delete(String(body.refresh_token)) : false;
      if (!ok) return { status: 400, body: { error: 'invalid_grant', error_description: 'The provided authorization grant is invalid, expired or revoked.' } };
      const t = issueTokens();
      return {
        status: 200,
        body: {
          access_token: t.accessToken,
          refresh_token: t.refreshToken,
          token_type: 'Bearer',
          expires_in: t.expiresIn,
          created_at: Math.floor(Date.now() / 1000),
          scope: 'user:invoices:read',
        },
      };
    }
    const token = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (!token || !access.has(token)) return { status: 401, body: { error: 'unauthenticated', error_description: 'This action requires authentication to continue.' } };
    if (failure && failure.left > 0) {
      failure.left -= 1;
      return {
        status: failure.status,
        headers: failure.headers,
        body: { response: { errors: [{ errno: 1, message: failure.status === 429 ? 'Too Many Requests' : 'Server error' }] } },
      };
    }
    if (req.method === 'GET' && req.path === '/auth/api/v1/users/me') {
      return {
        status: 200,
        body: {
          response: {
            id: 1,
            email: 'owner@agency.example',
            business_memberships: [
              { id: 9, role: 'owner', business: { id: 6543, name: 'Pixel & Co', account_id: accountId, address: null, phone_number: null, business_clients: [] } },
            ],
          },
        },
      };
    }
    const base = `/accounting/account/${accountId}`;
    if (!req.path.startsWith(base) && !req.path.startsWith(`/events/account/${accountId}`)) return accountingError(404, 1012, 'The requested resource was not found.');
    const path = req.path.replace(/^\/(accounting|events)\/account\/[^/]+/, '');
    if (req.method === 'GET' && path === '/users/clients') {
      const email = req.query.get('search[email]');
      const org = req.query.get('search[organization_like]');
      const list = [...clients.values()].filter((c) => (email === null || c.email === email) && (org === null || String(c.organization).includes(org)));
      return { status: 200, body: { response: { result: { clients: list, page: 1, pages: 1, per_page: 15, total: list.length } } } };
    }
    if (req.method === 'POST' && path === '/users/clients') {
      const c = body.client as Record<string, unknown>;
      const id = nextId++;
      const stored = { id, userid: id, organization: c.organization ?? '', email: c.email ?? '', currency_code: c.currency_code ?? 'USD', vis_state: 0 };
      clients.set(id, stored);
      return result('client', stored);
    }
    if (req.method === 'GET' && path === '/invoices/invoices') {
      const number = req.query.get('search[invoice_number]');
      const min = req.query.get('search[date_min]');
      const max = req.query.get('search[date_max]');
      const list = [...invoices.values()].filter(
        (i) => (number === null || i.invoice_number === number) && (min === null || String(i.create_date) >= min) && (max === null || String(i.create_date) <= max),
      );
      return paged('invoices', list, req.query);
    }
    if (req.method === 'GET' && path === '/bills/bills') return paged('bills', [...bills.values()], req.query);
    if (req.method === 'GET' && path === '/payments/payments') {
      const invoiceId = req.query.get('search[invoiceid]');
      return paged(
        'payments',
        [...payments.values()].filter((p) => invoiceId === null || String(p.invoiceid) === invoiceId),
        req.query,
      );
    }
    if (req.method === 'POST' && path === '/invoices/invoices') {
      const i = body.invoice as Record<string, unknown>;
      if (!clients.has(Number(i.customerid))) return accountingError(422, 2001, 'Client not found.');
      const code = String(i.currency_code ?? 'USD');
      const bad = (i.lines as { unit_cost?: { amount?: unknown } }[]).find((l) => typeof l.unit_cost?.amount !== 'string' || !/^\d+(\.\d{1,2})?$/.test(l.unit_cost.amount));
      if (bad) return accountingError(422, 2002, `unit_cost.amount must be a decimal string, got ${JSON.stringify(bad.unit_cost?.amount)}`);
      type InLine = {
        name: string;
        description?: string;
        qty: string | number;
        unit_cost: { amount: string; code: string };
        taxName1?: string;
        taxAmount1?: string | number;
        taxName2?: string;
        taxAmount2?: string | number;
      };
      const badTax = (i.lines as InLine[]).find(
        (l) => (l.taxAmount1 !== undefined && l.taxAmount1 !== null && !/^\d+(\.\d{1,3})?$/.test(String(l.taxAmount1))) || (l.taxAmount1 != null && !l.taxName1),
      );
      if (badTax) return accountingError(422, 2002, `taxAmount1 must be a percentage with up to three decimals and needs taxName1, got ${JSON.stringify(badTax.taxAmount1)}`);
      const lines = (i.lines as InLine[]).map((l, index) => {
        return {
          lineid: index + 1,
          type: 0,
          name: l.name,
          description: l.description ?? '',
          qty: String(l.qty),
          unit_cost: l.unit_cost,
          amount: { amount: decimal(lineTotal(String(l.qty), l.unit_cost.amount)), code },
          taxName1: l.taxName1 ?? null,
          taxAmount1: l.taxAmount1 != null ? String(l.taxAmount1) : null,
          taxName2: l.taxName2 ?? null,
          taxAmount2: l.taxAmount2 != null ? String(l.taxAmount2) : null,
        };
      });
      const id = nextId++;
      const inv: Record<string, unknown> = {
        id,
        invoiceid: id,
        accountid: accountId,
        customerid: Number(i.customerid),
        invoice_number: i.invoice_number ?? String(id).padStart(7, '0'),
        create_date: i.create_date,
        due_offset_days: i.due_offset_days,
        due_date: plusDays(String(i.create_date), Number(i.due_offset_days ?? 0)),
        current_organization: clients.get(Number(i.customerid))!.organization,
        currency_code: code,
        notes: i.notes ?? '',
        lines,
        v3_status: 'draft',
        display_status: 'draft',
        vis_state: 0,
      };
      recompute(inv);
      invoices.set(id, inv);
      return result('invoice', inv);
    }
    if ((m = /^\/invoices\/invoices\/(\d+)(\/share_link)?$/.exec(path))) {
      const inv = invoices.get(Number(m[1]));
      if (!inv) return accountingError(404, 1012, 'The requested resource was not found.');
      if (req.method === 'GET' && m[2]) {
        if (req.query.get('share_method') !== 'share_link') return accountingError(400, 1, 'share_method is required');
        if (inv.v3_status === 'draft') inv.v3_status = 'sent';
        return result('share_link', {
          resourceid: inv.id,
          clientid: inv.customerid,
          resource_type: 'invoice',
          share_link: `${baseUrl}/view/${String(inv.id)}`,
          share_method: 'share_link',
        });
      }
      if (req.method === 'GET') {
        const withLines = req.query.getAll('include[]').includes('lines');
        const { lines: _lines, ...bare } = inv;
        return result('invoice', withLines ? inv : bare);
      }
      if (req.method === 'PUT') {
        const i = body.invoice as Record<string, unknown>;
        if (i.action_mark_as_sent && inv.v3_status === 'draft') inv.v3_status = 'sent';
        if (i.vis_state !== undefined) inv.vis_state = Number(i.vis_state);
        return result('invoice', inv);
      }
    }
    if (req.method === 'GET' && path === '/taxes/taxes') {
      const name = req.query.get('search[name]');
      const list = [...taxes.values()].filter((t) => name === null || String(t.name).toLowerCase().includes(name.toLowerCase()));
      return { status: 200, body: { response: { result: { taxes: list, page: 1, pages: 1, per_page: 100, total: list.length } } } };
    }
    if (req.method === 'POST' && path === '/credit_notes/credit_notes') {
      // FreshBooks wraps a credit note as `credit_notes` (plural), in requests and answers alike.
      const c = body.credit_notes as Record<string, unknown> | undefined;
      if (!c || !clients.has(Number(c.clientid))) return accountingError(422, 2001, 'Client not found.');
      const id = nextId++;
      const lines = (c.lines as { qty: string | number; unit_cost: { amount: string } }[]) ?? [];
      const total = lines.reduce((sum, l) => sum + lineTotal(String(l.qty), l.unit_cost.amount), 0n);
      const note = {
        creditid: id,
        id,
        clientid: Number(c.clientid),
        currency_code: c.currency_code,
        amount: { amount: decimal(total), code: c.currency_code },
        lines,
        vis_state: 0,
      };
      creditNotes.set(id, note);
      return result('credit_notes', note);
    }
    if (req.method === 'POST' && path === '/payments/payments') {
      const p = body.payment as Record<string, unknown> | undefined;
      const inv = p ? invoices.get(Number(p.invoiceid)) : undefined;
      if (!p || !inv) return accountingError(422, 2001, 'Invoice not found.');
      const amount = (p.amount as { amount?: unknown } | undefined)?.amount;
      if (typeof amount !== 'string' || !/^\d+(\.\d{1,2})?$/.test(amount))
        return accountingError(422, 2002, `amount.amount must be a decimal string, got ${JSON.stringify(amount)}`);
      if (p.type === 'Credit') {
        // Spends the client's credit: there must be enough of it.
        const credit = [...creditNotes.values()].filter((n) => n.clientid === inv.customerid).reduce((sum, n) => sum + cents((n.amount as { amount: string }).amount), 0n);
        const spent = [...payments.values()]
          .filter((x) => x.type === 'Credit' && x.clientid === inv.customerid)
          .reduce((sum, x) => sum + cents((x.amount as { amount: string }).amount), 0n);
        if (credit - spent < cents(amount)) return accountingError(422, 2003, 'Not enough credit.');
      }
      const id = nextId++;
      const stored = {
        id,
        logid: id,
        invoiceid: inv.id,
        clientid: inv.customerid,
        amount: { amount, code: inv.currency_code },
        date: p.date ?? today(),
        type: p.type ?? 'Check',
        from_credit: p.type === 'Credit',
        note: p.note ?? '',
        vis_state: 0,
      };
      payments.set(id, stored);
      recompute(inv);
      return result('payment', stored);
    }
    if (req.method === 'GET' && (m = /^\/payments\/payments\/(\d+)$/.exec(path))) {
      const p = payments.get(Number(m[1]));
      return p ? result('payment', p) : accountingError(404, 1012, 'The requested resource was not found.');
    }
    if (req.method === 'PUT' && (m = /^\/events\/callbacks\/(\d+)$/.exec(path))) {
      const v = (body.callback as { verifier?: string } | undefined)?.verifier;
      if (!v) return { status: 400, body: { message: 'verifier required', details: [] } };
      verifiedCallbacks.set(m[1]!, v);
      return result('callback', { callbackid: Number(m[1]), verified: true, uri: 'x', event: 'payment.create' });
    }
    return accountingError(404, 1012, `Unrecognized request (${req.method} ${req.path})`);
  }

  let baseUrl = '';
  const stub = await startStub((req) => {
    let body: Record<string, unknown> = {};
    try {
      body = req.body ? (JSON.parse(req.body) as Record<string, unknown>) : {};
    } catch {
      return { status: 400, body: { error: 'bad json' } };
    }
    const entry = { method: req.method, path: req.path, query: req.query, body, status: 0 };
    requests.push(entry);
    const reply = route(req, body);
    entry.status = reply.status;
    return reply;
  });
  baseUrl = `http://127.0.0.1:${stub.port}`;

  return {
    url: baseUrl,
    accountId,
    clientId,
    clientSecret,
    verifier,
    invoices,
    clients,
    createTax(name, percent) {
      const id = nextId++;
      taxes.set(id, { id, taxid: id, accounting_systemid: accountId, name, amount: percent, number: null, compound: false, updated: '2026-11-01 00:00:00' });
      return id;
    },
    requests,
    verifiedCallbacks,
    issueTokens: (expiresIn) => {
      const { expiresIn: _e, ...t } = issueTokens(expiresIn);
      return t;
    },
    liveRefreshTokens: () => [...refresh],
    revokeAccessTokens: () => access.clear(),
    revokeRefreshTokens: () => refresh.clear(),
    failNext(count, status, headers = {}) {
      failure = count > 0 ? { left: count, status, headers } : null;
    },
    pay(invoiceId, amount, date) {
      const inv = mustInvoice(invoiceId);
      const id = nextId++;
      const value = amount ?? (inv.outstanding as { amount: string }).amount;
      payments.set(id, {
        id,
        logid: id,
        invoiceid: inv.id,
        clientid: inv.customerid,
        amount: { amount: value, code: inv.currency_code },
        date: date ?? today(),
        type: 'Check',
        from_credit: false,
        vis_state: 0,
      });
      recompute(inv);
      return { paymentId: id };
    },
    credit(invoiceId, amount) {
      const inv = mustInvoice(invoiceId);
      const code = inv.currency_code as string;
      if (cents(amount) <= 0n || cents(amount) > cents((inv.outstanding as { amount: string }).amount))
        throw new Error(`fake FreshBooks: a credit of ${amount} does not fit what invoice ${String(inv.id)} has outstanding`);
      const creditNoteId = nextId++;
      creditNotes.set(creditNoteId, {
        creditid: creditNoteId,
        id: creditNoteId,
        clientid: inv.customerid,
        currency_code: code,
        amount: { amount, code },
        lines: [{ qty: '1', unit_cost: { amount, code } }],
        vis_state: 0,
      });
      const paymentId = nextId++;
      payments.set(paymentId, {
        id: paymentId,
        logid: paymentId,
        invoiceid: inv.id,
        clientid: inv.customerid,
        amount: { amount, code },
        date: today(),
        type: 'Credit',
        from_credit: true,
        creditid: creditNoteId,
        note: '',
        vis_state: 0,
      });
      recompute(inv);
      return { creditNoteId, paymentId };
    },
    seedInvoice(seed) {
      const code = seed.currency ?? 'USD';
      let client = [...clients.values()].find((c) => c.organization === seed.organization);
      if (!client) {
        const cid = nextId++;
        client = { id: cid, userid: cid, organization: seed.organization, email: '', currency_code: code, vis_state: 0 };
        clients.set(cid, client);
      }
      const id = nextId++;
      const inv: Record<string, unknown> = {
        id,
        invoiceid: id,
        accountid: accountId,
        customerid: client.id,
        invoice_number: seed.invoiceNumber,
        create_date: seed.createDate,
        due_offset_days: seed.dueOffsetDays,
        due_date: plusDays(seed.createDate, seed.dueOffsetDays),
        current_organization: seed.organization,
        currency_code: code,
        notes: '',
        v3_status: 'sent',
        display_status: 'sent',
        vis_state: 0,
        lines: [
          {
            lineid: 1,
            type: 0,
            name: seed.invoiceNumber,
            description: '',
            qty: '1',
            unit_cost: { amount: seed.amount, code },
            amount: { amount: decimal(cents(seed.amount)), code },
          },
        ],
      };
      recompute(inv);
      invoices.set(id, inv);
      return id;
    },
    void(invoiceId) {
      mustInvoice(invoiceId).vis_state = 1;
    },
    addBill({ vendor, dueDate, amount, paid = '0', currency = 'USD', visState = 0 }) {
      const id = nextId++;
      const vendorId = nextId++;
      const money = (c: bigint) => ({ amount: decimal(c), code: currency });
      const [total, settled] = [cents(amount), cents(paid)];
      const stamp = `${today()} 09:00:00`;
      bills.set(id, {
        id,
        bill_number: `B-${id}`,
        vendorid: vendorId,
        vendor: { vendorid: vendorId, vendor_name: vendor, currency_code: currency, language: 'en', vis_state: 0 },
        issue_date: dueDate,
        due_date: dueDate,
        due_offset_days: 0,
        currency_code: currency,
        amount: money(total),
        total_amount: money(total),
        tax_amount: money(0n),
        paid: money(settled),
        outstanding: money(total - settled),
        status: settled >= total ? 'paid' : settled > 0n ? 'partial' : dueDate < today() ? 'overdue' : 'unpaid',
        vis_state: visState,
        lines: [],
        created_at: stamp,
        updated_at: stamp,
      });
      return id;
    },
    signedDelivery(fields, key = verifier) {
      const form = new URLSearchParams(fields);
      return { body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-freshbooks-hmac-sha256': sign(key, form) } };
    },
    close: stub.close,
  };
}

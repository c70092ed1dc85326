import { randomBytes } from 'node:crypto';
import { startStub, type StubReply, type StubRequest } from './http-stub.js';

/**
 * A local stand-in for the Invoice Ninja v5 API (hosted invoicing.co or self-hosted), as the routes,
 * requests and transformers of invoiceninja/invoiceninja have it:
 *
 * - Every call under /api/v1 wants `X-API-TOKEN` (a company token) and `X-Requested-With: XMLHttpRequest`;
 *   a missing or wrong token is a 403 `{"message":"Invalid token","errors":{}}` (not a 401).
 * - Items answer `{data: {...}}`; lists `{data: [...], meta: {pagination: {total, count, per_page,
 *   current_page, total_pages}}}` paged with `per_page` (default 20) / `page`. Ids are hashed strings,
 *   `status_id` a string (1 draft, 2 sent, 3 partial, 4 paid, 5 cancelled, 6 reversed), money JSON numbers.
 * - GET /statics (no `data` wrapper): `currencies[]` rows with numeric `id`, `code`, `precision` as a string
 *   (Invoice Ninja's own precisions: JPY/ISK 0, KWD 3, BHD 2). POST /companies/current: the company and its
 *   `settings.currency_id`. A client's currency is its `settings.currency_id`, else the company's.
 * - Clients: list (`email` exact contact match, `name` LIKE), show, create (contact emails distinct).
 * - Invoices: list (`number`, `client_status=unpaid`, `date` = on or after, `status`), show (`include=payments,client`;
 *   `invitations` always, each with its portal `link`), create (`?mark_sent=true`; `number` unique per
 *   company: 422 on repeat), bulk (`mark_sent`, `cancel`, `delete`, `email`; answered with the list).
 *   Line totals are cost × quantity at the currency's precision; invoice taxes (`tax_name1`/`tax_rate1`)
 *   are exclusive, rounded half up on the subtotal, summed in `total_taxes`.
 * - Credits: create (`?mark_sent=true` gives it a balance). Payments: create (`invoices[]`, `credits[]`,
 *   `amount` defaulting to invoices − credits, `idempotency_key` unique: 422), show with `paymentables`.
 * - Webhooks: create (`target_url`, `event_id`, `rest_method` required; `headers` sent with every delivery),
 *   delete. `fire` delivers an entity as Invoice Ninja does: the bare entity, no event name, no signature,
 *   the webhook's headers; a 404/405/410 answer deletes the webhook. (The real sender waits ~20 s after a
 *   payment and retries with backoff; here a test says when.)
 * - Test hooks: `pay`, `void` (cancel), `failNext` (e.g. 429 with Retry-After), `clientWithTax`.
 */
type Rec = Record<string, unknown> & { id: string };

export interface FakeInvoiceNinja {
  url: string;
  token: string;
  clients: Map<string, Rec>;
  invoices: Map<string, Rec>;
  payments: Map<string, Rec>;
  credits: Map<string, Rec>;
  webhooks: Map<string, Rec>;
  requests: { method: string; path: string; query: URLSearchParams; body: unknown; status: number }[];
  failNext(count: number, status: number, headers?: Record<string, string>): void;
  /** Records a payment made in Invoice Ninja (default: the whole balance); amount in major units. */
  pay(invoiceId: string, amount?: number): { paymentId: string };
  /** Cancels the invoice as its UI does. */
  void(invoiceId: string): void;
  /** Bulk actions as the UI does them: "archive", "delete", "restore". */
  act(action: string, invoiceId: string): void;
  /** A client set up in Invoice Ninja with a default tax in its settings. */
  clientWithTax(client: { name: string; email: string; currencyId?: string }, taxName: string, rate: number): string;
  /** Delivers `entity` (an invoice or payment id) to every webhook of `event` ("create_payment", ...); returns the answers. */
  fire(event: string, entityId: string, headers?: Record<string, string>): Promise<{ status: number; body: string }[]>;
  /** Deliveries go to this origin instead of the target URL's (the bot's PUBLIC_URL is not where it listens in tests). */
  routeTargetsTo(origin: string): void;
  /** Hosted accounts without SMS verification: email actions answer 400. */
  refuseEmails: boolean;
  /** A token of a user who is no admin, or a plan without API access: creating webhooks answers 403. */
  forbidWebhooks: boolean;
  close(): Promise<void>;
}

export const CURRENCIES = [
  { id: 1, name: 'US Dollar', code: 'USD', symbol: '$', precision: '2' },
  { id: 2, name: 'British Pound', code: 'GBP', symbol: '£', precision: '2' },
  { id: 3, name: 'Euro', code: 'EUR', symbol: '€', precision: '2' },
  { id: 9, name: 'Canadian Dollar', code: 'CAD', symbol: '$', precision: '2' },
  { id: 45, name: 'Japanese Yen', code: 'JPY', symbol: '¥', precision: '0' },
  { id: 63, name: 'Icelandic Króna', code: 'ISK', symbol: 'kr', precision: '0' },
  { id: 77, name: 'Bahraini Dinar', code: 'BHD', symbol: 'BD ', precision: '2' },
  { id: 89, name: 'Kuwaiti Dinar', code: 'KWD', symbol: 'KD', precision: '3' },
  { id: 104, name: 'Malagasy Ariary', code: 'MGA', symbol: 'Ar', precision: '2' },
];
const EVENTS: Record<string, number> = { create_payment: 4, update_payment: 31, delete_payment: 12, update_invoice: 8, delete_invoice: 9 };

export function invoiceninjaEnv(fake: Pick<FakeInvoiceNinja, 'url' | 'token'>): Record<string, string> {
  return { INVOICENINJA_URL: fake.url, INVOICENINJA_API_TOKEN: fake.token };
}

const hashId = () => randomBytes(8).toString('base64url').replace(/[-_]/g, 'x').slice(0, 10);
const today = () => new Date().toISOString().slice(0, 10);
const invalid = (errors: Record<string, string[]>): StubReply => ({ status: 422, body: { message: 'The given data was invalid.', errors } });
const notFound: StubReply = { status: 404, body: { message: 'Record not found', errors: {} } };

export async function startFakeInvoiceNinja(): Promise<FakeInvoiceNinja> {
  const token = `ninja_${randomBytes(12).toString('hex')}`;
  const clients = new Map<string, Rec>();
  const invoices = new Map<string, Rec>();
  const payments = new Map<string, Rec>();
  const credits = new Map<string, Rec>();
  const webhooks = new Map<string, Rec>();
  const requests: FakeInvoiceNinja['requests'] = [];
  const company = { id: 'company1', settings: { currency_id: '1', name: 'Pixel & Co' } };
  let failure: { left: number; status: number; headers: Record<string, string> } | null = null;
  let url = '';
  let targetOrigin: string | null = null;
  let clock = 1_760_000_000;
  const stamp = () => (clock += 1);
  let invoiceCounter = 0;

  const precisionOf = (clientId: string): number => {
    const settings = (clients.get(clientId)?.settings ?? {}) as { currency_id?: string };
    const row = CURRENCIES.find((c) => String(c.id) === String(settings.currency_id ?? company.settings.currency_id));
    return Number(row?.precision ?? 2);
  };
  // Money in units of the currency's precision (Invoice Ninja rounds every amount to it).
  const units = (n: unknown, p: number) => Math.round(Number(n ?? 0) * 10 ** p);
  const major = (u: number, p: number) => Number((u / 10 ** p).toFixed(p));

  function recompute(inv: Rec): void {
    const p = precisionOf(inv.client_id as string);
    const lines = (inv.line_items as Rec[]).map((l) => ({ ...l, line_total: major(Math.round(units(l.cost, p) * Number(l.quantity ?? 1)), p) }));
    const subtotal = lines.reduce((s, l) => s + units(l.line_total, p), 0);
    let taxes = 0;
    for (const n of [1, 2, 3]) {
      const rate = Number(inv[`tax_rate${n}`] ?? 0);
      if (rate > 0) taxes += Math.round((subtotal * rate) / 100);
    }
    inv.line_items = lines;
    inv.total_taxes = major(taxes, p);
    inv.amount = major(subtotal + taxes, p);
  }

  function render(inv: Rec, include: string[]): Rec {
    const out: Rec = { ...inv };
    if (include.includes('payments')) {
      out.payments = [...payments.values()].filter((pay) => (pay.paymentables as Rec[]).some((x) => x.invoice_id === inv.id));
    }
    if (include.includes('client')) out.client = clients.get(inv.client_id as string);
    return out;
  }

  function paged(rows: unknown[], query: URLSearchParams): StubReply {
    const perPage = Math.max(1, Number(query.get('per_page') ?? 20));
    const page = Math.max(1, Number(query.get('page') ?? 1));
    const totalPages = Math.max(1, Math.ceil(rows.length / perPage));
    const data = rows.slice((page - 1) * perPage, page * perPage);
    return {
      status: 200,
      body: { data, meta: { pagination: { total: rows.length, count: data.length, per_page: perPage, current_page: page, total_pages: totalPages, links: {} } } },
    };
  }

  function markSent(inv: Rec): void {
    if (inv.status_id !== '1') return;
    inv.status_id = '2';
    inv.balance = inv.amount;
    inv.updated_at = stamp();
  }

  function applyPayment(body: Rec): StubReply {
    const clientId = body.client_id as string;
    if (!clients.has(clientId)) return invalid({ client_id: ['The selected client id is invalid.'] });
    const p = precisionOf(clientId);
    const invs = (body.invoices as Rec[] | undefined) ?? [];
    const creds = (body.credits as Rec[] | undefined) ?? [];
    if (creds.length && !invs.length) return invalid({ credits: ['Cannot apply a credit without an invoice'] });
    for (const [i, row] of invs.entries()) {
      const inv = invoices.get(row.invoice_id as string);
      if (!inv || inv.client_id !== clientId || inv.is_deleted) return invalid({ [`invoices.${i}.invoice_id`]: ['The selected invoices.0.invoice_id is invalid.'] });
      if (units(row.amount, p) <= 0) return invalid({ [`invoices.${i}.amount`]: ['Amount cannot be less than or equal to zero'] });
      if (units(row.amount, p) > units(inv.balance, p)) return invalid({ [`invoices.${i}.amount`]: ['Amount greater than invoice balance.'] });
    }
    for (const [i, row] of creds.entries()) {
      const credit = credits.get(row.credit_id as string);
      if (!credit || credit.client_id !== clientId) return invalid({ [`credits.${i}.credit_id`]: ['Credit not found'] });
      if (units(row.amount, p) > units(credit.balance, p)) return invalid({ [`credits.${i}.amount`]: ['Insufficient balance on credit.'] });
    }
    const invoiceTotal = invs.reduce((s, r) => s + units(r.amount, p), 0);
    const creditTotal = creds.reduce((s, r) => s + units(r.amount, p), 0);
    if (creditTotal > invoiceTotal) return invalid({ 'credits.0.amount': ['Credit amount cannot be greater than the payment amount'] });
    const key = body.idempotency_key as string | undefined;
    if (key && [...payments.values()].some((x) => x.idempotency_key === key)) return invalid({ idempotency_key: ['The idempotency key has already been taken.'] });
    const amount = body.amount === undefined || Number(body.amount) === 0 ? invoiceTotal - creditTotal : units(body.amount, p);
    const id = hashId();
    const paymentables: Rec[] = [
      ...invs.map((r) => ({ id: hashId(), invoice_id: r.invoice_id as string, amount: Number(r.amount), refunded: 0, created_at: clock, updated_at: clock, archived_at: 0 })),
      ...creds.map((r) => ({ id: hashId(), credit_id: r.credit_id as string, amount: Number(r.amount), refunded: 0, created_at: clock, updated_at: clock, archived_at: 0 })),
    ];
    for (const r of invs) {
      const inv = invoices.get(r.invoice_id as string)!;
      inv.balance = major(units(inv.balance, p) - units(r.amount, p), p);
      inv.paid_to_date = major(units(inv.paid_to_date, p) + units(r.amount, p), p);
      inv.status_id = units(inv.balance, p) === 0 ? '4' : '3';
      inv.updated_at = stamp();
    }
    for (const r of creds) {
      const credit = credits.get(r.credit_id as string)!;
      credit.balance = major(units(credit.balance, p) - units(r.amount, p), p);
      credit.status_id = units(credit.balance, p) === 0 ? '4' : '3';
    }
    const payment: Rec = {
      id,
      client_id: clientId,
      amount: major(amount, p),
      applied: major(invoiceTotal, p),
      refunded: 0,
      date: (body.date as string | undefined) ?? today(),
      is_deleted: false,
      type_id: String(body.type_id ?? '1'),
      number: String(payments.size + 1).padStart(4, '0'),
      transaction_reference: (body.transaction_reference as string | undefined) ?? '',
      idempotency_key: key ?? `${Date.now()}${clientId}`,
      paymentables,
      created_at: stamp(),
      updated_at: clock,
    };
    payments.set(id, payment);
    return { status: 200, body: { data: payment } };
  }

  function bulk(action: string, ids: string[]): StubReply {
    if (action.includes('email') && fake.refuseEmails) return { status: 400, body: { message: 'Please verify your account to send emails.' } };
    const found = ids.map((id) => invoices.get(id)).filter((x): x is Rec => Boolean(x));
    if (!found.length) return { status: 200, body: { message: 'No Invoices Found' } };
    for (const inv of found) {
      if (action === 'mark_sent') markSent(inv);
      else if (action === 'cancel') {
        // handleCancellation: only sent or partial invoices; the balance goes, payments stay linked.
        if (inv.status_id === '2' || inv.status_id === '3') {
          inv.status_id = '5';
          inv.balance = 0;
          inv.updated_at = stamp();
        }
      } else if (action === 'delete') {
        inv.is_deleted = true;
        inv.archived_at = stamp();
      } else if (action === 'archive') {
        inv.archived_at = stamp();
      } else if (action === 'restore') {
        inv.archived_at = 0;
        inv.is_deleted = false;
      } else if (!['email', 'send_email'].includes(action)) {
        return { status: 400, body: { message: `Action ${action} unavailable` } };
      }
    }
    return paged(found, new URLSearchParams({ per_page: '5000' }));
  }

  function createInvoice(body: Rec, query: URLSearchParams): StubReply {
    const clientId = body.client_id as string;
    const client = clients.get(clientId);
    if (!client) return invalid({ client_id: ['The selected client id is invalid.'] });
    const number = (body.number as string | undefined) || String(++invoiceCounter).padStart(4, '0');
    if ([...invoices.values()].some((i) => i.number === number)) return invalid({ number: ['The number has already been taken.'] });
    const lines = (body.line_items as Rec[] | undefined) ?? [];
    if (!Array.isArray(lines)) return invalid({ line_items: ['The line items must be an array.'] });
    const id = hashId();
    const contacts = ((client.contacts as Rec[]) ?? []).filter((c) => c.send_email !== false);
    const inv: Rec = {
      id,
      client_id: clientId,
      number,
      status_id: '1',
      is_deleted: false,
      date: (body.date as string | undefined) ?? today(),
      due_date: (body.due_date as string | undefined) ?? '',
      public_notes: body.public_notes ?? '',
      private_notes: body.private_notes ?? '',
      po_number: body.po_number ?? '',
      uses_inclusive_taxes: false,
      tax_name1: body.tax_name1 ?? '',
      tax_rate1: Number(body.tax_rate1 ?? 0),
      tax_name2: '',
      tax_rate2: 0,
      tax_name3: '',
      tax_rate3: 0,
      line_items: lines.map((l) => ({
        product_key: l.product_key ?? '',
        notes: l.notes ?? '',
        cost: Number(l.cost ?? 0),
        quantity: Number(l.quantity ?? 1),
        custom_value1: l.custom_value1 ?? '',
        custom_value2: l.custom_value2 ?? '',
        type_id: '1',
      })),
      paid_to_date: 0,
      balance: 0,
      invitations: contacts.map((c) => {
        const key = randomBytes(16).toString('hex');
        return { id: hashId(), client_contact_id: c.id, key, link: `${url}/client/invoice/${key}`, sent_date: '', viewed_date: '' };
      }),
      documents: [],
      entity_type: 'invoice',
      created_at: stamp(),
      updated_at: clock,
    };
    recompute(inv);
    invoices.set(id, inv);
    if (query.get('mark_sent') === 'true') markSent(inv);
    return { status: 200, body: { data: render(inv, (query.get('include') ?? '').split(',')) } };
  }

  async function handle(req: StubRequest): Promise<StubReply> {
    if (!req.path.startsWith('/api/v1/')) return notFound;
    if (req.headers['x-api-token'] !== token) return { status: 403, body: { message: 'Invalid token', errors: {} } };
    if (req.headers['x-requested-with'] !== 'XMLHttpRequest') return { status: 403, body: { message: 'X-Requested-With header missing', errors: {} } };
    if (failure && failure.left > 0) {
      failure.left -= 1;
      const reply = { status: failure.status, headers: failure.headers, body: { message: failure.status === 429 ? 'Too Many Attempts.' : 'Server Error', errors: {} } };
      if (failure.left === 0) failure = null;
      return reply;
    }
    const body = (req.body ? JSON.parse(req.body) : {}) as Rec;
    const parts = req.path.slice('/api/v1/'.length).split('/');
    const [resource, id] = parts;
    const include = (req.query.get('include') ?? '').split(',');

    if (resource === 'statics' && req.method === 'GET') return { status: 200, body: { currencies: CURRENCIES, countries: [], payment_types: [] } };
    if (resource === 'companies' && id === 'current' && req.method === 'POST') return { status: 200, body: { data: company } };

    if (resource === 'clients') {
      if (req.method === 'GET' && !id) {
        const email = req.query.get('email');
        const name = req.query.get('name');
        const rows = [...clients.values()].filter(
          (c) => (!email || (c.contacts as Rec[]).some((x) => x.email === email)) && (!name || String(c.name).toLowerCase().includes(name.toLowerCase())),
        );
        return paged(rows, req.query);
      }
      if (req.method === 'GET' && id) return clients.has(id) ? { status: 200, body: { data: clients.get(id) } } : notFound;
      if (req.method === 'POST' && !id) {
        const contacts = ((body.contacts as Rec[] | undefined) ?? []).map((c) => ({
          id: hashId(),
          first_name: c.first_name ?? '',
          last_name: c.last_name ?? '',
          email: c.email ?? '',
          send_email: c.send_email !== false,
          is_primary: Boolean(c.is_primary),
        }));
        const emails = contacts.map((c) => c.email).filter(Boolean);
        if (new Set(emails).size !== emails.length) return invalid({ 'contacts.1.email': ['The contacts.1.email field has a duplicate value.'] });
        if (!body.name && !contacts.length) return invalid({ name: ['The name field is required.'] });
        const client: Rec = {
          id: hashId(),
          name: body.name ?? '',
          number: String(clients.size + 1).padStart(4, '0'),
          contacts,
          settings: { ...((body.settings as Rec | undefined) ?? {}) },
          is_deleted: false,
          balance: 0,
          paid_to_date: 0,
        };
        clients.set(client.id, client);
        return { status: 200, body: { data: client } };
      }
    }

    if (resource === 'invoices') {
      if (id === 'bulk' && req.method === 'POST') return bulk(String(body.action ?? ''), (body.ids as string[] | undefined) ?? []);
      if (req.method === 'GET' && !id) {
        const number = req.query.get('number');
        const clientStatus = req.query.get('client_status');
        const from = req.query.get('date');
        const statuses = (req.query.get('status') ?? 'active').split(',');
        const state = (i: Rec) => (i.is_deleted ? 'deleted' : Number(i.archived_at ?? 0) > 0 ? 'archived' : 'active');
        const rows = [...invoices.values()]
          .filter((i) => statuses.includes(state(i)))
          .filter((i) => !number || i.number === number)
          .filter((i) => clientStatus !== 'unpaid' || i.status_id === '2' || i.status_id === '3')
          .filter((i) => !from || String(i.date) >= from)
          .map((i) => render(i, include));
        return paged(rows, req.query);
      }
      // Route model binding finds active invoices only: archived and deleted ones (soft-deleted) answer 404.
      if (req.method === 'GET' && id) {
        const inv = invoices.get(id);
        return inv && !inv.is_deleted && !Number(inv.archived_at ?? 0) ? { status: 200, body: { data: render(inv, include) } } : notFound;
      }
      if (req.method === 'POST' && !id) return createInvoice(body, req.query);
    }

    if (resource === 'credits' && req.method === 'POST' && !id) {
      const clientId = body.client_id as string;
      if (!clients.has(clientId)) return invalid({ client_id: ['The selected client id is invalid.'] });
      const p = precisionOf(clientId);
      const lines = (body.line_items as Rec[] | undefined) ?? [];
      const total = lines.reduce((s, l) => s + Math.round(units(l.cost, p) * Number(l.quantity ?? 1)), 0);
      const sent = req.query.get('mark_sent') === 'true';
      const credit: Rec = {
        id: hashId(),
        client_id: clientId,
        number: `CR-${credits.size + 1}`,
        amount: major(total, p),
        balance: sent ? major(total, p) : 0,
        status_id: sent ? '2' : '1',
        line_items: lines,
        is_deleted: false,
      };
      credits.set(credit.id, credit);
      return { status: 200, body: { data: credit } };
    }

    if (resource === 'payments') {
      if (req.method === 'POST' && !id) return applyPayment(body);
      if (req.method === 'GET' && id) return payments.has(id) ? { status: 200, body: { data: payments.get(id) } } : notFound;
    }

    if (resource === 'webhooks') {
      // StoreWebhookRequest::authorize(): an admin user on an account with the API feature.
      if (fake.forbidWebhooks && req.method === 'POST') return { status: 403, body: { message: 'This action is unauthorized.', errors: {} } };
      if (req.method === 'POST' && !id) {
        const missing = ['target_url', 'event_id', 'rest_method'].filter((f) => !body[f]);
        if (missing.length) return invalid(Object.fromEntries(missing.map((f) => [f, [`The ${f.replace('_', ' ')} field is required.`]])));
        if (!Object.values(EVENTS).includes(Number(body.event_id))) return invalid({ event_id: ['The selected event id is invalid.'] });
        const hook: Rec = {
          id: hashId(),
          target_url: body.target_url,
          event_id: String(body.event_id),
          rest_method: body.rest_method,
          format: body.format ?? 'JSON',
          headers: body.headers ?? {},
          is_deleted: false,
        };
        webhooks.set(hook.id, hook);
        return { status: 200, body: { data: hook } };
      }
      if (req.method === 'DELETE' && id) {
        const hook = webhooks.get(id);
        if (!hook) return notFound;
        webhooks.delete(id);
        return { status: 200, body: { data: { ...hook, is_deleted: true } } };
      }
      if (req.method === 'GET' && !id) return paged([...webhooks.values()], req.query);
    }
    return notFound;
  }

  const stub = await startStub(async (req) => {
    const reply = await handle(req);
    let parsed: unknown = req.body;
    try {
      parsed = req.body ? JSON.parse(req.body) : null;
    } catch {
      /* kept as text */
    }
    requests.push({ method: req.method, path: req.path, query: req.query, body: parsed, status: reply.status });
    return reply;
  });
  url = `http://127.0.0.1:${stub.port}`;

  const fake: FakeInvoiceNinja = {
    url,
    token,
    clients,
    invoices,
    payments,
    credits,
    webhooks,
    requests,
    refuseEmails: false,
    forbidWebhooks: false,
    failNext(count, status, headers = {}) {
      failure = count > 0 ? { left: count, status, headers } : null;
    },
    pay(invoiceId, amount) {
      const inv = invoices.get(invoiceId);
      if (!inv) throw new Error(`no invoice ${invoiceId}`);
      const reply = applyPayment({ id: '', client_id: inv.client_id, invoices: [{ id: '', invoice_id: invoiceId, amount: amount ?? inv.balance }], type_id: '1' });
      if (reply.status !== 200) throw new Error(`payment refused: ${JSON.stringify(reply.body)}`);
      return { paymentId: (reply.body as { data: Rec }).data.id };
    },
    void(invoiceId) {
      bulk('cancel', [invoiceId]);
    },
    act(action, invoiceId) {
      bulk(action, [invoiceId]);
    },
    routeTargetsTo(origin) {
      targetOrigin = origin.replace(/\/+$/, '');
    },
    clientWithTax(client, taxName, rate) {
      const id = hashId();
      clients.set(id, {
        id,
        name: client.name,
        contacts: [{ id: hashId(), first_name: '', last_name: '', email: client.email, send_email: true, is_primary: true }],
        settings: { currency_id: client.currencyId ?? '1', tax_name1: taxName, tax_rate1: rate },
        is_deleted: false,
      });
      return id;
    },
    async fire(event, entityId, headers = {}) {
      const eventId = String(EVENTS[event]);
      const entity = event.endsWith('_payment') ? payments.get(entityId) : invoices.get(entityId);
      if (!entity) throw new Error(`no entity ${entityId}`);
      // Payments go out with their invoices and client included, invoices with their client.
      const body = event.endsWith('_payment')
        ? {
            ...entity,
            invoices: (entity.paymentables as Rec[]).filter((p) => p.invoice_id).map((p) => invoices.get(p.invoice_id as string)),
            client: clients.get(entity.client_id as string),
          }
        : render(entity, ['client']);
      const answers: { status: number; body: string }[] = [];
      for (const hook of [...webhooks.values()].filter((h) => h.event_id === eventId)) {
        const target = new URL(String(hook.target_url));
        const res = await fetch(targetOrigin ? `${targetOrigin}${target.pathname}${target.search}` : target.toString(), {
          method: String(hook.rest_method).toUpperCase(),
          headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest', ...(hook.headers as Record<string, string>), ...headers },
          body: JSON.stringify(body),
        });
        answers.push({ status: res.status, body: await res.text() });
        if ([404, 405, 410].includes(res.status)) webhooks.delete(hook.id);
      }
      return answers;
    },
    close: stub.close,
  };
  return fake;
}

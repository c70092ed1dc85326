import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { startStub, type StubReply, type StubRequest } from './http-stub.js';

/**
 * A local stand-in for Xero, spoken to by the real `xero-node` SDK (its `basePath`) and by duebot's
 * identity calls. Wire format as Xero has it (xero-node 20 models, Xero-OpenAPI xero_accounting.yaml):
 *
 * - Identity: GET /identity/connect/authorize (302 back with code and state), POST /connect/token
 *   (Basic client auth, form body; authorization_code and refresh_token grants). Access tokens are JWTs
 *   carrying `authentication_event_id`; refresh tokens rotate on every use (the old one stays usable
 *   for 30 minutes, as Xero allows); a dead one answers 400 `{"error":"invalid_grant"}`.
 * - GET /connections (Bearer): `[{id, authEventId, tenantId, tenantType, tenantName, createdDateUtc,
 *   updatedDateUtc}]`, `?authEventId=` narrows it to one consent. A consent (`authorise`) re-stamps the
 *   organisations picked in it with a new authEventId.
 * - Accounting API under /api.xro/2.0 (Bearer + `xero-tenant-id`; 401 for a bad token, 403 for an
 *   organisation not connected): Contacts (GET with searchTerm, GET one, PUT), Invoices (GET with
 *   InvoiceNumbers, Statuses, where `Type=="ACCREC"` / `Date>=DateTime(y,m,d)` / `DueDate<=…`, If-Modified-Since,
 *   page/pageSize; GET one; PUT creates; POST /Invoices/{id} voids), /Invoices/{id}/OnlineInvoice,
 *   Payments (PUT), CreditNotes (PUT, GET one, PUT /Allocations), TaxRates (GET, where TaxType=="X").
 *   PascalCase JSON, the envelope `{Id, Status, ProviderName, DateTimeUTC, <Plural>: [...]}`, dates as
 *   `/Date(ms+0000)/`, money as JSON numbers kept to 2 decimals (unit amounts to 4 with `unitdp=4`).
 *   400 ValidationException `{ErrorNumber: 10, Type, Message, Elements: [{ValidationErrors: [{Message}]}]}`
 *   for a duplicate ACCREC number, an amount with too many decimals, a LineAmount that is not
 *   Quantity × UnitAmount, an unknown account or contact, voiding a paid invoice, over-allocation.
 *   A repeated `Idempotency-Key` (same tenant and path) replays the first answer.
 * - Limits per organisation: 5 in flight, 60 a minute, 5,000 a day → 429 with Retry-After and
 *   `X-Rate-Limit-Problem` (concurrent / minute / day); `X-DayLimit-Remaining`, `X-MinLimit-Remaining`
 *   and `X-AppMinLimit-Remaining` on every answer.
 * - Test hooks: tenants, `authorise` (what a consent code grants), `pay`, `void`, `credit` (a credit
 *   note made in Xero's UI), `setContactTax`, `createTaxRate`, `seedInvoice`, `seedBill` (an ACCPAY invoice), `failNext`, `rateLimitNext`,
 *   `revoke*`, `signedDelivery`, `intentToReceive` (Xero's webhook validation run against a URL).
 */

export interface FakeXeroTenant {
  tenantId: string;
  tenantName: string;
}

export interface FakeXero {
  url: string;
  clientId: string;
  clientSecret: string;
  webhookKey: string;
  /** The first organisation (every token issued by `issueTokens` reaches it). */
  tenantId: string;
  tenants: FakeXeroTenant[];
  /** Invoices of every organisation by InvoiceID, in Xero's PascalCase as stored. */
  invoices: Map<string, Record<string, unknown>>;
  contacts: Map<string, Record<string, unknown>>;
  requests: { method: string; path: string; query: URLSearchParams; headers: Record<string, string | string[] | undefined>; body: unknown; status: number }[];
  /** The most API calls one organisation had in flight at once. */
  maxInFlight(): number;
  /** How long each API call takes from now on (lets concurrent calls overlap). */
  setLatency(ms: number): void;
  addTenant(name: string): FakeXeroTenant;
  /** A consent: `code` will grant these organisations (default: the first) under a new auth event. */
  authorise(code: string, tenantIds?: string[]): void;
  /** Disconnects an organisation from the app (its API calls answer 403). */
  disconnect(tenantId: string): void;
  issueTokens(expiresInSeconds?: number): { accessToken: string; refreshToken: string; expiresAt: Date };
  liveRefreshTokens(): string[];
  revokeAccessTokens(): void;
  revokeRefreshTokens(): void;
  failNext(count: number, status: number, headers?: Record<string, string>): void;
  /** The next such API call (path under /api.xro/2.0) is carried out, then its connection is cut before the answer. */
  dropNextAnswer(method: string, path: string): void;
  /** The next API call answers 429 for that reason (`minute`, `day`, `concurrent`). */
  rateLimitNext(problem?: string, retryAfterSeconds?: number): void;
  /** A tax rate (Settings → Tax rates); returns its TaxType. */
  createTaxRate(name: string, percent: string): string;
  /** The contact's default sales tax (AccountsReceivableTaxType). */
  setContactTax(contactId: string, taxType: string): void;
  createContact(name: string): string;
  /** A payment (default: everything due), major units as a decimal string. Returns its PaymentID. */
  pay(invoiceId: string, amount?: string, date?: string): string;
  /**
   * A credit note made in Xero's own UI and allocated to the invoice; major units (`noteTotal`: the note
   * is for more, the rest left for other invoices). Returns its CreditNoteID.
   */
  credit(invoiceId: string, amount: string, noteTotal?: string): string;
  void(invoiceId: string): void;
  seedInvoice(invoice: { contactName: string; number: string; date: string; dueDate: string; amount: string; currency?: string }): string;
  /** A supplier bill: an ACCPAY invoice (default AUTHORISED, "awaiting payment"), `paid` of it already paid. Returns its InvoiceID. */
  seedBill(bill: { contactName: string; dueDate: string; amount: string; paid?: string; currency?: string; status?: 'DRAFT' | 'AUTHORISED' | 'PAID' }): string;
  /** A delivery signed as Xero signs it (`key` default: the app's webhook key). */
  signedDelivery(events: Record<string, unknown>[], key?: string): { body: string; headers: Record<string, string> };
  /** An INVOICE UPDATE event for the first organisation. */
  invoiceEvent(invoiceId: string, category?: string): Record<string, unknown>;
  /**
   * Xero's "intent to receive" validation against `url`: correctly and incorrectly signed empty
   * deliveries; passes only if every good one gets 200 and every bad one 401, each with an empty body.
   */
  intentToReceive(url: string): Promise<{ passed: boolean; answers: { signed: boolean; status: number; body: string }[] }>;
  close(): Promise<void>;
}

/** Written apart from the adapter on purpose (Xero's documented recipe), so one cannot mirror a bug of the other. */
function sign(key: string, body: string): string {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(Buffer.from(body, 'utf8')).digest('base64');
}

const msDate = (ymd: string) => `/Date(${Date.parse(`${ymd}T00:00:00Z`)}+0000)/`;
const today = () => new Date().toISOString().slice(0, 10);
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** A JSON number or decimal string → integer units of 10^-dp; null when it has more decimals. */
function units(value: unknown, dp: number): bigint | null {
  if (typeof value !== 'number' && typeof value !== 'string') return null;
  const text = typeof value === 'number' ? String(value) : value.trim();
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > dp) return null;
  const n = BigInt(m[2]! + frac.padEnd(dp, '0'));
  return m[1] ? -n : n;
}
const num = (cents: bigint) => Number(`${cents < 0n ? '-' : ''}${(cents < 0n ? -cents : cents) / 100n}.${String((cents < 0n ? -cents : cents) % 100n).padStart(2, '0')}`);
/** Half away from zero, from 10^-from to 10^-to units. */
const round = (v: bigint, from: number, to: number) => {
  const d = 10n ** BigInt(from - to);
  const abs = v < 0n ? -v : v;
  const r = (abs + d / 2n) / d;
  return v < 0n ? -r : r;
};

interface Tenant extends FakeXeroTenant {
  connectionId: string;
  authEventId: string;
  connected: boolean;
  minute: number[];
  day: number;
  inFlight: number;
}

export function xeroEnv(fake: Pick<FakeXero, 'clientId' | 'clientSecret' | 'url' | 'webhookKey'>): Record<string, string> {
  return {
    XERO_CLIENT_ID: fake.clientId,
    XERO_CLIENT_SECRET: fake.clientSecret,
    XERO_API_URL: fake.url,
    XERO_IDENTITY_URL: fake.url,
    XERO_LOGIN_URL: fake.url,
    XERO_WEBHOOK_KEY: fake.webhookKey,
  };
}

export async function startFakeXero(
  options: {
    limits?: { perMinute: number; concurrent: number; perDay: number };
    latencyMs?: number;
    /** Invoices list their credit notes without AppliedAmount (not confirmed either way for the real API). */
    creditNotesWithoutAppliedAmount?: boolean;
  } = {},
): Promise<FakeXero> {
  const limits = options.limits ?? { perMinute: 60, concurrent: 5, perDay: 5000 };
  const clientId = `XEROCLIENT${randomBytes(4).toString('hex').toUpperCase()}`;
  const clientSecret = `xsecret_${randomBytes(8).toString('hex')}`;
  const webhookKey = randomBytes(24).toString('base64');
  const tenants: Tenant[] = [];
  const access = new Map<string, { tenantIds: Set<string> | null; expiresAt: number }>();
  const refresh = new Map<string, { usableUntil: number; current: boolean }>();
  const codes = new Map<string, { tenantIds: string[] }>();
  const invoices = new Map<string, Record<string, unknown>>();
  const contacts = new Map<string, Record<string, unknown>>();
  const creditNotes = new Map<string, Record<string, unknown>>();
  const payments = new Map<string, Record<string, unknown>>();
  const taxRates: Record<string, unknown>[] = [{ Name: 'Tax Exempt', TaxType: 'NONE', Status: 'ACTIVE', DisplayTaxRate: 0, EffectiveRate: 0, TaxComponents: [] }];
  const accounts = new Set(['200', '090']);
  const idempotent = new Map<string, { body: string; reply: StubReply }>();
  const requests: FakeXero['requests'] = [];
  const owner = new Map<string, string>(); // resource id → tenant id
  let failure: { left: number; status: number; headers: Record<string, string>; body: unknown } | null = null;
  let seq = 0;
  let baseUrl = '';
  let maxInFlight = 0;
  const dropAnswers: { method: string; path: string }[] = [];
  let latencyMs = options.latencyMs ?? 0;

  const addTenant = (name: string): Tenant => {
    const t: Tenant = { tenantId: randomUUID(), tenantName: name, connectionId: randomUUID(), authEventId: randomUUID(), connected: true, minute: [], day: 0, inFlight: 0 };
    tenants.push(t);
    return t;
  };
  addTenant('Pixel & Co (NZ)');

  const jwt = (claims: Record<string, unknown>) => `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(claims)}.${randomBytes(16).toString('base64url')}`;
  const issue = (authEventId: string, tenantIds: string[] | null, expiresIn = 1800) => {
    const now = Math.floor(Date.now() / 1000);
    const accessToken = jwt({ nbf: now, exp: now + expiresIn, iss: 'https://identity.xero.com', client_id: clientId, authentication_event_id: authEventId, jti: randomUUID() });
    const refreshToken = randomBytes(24).toString('hex');
    access.set(accessToken, { tenantIds: tenantIds ? new Set(tenantIds) : null, expiresAt: Date.now() + expiresIn * 1000 });
    refresh.set(refreshToken, { usableUntil: Number.MAX_SAFE_INTEGER, current: true });
    return { accessToken, refreshToken, expiresIn };
  };
  const validation = (message: string, element: unknown = {}): StubReply => ({
    status: 400,
    body: {
      ErrorNumber: 10,
      Type: 'ValidationException',
      Message: 'A validation exception occurred',
      Elements: [{ ...(element as object), ValidationErrors: [{ Message: message }] }],
    },
  });
  const envelope = (key: string, list: unknown[], extra: Record<string, unknown> = {}): StubReply => ({
    status: 200,
    body: { Id: randomUUID(), Status: 'OK', ProviderName: 'duebot test', DateTimeUTC: `/Date(${Date.now()})/`, ...extra, [key]: list },
  });
  const problem = (status: number, title: string, detail: string): StubReply => ({
    status,
    body: { Type: null, Title: title, Status: status, Detail: detail, Instance: randomUUID() },
  });

  const rateOf = (taxType: unknown) => {
    const rate = taxRates.find((r) => r.TaxType === (taxType ?? 'NONE'));
    return rate ? units(rate.EffectiveRate as number, 4)! : null;
  };

  /** Recomputes an invoice's totals from its lines, payments and allocated credit notes (2 dp, half away from zero). */
  const recompute = (inv: Record<string, unknown>) => {
    const lines = inv.LineItems as Record<string, unknown>[];
    let sub = 0n;
    let tax = 0n;
    for (const l of lines) {
      const amount = units(l.LineAmount, 2)!;
      sub += amount;
      // cents × rate in ten-thousandths of a percent: 10^-8 of a unit, rounded to cents.
      const t = inv.LineAmountTypes === 'NoTax' ? 0n : round(amount * (rateOf(l.TaxType) ?? 0n), 8, 2);
      l.TaxAmount = num(t);
      tax += t;
    }
    const total = sub + tax;
    const paid = (inv.Payments as Record<string, unknown>[]).reduce((s, p) => s + units(p.Amount, 2)!, 0n);
    const credited = (inv.CreditNotes as Record<string, unknown>[]).reduce((s, c) => s + units(c.AppliedAmount, 2)!, 0n);
    Object.assign(inv, {
      SubTotal: num(sub),
      TotalTax: num(tax),
      Total: num(total),
      AmountPaid: num(paid),
      AmountCredited: num(credited),
      AmountDue: num(total - paid - credited),
    });
    if (inv.Status === 'AUTHORISED' && total - paid - credited <= 0n && total > 0n) {
      inv.Status = 'PAID';
      inv.FullyPaidOnDate = msDate(today());
    }
    inv.UpdatedDateUTC = `/Date(${Date.now()}+0000)/`;
    inv.updatedAt = Date.now();
  };

  /** Lines as Xero takes them: LineAmount = Quantity × UnitAmount at 2 dp (given or computed). */
  const readLines = (raw: unknown, unitdp: number): { lines?: Record<string, unknown>[]; error?: StubReply } => {
    if (!Array.isArray(raw) || raw.length === 0) return { error: validation('An invoice must have at least one line item') };
    const lines: Record<string, unknown>[] = [];
    for (const l of raw as Record<string, unknown>[]) {
      const qty = units(l.Quantity ?? 1, 4);
      const unit = units(l.UnitAmount, unitdp);
      if (qty === null) return { error: validation(`Quantity ${JSON.stringify(l.Quantity)} has more than 4 decimals`) };
      if (unit === null) return { error: validation(`UnitAmount ${JSON.stringify(l.UnitAmount)} has more than ${unitdp} decimals`) };
      const computed = round(qty * unit, 4 + unitdp, 2);
      if (l.LineAmount !== undefined) {
        const given = units(l.LineAmount, 2);
        if (given === null) return { error: validation(`LineAmount ${JSON.stringify(l.LineAmount)} has more than 2 decimals`) };
        if (given !== computed) return { error: validation('The line total does not match Quantity x UnitAmount') };
      }
      if (!accounts.has(String(l.AccountCode ?? ''))) return { error: validation(`Account code '${String(l.AccountCode)}' is not a valid code for this document.`) };
      if (l.TaxType !== undefined && rateOf(l.TaxType) === null)
        return { error: validation(`The TaxType code '${String(l.TaxType)}' does not exist or cannot be used for this type of transaction.`) };
      lines.push({
        LineItemID: randomUUID(),
        Description: l.Description ?? '',
        Quantity: l.Quantity ?? 1,
        UnitAmount: l.UnitAmount,
        AccountCode: l.AccountCode,
        TaxType: l.TaxType ?? 'NONE',
        LineAmount: num(computed),
      });
    }
    return { lines };
  };

  const invoiceView = (inv: Record<string, unknown>) => {
    const { updatedAt: _u, tenantId: _t, ...view } = inv;
    const contact = contacts.get(String((inv.Contact as { ContactID: string }).ContactID));
    const notes = options.creditNotesWithoutAppliedAmount ? (inv.CreditNotes as Record<string, unknown>[]).map(({ AppliedAmount: _a, ...n }) => n) : inv.CreditNotes;
    return { ...view, CreditNotes: notes, Contact: { ContactID: contact?.ContactID, Name: contact?.Name } };
  };

  const addPayment = (inv: Record<string, unknown>, amount: bigint, date: string) => {
    const id = randomUUID();
    const payment = { PaymentID: id, Date: msDate(date), Amount: num(amount), Status: 'AUTHORISED', PaymentType: 'ACCRECPAYMENT', Invoice: { InvoiceID: inv.InvoiceID } };
    payments.set(id, payment);
    (inv.Payments as unknown[]).push({ PaymentID: id, Date: msDate(date), Amount: num(amount) });
    recompute(inv);
    return id;
  };

  const allocate = (note: Record<string, unknown>, inv: Record<string, unknown>, amount: bigint, date: string): StubReply | null => {
    if (amount <= 0n) return validation('Amount must be greater than zero');
    if (amount > units(note.RemainingCredit, 2)!) return validation('The amount allocated exceeds the remaining credit on the credit note');
    if (inv.Status !== 'AUTHORISED') return validation('Credit notes can only be allocated to AUTHORISED invoices');
    if (amount > units(inv.AmountDue, 2)!) return validation('The amount allocated exceeds the amount due on the invoice');
    note.RemainingCredit = num(units(note.RemainingCredit, 2)! - amount);
    (note.Allocations as unknown[]).push({
      AllocationID: randomUUID(),
      Amount: num(amount),
      Date: msDate(date),
      Invoice: { InvoiceID: inv.InvoiceID, InvoiceNumber: inv.InvoiceNumber },
    });
    (inv.CreditNotes as unknown[]).push({ CreditNoteID: note.CreditNoteID, CreditNoteNumber: note.CreditNoteNumber, Total: note.Total, AppliedAmount: num(amount) });
    if (units(note.RemainingCredit, 2) === 0n) note.Status = 'PAID';
    recompute(inv);
    return null;
  };

  const newCreditNote = (tenantId: string, contactId: string, currency: string, lines: Record<string, unknown>[], date: string, reference: string) => {
    const id = randomUUID();
    const total = lines.reduce((s, l) => s + units(l.LineAmount, 2)!, 0n);
    seq += 1;
    const note = {
      CreditNoteID: id,
      CreditNoteNumber: `CN-${String(seq).padStart(4, '0')}`,
      Type: 'ACCRECCREDIT',
      Contact: { ContactID: contactId },
      Date: msDate(date),
      Status: 'AUTHORISED',
      LineAmountTypes: 'NoTax',
      LineItems: lines,
      SubTotal: num(total),
      TotalTax: 0,
      Total: num(total),
      RemainingCredit: num(total),
      CurrencyCode: currency,
      Reference: reference,
      Allocations: [] as unknown[],
    };
    creditNotes.set(id, note);
    owner.set(id, tenantId);
    return note;
  };

  const tenantOf = (id: string) => tenants.find((t) => t.tenantId === id);

  /** Xero's where clauses duebot sends: Type=="ACCREC" / "ACCPAY", Date>=DateTime(y,m,d), DueDate>= and <=, joined with AND. */
  const matchesWhere = (inv: Record<string, unknown>, where: string | null) => {
    if (!where) return true;
    for (const clause of where.split(/\s+AND\s+/i)) {
      let m: RegExpExecArray | null;
      if ((m = /^Type=="(\w+)"$/.exec(clause.trim()))) {
        if (inv.Type !== m[1]) return false;
      } else if ((m = /^(Date|DueDate)(>=|<=)DateTime\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(clause.trim()))) {
        const bound = Date.UTC(Number(m[3]), Number(m[4]) - 1, Number(m[5]));
        const day = Number(/\d+/.exec(String(inv[m[1]!]))![0]);
        if (m[2] === '>=' ? day < bound : day > bound) return false;
      } else throw new Error(`fake Xero: unsupported where clause ${clause}`);
    }
    return true;
  };

  function accounting(req: StubRequest, tenant: Tenant, body: Record<string, unknown>): StubReply {
    const path = req.path.slice('/api.xro/2.0'.length);
    const unitdp = req.query.get('unitdp') === '4' ? 4 : 2;
    let m: RegExpExecArray | null;
    const mine = (id: string) => owner.get(id) === tenant.tenantId;

    if (req.method === 'GET' && path === '/Contacts') {
      const term = (req.query.get('searchTerm') ?? '').toLowerCase();
      const list = [...contacts.values()].filter(
        (c) =>
          mine(String(c.ContactID)) &&
          (!term ||
            [c.Name, c.ContactNumber, c.EmailAddress].some((v) =>
              String(v ?? '')
                .toLowerCase()
                .includes(term),
            )),
      );
      return envelope('Contacts', list);
    }
    if (req.method === 'GET' && (m = /^\/Contacts\/([\w-]+)$/.exec(path))) {
      const c = contacts.get(m[1]!);
      return c && mine(m[1]!) ? envelope('Contacts', [c]) : problem(404, 'NotFound', 'The resource you are looking for cannot be found');
    }
    if (req.method === 'PUT' && path === '/Contacts') {
      const out: unknown[] = [];
      for (const c of (body.Contacts as Record<string, unknown>[]) ?? []) {
        if (!c.Name) return validation('The contact name must be specified.');
        if ([...contacts.values()].some((x) => mine(String(x.ContactID)) && String(x.Name).toLowerCase() === String(c.Name).toLowerCase()))
          return validation('The contact name is already assigned to another contact. The contact name must be unique across all active contacts.');
        const id = randomUUID();
        const stored = { ContactID: id, ContactStatus: 'ACTIVE', Name: c.Name, ContactNumber: c.ContactNumber ?? null, EmailAddress: c.EmailAddress ?? '', IsCustomer: true };
        contacts.set(id, stored);
        owner.set(id, tenant.tenantId);
        out.push(stored);
      }
      return envelope('Contacts', out);
    }
    if (req.method === 'GET' && path === '/TaxRates') {
      const type = /^TaxType=="(\w+)"$/.exec(req.query.get('where') ?? '')?.[1];
      return envelope(
        'TaxRates',
        taxRates.filter((r) => !type || r.TaxType === type),
      );
    }
    if (req.method === 'GET' && path === '/Invoices') {
      const numbers = req.query.get('InvoiceNumbers')?.split(',') ?? null;
      const statuses = req.query.get('Statuses')?.split(',') ?? null;
      const since = req.headers['if-modified-since'] ? Date.parse(String(req.headers['if-modified-since'])) : null;
      const list = [...invoices.values()].filter(
        (i) =>
          mine(String(i.InvoiceID)) &&
          (numbers === null || numbers.includes(String(i.InvoiceNumber))) &&
          (statuses === null || statuses.includes(String(i.Status))) &&
          (since === null || (i.updatedAt as number) > since) &&
          matchesWhere(i, req.query.get('where')),
      );
      const pageSize = Math.min(Number(req.query.get('pageSize') ?? 100), 1000);
      const page = req.query.get('page');
      if (!page) return envelope('Invoices', list.map(invoiceView));
      const p = Math.max(1, Number(page));
      return envelope('Invoices', list.slice((p - 1) * pageSize, p * pageSize).map(invoiceView), {
        pagination: { page: p, pageSize, pageCount: Math.max(1, Math.ceil(list.length / pageSize)), itemCount: list.length },
      });
    }
    if (req.method === 'PUT' && path === '/Invoices') {
      const out: unknown[] = [];
      for (const i of (body.Invoices as Record<string, unknown>[]) ?? []) {
        if (i.Type !== 'ACCREC') return validation('Only ACCREC invoices are supported by this stand-in', i);
        const contactId = (i.Contact as { ContactID?: string } | undefined)?.ContactID;
        if (!contactId || !contacts.has(contactId) || !mine(contactId)) return validation('The contact for this invoice could not be found', i);
        if (i.InvoiceNumber && [...invoices.values()].some((x) => mine(String(x.InvoiceID)) && x.Type === 'ACCREC' && x.InvoiceNumber === i.InvoiceNumber))
          return validation('Invoice # must be unique.', i);
        const read = readLines(i.LineItems, unitdp);
        if (read.error) return read.error;
        if (!['DRAFT', 'SUBMITTED', 'AUTHORISED'].includes(String(i.Status ?? 'DRAFT'))) return validation(`Invoice status ${String(i.Status)} cannot be set on create`, i);
        const id = randomUUID();
        seq += 1;
        const inv: Record<string, unknown> = {
          Type: 'ACCREC',
          InvoiceID: id,
          InvoiceNumber: i.InvoiceNumber ?? `INV-${String(seq).padStart(4, '0')}`,
          Reference: i.Reference ?? '',
          Contact: { ContactID: contactId },
          Date: msDate(String(i.Date ?? today())),
          DueDate: i.DueDate ? msDate(String(i.DueDate)) : null,
          Status: i.Status ?? 'DRAFT',
          LineAmountTypes: i.LineAmountTypes ?? 'Exclusive',
          LineItems: read.lines,
          CurrencyCode: i.CurrencyCode ?? 'NZD',
          Payments: [],
          CreditNotes: [],
          Overpayments: [],
          Prepayments: [],
          SentToContact: false,
          HasErrors: false,
        };
        recompute(inv);
        invoices.set(id, inv);
        owner.set(id, tenant.tenantId);
        out.push(invoiceView(inv));
      }
      return envelope('Invoices', out);
    }
    if ((m = /^\/Invoices\/([\w-]+)(\/OnlineInvoice)?$/.exec(path))) {
      const inv = invoices.get(m[1]!);
      if (!inv || !mine(m[1]!)) return problem(404, 'NotFound', 'The resource you are looking for cannot be found');
      if (req.method === 'GET' && m[2]) {
        if (inv.Status === 'DRAFT' || inv.Status === 'DELETED' || inv.Status === 'VOIDED') return validation('An online invoice cannot be created for this invoice status');
        return { status: 200, body: { OnlineInvoices: [{ OnlineInvoiceUrl: `${baseUrl}/in/${String(inv.InvoiceID)}` }] } };
      }
      if (req.method === 'GET') return envelope('Invoices', [invoiceView(inv)]);
      if (req.method === 'POST') {
        const change = ((body.Invoices as Record<string, unknown>[]) ?? [])[0] ?? {};
        if (change.Status === 'VOIDED') {
          if (inv.Status === 'VOIDED') return envelope('Invoices', [invoiceView(inv)]);
          if (inv.Status !== 'AUTHORISED' || (inv.Payments as unknown[]).length > 0 || (inv.CreditNotes as unknown[]).length > 0)
            return validation('This document cannot be edited as it has a payment or credit note allocated to it.', change);
          inv.Status = 'VOIDED';
          recompute(inv);
          inv.AmountDue = 0;
        }
        return envelope('Invoices', [invoiceView(inv)]);
      }
    }
    if (req.method === 'PUT' && path === '/Payments') {
      const p = ((body.Payments as Record<string, unknown>[]) ?? [])[0] ?? {};
      const inv = invoices.get(String((p.Invoice as { InvoiceID?: string } | undefined)?.InvoiceID));
      if (!inv || !mine(String(inv.InvoiceID))) return validation('Invoice could not be found');
      const amount = units(p.Amount, 2);
      if (amount === null || amount <= 0n || amount > units(inv.AmountDue, 2)!) return validation('Payment amount exceeds the amount outstanding on this document');
      if (inv.Status !== 'AUTHORISED') return validation('Payments can only be made against AUTHORISED invoices');
      const id = addPayment(inv, amount, String(p.Date ?? today()));
      return envelope('Payments', [payments.get(id)]);
    }
    if (req.method === 'PUT' && path === '/CreditNotes') {
      const out: unknown[] = [];
      for (const c of (body.CreditNotes as Record<string, unknown>[]) ?? []) {
        if (c.Type !== 'ACCRECCREDIT') return validation('Only ACCRECCREDIT credit notes are supported by this stand-in', c);
        const contactId = (c.Contact as { ContactID?: string } | undefined)?.ContactID;
        if (!contactId || !contacts.has(contactId) || !mine(contactId)) return validation('The contact for this credit note could not be found', c);
        const read = readLines(c.LineItems, unitdp);
        if (read.error) return read.error;
        out.push(newCreditNote(tenant.tenantId, contactId, String(c.CurrencyCode ?? 'NZD'), read.lines!, String(c.Date ?? today()), String(c.Reference ?? '')));
      }
      return envelope('CreditNotes', out);
    }
    if ((m = /^\/CreditNotes\/([\w-]+)(\/Allocations)?$/.exec(path))) {
      const note = creditNotes.get(m[1]!);
      if (!note || !mine(m[1]!)) return problem(404, 'NotFound', 'The resource you are looking for cannot be found');
      if (req.method === 'GET' && !m[2]) return envelope('CreditNotes', [note]);
      if (req.method === 'PUT' && m[2]) {
        const a = ((body.Allocations as Record<string, unknown>[]) ?? [])[0] ?? {};
        const inv = invoices.get(String((a.Invoice as { InvoiceID?: string } | undefined)?.InvoiceID));
        if (!inv || !mine(String(inv.InvoiceID))) return validation('Invoice could not be found');
        const amount = units(a.Amount, 2);
        if (amount === null) return validation('Amount has more than 2 decimals');
        const refused = allocate(note, inv, amount, String(a.Date ?? today()));
        if (refused) return refused;
        return envelope('Allocations', [(note.Allocations as unknown[]).at(-1)]);
      }
    }
    return problem(404, 'NotFound', `The resource you are looking for cannot be found (${req.method} ${path})`);
  }

  /** Counts the call against the organisation's limits; a 429 when one is spent. */
  const admit = (tenant: Tenant): StubReply | null => {
    const now = Date.now();
    tenant.minute = tenant.minute.filter((t) => t > now - 60_000);
    const refuse = (problemName: string, retryAfter: number): StubReply => ({
      status: 429,
      headers: { 'Retry-After': String(retryAfter), 'X-Rate-Limit-Problem': problemName },
      body: { Title: 'Too Many Requests', Status: 429, Detail: `${problemName} rate limit exceeded` },
    });
    if (tenant.inFlight >= limits.concurrent) return refuse('concurrent', 1);
    if (tenant.minute.length >= limits.perMinute) return refuse('minute', Math.ceil((tenant.minute[0]! + 60_000 - now) / 1000));
    if (tenant.day >= limits.perDay) return refuse('day', 3600);
    tenant.minute.push(now);
    tenant.day += 1;
    return null;
  };

  async function route(req: StubRequest): Promise<StubReply> {
    if (req.method === 'GET' && req.path === '/identity/connect/authorize') {
      const code = `code_${randomBytes(6).toString('hex')}`;
      codes.set(code, { tenantIds: [tenants[0]!.tenantId] });
      const back = new URL(req.query.get('redirect_uri') ?? 'http://invalid');
      back.searchParams.set('code', code);
      back.searchParams.set('state', req.query.get('state') ?? '');
      return { status: 302, headers: { location: back.toString() }, body: '' };
    }
    if (req.method === 'POST' && req.path === '/connect/token') {
      const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
      if (req.headers.authorization !== basic) return { status: 401, body: { error: 'invalid_client' } };
      const form = new URLSearchParams(req.body);
      if (form.get('grant_type') === 'authorization_code') {
        const grant = codes.get(form.get('code') ?? '');
        if (!grant || !form.get('redirect_uri')) return { status: 400, body: { error: 'invalid_grant' } };
        codes.delete(form.get('code')!);
        // This consent re-stamps the organisations picked in it.
        const authEventId = randomUUID();
        for (const id of grant.tenantIds) {
          const t = tenantOf(id)!;
          t.authEventId = authEventId;
          t.connected = true;
        }
        const t = issue(authEventId, null);
        return {
          status: 200,
          body: {
            id_token: undefined,
            access_token: t.accessToken,
            expires_in: t.expiresIn,
            token_type: 'Bearer',
            refresh_token: t.refreshToken,
            scope: 'offline_access accounting.invoices',
          },
        };
      }
      if (form.get('grant_type') === 'refresh_token') {
        const old = refresh.get(form.get('refresh_token') ?? '');
        if (!old || old.usableUntil < Date.now()) return { status: 400, body: { error: 'invalid_grant' } };
        // Rotated: the old one stays usable 30 minutes (a lost answer may be retried), but is no longer current.
        old.current = false;
        old.usableUntil = Math.min(old.usableUntil, Date.now() + 30 * 60_000);
        const t = issue(randomUUID(), null);
        return {
          status: 200,
          body: { access_token: t.accessToken, expires_in: t.expiresIn, token_type: 'Bearer', refresh_token: t.refreshToken, scope: 'offline_access accounting.invoices' },
        };
      }
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    }

    const token = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const grant = token ? access.get(token) : undefined;
    if (!grant || grant.expiresAt < Date.now()) return problem(401, 'Unauthorized', 'TokenExpired: token expired');

    if (req.method === 'GET' && req.path === '/connections') {
      const authEventId = req.query.get('authEventId');
      const list = tenants
        .filter((t) => t.connected && (!authEventId || t.authEventId === authEventId))
        .map((t) => ({
          id: t.connectionId,
          authEventId: t.authEventId,
          tenantId: t.tenantId,
          tenantType: 'ORGANISATION',
          tenantName: t.tenantName,
          createdDateUtc: '2026-01-05T10:00:00.0000000',
          updatedDateUtc: new Date().toISOString(),
        }));
      return { status: 200, body: list };
    }
    if (/^\/api\.xro\/2\.0\//.test(req.path)) {
      const tenant = tenantOf(String(req.headers['xero-tenant-id'] ?? ''));
      if (!tenant || !tenant.connected) return problem(403, 'Forbidden', 'AuthenticationUnsuccessful');
      if (failure && failure.left > 0) {
        failure.left -= 1;
        return { status: failure.status, headers: failure.headers, body: failure.body };
      }
      const refused = admit(tenant);
      if (refused) return refused;
      const key = req.headers['idempotency-key'] ? `${tenant.tenantId}:${req.method}:${req.path}:${String(req.headers['idempotency-key'])}` : null;
      if (key && idempotent.has(key)) {
        const seen = idempotent.get(key)!;
        return seen.body === req.body ? seen.reply : validation('The Idempotency-Key was already used with a different request');
      }
      tenant.inFlight += 1;
      maxInFlight = Math.max(maxInFlight, tenant.inFlight);
      try {
        // Latency lets concurrent calls overlap, so the in-flight limit is exercised.
        if (latencyMs) await new Promise((r) => setTimeout(r, latencyMs));
        const body = req.body ? (JSON.parse(req.body) as Record<string, unknown>) : {};
        const reply = accounting(req, tenant, body);
        if (key) idempotent.set(key, { body: req.body, reply });
        const drop = dropAnswers.findIndex((d) => d.method === req.method && d.path === req.path.slice('/api.xro/2.0'.length));
        if (drop >= 0) {
          // Carried out, but the answer is lost: the caller cannot tell whether the call ran.
          dropAnswers.splice(drop, 1);
          return { ...reply, drop: true };
        }
        return reply;
      } finally {
        tenant.inFlight -= 1;
      }
    }
    return problem(404, 'NotFound', `no route ${req.method} ${req.path}`);
  }

  const stub = await startStub(async (req) => {
    const reply = await route(req);
    const tenant = tenantOf(String(req.headers['xero-tenant-id'] ?? ''));
    const remaining: Record<string, string> = tenant
      ? {
          'X-DayLimit-Remaining': String(Math.max(0, limits.perDay - tenant.day)),
          'X-MinLimit-Remaining': String(Math.max(0, limits.perMinute - tenant.minute.length)),
          'X-AppMinLimit-Remaining': '9999',
        }
      : {};
    let body: unknown = null;
    try {
      body = req.body && String(req.headers['content-type'] ?? '').includes('json') ? JSON.parse(req.body) : req.body;
    } catch {
      body = req.body;
    }
    requests.push({ method: req.method, path: req.path, query: req.query, headers: req.headers, body, status: reply.status });
    return { ...reply, headers: { ...remaining, ...(reply.headers ?? {}) } };
  });
  baseUrl = `http://127.0.0.1:${stub.port}`;

  const mustInvoice = (id: string) => {
    const inv = invoices.get(id);
    if (!inv) throw new Error(`fake Xero: no invoice ${id}`);
    return inv;
  };

  const fake: FakeXero = {
    url: baseUrl,
    clientId,
    clientSecret,
    webhookKey,
    get tenantId() {
      return tenants[0]!.tenantId;
    },
    get tenants() {
      return tenants.map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName }));
    },
    invoices,
    contacts,
    requests,
    maxInFlight: () => maxInFlight,
    setLatency(ms) {
      latencyMs = ms;
    },
    addTenant: (name) => {
      const t = addTenant(name);
      return { tenantId: t.tenantId, tenantName: t.tenantName };
    },
    authorise(code, tenantIds) {
      codes.set(code, { tenantIds: tenantIds ?? [tenants[0]!.tenantId] });
    },
    disconnect(tenantId) {
      tenantOf(tenantId)!.connected = false;
    },
    issueTokens(expiresIn = 1800) {
      const t = issue(tenants[0]!.authEventId, null, expiresIn);
      return { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: new Date(Date.now() + expiresIn * 1000) };
    },
    liveRefreshTokens: () => [...refresh.entries()].filter(([, r]) => r.current && r.usableUntil > Date.now()).map(([t]) => t),
    revokeAccessTokens: () => access.clear(),
    revokeRefreshTokens: () => refresh.clear(),
    failNext(count, status, headers = {}) {
      failure = {
        left: count,
        status,
        headers,
        body: status === 429 ? { Title: 'Too Many Requests', Status: 429 } : { Title: 'An error occurred', Status: status, Detail: 'Server error' },
      };
    },
    dropNextAnswer(method, path) {
      dropAnswers.push({ method, path });
    },
    rateLimitNext(problemName = 'minute', retryAfter = 30) {
      failure = { left: 1, status: 429, headers: { 'Retry-After': String(retryAfter), 'X-Rate-Limit-Problem': problemName }, body: { Title: 'Too Many Requests', Status: 429 } };
    },
    createTaxRate(name, percent) {
      const type = `TAX${String(taxRates.length).padStart(3, '0')}`;
      taxRates.push({
        Name: name,
        TaxType: type,
        Status: 'ACTIVE',
        DisplayTaxRate: Number(percent),
        EffectiveRate: Number(percent),
        TaxComponents: [{ Name: name, Rate: Number(percent), IsCompound: false }],
      });
      return type;
    },
    setContactTax(contactId, taxType) {
      contacts.get(contactId)!.AccountsReceivableTaxType = taxType;
    },
    createContact(name) {
      const id = randomUUID();
      contacts.set(id, { ContactID: id, ContactStatus: 'ACTIVE', Name: name, EmailAddress: '', IsCustomer: true });
      owner.set(id, tenants[0]!.tenantId);
      return id;
    },
    pay(invoiceId, amount, date = today()) {
      const inv = mustInvoice(invoiceId);
      return addPayment(inv, amount === undefined ? units(inv.AmountDue, 2)! : units(amount, 2)!, date);
    },
    credit(invoiceId, amount) {
      const inv = mustInvoice(invoiceId);
      const cents = units(amount, 2)!;
      const note = newCreditNote(
        owner.get(invoiceId)!,
        String((inv.Contact as { ContactID: string }).ContactID),
        String(inv.CurrencyCode),
        [{ Description: 'Credit', Quantity: 1, UnitAmount: num(cents), LineAmount: num(cents), AccountCode: '200' }],
        today(),
        '',
      );
      const refused = allocate(note, inv, cents, today());
      if (refused) throw new Error(`fake Xero: ${JSON.stringify(refused.body)}`);
      return String(note.CreditNoteID);
    },
    void(invoiceId) {
      const inv = mustInvoice(invoiceId);
      inv.Status = 'VOIDED';
      recompute(inv);
      inv.AmountDue = 0;
    },
    seedInvoice(s) {
      const contactId = [...contacts.values()].find((c) => c.Name === s.contactName)?.ContactID ?? fake.createContact(s.contactName);
      const id = randomUUID();
      const cents = units(s.amount, 2)!;
      const inv: Record<string, unknown> = {
        Type: 'ACCREC',
        InvoiceID: id,
        InvoiceNumber: s.number,
        Contact: { ContactID: contactId },
        Date: msDate(s.date),
        DueDate: msDate(s.dueDate),
        Status: 'AUTHORISED',
        LineAmountTypes: 'NoTax',
        LineItems: [{ LineItemID: randomUUID(), Description: 'Services', Quantity: 1, UnitAmount: num(cents), AccountCode: '200', TaxType: 'NONE', LineAmount: num(cents) }],
        CurrencyCode: s.currency ?? 'USD',
        Payments: [],
        CreditNotes: [],
      };
      recompute(inv);
      invoices.set(id, inv);
      owner.set(id, tenants[0]!.tenantId);
      return id;
    },
    seedBill(b) {
      const contactId = [...contacts.values()].find((c) => c.Name === b.contactName)?.ContactID ?? fake.createContact(b.contactName);
      const id = randomUUID();
      const total = units(b.amount, 2)!;
      const paid = units(b.paid ?? '0', 2)!;
      invoices.set(id, {
        Type: 'ACCPAY',
        InvoiceID: id,
        InvoiceNumber: '',
        Reference: `Bill from ${b.contactName}`,
        Contact: { ContactID: contactId, Name: b.contactName },
        Date: msDate(b.dueDate),
        DueDate: msDate(b.dueDate),
        Status: b.status ?? 'AUTHORISED',
        LineAmountTypes: 'NoTax',
        LineItems: [{ LineItemID: randomUUID(), Description: 'Supplies', Quantity: 1, UnitAmount: num(total), AccountCode: '429', TaxType: 'NONE', LineAmount: num(total) }],
        SubTotal: num(total),
        TotalTax: 0,
        Total: num(total),
        AmountPaid: num(paid),
        AmountDue: num(total - paid),
        AmountCredited: 0,
        CurrencyCode: b.currency ?? 'USD',
        Payments: [],
        CreditNotes: [],
        updatedAt: Date.now(),
      });
      owner.set(id, tenants[0]!.tenantId);
      return id;
    },
    signedDelivery(events, key = webhookKey) {
      const body = JSON.stringify({ events, firstEventSequence: 1, lastEventSequence: events.length, entropy: randomBytes(10).toString('hex').toUpperCase() });
      return { body, headers: { 'content-type': 'application/json', 'x-xero-signature': sign(key, body) } };
    },
    invoiceEvent(invoiceId, category = 'INVOICE') {
      return {
        resourceUrl: `https://api.xero.com/api.xro/2.0/${category === 'INVOICE' ? 'Invoices' : 'CreditNotes'}/${invoiceId}`,
        resourceId: invoiceId,
        eventDateUtc: new Date().toISOString(),
        eventType: 'UPDATE',
        eventCategory: category,
        tenantId: tenants[0]!.tenantId,
        tenantType: 'ORGANISATION',
      };
    },
    async intentToReceive(url) {
      const answers: { signed: boolean; status: number; body: string }[] = [];
      for (const signed of [true, false, true, false]) {
        const body = JSON.stringify({ events: [], firstEventSequence: 0, lastEventSequence: 0, entropy: randomBytes(10).toString('hex').toUpperCase() });
        const signature = signed ? sign(webhookKey, body) : sign(`${webhookKey}x`, body);
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-xero-signature': signature }, body, signal: AbortSignal.timeout(5000) });
        answers.push({ signed, status: res.status, body: await res.text() });
      }
      return { passed: answers.every((a) => a.status === (a.signed ? 200 : 401) && a.body === ''), answers };
    },
    close: stub.close,
  };
  return fake;
}

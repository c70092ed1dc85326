import { randomBytes, randomUUID } from 'node:crypto';
import { startStub, type StubReply, type StubRequest } from './http-stub.js';

/**
 * A local stand-in for Wave's public GraphQL API and its OAuth server, spoken to over plain fetch.
 *
 * - `POST /graphql/public` with `{ query, variables }` and `Authorization: Bearer`. The operation is
 *   read from the document (its root field, and for `business(id)` the field asked of the business);
 *   variables declared non-null (`$x: T!`) must be given, and input objects may only carry fields of
 *   Wave's input types, else `GRAPHQL_VALIDATION_FAILED` / `BAD_USER_INPUT`. Answers are HTTP 200 with
 *   `{ data }` or `{ errors: [{ message, path, extensions: { code } }] }` (`UNAUTHENTICATED` for a
 *   missing or expired token, `NOT_FOUND` with the field null). Mutations answer
 *   `{ didSucceed, inputErrors: [{ code, message, path }] }`.
 * - Lists page with `page` (from 1) / `pageSize`, answered as `{ pageInfo { currentPage totalPages
 *   totalCount }, edges: [{ node }] }`. Ids are opaque base64 strings as Wave's are.
 * - Money is `{ value: "1500.00", currency { code exponent } }`; amounts are kept as integers at the
 *   currency's exponent (ISO 4217 by default, `setExponent` to change one); an item total is quantity ×
 *   unit price rounded half away from zero.
 * - Invoices: `invoiceCreate` (DRAFT; the number is unique), `invoiceApprove` (DRAFT → SAVED),
 *   `invoiceMarkSent` (SAVED → SENT), `invoiceDelete` (drafts only: the documented rule as third-party
 *   clients describe it; the public API has no void). `pay` moves SENT → PARTIAL → PAID (OVERPAID past
 *   the total) as a payment recorded in Wave would; `void` deletes the invoice as a person in Wave does.
 * - Sales taxes: a product may have default sales taxes (`setProductTax`, by product name, as set in
 *   Wave's UI). An item created without `taxes` gets its product's defaults; `taxes: []` gets none; an
 *   item's tax is its total × the rate, half away from zero, and adds to the invoice total (`taxTotal`).
 * - OAuth: `GET /oauth2/authorize/` redirects back with a code; `POST /oauth2/token/` (form body with
 *   client_id/client_secret) for `authorization_code` and `refresh_token`; refresh tokens rotate (each
 *   works once) and a dead one answers 400 `{"error":"invalid_grant"}`.
 * - Test hooks: `failNext` (HTTP status, e.g. 429 with Retry-After), `failNextWith` (a GraphQL error
 *   code), `revokeAccessTokens`, `revokeRefreshTokens`, `addBusiness`, `pay`, `void`, `seedInvoice`.
 */
export interface FakeWave {
  url: string;
  graphqlUrl: string;
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** The first business (what a single-business user has). */
  businessId: string;
  businesses: Map<string, { id: string; name: string; isPersonal: boolean; isClassicInvoicing: boolean; currency: string }>;
  customers: Map<string, { id: string; businessId: string; name: string; email: string | null; currency: string }>;
  products: Map<string, { id: string; businessId: string; name: string; incomeAccountId: string }>;
  invoices: Map<string, FakeWaveInvoice>;
  /** Every GraphQL operation received: its name, root field and variables. */
  requests: { operation: string; field: string; variables: Record<string, unknown> }[];
  addBusiness(name: string, options?: { isClassicInvoicing?: boolean }): string;
  setExponent(currency: string, exponent: number): void;
  /** The default sales tax of the products named `productName` (null: none), as set in Wave's UI. */
  setProductTax(productName: string, tax: { name: string; ratePercent: string } | null): void;
  issueTokens(expiresInSeconds?: number): { accessToken: string; refreshToken: string; expiresAt: Date };
  liveRefreshTokens(): string[];
  revokeAccessTokens(): void;
  revokeRefreshTokens(): void;
  failNext(count: number, status: number, headers?: Record<string, string>): void;
  failNextWith(code: string, message?: string): void;
  /**
   * The next request for `operation` (e.g. "InvoiceApprove") fails: after doing its work when `after`
   * (the answer is lost), else before; by cutting the connection (`drop`) or with a GraphQL error `code`.
   */
  failOperation(operation: string, failure: { drop?: boolean; code?: string; after?: boolean }): void;
  /** A payment recorded in Wave, in ISO minor units (default: everything still due). */
  pay(invoiceId: string, amountMinor?: number): void;
  /** Deleted in Wave's own UI. */
  void(invoiceId: string): void;
  /** An approved, sent invoice from the business's past (history import). Amount in ISO minor units. */
  seedInvoice(invoice: { customerName: string; invoiceNumber: string; invoiceDate: string; dueDate: string; amountMinor: number; currency?: string }): string;
  /** The total and amount due as Wave shows them ("1500.00"). */
  shown(invoiceId: string): { total: string; due: string };
  close(): Promise<void>;
}

export interface FakeWaveInvoice {
  id: string;
  businessId: string;
  customerId: string;
  invoiceNumber: string;
  status: string;
  currency: string;
  invoiceDate: string;
  dueDate: string;
  memo: string;
  /** `total` before tax; `taxes` each at the currency's exponent. */
  items: { productId: string; description: string; quantity: string; unitPrice: string; total: bigint; taxes: { id: string; name: string; amount: bigint }[] }[];
  /** At the currency's exponent. */
  total: bigint;
  paid: bigint;
  modifiedAt: string;
  viewToken: string;
}

/** InvoiceStatus as clients of the public API list it (the full enum is unconfirmed). */
const STATUSES = ['DRAFT', 'SAVED', 'UNSENT', 'SENT', 'VIEWED', 'PARTIAL', 'UNPAID', 'OVERDUE', 'PAID', 'OVERPAID'];
const ISO_EXPONENTS: Record<string, number> = { JPY: 0, ISK: 0, KRW: 0, KWD: 3, BHD: 3, JOD: 3, OMR: 3, TND: 3 };

/** Input fields of Wave's input types (public schema), so a misspelt or invented field is refused. */
const INPUT_FIELDS: Record<string, string[]> = {
  customerCreate: [
    'businessId',
    'name',
    'firstName',
    'lastName',
    'displayId',
    'email',
    'mobile',
    'phone',
    'fax',
    'tollFree',
    'website',
    'internalNotes',
    'currency',
    'address',
    'shippingDetails',
  ],
  productCreate: ['businessId', 'name', 'unitPrice', 'description', 'defaultSalesTaxIds', 'incomeAccountId', 'expenseAccountId'],
  invoiceCreate: [
    'businessId',
    'customerId',
    'status',
    'currency',
    'title',
    'subhead',
    'invoiceNumber',
    'poNumber',
    'invoiceDate',
    'exchangeRate',
    'dueDate',
    'items',
    'memo',
    'footer',
    'disableAmexPayments',
    'disableCreditCardPayments',
    'disableBankPayments',
    'itemTitle',
    'unitTitle',
    'priceTitle',
    'amountTitle',
    'hideName',
    'hideDescription',
    'hideUnit',
    'hidePrice',
    'hideAmount',
  ],
  invoiceApprove: ['invoiceId'],
  invoiceMarkSent: ['invoiceId', 'sendMethod', 'sentAt'],
  invoiceDelete: ['invoiceId'],
  invoiceSend: ['invoiceId', 'to', 'subject', 'message', 'attachPDF', 'ccMyself'],
};
const ITEM_FIELDS = ['productId', 'description', 'quantity', 'unitPrice', 'taxes'];

const opaque = (kind: string, business: string, n: string | number) => Buffer.from(`Business:${business};${kind}:${n}`).toString('base64');
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** A decimal string → integer at `exp` decimals, rounded half away from zero (Wave rounds its inputs). */
function toUnits(text: string, exp: number): bigint {
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = text.replace(/^-/, '').split('.');
  const scaled = BigInt(whole! + fraction.padEnd(exp, '0').slice(0, exp));
  const rest = fraction.slice(exp);
  const up = rest.length > 0 && Number(rest[0]) >= 5;
  const abs = scaled + (up ? 1n : 0n);
  return negative ? -abs : abs;
}

function decimal(units: bigint, exp: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(exp + 1, '0');
  const text = exp === 0 ? digits : `${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
  return (negative ? '-' : '') + text;
}

/** quantity (decimal string) × unit price (decimal string) at `exp` decimals, half away from zero. */
function itemTotal(quantity: string, unitPrice: string, exp: number): bigint {
  const [qw, qf = ''] = quantity.split('.');
  const [pw, pf = ''] = unitPrice.replace(/^-/, '').split('.');
  const product = BigInt(qw! + qf) * BigInt(pw! + pf); // scaled by 10^(qf + pf)
  const scale = qf.length + pf.length;
  let result: bigint;
  if (scale <= exp) result = product * 10n ** BigInt(exp - scale);
  else {
    const divisor = 10n ** BigInt(scale - exp);
    result = (product + divisor / 2n) / divisor;
  }
  return unitPrice.startsWith('-') ? -result : result;
}

/** `amount` × `ratePercent` / 100, half away from zero, at the same exponent. */
function percentOf(amount: bigint, ratePercent: string): bigint {
  const [whole, fraction = ''] = ratePercent.split('.');
  const scaled = amount * BigInt(whole! + fraction); // × rate × 10^fraction
  const divisor = 100n * 10n ** BigInt(fraction.length);
  const abs = ((scaled < 0n ? -scaled : scaled) + divisor / 2n) / divisor;
  return scaled < 0n ? -abs : abs;
}

const taxOf = (inv: FakeWaveInvoice) => inv.items.reduce((sum, item) => sum + item.taxes.reduce((t, tax) => t + tax.amount, 0n), 0n);

export function waveEnv(fake: Pick<FakeWave, 'clientId' | 'clientSecret' | 'graphqlUrl' | 'authorizeUrl' | 'tokenUrl'>): Record<string, string> {
  return {
    WAVE_CLIENT_ID: fake.clientId,
    WAVE_CLIENT_SECRET: fake.clientSecret,
    WAVE_API_URL: fake.graphqlUrl,
    WAVE_AUTHORIZE_URL: fake.authorizeUrl,
    WAVE_TOKEN_URL: fake.tokenUrl,
  };
}

export async function startFakeWave(): Promise<FakeWave> {
  const clientId = 'wave-client-id';
  const clientSecret = `wavesecret_${randomBytes(6).toString('hex')}`;
  const access = new Set<string>();
  const refresh = new Set<string>();
  const codes = new Map<string, string>();
  const businesses: FakeWave['businesses'] = new Map();
  const customers: FakeWave['customers'] = new Map();
  const products: FakeWave['products'] = new Map();
  const invoices = new Map<string, FakeWaveInvoice>();
  const incomeAccounts = new Map<string, string>();
  const exponents = new Map<string, number>();
  const productTaxes = new Map<string, { id: string; name: string; ratePercent: string }>();
  const requests: FakeWave['requests'] = [];
  let seq = 100;
  let httpFailure: { left: number; status: number; headers: Record<string, string> } | null = null;
  let gqlFailure: { code: string; message: string } | null = null;
  const opFailures = new Map<string, { drop?: boolean; code?: string; after?: boolean }>();
  let url = '';

  const exponentOf = (currency: string) => exponents.get(currency) ?? ISO_EXPONENTS[currency] ?? 2;
  const now = () => new Date().toISOString();

  const addBusiness = (name: string, opts: { isClassicInvoicing?: boolean } = {}) => {
    const uuid = randomUUID();
    const id = Buffer.from(`Business:${uuid}`).toString('base64');
    businesses.set(id, { id, name, isPersonal: false, isClassicInvoicing: opts.isClassicInvoicing ?? false, currency: 'USD' });
    incomeAccounts.set(id, opaque('Account', uuid, ++seq));
    return id;
  };
  const businessId = addBusiness('Acme Studio');

  const issueTokens = (expiresIn = 7200) => {
    const accessToken = `wat_${randomBytes(10).toString('hex')}`;
    const refreshToken = `wrt_${randomBytes(10).toString('hex')}`;
    access.add(accessToken);
    refresh.add(refreshToken);
    return { accessToken, refreshToken, expiresAt: new Date(Date.now() + expiresIn * 1000) };
  };

  const money = (units: bigint, currency: string) => ({ value: decimal(units, exponentOf(currency)), currency: { code: currency, exponent: exponentOf(currency) } });
  const statusAfterPayment = (inv: FakeWaveInvoice) => (inv.paid <= 0n ? 'SENT' : inv.paid < inv.total ? 'PARTIAL' : inv.paid === inv.total ? 'PAID' : 'OVERPAID');
  const invoiceNode = (inv: FakeWaveInvoice) => {
    const customer = customers.get(inv.customerId)!;
    const due = inv.total - inv.paid;
    return {
      id: inv.id,
      status: inv.status,
      invoiceNumber: inv.invoiceNumber,
      invoiceDate: inv.invoiceDate,
      dueDate: inv.dueDate,
      viewUrl: `${url}/invoice/view/${inv.viewToken}`,
      pdfUrl: `${url}/invoice/pdf/${inv.viewToken}`,
      modifiedAt: inv.modifiedAt,
      memo: inv.memo,
      customer: { id: customer.id, name: customer.name, email: customer.email },
      currency: { code: inv.currency, exponent: exponentOf(inv.currency) },
      total: money(inv.total, inv.currency),
      amountDue: money(due > 0n ? due : 0n, inv.currency),
      amountPaid: money(inv.paid, inv.currency),
      taxTotal: money(taxOf(inv), inv.currency),
      items: inv.items.map((item) => ({
        product: { id: item.productId, name: products.get(item.productId)?.name ?? '' },
        description: item.description,
        quantity: item.quantity,
        unitPrice: item.unitPrice,
        subtotal: money(item.total, inv.currency),
        total: money(item.total + item.taxes.reduce((sum, t) => sum + t.amount, 0n), inv.currency),
        taxes: item.taxes.map((t) => ({ amount: money(t.amount, inv.currency), salesTax: { id: t.id, name: t.name } })),
      })),
    };
  };

  const page = <T>(all: T[], variables: Record<string, unknown>) => {
    const size = Math.max(1, Math.min(Number(variables.pageSize ?? 10), 200));
    const current = Math.max(1, Number(variables.page ?? 1));
    const totalPages = Math.max(1, Math.ceil(all.length / size));
    return { pageInfo: { currentPage: current, totalPages, totalCount: all.length }, edges: all.slice((current - 1) * size, current * size).map((node) => ({ node })) };
  };

  const gqlError = (code: string, message: string, path?: string[]) => ({
    status: 200,
    body: { data: null, errors: [{ message, ...(path ? { path } : {}), extensions: { code } }] },
  });
  const refused = (field: string, message: string, path: string[] = ['input'], code = 'INVALID') => ({
    status: 200,
    body: { data: { [field]: { didSucceed: false, inputErrors: [{ code, message, path }] } } },
  });

  function handleGraphQL(req: StubRequest): StubReply {
    const auth = req.headers.authorization ?? '';
    let body: { query?: string; variables?: Record<string, unknown> };
    try {
      body = JSON.parse(req.body) as typeof body;
    } catch {
      return { status: 400, body: { errors: [{ message: 'Body is not valid JSON', extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] } };
    }
    const query = body.query ?? '';
    const variables = body.variables ?? {};
    const head = /^\s*(query|mutation)\s*(\w*)\s*(\(([^)]*)\))?\s*\{\s*(\w+)/.exec(query);
    if (!head) return gqlError('GRAPHQL_PARSE_FAILED', 'Syntax Error: could not parse the document');
    const [, kind, name = '', , declared = '', field = ''] = head;
    // Variables declared non-null must be there.
    for (const m of declared.matchAll(/\$(\w+)\s*:\s*[\w[\]!]+?(!)?\s*(?:,|$)/g)) {
      if (m[2] && (variables[m[1]!] === undefined || variables[m[1]!] === null))
        return gqlError('GRAPHQL_VALIDATION_FAILED', `Variable "$${m[1]}" of required type was not provided.`);
    }
    const nested = field === 'business' ? (/business\s*\(\s*id:\s*\$\w+\s*\)\s*\{\s*(\w+)/.exec(query)?.[1] ?? '') : '';
    requests.push({ operation: name, field: nested ? `business.${nested}` : field, variables });

    if (!auth.startsWith('Bearer ') || !access.has(auth.slice(7))) return gqlError('UNAUTHENTICATED', 'You must be authenticated to access this resource.');
    if (httpFailure && httpFailure.left > 0) {
      httpFailure.left -= 1;
      return { status: httpFailure.status, headers: httpFailure.headers, body: { errors: [{ message: httpFailure.status === 429 ? 'Too many requests' : 'Server error' }] } };
    }
    if (gqlFailure) {
      const f = gqlFailure;
      gqlFailure = null;
      return gqlError(f.code, f.message, [field]);
    }

    const opFailure = opFailures.get(name);
    if (opFailure) {
      opFailures.delete(name);
      const fail = (): StubReply => (opFailure.drop ? { status: 200, drop: true } : gqlError(opFailure.code ?? 'INTERNAL_SERVER_ERROR', 'Internal error', [field]));
      if (!opFailure.after) return fail();
      answer(kind!, field, nested, variables);
      return fail();
    }
    return answer(kind!, field, nested, variables);
  }

  function answer(kind: string, field: string, nested: string, variables: Record<string, unknown>): StubReply {
    if (kind === 'mutation') {
      const input = variables.input as Record<string, unknown> | undefined;
      const allowed = INPUT_FIELDS[field];
      if (!allowed) return gqlError('GRAPHQL_VALIDATION_FAILED', `Cannot query field "${field}" on type "Mutation".`);
      if (!input || typeof input !== 'object') return gqlError('GRAPHQL_VALIDATION_FAILED', 'Variable "$input" of required type was not provided.');
      const unknown = Object.keys(input).find((k) => !allowed.includes(k));
      if (unknown) return gqlError('BAD_USER_INPUT', `Variable "$input" got invalid value; Field "${unknown}" is not defined by the input type.`);
      return mutate(field, input);
    }
    switch (field) {
      case 'businesses':
        return {
          status: 200,
          body: {
            data: {
              businesses: page(
                [...businesses.values()].map((b) => ({ ...b, isArchived: false, currency: { code: b.currency } })),
                variables,
              ),
            },
          },
        };
      case 'currency': {
        const code = String(variables.code ?? '');
        return { status: 200, body: { data: { currency: /^[A-Z]{3}$/.test(code) ? { code, exponent: exponentOf(code) } : null } } };
      }
      case 'business':
        return businessField(nested, variables);
      default:
        return gqlError('GRAPHQL_VALIDATION_FAILED', `Cannot query field "${field}" on type "Query".`);
    }
  }

  function businessField(nested: string, variables: Record<string, unknown>): StubReply {
    const bid = String(variables.businessId ?? '');
    if (!businesses.has(bid))
      return { status: 200, body: { data: { business: null }, errors: [{ message: 'Business not found', path: ['business'], extensions: { code: 'NOT_FOUND' } }] } };
    const wrap = (value: unknown) => ({ status: 200, body: { data: { business: { id: bid, [nested]: value } } } });
    switch (nested) {
      case 'customers': {
        const email = variables.email ? String(variables.email).toLowerCase() : null;
        const list = [...customers.values()].filter((c) => c.businessId === bid && (!email || (c.email ?? '').toLowerCase() === email));
        return wrap(page(list, variables));
      }
      case 'products':
        return wrap(
          page(
            [...products.values()].filter((p) => p.businessId === bid).map((p) => ({ id: p.id, name: p.name, isArchived: false })),
            variables,
          ),
        );
      case 'accounts':
        return wrap(page([{ id: incomeAccounts.get(bid)!, name: 'Sales', isArchived: false, subtype: { value: 'INCOME' } }], variables));
      case 'invoices': {
        const number = variables.invoiceNumber ? String(variables.invoiceNumber) : null;
        const since = variables.invoiceDateStart ? String(variables.invoiceDateStart) : null;
        const status = variables.status ? String(variables.status) : null;
        if (status && !STATUSES.includes(status)) return gqlError('GRAPHQL_VALIDATION_FAILED', `Value "${status}" does not exist in "InvoiceStatus" enum.`);
        const list = [...invoices.values()].filter(
          (i) => i.businessId === bid && (!number || i.invoiceNumber === number) && (!since || i.invoiceDate >= since) && (!status || i.status === status),
        );
        return wrap(page(list.map(invoiceNode), variables));
      }
      case 'invoice': {
        const inv = invoices.get(String(variables.invoiceId ?? ''));
        if (!inv || inv.businessId !== bid)
          return {
            status: 200,
            body: { data: { business: { id: bid, invoice: null } }, errors: [{ message: 'Invoice not found', path: ['business', 'invoice'], extensions: { code: 'NOT_FOUND' } }] },
          };
        return wrap(invoiceNode(inv));
      }
      default:
        return gqlError('GRAPHQL_VALIDATION_FAILED', `Cannot query field "${nested}" on type "Business".`);
    }
  }

  function mutate(field: string, input: Record<string, unknown>): StubReply {
    const ok = (value: Record<string, unknown> = {}) => ({ status: 200, body: { data: { [field]: { didSucceed: true, inputErrors: [], ...value } } } });
    switch (field) {
      case 'customerCreate': {
        const bid = String(input.businessId);
        if (!businesses.has(bid)) return refused(field, 'Business not found', ['input', 'businessId']);
        if (!input.name) return refused(field, 'Name is required', ['input', 'name']);
        const id = opaque('Customer', bid, ++seq);
        const customer = { id, businessId: bid, name: String(input.name), email: input.email ? String(input.email) : null, currency: String(input.currency ?? 'USD') };
        customers.set(id, customer);
        return ok({ customer: { id, name: customer.name, email: customer.email } });
      }
      case 'productCreate': {
        const bid = String(input.businessId);
        if (!businesses.has(bid)) return refused(field, 'Business not found', ['input', 'businessId']);
        if (input.incomeAccountId !== incomeAccounts.get(bid)) return refused(field, 'Income account is not valid for this business', ['input', 'incomeAccountId']);
        const id = opaque('Product', bid, ++seq);
        products.set(id, { id, businessId: bid, name: String(input.name), incomeAccountId: String(input.incomeAccountId) });
        return ok({ product: { id, name: String(input.name), isArchived: false } });
      }
      case 'invoiceCreate': {
        const bid = String(input.businessId);
        const customer = customers.get(String(input.customerId));
        if (!businesses.has(bid) || !customer || customer.businessId !== bid) return refused(field, 'Customer not found', ['input', 'customerId']);
        const items = Array.isArray(input.items) ? (input.items as Record<string, unknown>[]) : [];
        if (items.length === 0) return refused(field, 'An invoice needs at least one item', ['input', 'items']);
        const currency = String(input.currency ?? 'USD');
        const exp = exponentOf(currency);
        const made: FakeWaveInvoice['items'] = [];
        for (const [i, item] of items.entries()) {
          const unknown = Object.keys(item).find((k) => !ITEM_FIELDS.includes(k));
          if (unknown)
            return {
              status: 200,
              body: { data: null, errors: [{ message: `Field "${unknown}" is not defined by type "InvoiceCreateItemInput".`, extensions: { code: 'BAD_USER_INPUT' } }] },
            };
          const product = products.get(String(item.productId));
          if (!product || product.businessId !== bid) return refused(field, 'Product not found', ['input', 'items', String(i), 'productId']);
          const quantity = String(item.quantity ?? '1');
          const unitPrice = String(item.unitPrice);
          if (!DECIMAL.test(quantity) || !DECIMAL.test(unitPrice)) return refused(field, 'Not a valid decimal', ['input', 'items', String(i)]);
          const total = itemTotal(quantity, unitPrice, exp);
          // No `taxes`: the product's default sales taxes; a list: those sales taxes (an empty one: none).
          const defaults = productTaxes.get(product.name);
          let rates = defaults ? [defaults] : [];
          if (item.taxes !== undefined && item.taxes !== null) {
            if (!Array.isArray(item.taxes)) return refused(field, 'Not a list of taxes', ['input', 'items', String(i), 'taxes']);
            const known = [...productTaxes.values()];
            rates = [];
            for (const t of item.taxes as { salesTaxId?: unknown }[]) {
              const found = known.find((k) => k.id === t.salesTaxId);
              if (!found) return refused(field, 'Sales tax not found', ['input', 'items', String(i), 'taxes']);
              rates.push(found);
            }
          }
          const taxes = rates.map((r) => ({ id: r.id, name: r.name, amount: percentOf(total, r.ratePercent) }));
          made.push({ productId: product.id, description: String(item.description ?? product.name), quantity, unitPrice, total, taxes });
        }
        const number = String(input.invoiceNumber ?? `${invoices.size + 1}`);
        if ([...invoices.values()].some((i) => i.businessId === bid && i.invoiceNumber === number))
          return refused(field, 'Invoice number is already in use', ['input', 'invoiceNumber'], 'DUPLICATE');
        const id = opaque('Invoice', bid, ++seq);
        const inv: FakeWaveInvoice = {
          id,
          businessId: bid,
          customerId: customer.id,
          invoiceNumber: number,
          status: input.status === 'SAVED' ? 'SAVED' : 'DRAFT',
          currency,
          invoiceDate: String(input.invoiceDate ?? now().slice(0, 10)),
          dueDate: String(input.dueDate ?? input.invoiceDate ?? now().slice(0, 10)),
          memo: String(input.memo ?? ''),
          items: made,
          total: made.reduce((s, x) => s + x.total + x.taxes.reduce((t, tax) => t + tax.amount, 0n), 0n),
          paid: 0n,
          modifiedAt: now(),
          viewToken: randomBytes(8).toString('hex'),
        };
        invoices.set(id, inv);
        return ok({ invoice: invoiceNode(inv) });
      }
      case 'invoiceApprove': {
        const inv = invoices.get(String(input.invoiceId));
        if (!inv) return refused(field, 'Invoice not found', ['input', 'invoiceId']);
        if (inv.status !== 'DRAFT') return refused(field, 'Invoice is already approved', ['input', 'invoiceId']);
        inv.status = 'SAVED';
        inv.modifiedAt = now();
        return ok();
      }
      case 'invoiceMarkSent': {
        const inv = invoices.get(String(input.invoiceId));
        if (!inv) return refused(field, 'Invoice not found', ['input', 'invoiceId']);
        if (inv.status === 'DRAFT') return refused(field, 'A draft invoice must be approved before it is sent', ['input', 'invoiceId']);
        if (inv.status === 'SAVED') inv.status = 'SENT';
        inv.modifiedAt = now();
        return ok();
      }
      case 'invoiceDelete': {
        const inv = invoices.get(String(input.invoiceId));
        if (!inv) return refused(field, 'Invoice not found', ['input', 'invoiceId']);
        if (inv.status !== 'DRAFT') return refused(field, 'Only draft invoices can be deleted', ['input', 'invoiceId']);
        invoices.delete(inv.id);
        return ok();
      }
      default:
        return gqlError('GRAPHQL_VALIDATION_FAILED', `Cannot query field "${field}" on type "Mutation".`);
    }
  }

  function handleToken(req: StubRequest): StubReply {
    const form = new URLSearchParams(req.body);
    if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) return { status: 401, body: { error: 'invalid_client' } };
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') {
      const code = form.get('code') ?? '';
      const redirect = codes.get(code);
      if (!redirect || redirect !== form.get('redirect_uri')) return { status: 400, body: { error: 'invalid_grant' } };
      codes.delete(code);
    } else if (grant === 'refresh_token') {
      const token = form.get('refresh_token') ?? '';
      if (!refresh.delete(token)) return { status: 400, body: { error: 'invalid_grant' } };
    } else return { status: 400, body: { error: 'unsupported_grant_type' } };
    const t = issueTokens();
    return { status: 200, body: { access_token: t.accessToken, token_type: 'Bearer', expires_in: 7200, refresh_token: t.refreshToken, scope: form.get('scope') ?? '' } };
  }

  const stub = await startStub((req) => {
    if (req.method === 'POST' && req.path === '/graphql/public') return handleGraphQL(req);
    if (req.method === 'POST' && req.path === '/oauth2/token/') return handleToken(req);
    if (req.method === 'GET' && req.path === '/oauth2/authorize/') {
      const redirect = req.query.get('redirect_uri') ?? '';
      if (req.query.get('client_id') !== clientId || !redirect) return { status: 400, body: 'invalid client' };
      const code = `wcode_${randomBytes(8).toString('hex')}`;
      codes.set(code, redirect);
      return { status: 302, headers: { location: `${redirect}?code=${code}&state=${encodeURIComponent(req.query.get('state') ?? '')}` } };
    }
    if (req.method === 'GET' && req.path.startsWith('/invoice/view/')) return { status: 200, body: '<html>Wave invoice</html>' };
    return { status: 404, body: { error: 'not found' } };
  });
  url = `http://127.0.0.1:${stub.port}`;

  return {
    url,
    graphqlUrl: `${url}/graphql/public`,
    authorizeUrl: `${url}/oauth2/authorize/`,
    tokenUrl: `${url}/oauth2/token/`,
    clientId,
    clientSecret,
    businessId,
    businesses,
    customers,
    products,
    invoices,
    requests,
    addBusiness,
    setExponent: (currency, exponent) => void exponents.set(currency, exponent),
    setProductTax(productName, tax) {
      if (!tax) return void productTaxes.delete(productName);
      productTaxes.set(productName, { id: opaque('SalesTax', businessId, ++seq), ...tax });
    },
    issueTokens,
    liveRefreshTokens: () => [...refresh],
    revokeAccessTokens: () => access.clear(),
    revokeRefreshTokens: () => refresh.clear(),
    failNext(count, status, headers = {}) {
      httpFailure = { left: count, status, headers };
    },
    failNextWith(code, message = 'Failure') {
      gqlFailure = { code, message };
    },
    failOperation(operation, failure) {
      opFailures.set(operation, failure);
    },
    pay(invoiceId, amountMinor) {
      const inv = invoices.get(invoiceId);
      if (!inv) throw new Error(`no Wave invoice ${invoiceId}`);
      const iso = ISO_EXPONENTS[inv.currency] ?? 2;
      const exp = exponentOf(inv.currency);
      const amount = amountMinor === undefined ? inv.total - inv.paid : toUnits(decimal(BigInt(amountMinor), iso), exp);
      inv.paid += amount;
      inv.status = statusAfterPayment(inv);
      inv.modifiedAt = now();
    },
    void(invoiceId) {
      invoices.delete(invoiceId);
    },
    seedInvoice(seed) {
      const currency = seed.currency ?? 'USD';
      let customer = [...customers.values()].find((c) => c.businessId === businessId && c.name === seed.customerName);
      if (!customer) {
        const id = opaque('Customer', businessId, ++seq);
        customer = { id, businessId, name: seed.customerName, email: null, currency };
        customers.set(id, customer);
      }
      const id = opaque('Invoice', businessId, ++seq);
      const total = toUnits(decimal(BigInt(seed.amountMinor), ISO_EXPONENTS[currency] ?? 2), exponentOf(currency));
      invoices.set(id, {
        id,
        businessId,
        customerId: customer.id,
        invoiceNumber: seed.invoiceNumber,
        status: 'SENT',
        currency,
        invoiceDate: seed.invoiceDate,
        dueDate: seed.dueDate,
        memo: '',
        items: [],
        total,
        paid: 0n,
        modifiedAt: now(),
        viewToken: randomBytes(8).toString('hex'),
      });
      return id;
    },
    shown(invoiceId) {
      const inv = invoices.get(invoiceId)!;
      const exp = exponentOf(inv.currency);
      return { total: decimal(inv.total, exp), due: decimal(inv.total - inv.paid, exp) };
    },
    close: stub.close,
  };
}

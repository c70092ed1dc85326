import { startStub, type StubReply, type StubRequest } from './http-stub.js';
import { cents, fraction, STATE_RATES, taxOn } from './tax-rates.js';

/**
 * A local stand-in for Avalara AvaTax REST v2, spoken to by the real `avatax` SDK (`environment` = this URL).
 *
 * - Auth: `Authorization: Basic base64(accountId:licenseKey)`; else 401 with an AuthenticationException body.
 * - POST /api/v2/transactions/create: customerCode, date and lines required (ValueRequiredError). Without
 *   `type` a SalesOrder estimate, never stored. Documents kept by (companyCode, code, type): a repeat
 *   overwrites a Saved one, a Committed (or Cancelled) one answers DocumentCodeConflict (303).
 *   Tax per line from the shipTo region (tax-rates.ts), split into jurisdictions in `details` and `summary`.
 * - GET /api/v2/companies/:c/transactions/:code, POST …/:code/commit ({commit: true}) and …/:code/void
 *   ({code: "DocVoided"} → status Cancelled); an unknown code answers EntityNotFoundError.
 * - Errors always as JSON `{error: {code, message, target, details: [{code, number, faultCode, …}]}}` (the
 *   SDK reads only the body). Test hooks: `failNext`, `down(status)` until `up()`: a 503 with a Server fault,
 *   or a 429 whose body is a gateway's plain text, as a rate-limiting proxy answers.
 */
export interface FakeAvalara {
  url: string;
  accountId: string;
  licenseKey: string;
  /** Stored documents by `${companyCode}/${code}`. */
  transactions: Map<string, AvalaraDocument>;
  requests: { method: string; path: string; body: Record<string, unknown> | null }[];
  failNext(count: number, status: number): void;
  down(status?: number): void;
  up(): void;
  close(): Promise<void>;
}

export interface AvalaraDocument {
  id: number;
  code: string;
  companyCode: string;
  type: string;
  status: 'Saved' | 'Committed' | 'Cancelled';
  totalTax: number;
  [key: string]: unknown;
}

const fault = (status: number, code: string, message: string, number: number, faultCode: 'Client' | 'Server', target = 'IncorrectData'): StubReply => ({
  status,
  body: {
    error: {
      code,
      message,
      target,
      details: [{ code, number, message, description: message, faultCode, helpLink: `https://developer.avalara.com/avatax/errors/${code}`, severity: 'Error' }],
    },
  },
});

export async function startFakeAvalara(): Promise<FakeAvalara> {
  const accountId = '1100012345';
  const licenseKey = 'AVALARA0LICENSE0KEY';
  const transactions = new Map<string, AvalaraDocument>();
  const requests: FakeAvalara['requests'] = [];
  let failures: number[] = [];
  let downStatus: number | null = null;
  let nextId = 310_000_000;

  const serverDown = (status: number): StubReply =>
    status === 429
      ? { status: 429, body: 'Too Many Requests', headers: { 'content-type': 'text/plain', 'retry-after': '30' } }
      : fault(status, 'ServerError', 'The service is temporarily unavailable.', 99, 'Server', 'Unknown');

  function handle(req: StubRequest, body: Record<string, unknown>): StubReply {
    const expected = `Basic ${Buffer.from(`${accountId}:${licenseKey}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return fault(401, 'AuthenticationException', 'Authentication failed.', 34, 'Client', 'HttpRequestHeaders');
    if (downStatus) return serverDown(downStatus);
    const failure = failures.shift();
    if (failure) return serverDown(failure);
    if (req.method === 'POST' && req.path === '/api/v2/transactions/create') return create(body);
    const m = /^\/api\/v2\/companies\/([^/]+)\/transactions\/([^/]+?)(?:\/(commit|void))?$/.exec(req.path);
    if (!m) return fault(404, 'EntityNotFoundError', `No route for ${req.method} ${req.path}`, 4, 'Client');
    const key = `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`;
    const doc = transactions.get(key);
    if (!doc) return fault(404, 'EntityNotFoundError', `Transaction with code '${m[2]}' not found.`, 4, 'Client');
    if (req.method === 'GET' && !m[3]) return { status: 200, body: doc };
    if (req.method === 'POST' && m[3] === 'commit') {
      if (body.commit !== true) return fault(400, 'ValueRequiredError', 'Field commit is required.', 5, 'Client');
      if (doc.status === 'Cancelled') return fault(400, 'CannotModifyDeletedTransaction', 'A voided transaction cannot be committed.', 308, 'Client');
      doc.status = 'Committed';
      return { status: 200, body: doc };
    }
    if (req.method === 'POST' && m[3] === 'void') {
      if (body.code !== 'DocVoided' && body.code !== 'DocDeleted' && body.code !== 'PostFailed' && body.code !== 'AdjustmentCancelled')
        return fault(400, 'InvalidEnumValue', `'${String(body.code)}' is not a void reason code.`, 12, 'Client');
      doc.status = 'Cancelled';
      return { status: 200, body: doc };
    }
    return fault(404, 'EntityNotFoundError', `No route for ${req.method} ${req.path}`, 4, 'Client');
  }

  function create(model: Record<string, unknown>): StubReply {
    for (const field of ['customerCode', 'date', 'lines']) if (!model[field]) return fault(400, 'ValueRequiredError', `Field ${field} is required.`, 5, 'Client');
    const type = String(model.type ?? 'SalesOrder');
    const companyCode = String(model.companyCode ?? 'DEFAULT');
    const code = String(model.code ?? `estimate-${nextId}`);
    const key = `${companyCode}/${code}`;
    const existing = transactions.get(key);
    if (type !== 'SalesOrder' && existing && existing.status !== 'Saved')
      return fault(400, 'DocumentCodeConflict', `A transaction with code '${code}' already exists and is committed; adjust or void it instead.`, 303, 'Client');
    const addresses = (model.addresses ?? {}) as Record<string, { region?: string; country?: string; postalCode?: string }>;
    const to = addresses.shipTo ?? addresses.singleLocation;
    if (!to?.region || !to.country) return fault(400, 'InvalidAddress', 'The address is incomplete: region and country are required.', 309, 'Client');
    const jurisdictions = to.country === 'US' ? (STATE_RATES[to.region]?.jurisdictions ?? []) : [];
    const lines = (model.lines as { number?: string; amount?: number; description?: string; taxCode?: string }[]).map((l, i) => {
      const amount = cents(l.amount);
      const details = jurisdictions.map((j) => ({
        jurisName: j.name,
        jurisType: j.type,
        rate: fraction(j.rate),
        tax: taxOn(amount, j.rate) / 100,
        taxName: `${to.region} ${j.type} TAX`,
        region: to.region,
        country: to.country,
      }));
      const tax = details.reduce((sum, d) => sum + cents(d.tax), 0);
      return {
        lineNumber: l.number ?? String(i + 1),
        lineAmount: amount / 100,
        taxableAmount: amount / 100,
        tax: tax / 100,
        taxCalculated: tax / 100,
        exemptAmount: 0,
        description: l.description,
        taxCode: l.taxCode ?? 'P0000000',
        details,
      };
    });
    const totalCents = lines.reduce((sum, l) => sum + cents(l.lineAmount), 0);
    const totalTaxCents = lines.reduce((sum, l) => sum + cents(l.tax), 0);
    const summary = jurisdictions.map((j) => {
      const tax = lines.reduce((sum, l) => sum + cents(l.details.find((d) => d.jurisName === j.name)!.tax), 0);
      return {
        country: to.country,
        region: to.region,
        jurisType: j.type,
        jurisCode: j.name.slice(0, 5),
        jurisName: j.name,
        taxAuthorityType: 45,
        taxType: 'Sales',
        taxName: `${to.region} ${j.type} TAX`,
        rateType: 'General',
        taxable: totalCents / 100,
        rate: fraction(j.rate),
        tax: tax / 100,
        taxCalculated: tax / 100,
        nonTaxable: 0,
        exemption: 0,
      };
    });
    const doc: AvalaraDocument = {
      id: existing?.id ?? nextId++,
      code,
      companyCode,
      type,
      status: model.commit === true ? 'Committed' : 'Saved',
      date: model.date,
      customerCode: model.customerCode,
      referenceCode: model.referenceCode ?? null,
      currencyCode: model.currencyCode ?? 'USD',
      totalAmount: totalCents / 100,
      totalTax: totalTaxCents / 100,
      totalTaxable: totalCents / 100,
      totalExempt: 0,
      totalTaxCalculated: totalTaxCents / 100,
      addresses: Object.values(addresses),
      lines,
      summary,
    };
    if (type !== 'SalesOrder') transactions.set(key, doc);
    return { status: 201, body: doc };
  }

  const stub = await startStub((req) => {
    let body: Record<string, unknown> = {};
    try {
      body = req.body ? (JSON.parse(req.body) as Record<string, unknown>) : {};
    } catch {
      return fault(400, 'JsonFormatError', 'The request body is not valid JSON.', 13, 'Client');
    }
    requests.push({ method: req.method, path: req.path, body: req.body ? body : null });
    return handle(req, body);
  });
  return {
    url: `http://127.0.0.1:${stub.port}`,
    accountId,
    licenseKey,
    transactions,
    requests,
    failNext(count, status) {
      failures = [...failures, ...Array.from({ length: count }, () => status)];
    },
    down(status = 503) {
      downStatus = status;
    },
    up() {
      downStatus = null;
    },
    close: stub.close,
  };
}

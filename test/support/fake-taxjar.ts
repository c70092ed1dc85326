import { startStub, type StubReply, type StubRequest } from './http-stub.js';
import { cents, combinedRate, fraction, STATE_RATES, taxOn, zipMatches } from './tax-rates.js';

/**
 * A local stand-in for the TaxJar API v2, spoken to by the real `taxjar` SDK (`apiUrl`; the SDK adds /v2/).
 *
 * - Auth: `Authorization: Bearer <key>` (or `Token token="<key>"`); else 401 `{error, detail, status}`.
 * - POST /v2/taxes: from_* / nexus_addresses give nexus; to_country and shipping required (400), a US
 *   to_zip that is not in to_state refused (400). Rates per state (tax-rates.ts), tax per line rounded
 *   to the cent; `breakdown.line_items` only with line items and nexus, as TaxJar does. Amounts are JSON floats.
 * - Transactions: POST /v2/transactions/orders (406 on a blank required field, 422 on a repeated
 *   transaction_id), DELETE /v2/transactions/orders/:id (404 when unknown).
 * - Errors as TaxJar sends them: `{error: "Bad Request", detail, status}`. Test hooks: `failNext`,
 *   `down(status)` until `up()`, and the sandbox's `X-TJ-Expected-Response` header.
 */
export interface FakeTaxJar {
  url: string;
  apiKey: string;
  orders: Map<string, Record<string, unknown>>;
  requests: { method: string; path: string; body: Record<string, unknown> | null; status: number }[];
  failNext(count: number, status: number): void;
  down(status?: number): void;
  up(): void;
  close(): Promise<void>;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  406: 'Not Acceptable',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
const error = (status: number, detail: string): StubReply => ({ status, body: { error: REASONS[status] ?? 'Error', detail, status } });

export async function startFakeTaxJar(): Promise<FakeTaxJar> {
  const apiKey = 'taxjar-test-key-0123456789';
  const orders = new Map<string, Record<string, unknown>>();
  const requests: FakeTaxJar['requests'] = [];
  let failures: number[] = [];
  let downStatus: number | null = null;

  function handle(req: StubRequest): StubReply {
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${apiKey}` && auth !== `Token token="${apiKey}"`) return error(401, `Not authorized for route '${req.method} ${req.path}'`);
    const expected = Number(req.headers['x-tj-expected-response']);
    if (expected >= 400) return error(expected, 'Expected response forced by X-TJ-Expected-Response');
    if (downStatus) return downStatus === 429 ? { ...error(429, 'Rate limit exceeded'), headers: { 'retry-after': '30' } } : error(downStatus, 'TaxJar is unavailable');
    const failure = failures.shift();
    if (failure) return error(failure, 'Injected failure');
    if ((req.headers['content-type'] ?? '').split(';')[0] !== 'application/json' && req.method !== 'GET' && req.method !== 'DELETE') return error(406, 'Request body must be JSON');
    let body: Record<string, unknown> = {};
    try {
      body = req.body ? (JSON.parse(req.body) as Record<string, unknown>) : {};
    } catch {
      return error(400, 'Malformed JSON');
    }
    if (req.method === 'POST' && req.path === '/v2/taxes') return taxes(body);
    if (req.method === 'POST' && req.path === '/v2/transactions/orders') return createOrder(body);
    const m = /^\/v2\/transactions\/orders\/([^/]+)$/.exec(req.path);
    if (m && req.method === 'DELETE') {
      const id = decodeURIComponent(m[1]!);
      const order = orders.get(id);
      if (!order) return error(404, `Resource can't be found`);
      orders.delete(id);
      return { status: 200, body: { order: { transaction_id: id } } };
    }
    if (m && req.method === 'GET') {
      const order = orders.get(decodeURIComponent(m[1]!));
      return order ? { status: 200, body: { order } } : error(404, `Resource can't be found`);
    }
    return error(404, `No route for ${req.method} ${req.path}`);
  }

  function taxes(body: Record<string, unknown>): StubReply {
    if (!body.to_country) return error(400, 'to_country is missing');
    if (body.shipping === undefined || body.shipping === null) return error(400, 'shipping is missing');
    const toState = String(body.to_state ?? '');
    if (body.to_country === 'US') {
      if (!body.to_zip) return error(400, 'to_zip is required when to_country is US');
      if (!toState) return error(400, 'to_state is required when to_country is US');
      if (!zipMatches(toState, String(body.to_zip))) return error(400, `to_zip ${String(body.to_zip)} is not used within to_state ${toState}`);
    }
    const nexus = new Set([String(body.from_state ?? ''), ...((body.nexus_addresses as { state?: string }[] | undefined) ?? []).map((n) => String(n.state ?? ''))]);
    if (!body.from_state && !(body.nexus_addresses as unknown[] | undefined)?.length) return error(400, 'No from address, no nexus address, and no address on file');
    const items = (body.line_items as { id: string; quantity?: number; unit_price?: number; discount?: number }[] | undefined) ?? [];
    const lineCents = items.map((l) => cents(l.unit_price ?? 0) * (l.quantity ?? 1) - cents(l.discount ?? 0));
    const total = items.length ? lineCents.reduce((a, b) => a + b, 0) : cents(body.amount);
    const hasNexus = body.to_country === 'US' && nexus.has(toState);
    const rate = hasNexus ? combinedRate(toState) : 0;
    const lineTaxes = lineCents.map((c) => taxOn(c, rate));
    const collect = items.length ? lineTaxes.reduce((a, b) => a + b, 0) : taxOn(total, rate);
    const place = STATE_RATES[toState];
    return {
      status: 200,
      body: {
        tax: {
          order_total_amount: total / 100,
          shipping: Number(body.shipping),
          taxable_amount: hasNexus ? total / 100 : 0,
          amount_to_collect: collect / 100,
          rate: fraction(rate),
          has_nexus: hasNexus,
          freight_taxable: false,
          tax_source: hasNexus ? 'destination' : null,
          jurisdictions: { country: String(body.to_country), state: toState, ...(place ? { county: place.county, city: place.city } : {}) },
          ...(hasNexus && items.length
            ? {
                breakdown: {
                  taxable_amount: total / 100,
                  tax_collectable: collect / 100,
                  combined_tax_rate: fraction(rate),
                  line_items: items.map((l, i) => ({
                    id: String(l.id),
                    taxable_amount: lineCents[i]! / 100,
                    tax_collectable: lineTaxes[i]! / 100,
                    combined_tax_rate: fraction(rate),
                  })),
                },
              }
            : {}),
        },
      },
    };
  }

  function createOrder(body: Record<string, unknown>): StubReply {
    for (const field of ['transaction_id', 'transaction_date', 'to_country', 'to_zip', 'to_state', 'amount', 'shipping', 'sales_tax']) {
      if (body[field] === undefined || body[field] === null || body[field] === '') return error(406, `${field} is missing`);
    }
    const id = String(body.transaction_id);
    if (!/^[A-Za-z0-9_-]+$/.test(id)) return error(400, 'transaction_id may contain letters, digits, _ and - only');
    if (orders.has(id)) return error(422, `Provider tranx already imported for your user account`);
    orders.set(id, { ...body, provider: 'api' });
    return { status: 201, body: { order: { ...body, provider: 'api' } } };
  }

  const stub = await startStub((req) => {
    const reply = handle(req);
    let parsed: Record<string, unknown> | null = null;
    try {
      parsed = req.body ? (JSON.parse(req.body) as Record<string, unknown>) : null;
    } catch {
      parsed = null;
    }
    requests.push({ method: req.method, path: req.path, body: parsed, status: reply.status });
    return reply;
  });
  return {
    url: `http://127.0.0.1:${stub.port}`,
    apiKey,
    orders,
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

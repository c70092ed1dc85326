import { createAvalaraService } from '../../src/providers/tax/avalara.js';
import { createTaxJarService } from '../../src/providers/tax/taxjar.js';
import type { TaxQuoteRequest, TaxService } from '../../src/providers/tax/tax-service.js';
import { startFakeAvalara, type FakeAvalara } from '../support/fake-avalara.js';
import { startFakeTaxJar, type FakeTaxJar } from '../support/fake-taxjar.js';

/** Each tax service through its real SDK against its local stand-in: the same answers in duebot's terms. */
const origin = { from: { line1: '1 Main St', city: 'Albany', region: 'NY', postalCode: '12207', country: 'US' }, nexusStates: ['WA', 'CA'] };

let seq = 0;
const request = (to: TaxQuoteRequest['to']): TaxQuoteRequest => {
  seq += 1;
  return {
    invoiceId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    number: `TX-${seq}`,
    customerCode: 'acme',
    date: '2026-12-03',
    currency: 'USD',
    lines: [
      { description: 'Design', quantity: '1', unitAmount: 120000, amount: 120000 },
      { description: 'Revisions', quantity: '2.5', unitAmount: 12001, amount: 30003 },
    ],
    to,
  };
};
const NYC = { line1: '350 5th Ave', city: 'New York', region: 'NY', postalCode: '10118', country: 'US' };
const SEATTLE = { line1: '400 Broad St', city: 'Seattle', region: 'WA', postalCode: '98109', country: 'US' };
const PORTLAND = { city: 'Portland', region: 'OR', postalCode: '97201', country: 'US' };

describe.each([
  [
    'taxjar',
    async () => {
      const fake = await startFakeTaxJar();
      return { fake, service: createTaxJarService({ apiKey: fake.apiKey, apiUrl: fake.url, origin, timeoutMs: 2000 }) };
    },
  ],
  [
    'avalara',
    async () => {
      const fake = await startFakeAvalara();
      return {
        fake,
        service: createAvalaraService({ accountId: fake.accountId, licenseKey: fake.licenseKey, companyCode: 'DEFAULT', environment: fake.url, origin, timeoutMs: 2000 }),
      };
    },
  ],
] as const)('%s tax service', (name, start) => {
  let fake: FakeTaxJar | FakeAvalara;
  let service: TaxService;
  beforeAll(async () => {
    ({ fake, service } = await start());
  });
  afterAll(async () => fake.close());

  test('two states, two rates: per line and in total, in minor units, with the jurisdiction', async () => {
    const ny = await service.quote(request(NYC));
    // 1,200.00 and 300.03 at 8.875%: 106.50 + 26.63 (26.627 rounded half up per line).
    expect(ny).toEqual({ source: name, lineTaxes: [10650, 2663], amount: 13313, ratePercent: '8.875', jurisdiction: expect.stringContaining('NEW YORK') });
    const wa = await service.quote(request(SEATTLE));
    expect(wa).toMatchObject({ source: name, lineTaxes: [12120, 3030], amount: 15150, ratePercent: '10.1' });
    expect(wa.jurisdiction).toMatch(/SEATTLE|WA/);
  });

  test('a state without sales tax (or nexus) gives zero', async () => {
    expect(await service.quote(request(PORTLAND))).toMatchObject({ amount: 0, lineTaxes: [0, 0] });
  });

  test('a 503 and a 429 are "unavailable" (retry later); a bad address is "rejected"', async () => {
    fake.failNext(1, 503);
    await expect(service.quote(request(NYC))).rejects.toMatchObject({ name: 'TaxServiceError', kind: 'unavailable' });
    fake.down(429);
    await expect(service.quote(request(NYC))).rejects.toMatchObject({ name: 'TaxServiceError', kind: 'unavailable' });
    fake.up();
    const bad = name === 'taxjar' ? { ...NYC, postalCode: '98109' } : { ...NYC, region: '' };
    await expect(service.quote(request(bad))).rejects.toMatchObject({ name: 'TaxServiceError', kind: 'rejected' });
  });

  test('record on send and void are idempotent', async () => {
    const req = request(NYC);
    const quote = await service.quote(req);
    await service.record(req, quote);
    await service.record(req, quote);
    await service.void(req.invoiceId);
    await service.void(req.invoiceId);
    await service.void('00000000-0000-4000-8000-999999999999'); // never recorded
  });
});

describe('avalara transaction lifecycle', () => {
  let fake: FakeAvalara;
  let service: TaxService;
  beforeAll(async () => {
    fake = await startFakeAvalara();
    service = createAvalaraService({ accountId: fake.accountId, licenseKey: fake.licenseKey, companyCode: 'ACME', environment: fake.url, origin, timeoutMs: 2000 });
  });
  afterAll(async () => fake.close());

  test('uncommitted SalesInvoice at the quote (a recompute overwrites it), committed on record, Cancelled on void', async () => {
    const req = request(NYC);
    await service.quote(req);
    await service.quote({ ...req, to: SEATTLE });
    const doc = fake.transactions.get(`ACME/${req.invoiceId}`)!;
    expect(doc).toMatchObject({ type: 'SalesInvoice', status: 'Saved', totalTax: 151.5, referenceCode: req.number });
    const create = fake.requests.find((r) => r.path === '/api/v2/transactions/create')!;
    expect(create.body).toMatchObject({
      type: 'SalesInvoice',
      code: req.invoiceId,
      commit: false,
      lines: [
        { number: '1', amount: 1200 },
        { number: '2', amount: 300.03 },
      ],
    });
    await service.record(req, await service.quote({ ...req, to: SEATTLE }));
    expect(fake.transactions.get(`ACME/${req.invoiceId}`)!.status).toBe('Committed');
    await service.void(req.invoiceId);
    expect(fake.transactions.get(`ACME/${req.invoiceId}`)!.status).toBe('Cancelled');
    const voidCall = fake.requests.find((r) => r.path.endsWith('/void'))!;
    expect(voidCall.body).toEqual({ code: 'DocVoided' });
  });

  test('wrong credentials are rejected, not retried', async () => {
    const wrong = createAvalaraService({ accountId: fake.accountId, licenseKey: 'nope', companyCode: 'ACME', environment: fake.url, origin });
    await expect(wrong.quote(request(NYC))).rejects.toMatchObject({ kind: 'rejected', message: expect.stringContaining('AuthenticationException') });
  });
});

describe('taxjar order on send', () => {
  test('createOrder carries the tax; a repeat (422) counts as done; void deletes it', async () => {
    const fake = await startFakeTaxJar();
    const service = createTaxJarService({ apiKey: fake.apiKey, apiUrl: fake.url, origin });
    const req = request(NYC);
    const quote = await service.quote(req);
    await service.record(req, quote);
    expect(fake.orders.get(req.invoiceId)).toMatchObject({ transaction_id: req.invoiceId, amount: 1500.03, sales_tax: 133.13, shipping: 0, to_state: 'NY' });
    await service.record(req, quote);
    expect(fake.requests.filter((r) => r.path === '/v2/transactions/orders').map((r) => r.status)).toEqual([201, 422]);
    await service.void(req.invoiceId);
    expect(fake.orders.has(req.invoiceId)).toBe(false);
    const wrong = createTaxJarService({ apiKey: 'nope', apiUrl: fake.url, origin });
    await expect(wrong.quote(request(NYC))).rejects.toMatchObject({ kind: 'rejected', status: 401 });
    await fake.close();
  });
});

describe('taxjar credit lines', () => {
  test('a negative line becomes a discount on the others (TaxJar takes no negative line); the order amount still adds up', async () => {
    const fake = await startFakeTaxJar();
    const service = createTaxJarService({ apiKey: fake.apiKey, apiUrl: fake.url, origin });
    const req = {
      ...request(NYC),
      lines: [
        { description: 'Design', quantity: '1', unitAmount: 100000, amount: 100000 },
        { description: 'Build', quantity: '1', unitAmount: 50000, amount: 50000 },
        { description: 'Credit (dispute settlement)', quantity: '1', unitAmount: -30001, amount: -30001 },
      ],
    };
    const quote = await service.quote(req);
    const sent = fake.requests.filter((r) => r.path === '/v2/taxes').at(-1)!.body!;
    // 300.01 off, in proportion: 200.01 and 100.00 (the odd cent to the larger remainder).
    expect(sent.line_items).toEqual([
      { id: '0', quantity: 1, unit_price: 1000, discount: 200.01 },
      { id: '1', quantity: 1, unit_price: 500, discount: 100 },
    ]);
    // 799.99 × 8.875% = 71.00 and 400.00 × 8.875% = 35.50.
    expect(quote).toMatchObject({ lineTaxes: [7100, 3550, 0], amount: 10650 });
    await service.record(req, quote);
    expect(fake.orders.get(req.invoiceId)).toMatchObject({ amount: 1199.99, sales_tax: 106.5 });
    await fake.close();
  });
});

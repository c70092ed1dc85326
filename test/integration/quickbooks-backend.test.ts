import { randomBytes } from 'node:crypto';
import { createQuickBooksBackend, type QuickBooksBackend } from '../../src/providers/invoicing/quickbooks.js';
import { WebhookSignatureError } from '../../src/providers/invoicing/backend.js';
import { createConnectionStore } from '../../src/store/connections.js';
import { createTokenCipher } from '../../src/store/token-cipher.js';
import type { Database } from '../../src/store/db.js';
import { openTestDatabase } from '../support/database.js';
import { forecastNow } from '../../src/usecases/forecast.js';
import { setCashBalance } from '../../src/store/forecast.js';
import { createLogger } from '../../src/log.js';
import type { Services } from '../../src/services.js';
import { startFakeQuickBooks, type FakeQuickBooks } from '../support/fake-quickbooks.js';
import { issueTerms } from '../support/issue-terms.js';
import { Metrics } from '../../src/metrics.js';
import { parseMetrics, total } from '../support/prometheus-text.js';

let db: Database;
let fake: FakeQuickBooks;
let backend: QuickBooksBackend;
let backendOptions: Parameters<typeof createQuickBooksBackend>[0];
beforeAll(async () => {
  db = await openTestDatabase();
  fake = await startFakeQuickBooks();
  const connections = createConnectionStore(db.pool, createTokenCipher(randomBytes(32)));
  await connections.saveTokens('quickbooks', { accountId: fake.realmId, ...fake.issueTokens() }, new Date());
  backendOptions = {
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    redirectUri: 'http://127.0.0.1/cb',
    apiUrl: fake.url,
    tokenUrl: `${fake.url}/oauth2/v1/tokens/bearer`,
    webhookVerifier: fake.verifier,
    connections,
    now: () => new Date(),
  };
  backend = createQuickBooksBackend(backendOptions);
});
afterAll(async () => {
  await fake.close();
  await db.close();
});
afterEach(() => {
  fake.paymentsEnabled = true;
  fake.delayMs = 0;
});

let n = 0;
const req = (over: { emails?: string[]; name?: string } = {}) => {
  n += 1;
  return {
    invoiceId: `00000000-0000-4000-b000-${String(n).padStart(12, '0')}`,
    number: `QB-${n}`,
    customer: { clientId: 'acme', name: over.name ?? "O'Brien & Co", emails: over.emails ?? ['ap@obrien.example'], providerCustomerId: null },
    currency: 'USD',
    lines: [{ description: 'Hours', quantity: '2', unitAmount: 12345, amount: 24690 }],
    ...issueTerms(14),
    memo: 'Milestone 1',
    metadata: {},
  };
};

test('creates customer (by DisplayName) and invoice with DocNumber, requestid, decimal amounts; the link comes from invoiceLink', async () => {
  const r = { ...req(), lines: [{ description: 'Design', quantity: '3', unitAmount: 50050, amount: 150150 }] };
  const issued = await backend.issueInvoice(r);
  const create = fake.requests.find((x) => x.method === 'POST' && x.path.endsWith('/invoice'))!;
  expect(create.query.get('requestid')).toBe(`duebot-${r.invoiceId}-a0`);
  // duebot's number and pinned dates, as sent (QuickBooks keeps DocNumber with custom transaction numbers on).
  expect(create.body).toMatchObject({
    DocNumber: r.number,
    TxnDate: r.issueDate,
    DueDate: r.dueDate,
    BillEmail: { Address: 'ap@obrien.example' },
    Line: [{ Amount: 1501.5, SalesItemLineDetail: { Qty: 3, UnitPrice: 500.5, TaxCodeRef: { value: 'NON' } } }],
  });
  expect(issued).toMatchObject({ status: 'open', number: r.number, amountDue: 150150, paymentUrl: `${fake.url}/comm/pay/${issued.providerInvoiceId}` });
  expect([...fake.customers.values()].map((c) => c.DisplayName)).toContain("O'Brien & Co");
  // Same DisplayName again: found by query (quote escaped), not created twice.
  await backend.issueInvoice({ ...req(), lines: r.lines });
  expect([...fake.customers.values()].filter((c) => c.DisplayName === "O'Brien & Co")).toHaveLength(1);
});

test('without QuickBooks Payments there is no payment link', async () => {
  fake.paymentsEnabled = false;
  const issued = await backend.issueInvoice({ ...req({ name: 'No Payments Ltd' }), lines: [{ description: 'x', quantity: '1', unitAmount: 1000, amount: 1000 }] });
  expect(issued.paymentUrl).toBeNull();
});

test('legacy and CloudEvents webhooks are verified and mapped; payments resolve to their invoice', async () => {
  const issued = await backend.issueInvoice({ ...req({ name: 'Hook Co' }), lines: [{ description: 'x', quantity: '1', unitAmount: 1000, amount: 1000 }] });
  const { paymentId } = fake.pay(issued.providerInvoiceId);
  const legacy = fake.signed({
    eventNotifications: [
      {
        realmId: fake.realmId,
        dataChangeEvent: {
          entities: [
            { name: 'Payment', id: paymentId, operation: 'Create', lastUpdated: '2026-11-10T18:22:01.000Z' },
            { name: 'Invoice', id: issued.providerInvoiceId, operation: 'Void', lastUpdated: '2026-11-10T18:22:02.000Z' },
            { name: 'Customer', id: '1', operation: 'Update', lastUpdated: '2026-11-10T18:22:03.000Z' },
          ],
        },
      },
    ],
  });
  const events = backend.parseWebhookEvents!(Buffer.from(legacy.body), legacy.headers);
  expect(events.map((e) => [e.kind, e.providerInvoiceId, e.subject?.id ?? null])).toEqual([
    ['payment', null, paymentId],
    ['voided', issued.providerInvoiceId, null],
    ['ignored', null, null],
  ]);
  expect(events[0]!.eventId).toBe(`${fake.realmId}:Payment:${paymentId}:Create:2026-11-10T18:22:01.000Z`);
  expect(await backend.resolveInvoiceId!(events[0]!)).toBe(issued.providerInvoiceId);

  const cloud = fake.signed([
    {
      specversion: '1.0',
      id: 'e1',
      type: 'qbo.payment.created.v1',
      time: '2026-11-10T18:22:01Z',
      intuitentityid: paymentId,
      intuitaccountid: fake.realmId,
      datacontenttype: 'application/json',
      data: {},
    },
  ]);
  expect(backend.parseWebhook(Buffer.from(cloud.body), cloud.headers)).toMatchObject({ eventId: 'e1', kind: 'payment', subject: { type: 'payment', id: paymentId } });

  const forged = fake.signed([{ id: 'e2', type: 'qbo.payment.created.v1', intuitentityid: '1' }], 'not-the-verifier');
  expect(() => backend.parseWebhook(Buffer.from(forged.body), forged.headers)).toThrow(WebhookSignatureError);
  expect(() => backend.parseWebhook(Buffer.from(cloud.body), {})).toThrow(/missing intuit-signature/);
  expect(() => backend.parseWebhook(Buffer.from(cloud.body.replace('e1', 'e9')), cloud.headers)).toThrow(WebhookSignatureError);
});

test('a credit memo applied in QuickBooks (a $0 payment linking it) is a credit, not money; its webhook resolves to the invoice', async () => {
  const issued = await backend.issueInvoice({ ...req({ name: 'Memo Co' }), lines: [{ description: 'x', quantity: '1', unitAmount: 100000, amount: 100000 }] });
  const { creditMemoId, paymentId } = fake.creditMemo(issued.providerInvoiceId, 25000);
  fake.pay(issued.providerInvoiceId, 30000);
  expect(await backend.fetchInvoice(issued.providerInvoiceId)).toMatchObject({
    status: 'open',
    amountDue: 100000,
    amountPaid: 30000,
    amountCredited: 25000,
    amountRemaining: 45000,
    credits: [{ id: `Payment/${paymentId}`, amount: 25000 }],
  });
  const delivery = fake.signed([
    { specversion: '1.0', id: 'm1', type: 'qbo.creditmemo.created.v1', time: '2026-11-10T18:22:01Z', intuitentityid: creditMemoId, intuitaccountid: fake.realmId, data: {} },
  ]);
  const [event] = backend.parseWebhookEvents!(Buffer.from(delivery.body), delivery.headers);
  expect(event).toMatchObject({ kind: 'credit', providerInvoiceId: null, subject: { type: 'credit_memo', id: creditMemoId } });
  expect(await backend.resolveInvoiceId!(event!)).toBe(issued.providerInvoiceId);
});

test('never more than 10 requests in flight per realm', async () => {
  const issued = await backend.issueInvoice({ ...req({ name: 'Busy Co' }), lines: [{ description: 'x', quantity: '1', unitAmount: 1000, amount: 1000 }] });
  // Slow answers so requests pile up; without the limiter all 30 would be in flight at once.
  fake.delayMs = 200;
  fake.peakInFlight = 0;
  await Promise.all(Array.from({ length: 30 }, () => backend.fetchInvoice(issued.providerInvoiceId)));
  expect(fake.peakInFlight).toBeLessThanOrEqual(10);
  expect(fake.peakInFlight).toBeGreaterThanOrEqual(5);
});

test('a 429 carries Retry-After; a Fault with 400 is invalid and not retryable', async () => {
  fake.failNext(1, 429, { 'retry-after': '60' });
  await expect(backend.fetchInvoice('1')).rejects.toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 60_000 });
  await expect(backend.fetchInvoice('nope')).rejects.toMatchObject({ code: 'invalid', retryable: false, status: 400, message: expect.stringMatching(/Object Not Found/) });
});

test('connect: code exchange keeps the realm id', async () => {
  const result = await backend.exchangeCode('qbo-code', fake.realmId);
  expect(result).toMatchObject({ accountId: fake.realmId, accessToken: expect.stringMatching(/^qboat_/) });
  await expect(backend.exchangeCode('qbo-code', fake.realmId)).rejects.toMatchObject({ status: 400 });
  expect(backend.authorizeUrl('s1')).toMatch(/^https:\/\/appcenter\.intuit\.com\/connect\/oauth2\?client_id=ABqbo-client.*state=s1/);
});

test('change-data-capture names the invoices that changed since the last poll', async () => {
  const a = await backend.issueInvoice({ ...req({ name: 'Cdc A' }), lines: [{ description: 'x', quantity: '1', unitAmount: 1000, amount: 1000 }] });
  const b = await backend.issueInvoice({ ...req({ name: 'Cdc B' }), lines: [{ description: 'x', quantity: '1', unitAmount: 1000, amount: 1000 }] });
  await backend.changedSinceLastPoll!();
  fake.pay(a.providerInvoiceId, 500);
  const changed = await backend.changedSinceLastPoll!();
  expect(changed?.has(a.providerInvoiceId)).toBe(true);
  expect(changed?.has(b.providerInvoiceId)).toBe(false);
  const cdc = fake.requests.filter((r) => r.path.endsWith('/cdc')).at(-1)!;
  expect(cdc.query.get('entities')).toBe('Invoice,Payment');
  fake.failNext(1, 503);
  expect(await backend.changedSinceLastPoll!()).toBeNull();
});

test('an invoice with our DocNumber on another customer is not taken for ours', async () => {
  const one = (name: string) => ({ ...req({ name }), number: 'QB-SAME', lines: [{ description: 'x', quantity: '1', unitAmount: 1000, amount: 1000 }] });
  const theirs = await backend.issueInvoice(one('Someone Else'));
  const ours = await backend.issueInvoice(one('Us Ltd'));
  expect(ours.providerInvoiceId).not.toBe(theirs.providerInvoiceId);
  const query = fake.requests
    .filter((r) => r.path.endsWith('/query'))
    .map((r) => r.query.get('query'))
    .find((q) => q?.includes('QB-SAME'));
  expect(query).toMatch(/from invoice where DocNumber = 'QB-SAME' and CustomerRef = '\d+'/);
});

test('bank accounts give the forecast its starting balance per currency, unless one was set in Slack', async () => {
  fake.addBankAccount('Checking', 1_250_050);
  fake.addBankAccount('Savings', 500_000);
  fake.addBankAccount('Euro account', 99_999, 'EUR');
  expect((await backend.bankBalances!()).sort((a, b) => a.currency.localeCompare(b.currency))).toEqual([
    { currency: 'EUR', amount: 99_999, accounts: 1 },
    { currency: 'USD', amount: 1_750_050, accounts: 2 },
  ]);

  const clock = { now: () => new Date('2026-12-01T12:00:00Z') };
  const services = { db, clock, settings: { timezone: 'UTC' }, projectTools: {}, backends: { quickbooks: backend }, log: createLogger('silent') } as unknown as Services;
  const read = await forecastNow(services);
  expect(read.currencies.map((c) => [c.forecast.currency, c.startingBalance, c.balanceSource])).toEqual([
    ['EUR', 99_999, 'QuickBooks bank account'],
    ['USD', 1_750_050, 'QuickBooks bank accounts'],
  ]);
  await setCashBalance(db.pool, { currency: 'USD', amount: 42_00, setAt: clock.now(), setBy: 'test' });
  const usd = (await forecastNow(services)).currencies.find((c) => c.forecast.currency === 'USD')!;
  expect([usd.startingBalance, usd.balanceSource]).toEqual([42_00, undefined]);
});

test('every API call is told to the metrics, one per request, by operation and status', async () => {
  const metrics = new Metrics({ defaultMetrics: false });
  const observed = createQuickBooksBackend({ ...backendOptions, observe: metrics.for('quickbooks') });
  const before = fake.requests.length;
  const issued = await observed.issueInvoice(req());
  await observed.fetchInvoice(issued.providerInvoiceId);
  const samples = parseMetrics(await metrics.render({ database: null }));
  expect(total(samples, 'duebot_provider_calls_total', { provider: 'quickbooks' })).toBe(fake.requests.length - before);
  expect(total(samples, 'duebot_provider_calls_total', { provider: 'quickbooks', status: 'ok' })).toBe(fake.requests.length - before);
  expect(total(samples, 'duebot_provider_calls_total', { provider: 'quickbooks', operation: 'create invoice', status: 'ok' })).toBe(1);
  expect(total(samples, 'duebot_provider_calls_total', { provider: 'quickbooks', operation: 'get invoice' })).toBeGreaterThanOrEqual(1);
  expect(total(samples, 'duebot_rate_limit_waits_total')).toBe(0);
});

import Stripe from 'stripe';
import { createStripeBackend, stripeConnection, stripeDueDate, toBackendError } from '../../src/providers/invoicing/stripe.js';
import type { IssueInvoiceRequest } from '../../src/providers/invoicing/backend.js';
import { isDefiniteFailure } from '../../src/providers/invoicing/errors.js';
import { startFakeStripe, type FakeStripe } from '../support/fake-stripe.js';
import { issueTerms } from '../support/issue-terms.js';
import { keysReusedWithOtherParameters } from '../support/idempotency.js';

/**
 * Idempotency keys per issue attempt (docs/billing.md "Issuing at the back-end"): a stored failure is
 * left behind by the next attempt, an unknown outcome is retried under the same keys with the same
 * parameters, and the invoice stays single. The fake runs with Stripe's search lag (a minute), so only
 * the consistent list calls can find what an earlier attempt made.
 */
let fake: FakeStripe;
let sdk: Stripe;
beforeEach(async () => {
  fake = await startFakeStripe({ searchDelayMs: 60_000 });
  sdk = new Stripe('sk_test_setup', { maxNetworkRetries: 0, ...stripeConnection(fake.url) });
});
afterEach(async () => fake.close());

const backend = () => createStripeBackend({ secretKey: 'sk_test_duebot', webhookSecret: fake.webhookSecret, apiUrl: fake.url });
const request = (over: Partial<IssueInvoiceRequest> = {}): IssueInvoiceRequest => ({
  invoiceId: '00000000-0000-4000-8000-00000000a001',
  number: 'INV-0042',
  customer: { clientId: 'acme', name: 'Acme Ltd', emails: ['ap@acme.example'], providerCustomerId: null },
  currency: 'USD',
  lines: [{ description: 'Design', quantity: '1', unitAmount: 100000, amount: 100000 }],
  ...issueTerms(14),
  memo: 'Milestone 1',
  metadata: {},
  ...over,
});
/** The customer as the Dashboard left it: duebot's client id, and the Tax Rates it should get. */
const customerWithRates = (...rates: string[]) =>
  sdk.customers.create({ name: 'Acme Ltd', email: 'ap@acme.example', metadata: { duebot_client_id: 'acme', tax_rates: rates.join(',') } });
const invoicesOf = (invoiceId: string) => [...fake.invoices.values()].filter((i) => (i.metadata as Record<string, string>).duebot_invoice_id === invoiceId);
const failureOf = (work: Promise<unknown>) =>
  work.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
/** Every idempotency key the fake saw was sent with one set of parameters, and none was refused for it. */
function expectKeysNeverReused() {
  expect(keysReusedWithOtherParameters(fake.requests)).toEqual([]);
  expect(fake.requests.filter((r) => r.errorType === 'idempotency_error')).toEqual([]);
}

test('a create refused for an archived tax rate is replayed under its key after the fix; the next attempt makes the one invoice', async () => {
  const vat = fake.createTaxRate('VAT', '20');
  fake.setTaxRateActive(vat, false);
  await customerWithRates(vat);
  const refused = await failureOf(backend().issueInvoice(request()));
  expect(refused).toMatchObject({ name: 'BackendError', status: 400, code: 'invalid' });
  expect(isDefiniteFailure(refused)).toBe(true);

  fake.setTaxRateActive(vat, true); // the cause is fixed in the Dashboard
  // Stripe stored the 400 under attempt 0's key: asking again there gets the same answer, for 24 hours.
  expect(await failureOf(backend().issueInvoice(request()))).toMatchObject({ status: 400 });
  expect(fake.requests.at(-1)).toMatchObject({ path: '/v1/invoices', status: 400, idempotencyKey: 'duebot-invoice-00000000-0000-4000-8000-00000000a001-a0' });

  const issued = await backend().issueInvoice(request({ attempt: 1 }));
  expect(issued).toMatchObject({ status: 'open', number: 'INV-0042', amountDue: 120000, tax: { amount: 20000, name: 'VAT' } });
  expect(invoicesOf(request().invoiceId)).toHaveLength(1);
  expect(fake.customers.size).toBe(1);
  expectKeysNeverReused();
});

test('a 500 Stripe stored is replayed by the SDK; it is a definite failure and the next attempt makes one invoice', async () => {
  fake.failNext(1, 500, undefined, { path: '/v1/invoices', method: 'POST', saved: true });
  const failed = await failureOf(backend().issueInvoice(request()));
  expect(failed).toMatchObject({ status: 500, retryable: true });
  expect(isDefiniteFailure(failed)).toBe(true);
  // The SDK's own retries went out under the same key and got the stored 500 back.
  expect(fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/invoices').map((r) => r.status)).toEqual([500, 500, 500]);

  expect(await backend().issueInvoice(request({ attempt: 1 }))).toMatchObject({ status: 'open', number: 'INV-0042' });
  expect(invoicesOf(request().invoiceId)).toHaveLength(1);
  expectKeysNeverReused();
});

test('an answer lost after the create ran is an unknown outcome: the retry under the same attempt finds the draft, even after a tax-rate change', async () => {
  const before = fake.createTaxRate('Sales tax', '5');
  const customer = await customerWithRates(before);
  fake.failNext(3, 0, undefined, { path: '/v1/invoices', method: 'POST', drop: true });
  const lost = await failureOf(backend().issueInvoice(request()));
  expect(lost).toMatchObject({ name: 'BackendError', code: 'unavailable', status: null });
  expect(isDefiniteFailure(lost)).toBe(false);
  expect(invoicesOf(request().invoiceId).map((i) => i.status)).toEqual(['draft']);

  // The customer's rate changes before the retry: a create now would carry other parameters.
  await sdk.customers.update(customer.id, { metadata: { tax_rates: fake.createTaxRate('Sales tax', '8') } });
  const issued = await backend().issueInvoice(request());
  expect(issued).toMatchObject({ status: 'open', number: 'INV-0042', amountDue: 105000 }); // the draft's own rate
  expect(invoicesOf(request().invoiceId)).toHaveLength(1);
  expect(fake.requests.filter((r) => r.status === 400)).toEqual([]);
  expectKeysNeverReused();
});

test('a new attempt after a failure half-way reuses the draft and adds only the missing lines', async () => {
  const lines = [
    { description: 'Design', quantity: '1', unitAmount: 100000, amount: 100000 },
    { description: 'Build', quantity: '1', unitAmount: 50000, amount: 50000 },
  ];
  fake.failNext(1, 400, undefined, { path: '/v1/invoiceitems', method: 'POST', saved: true });
  await customerWithRates();
  // The draft is made, its first line refused (and the refusal stored) by Stripe.
  await failureOf(backend().issueInvoice(request({ lines })));
  const issued = await backend().issueInvoice(request({ lines, attempt: 1 }));
  expect(issued).toMatchObject({ status: 'open', amountDue: 150000 });
  expect(invoicesOf(request().invoiceId)).toHaveLength(1);
  expect(fake.invoiceItems.size).toBe(2);
  expectKeysNeverReused();
});

test("a draft left by an earlier attempt gets the new attempt's pinned due date before it is finalized", async () => {
  await customerWithRates();
  fake.failNext(1, 400, undefined, { path: '/v1/invoiceitems', method: 'POST', saved: true });
  await failureOf(backend().issueInvoice(request()));
  const later = issueTerms(21);
  const issued = await backend().issueInvoice(request({ ...later, attempt: 1 }));
  expect(fake.invoices.get(issued.providerInvoiceId)).toMatchObject({ status: 'open', due_date: stripeDueDate(later.dueDate, 'UTC') });
  expect(fake.requests.filter((r) => r.method === 'POST' && r.path === `/v1/invoices/${issued.providerInvoiceId}`).map((r) => r.idempotencyKey)).toEqual([
    'duebot-due-date-00000000-0000-4000-8000-00000000a001-a1',
  ]);
  expectKeysNeverReused();
});

test('the same key with other parameters is an idempotency_error, a definite failure; keys live 24 hours', async () => {
  let now = Date.now();
  const clocked = await startFakeStripe({ now: () => now });
  try {
    const client = new Stripe('sk_test_setup', { maxNetworkRetries: 0, ...stripeConnection(clocked.url) });
    await client.customers.create({ name: 'A' }, { idempotencyKey: 'k1' });
    const err = await client.customers.create({ name: 'B' }, { idempotencyKey: 'k1' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'StripeIdempotencyError', statusCode: 400 });
    expect(clocked.requests.at(-1)).toMatchObject({ status: 400, errorType: 'idempotency_error' });
    expect(isDefiniteFailure(toBackendError('create customer', err))).toBe(true);
    now += 24 * 60 * 60 * 1000;
    expect((await client.customers.create({ name: 'B' }, { idempotencyKey: 'k1' })).name).toBe('B');
  } finally {
    await clocked.close();
  }
});

test('Stripe gets the pinned due date as the last second of that day in the business time zone', () => {
  expect(new Date(stripeDueDate('2026-12-10', 'America/New_York') * 1000).toISOString()).toBe('2026-12-11T04:59:59.000Z');
  expect(new Date(stripeDueDate('2026-12-10', 'UTC') * 1000).toISOString()).toBe('2026-12-10T23:59:59.000Z');
});

import { openTestDatabase } from '../support/database.js';
import { insertOpenInvoices, seedOpenStripeInvoices } from '../support/open-invoices.js';
import { startFakeStripe } from '../support/fake-stripe.js';
import { createStripeBackend } from '../../src/providers/invoicing/stripe.js';
import type { Database } from '../../src/store/db.js';
import type { Services } from '../../src/services.js';
import { createLogger } from '../../src/log.js';
import { upsertClients } from '../../src/store/clients.js';
import { BackendError } from '../../src/providers/invoicing/errors.js';
import type { BackendInvoice, InvoicingBackend } from '../../src/providers/invoicing/backend.js';
import { pollOpenInvoices, type PollOptions } from '../../src/usecases/poll-payments.js';
import { DEFAULT_REMINDER_SCHEDULE, type Client } from '../../src/domain/types.js';

/**
 * The payment poll over a real database holding 2,500 open invoices on three back-ends: every one is
 * read exactly once in one run (paged, no cap), each back-end within its concurrency, and a 429 from
 * one back-end defers only that one's remaining invoices. The back-ends here are stand-ins at the
 * port (counting reads); the real adapters against their fakes are covered by test/e2e/payment-polling.
 */

const OPEN = { stripe: 1000, quickbooks: 1000, freshbooks: 500 } as const;
const CONCURRENCY = 5;
const fastLimits = { concurrency: CONCURRENCY, perWindow: 10_000, windowMs: 1000 };
const options: PollOptions = { pageSize: 400, limits: { stripe: fastLimits, quickbooks: fastLimits, freshbooks: fastLimits } };

/** An invoicing back-end that answers every read with "still open, nothing paid" and counts them. */
class CountingBackend {
  reads: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Read number (1-based) from which this back-end answers 429; null = never. */
  rateLimitFrom: number | null = null;
  constructor(readonly name: string) {}
  async fetchInvoice(providerInvoiceId: string): Promise<BackendInvoice> {
    this.reads.push(providerInvoiceId);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.rateLimitFrom !== null && this.reads.length >= this.rateLimitFrom) {
        throw new BackendError(`${this.name} read failed (429)`, 'rate_limited', true, { status: 429, retryAfterMs: 1000 });
      }
      return {
        providerInvoiceId,
        providerCustomerId: 'cus_1',
        status: 'open',
        currency: 'USD',
        amountDue: 10_000,
        amountPaid: 0,
        amountCredited: 0,
        amountRemaining: 10_000,
        paymentUrl: null,
        pdfUrl: null,
        metadata: {},
      };
    } finally {
      this.inFlight -= 1;
    }
  }
}

const client: Client = {
  id: 'acme',
  name: 'Acme Ltd',
  emails: ['ap@acme.example'],
  currency: 'USD',
  paymentTermsDays: 7,
  provider: 'stripe',
  asanaProjectGids: [],
  reminderSchedule: [...DEFAULT_REMINDER_SCHEDULE],
  finalMode: 'pause',
  autoSend: false,
};
const now = new Date('2026-03-02T15:00:00Z');

let db: Database;
let backends: Record<string, Pick<InvoicingBackend, 'name' | 'fetchInvoice' | 'listOpenInvoices'>>;
const services = () => ({ db, clock: { now: () => new Date(now) }, backends, log: createLogger('silent') }) as unknown as Services;

async function openIds(provider: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ provider_invoice_id: string }>(
    "SELECT provider_invoice_id FROM invoices WHERE provider = $1 AND status IN ('sent', 'partially_paid') AND source <> 'import' ORDER BY provider_invoice_id",
    [provider],
  );
  return rows.map((r) => r.provider_invoice_id);
}

beforeAll(async () => {
  db = await openTestDatabase();
  await upsertClients(db.pool, [client], now);
  for (const [provider, count] of Object.entries(OPEN)) {
    await insertOpenInvoices(db.pool, { clientId: 'acme', provider, count: count - 100, status: 'sent', now });
    await insertOpenInvoices(db.pool, { clientId: 'acme', provider, count: 100, status: 'partially_paid', now });
    // Neither settled nor imported invoices are read.
    await insertOpenInvoices(db.pool, { clientId: 'acme', provider, count: 20, status: 'paid', now });
    await insertOpenInvoices(db.pool, { clientId: 'acme', provider, count: 20, status: 'sent', source: 'import', now });
  }
}, 60_000);
afterAll(async () => db.close());
beforeEach(() => {
  backends = { stripe: new CountingBackend('stripe'), quickbooks: new CountingBackend('quickbooks'), freshbooks: new CountingBackend('freshbooks') };
});

test('2,500 open invoices are all read in one run, once each, paged, within each back-end concurrency', async () => {
  let pages = 0;
  const report = await pollOpenInvoices(services(), { ...options, onPage: async () => void (pages += 1) });
  expect(pages).toBe(Math.ceil(2500 / options.pageSize!)); // 400 a page: 7 pages, the last one partial
  for (const [provider, count] of Object.entries(OPEN) as [keyof typeof OPEN, number][]) {
    const backend = backends[provider] as CountingBackend;
    expect(backend.reads).toHaveLength(count);
    expect([...backend.reads].sort()).toEqual(await openIds(provider));
    expect(backend.maxInFlight).toBeLessThanOrEqual(CONCURRENCY);
  }
  expect((backends.stripe as CountingBackend).maxInFlight).toBe(CONCURRENCY); // reads do run side by side
  expect(report).toEqual({ changed: 0, checked: { ...OPEN }, rateLimited: [], deferred: {}, failed: 0 });
}, 60_000);

test('a 429 from one back-end stops only its poll for this run; the next run reads what it left', async () => {
  const stripe = backends.stripe as CountingBackend;
  stripe.rateLimitFrom = 300;
  const first = await pollOpenInvoices(services(), options);
  expect(first.rateLimited).toEqual(['stripe']);
  expect(first.checked.quickbooks).toBe(OPEN.quickbooks);
  expect(first.checked.freshbooks).toBe(OPEN.freshbooks);
  // No read starts after the 429; the ones already in flight (at most the concurrency) finish.
  expect(stripe.reads.length).toBeGreaterThanOrEqual(300);
  expect(stripe.reads.length).toBeLessThan(300 + CONCURRENCY);
  expect(first.checked.stripe! + first.deferred.stripe!).toBe(OPEN.stripe);
  expect(first.failed).toBe(0);

  backends.stripe = new CountingBackend('stripe');
  const next = await pollOpenInvoices(services(), options);
  expect(next.rateLimited).toEqual([]);
  expect(next.checked.stripe).toBe(OPEN.stripe);
}, 60_000);

test('Stripe, through the real SDK: the open invoices are listed 100 a page; only those missing from the listing are read', async () => {
  const fake = await startFakeStripe();
  try {
    const stripe = createStripeBackend({ secretKey: 'sk_test_poll', webhookSecret: fake.webhookSecret, apiUrl: fake.url });
    const ids = await seedOpenStripeInvoices(fake, stripe, OPEN.stripe);
    // Stored with the stand-in's ids in place of the other Stripe rows; two of them have left the open listing.
    await db.pool.query("DELETE FROM invoices WHERE provider = 'stripe'");
    await insertOpenInvoices(db.pool, { clientId: 'acme', provider: 'stripe', count: OPEN.stripe, status: 'sent', providerIds: ids, now });
    for (const id of ids.slice(1, 3)) fake.invoices.set(id, { ...fake.invoices.get(id)!, status: 'draft' });
    backends.stripe = stripe;
    const mark = fake.requests.length;

    const report = await pollOpenInvoices(services(), options);
    const traffic = fake.requests.slice(mark).map((r) => `${r.method} ${r.path}${r.query.status ? `?status=${String(r.query.status)}` : ''}`);
    expect(traffic.filter((t) => t === 'GET /v1/invoices?status=open')).toHaveLength(OPEN.stripe / 100);
    expect(traffic.filter((t) => t.startsWith('GET /v1/invoices/')).sort()).toEqual(
      ids
        .slice(1, 3)
        .map((id) => `GET /v1/invoices/${id}`)
        .sort(),
    );
    expect(traffic).toHaveLength(OPEN.stripe / 100 + 2);
    expect(report.checked).toEqual({ ...OPEN });
  } finally {
    await fake.close();
  }
}, 60_000);

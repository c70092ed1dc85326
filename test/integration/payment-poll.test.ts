import { openTestDatabase } from '../support/database.js';
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
      return { providerInvoiceId, providerCustomerId: 'cus_1', status: 'open', currency: 'USD', amountDue: 10_000, amountPaid: 0, amountRemaining: 10_000, paymentUrl: null, pdfUrl: null, metadata: {} };
    } finally {
      this.inFlight -= 1;
    }
  }
}

const client: Client = {
  id: 'acme', name: 'Acme Ltd', emails: ['ap@acme.example'], currency: 'USD', paymentTermsDays: 7, provider: 'stripe',
  asanaProjectGids: [], reminderSchedule: [...DEFAULT_REMINDER_SCHEDULE], finalMode: 'pause', autoSend: false,
};
const now = new Date('2026-03-02T15:00:00Z');

let db: Database;
let backends: Record<keyof typeof OPEN, CountingBackend>;
const services = () => ({ db, clock: { now: () => new Date(now) }, backends, log: createLogger('silent') }) as unknown as Services;

/** `count` invoices at `provider` in `status`, numbers and provider ids (`<provider>_<seq>`) unique across calls. */
async function insertInvoices(provider: string, count: number, status: string, source = 'asana'): Promise<void> {
  await db.pool.query(
    `INSERT INTO invoices (id, seq, number, client_id, source, source_ref, milestone, currency, lines, total, amount_paid, due_date, status, recipients, provider, provider_invoice_id, created_at, updated_at)
     SELECT gen_random_uuid(), base + n, 'INV-' || (base + n), 'acme', $4, $1 || '-' || (base + n), 'Milestone', 'USD', '[]'::jsonb, 10000,
            CASE WHEN $3 = 'partially_paid' THEN 2500 ELSE 0 END, '2026-03-09', $3, ARRAY['ap@acme.example'], $1, $1 || '_' || (base + n), $5, $5
     FROM generate_series(1, $2::int) AS n, (SELECT coalesce(max(seq), 0) AS base FROM invoices) AS b`,
    [provider, count, status, source, now],
  );
}

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
    await insertInvoices(provider, count - 100, 'sent');
    await insertInvoices(provider, 100, 'partially_paid');
    // Neither settled nor imported invoices are read.
    await insertInvoices(provider, 20, 'paid');
    await insertInvoices(provider, 20, 'sent', 'import');
  }
}, 60_000);
afterAll(async () => db.close());
beforeEach(() => {
  backends = { stripe: new CountingBackend('stripe'), quickbooks: new CountingBackend('quickbooks'), freshbooks: new CountingBackend('freshbooks') };
});

test('2,500 open invoices are all read in one run, once each, paged, within each back-end concurrency', async () => {
  const report = await pollOpenInvoices(services(), options);
  for (const [provider, count] of Object.entries(OPEN) as [keyof typeof OPEN, number][]) {
    const backend = backends[provider];
    expect(backend.reads).toHaveLength(count);
    expect([...backend.reads].sort()).toEqual(await openIds(provider));
    expect(backend.maxInFlight).toBeLessThanOrEqual(CONCURRENCY);
  }
  expect(backends.stripe.maxInFlight).toBe(CONCURRENCY); // reads do run side by side
  expect(report).toEqual({ changed: 0, checked: { ...OPEN }, rateLimited: [], deferred: {}, failed: 0 });
}, 60_000);

test('a 429 from one back-end stops only its poll for this run; the next run reads what it left', async () => {
  backends.stripe.rateLimitFrom = 300;
  const first = await pollOpenInvoices(services(), options);
  expect(first.rateLimited).toEqual(['stripe']);
  expect(first.checked.quickbooks).toBe(OPEN.quickbooks);
  expect(first.checked.freshbooks).toBe(OPEN.freshbooks);
  // No read starts after the 429; the ones already in flight (at most the concurrency) finish.
  expect(backends.stripe.reads.length).toBeGreaterThanOrEqual(300);
  expect(backends.stripe.reads.length).toBeLessThan(300 + CONCURRENCY);
  expect(first.checked.stripe! + first.deferred.stripe!).toBe(OPEN.stripe);
  expect(first.failed).toBe(0);

  backends.stripe = new CountingBackend('stripe');
  const next = await pollOpenInvoices(services(), options);
  expect(next.rateLimited).toEqual([]);
  expect(next.checked.stripe).toBe(OPEN.stripe);
}, 60_000);

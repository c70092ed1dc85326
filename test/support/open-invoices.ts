import type { InvoicingBackend } from '../../src/providers/invoicing/backend.js';
import type { FakeStripe } from './fake-stripe.js';
import type { Queryable } from '../../src/store/db.js';
import { issueTerms } from './issue-terms.js';

/**
 * Inserts `count` invoices of client `clientId` at `provider` in `status` in one statement (for the
 * payment-poll test and bench): USD 100.00 each, a quarter paid when partially paid; numbers, source refs
 * and provider ids (`<provider>_<seq>`, or `providerIds[i]` when given) unique across calls.
 */
export async function insertOpenInvoices(
  db: Queryable,
  options: { clientId: string; provider: string; count: number; status: string; source?: string; providerIds?: string[]; now: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO invoices (id, seq, number, client_id, source, source_ref, milestone, currency, lines, total, amount_paid, due_date, status, recipients, provider, provider_invoice_id, created_at, updated_at)
     SELECT gen_random_uuid(), base + n, 'INV-' || (base + n), $6, $4, $1 || '-' || (base + n), 'Milestone', 'USD', '[]'::jsonb, 10000,
            CASE WHEN $3 = 'partially_paid' THEN 2500 ELSE 0 END, ($5::timestamptz + interval '7 days')::date, $3, ARRAY['ap@example.com'], $1,
            coalesce(($7::text[])[n], $1 || '_' || (base + n)), $5, $5
     FROM generate_series(1, $2::int) AS n, (SELECT coalesce(max(seq), 0) AS base FROM invoices) AS b`,
    [options.provider, options.count, options.status, options.source ?? 'asana', options.now, options.clientId, options.providerIds ?? null],
  );
}

/**
 * `count` open invoices at the fake Stripe: one issued through `stripe` (the real adapter), the rest
 * copies of it under new ids (issuing thousands through the SDK is not what the poll tests measure).
 * Returns their ids, the issued one first.
 */
export async function seedOpenStripeInvoices(fake: FakeStripe, stripe: InvoicingBackend, count: number): Promise<string[]> {
  const issued = await stripe.issueInvoice({
    invoiceId: '00000000-0000-4000-8000-000000000001',
    number: 'INV-0001',
    currency: 'USD',
    ...issueTerms(7),
    memo: 'Milestone',
    metadata: {},
    customer: { clientId: 'acme', name: 'Acme Ltd', emails: ['ap@acme.example'], providerCustomerId: null },
    lines: [{ description: 'Design', quantity: '1', unitAmount: 10000, amount: 10000 }],
  });
  const template = fake.invoices.get(issued.providerInvoiceId)!;
  const ids = Array.from({ length: count }, (_, i) => (i === 0 ? issued.providerInvoiceId : `in_seed${String(i).padStart(8, '0')}`));
  for (const id of ids.slice(1)) fake.invoices.set(id, { ...template, id });
  return ids;
}

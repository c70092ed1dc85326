import type { Queryable } from '../../src/store/db.js';

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

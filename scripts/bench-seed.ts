import type { Queryable } from '../src/store/db.js';

/**
 * Bulk-seeds a realistic book for `npm run bench:commands`: `count` invoices over the clients already
 * stored, two years of history, each with its reminder steps, its payment, its email effect and an
 * audit entry. Set-based INSERT … SELECT over generate_series, so 100,000 invoices take seconds, not
 * hours. Mix per 100 invoices: 85 paid, 7 sent, 3 partly paid, 1 disputed, 2 void, 1 draft, 1 discarded.
 */
export async function seedInvoices(db: Queryable, count: number, now: Date): Promise<void> {
  const at = now.toISOString();
  await db.query(
    `WITH c AS (SELECT id, currency, emails, provider, (row_number() OVER (ORDER BY id)) - 1 AS k FROM clients),
          n AS (SELECT count(*) AS n FROM clients),
          g AS (
            SELECT i, i % 100 AS kind, 10000 + (i * 7919) % 490000 AS total,
                   CASE WHEN i % 100 < 85 THEN $2::timestamptz - ((10 + (i * 37) % 700) || ' days')::interval
                        WHEN i % 100 < 98 THEN $2::timestamptz - ((i % 90) || ' days')::interval - ((i % 7) || ' hours')::interval
                        ELSE NULL END AS sent_at
            FROM generate_series(1, $1::int) AS s(i))
     INSERT INTO invoices (id, seq, number, client_id, source, source_ref, milestone, currency, lines, total, amount_paid, due_date, status,
                           disputed, recipients, provider, provider_invoice_id, email_message_id, created_at, approved_at, approved_by, sent_at,
                           paid_at, updated_at, disputed_at)
     SELECT gen_random_uuid(), g.i, 'INV-' || CASE WHEN g.i < 1000 THEN lpad(g.i::text, 4, '0') ELSE g.i::text END, c.id, 'bench', 'bench-' || g.i, 'Milestone ' || g.i, c.currency,
            jsonb_build_array(jsonb_build_object('description', 'Milestone ' || g.i, 'quantity', '1', 'unitAmount', g.total, 'amount', g.total)),
            g.total,
            CASE WHEN g.kind < 85 THEN g.total WHEN g.kind BETWEEN 92 AND 94 THEN g.total / 2 ELSE 0 END,
            (coalesce(g.sent_at, $2::timestamptz) + interval '30 days')::date,
            CASE WHEN g.kind < 85 THEN 'paid' WHEN g.kind < 92 THEN 'sent' WHEN g.kind < 95 THEN 'partially_paid' WHEN g.kind = 95 THEN 'sent'
                 WHEN g.kind < 98 THEN 'void' WHEN g.kind = 98 THEN 'draft' ELSE 'discarded' END,
            g.kind = 95, c.emails, c.provider,
            CASE WHEN g.sent_at IS NOT NULL THEN 'in_bench_' || g.i END,
            CASE WHEN g.sent_at IS NOT NULL THEN '<inv-' || g.i || '@bench.example>' END,
            coalesce(g.sent_at, $2::timestamptz) - interval '1 hour',
            g.sent_at, CASE WHEN g.sent_at IS NOT NULL THEN 'slack:UBENCH' END, g.sent_at,
            CASE WHEN g.kind < 85 THEN g.sent_at + ((g.i % 45) || ' days')::interval END,
            coalesce(g.sent_at, $2::timestamptz),
            CASE WHEN g.kind = 95 THEN $2::timestamptz - interval '2 days' END
     FROM g JOIN c ON c.k = g.i % (SELECT n FROM n)`,
    [count, at],
  );
  await db.query(`INSERT INTO invoice_counters (scope, last_value) VALUES ('default', $1) ON CONFLICT (scope) DO UPDATE SET last_value = $1`, [count]);
  // Three steps per sent invoice (day 7, 14, 30 after sending): finished for the settled ones, pending or held for the open ones.
  await db.query(
    `INSERT INTO reminders (invoice_id, step_index, tone, day, anchor, due_at, status, finished_at)
     SELECT i.id, d.step, (ARRAY['friendly', 'firm', 'final'])[d.step + 1], d.day, 'delivery', i.sent_at + (d.day || ' days')::interval,
            CASE WHEN i.status IN ('paid', 'void') THEN CASE WHEN i.sent_at + (d.day || ' days')::interval < coalesce(i.paid_at, i.updated_at) THEN 'sent' ELSE 'cancelled' END
                 WHEN i.disputed THEN 'paused'
                 WHEN i.sent_at + (d.day || ' days')::interval < $1::timestamptz THEN 'sent' ELSE 'pending' END,
            CASE WHEN i.sent_at + (d.day || ' days')::interval < $1::timestamptz THEN i.sent_at + (d.day || ' days')::interval END
     FROM invoices i CROSS JOIN (VALUES (0, 7), (1, 14), (2, 30)) AS d(step, day)
     WHERE i.sent_at IS NOT NULL`,
    [at],
  );
  await db.query(
    `INSERT INTO payments (invoice_id, source_event, amount, currency, amount_paid_after, paid_at)
     SELECT id, 'bench-payment-' || seq, amount_paid, currency, amount_paid, coalesce(paid_at, sent_at + interval '20 days')
     FROM invoices WHERE amount_paid > 0`,
  );
  await db.query(
    `INSERT INTO effects (key, invoice_id, kind, status, claimed_at, claimed_by, finished_at, result)
     SELECT 'invoice-email:' || id, id, 'invoice-email', 'done', sent_at, 'bench', sent_at, '{}'::jsonb FROM invoices WHERE sent_at IS NOT NULL
     UNION ALL
     SELECT 'escalation-task:' || id, id, 'escalation-task', 'done', sent_at + interval '30 days', 'bench', sent_at + interval '30 days', '{}'::jsonb
     FROM invoices WHERE sent_at IS NOT NULL AND sent_at < $1::timestamptz - interval '30 days' AND seq % 10 = 0`,
    [at],
  );
  await db.query(
    `INSERT INTO audit_log (invoice_id, at, actor, action, details)
     SELECT id, created_at, 'bench', 'drafted', '{}'::jsonb FROM invoices
     UNION ALL SELECT id, sent_at, 'slack:UBENCH', 'sent', '{}'::jsonb FROM invoices WHERE sent_at IS NOT NULL`,
  );
  await db.query('ANALYZE');
}

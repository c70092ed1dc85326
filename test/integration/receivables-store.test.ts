import { openTestDatabase } from '../support/database.js';
import type { Database } from '../../src/store/db.js';
import { upsertClients } from '../../src/store/clients.js';
import { insertDraft, openInvoicesForAging, updateInvoice, type InvoiceRecord } from '../../src/store/invoices.js';
import { insertReminders, markStaleRemindersUnknown } from '../../src/store/reminders.js';
import { claimEffect, markStaleEffectsUnknown } from '../../src/store/effects.js';
import { agingGroups, invoicedBetween, invoicesNeedingAttention, largestOverdue, nextRemindersDue, receivablesByClient } from '../../src/store/receivables.js';
import { homeViewers, recordHomeViewer, forgetHomeViewer } from '../../src/store/home-viewers.js';
import { agingReportFromGroups, buildAgingReport } from '../../src/domain/aging.js';
import { formatInvoiceNumber } from '../../src/domain/invoice.js';
import { DAY_MS } from '../../src/domain/calendar.js';
import type { InvoiceStatus } from '../../src/domain/types.js';
import { testClient } from '../support/store-fixtures.js';

/** The SQL aggregates behind `/invoices aging` and the Home tab give the figures the pure functions give. */

const NOW = new Date('2026-12-20T10:00:00Z');
const TODAY = '2026-12-20';
const client = (id: string, name: string, currency: string) => testClient(id, { name, currency });
const numbering = { scope: 'default', format: (n: number) => formatInvoiceNumber('INV-', n) };
const ago = (ms: number) => new Date(NOW.getTime() - ms);

let db: Database;
const made: InvoiceRecord[] = [];
async function invoice(
  clientId: string,
  currency: string,
  total: number,
  state: { status: InvoiceStatus; sentAgoMs?: number; dueDate: string; paid?: number; disputed?: boolean },
): Promise<InvoiceRecord> {
  const draft = (await insertDraft(
    db.pool,
    {
      clientId,
      source: 'test',
      sourceRef: `r${made.length}`,
      sourceUrl: null,
      milestone: 'M',
      currency,
      lines: [{ description: 'W', quantity: '1', unitAmount: total, amount: total }],
      total,
      dueDate: state.dueDate,
      recipients: ['x@y.z'],
      provider: 'stripe',
    },
    numbering,
    NOW,
  ))!;
  const inv = (await updateInvoice(
    db.pool,
    draft.id,
    { status: state.status, sentAt: state.sentAgoMs === undefined ? undefined : ago(state.sentAgoMs), amountPaid: state.paid, disputed: state.disputed },
    NOW,
  ))!;
  made.push(inv);
  return inv;
}

beforeAll(async () => {
  db = await openTestDatabase();
  await upsertClients(db.pool, [client('acme', 'Acme Ltd', 'USD'), client('globex', 'Globex', 'EUR')], NOW);
  // Around every bucket edge: 7 days 23 h (0-7), exactly 8 days (8-14), 14 d 23 h, 15 d, 30 d 23 h, 31 d.
  const edges = [8 * DAY_MS - 3_600_000, 8 * DAY_MS, 15 * DAY_MS - 3_600_000, 15 * DAY_MS, 31 * DAY_MS - 3_600_000, 31 * DAY_MS, -DAY_MS];
  for (const [i, sentAgoMs] of edges.entries())
    await invoice(i % 2 ? 'globex' : 'acme', i % 2 ? 'EUR' : 'USD', 10000 * (i + 1), { status: 'sent', sentAgoMs, dueDate: i < 3 ? '2026-12-30' : '2026-12-19' });
  await invoice('acme', 'USD', 50000, { status: 'partially_paid', sentAgoMs: 3 * DAY_MS, dueDate: '2026-12-01', paid: 20000 });
  await invoice('acme', 'USD', 70000, { status: 'paid', sentAgoMs: 40 * DAY_MS, dueDate: '2026-11-10', paid: 70000 });
  await invoice('acme', 'USD', 90000, { status: 'void', sentAgoMs: 5 * DAY_MS, dueDate: '2026-12-01' });
  await invoice('globex', 'EUR', 30000, { status: 'sent', sentAgoMs: 100 * DAY_MS, dueDate: '2026-10-01', disputed: true });
  await invoice('acme', 'USD', 12000, { status: 'draft', dueDate: '2026-12-01' });
});
afterAll(async () => db.close());

describe(`receivables in SQL (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  test('aging groups and the largest overdue match buildAgingReport over the same invoices, edges included', async () => {
    const expected = buildAgingReport(await openInvoicesForAging(db.pool), NOW, 'UTC');
    const actual = agingReportFromGroups(await agingGroups(db.pool, NOW), await largestOverdue(db.pool, TODAY, 5), NOW);
    expect(actual).toEqual(expected);
    expect(actual.buckets.map((b) => b.count)).toEqual([3, 2, 2, 2]); // the future-dated send counts as 0 days
    expect(actual.largestOverdue[0]).toMatchObject({ daysOverdue: 1, balance: 70000 });
  });

  test('per client: open and overdue balances; DSO sales exclude void and drafts', async () => {
    const byClient = await receivablesByClient(db.pool, TODAY);
    expect(byClient.find((r) => r.clientId === 'acme')).toEqual({
      clientId: 'acme',
      currency: 'USD',
      openCount: 5,
      outstanding: 10000 + 30000 + 50000 + 70000 + 30000,
      overdueCount: 3,
      overdue: 50000 + 70000 + 30000,
    });
    expect(byClient.find((r) => r.clientId === 'globex')).toMatchObject({ currency: 'EUR', openCount: 4, outstanding: 20000 + 40000 + 60000 + 30000 });
    const invoiced = await invoicedBetween(db.pool, ago(90 * DAY_MS), NOW);
    expect(invoiced.get('USD')).toBe(10000 + 30000 + 50000 + 50000 + 70000); // not the void 90,000, not the one dated tomorrow
    expect(invoiced.get('EUR')).toBe(20000 + 40000 + 60000); // the disputed one was sent 100 days ago
  });

  test('needing attention: disputed, escalated, unknown outcome; open invoices only, newest first', async () => {
    const [sentA, , sentC] = made;
    const paid = made.find((m) => m.status === 'paid')!;
    await claimEffect(db.pool, { key: `escalation-task:${sentA!.id}`, invoiceId: sentA!.id, kind: 'escalation-task', claimedBy: 't' }, NOW);
    await claimEffect(db.pool, { key: `escalation-dm:${paid.id}`, invoiceId: paid.id, kind: 'escalation-dm', claimedBy: 't' }, NOW); // paid: not listed
    await insertReminders(db.pool, sentC!.id, [{ stepIndex: 0, tone: 'friendly', day: 7, from: 'delivery', dueAt: ago(DAY_MS) }]);
    await db.pool.query(`UPDATE reminders SET status = 'claimed', claimed_at = $2 WHERE invoice_id = $1`, [sentC!.id, ago(DAY_MS)]);
    await markStaleRemindersUnknown(db.pool, ago(60_000), NOW);
    await markStaleEffectsUnknown(db.pool, ago(60_000), NOW); // the escalation claims are fresh: they stay claimed

    const { rows, total } = await invoicesNeedingAttention(db.pool, 2);
    expect(total).toBe(3);
    expect(rows.map((r) => r.reasons)).toEqual([['disputed'], ['unknown_outcome']]);
    const all = await invoicesNeedingAttention(db.pool, 10);
    expect(all.rows.at(-1)).toMatchObject({ id: sentA!.id, clientName: 'Acme Ltd', reasons: ['escalated'] });
  });

  test('next reminders: pending steps soonest first, with the invoice and client', async () => {
    const [a, b] = made;
    await insertReminders(db.pool, a!.id, [{ stepIndex: 1, tone: 'firm', day: 14, from: 'delivery', dueAt: new Date(NOW.getTime() + 2 * DAY_MS) }]);
    await insertReminders(db.pool, b!.id, [{ stepIndex: 1, tone: 'final', day: 30, from: 'delivery', dueAt: new Date(NOW.getTime() + DAY_MS) }]);
    const next = await nextRemindersDue(db.pool, 5);
    expect(next.map((r) => [r.number, r.tone, r.clientName])).toEqual([
      [b!.number, 'final', 'Globex'],
      [a!.number, 'firm', 'Acme Ltd'],
    ]);
  });

  test('home viewers are remembered once each, most recent first, and can be forgotten', async () => {
    await recordHomeViewer(db.pool, 'U1', NOW);
    await recordHomeViewer(db.pool, 'U2', new Date(NOW.getTime() + 1000));
    await recordHomeViewer(db.pool, 'U1', new Date(NOW.getTime() + 2000));
    expect(await homeViewers(db.pool)).toEqual(['U1', 'U2']);
    await forgetHomeViewer(db.pool, 'U1');
    expect(await homeViewers(db.pool)).toEqual(['U2']);
  });
});

import { agingCutoffs, type AgingGroup, type OverdueEntry } from '../domain/aging.js';
import type { AgingBucketLabel, ReminderTone } from '../domain/types.js';
import type { Queryable } from './db.js';

/**
 * Receivables aggregated in SQL, so `/invoices aging` and the Home tab cost the same with 100 or
 * 100,000 invoices stored: only groups and the top few rows leave the database. "Open" here is what
 * the aging report counts: sent or partly paid, with a balance left.
 */
const OPEN_SENT = `i.status IN ('sent', 'partially_paid') AND i.total > i.amount_paid AND i.sent_at IS NOT NULL`;

export async function agingGroups(db: Queryable, now: Date): Promise<AgingGroup[]> {
  const cut = agingCutoffs(now);
  const { rows } = await db.query<{ label: AgingBucketLabel; currency: string; count: number; balance: number }>(
    `SELECT CASE WHEN i.sent_at > $1 THEN '0-7' WHEN i.sent_at > $2 THEN '8-14' WHEN i.sent_at > $3 THEN '15-30' ELSE '30+' END AS label,
            i.currency, count(*)::int AS count, sum(i.total - i.amount_paid)::bigint AS balance
     FROM invoices i WHERE ${OPEN_SENT} GROUP BY 1, 2`,
    [cut.young, cut.mid, cut.old],
  );
  return rows.map((r) => ({ label: r.label, currency: r.currency.trim(), count: r.count, balance: r.balance }));
}

/** Open invoices past their due date (before `today`, a business date), largest balance first. */
export async function largestOverdue(db: Queryable, today: string, limit: number): Promise<OverdueEntry[]> {
  const { rows } = await db.query<{ number: string; client_name: string; currency: string; balance: number; days_overdue: number }>(
    `SELECT i.number, c.name AS client_name, i.currency, i.total - i.amount_paid AS balance, ($1::date - i.due_date) AS days_overdue
     FROM invoices i JOIN clients c ON c.id = i.client_id
     WHERE ${OPEN_SENT} AND i.due_date < $1::date
     ORDER BY balance DESC, days_overdue DESC, i.number LIMIT $2`,
    [today, limit],
  );
  return rows.map((r) => ({ number: r.number, clientName: r.client_name, currency: r.currency.trim(), balance: r.balance, daysOverdue: r.days_overdue }));
}

/** Open balance and overdue balance per client and currency. */
export interface ClientReceivables {
  clientId: string;
  currency: string;
  openCount: number;
  outstanding: number;
  overdueCount: number;
  overdue: number;
}

export async function receivablesByClient(db: Queryable, today: string): Promise<ClientReceivables[]> {
  const { rows } = await db.query<{ client_id: string; currency: string; open_count: number; outstanding: number; overdue_count: number; overdue: number }>(
    `SELECT i.client_id, i.currency, count(*)::int AS open_count, sum(i.total - i.amount_paid)::bigint AS outstanding,
            count(*) FILTER (WHERE i.due_date < $1::date)::int AS overdue_count,
            coalesce(sum(i.total - i.amount_paid) FILTER (WHERE i.due_date < $1::date), 0)::bigint AS overdue
     FROM invoices i WHERE ${OPEN_SENT} GROUP BY 1, 2`,
    [today],
  );
  return rows.map((r) => ({
    clientId: r.client_id,
    currency: r.currency.trim(),
    openCount: r.open_count,
    outstanding: r.outstanding,
    overdueCount: r.overdue_count,
    overdue: r.overdue,
  }));
}

/** Totals invoiced (sent) per currency in [from, to): the sales side of DSO. Voided and discarded invoices were no sale. */
export async function invoicedBetween(db: Queryable, from: Date, to: Date): Promise<Map<string, number>> {
  const { rows } = await db.query<{ currency: string; invoiced: number }>(
    `SELECT currency, sum(total)::bigint AS invoiced FROM invoices
     WHERE sent_at IS NOT NULL AND sent_at >= $1 AND sent_at < $2 AND status IN ('sent', 'partially_paid', 'paid', 'credited', 'uncollectible')
     GROUP BY currency`,
    [from, to],
  );
  return new Map(rows.map((r) => [r.currency.trim(), r.invoiced]));
}

export type AttentionReason = 'disputed' | 'escalated' | 'unknown_outcome';

export interface AttentionRow {
  id: string;
  number: string;
  clientName: string;
  currency: string;
  balance: number;
  dueDate: string;
  reasons: AttentionReason[];
}

const ESCALATION_KINDS = `('escalation-task', 'escalation-dm')`;

/**
 * Open invoices a person should look at: disputed, escalated (the day-30 task or owner DM was made),
 * or with a send whose outcome is unknown after a crash. Newest first, at most `limit`, plus the total.
 */
export async function invoicesNeedingAttention(db: Queryable, limit: number): Promise<{ rows: AttentionRow[]; total: number }> {
  const flagged = `
    WITH escalated AS (SELECT DISTINCT invoice_id FROM effects WHERE invoice_id IS NOT NULL AND kind IN ${ESCALATION_KINDS}),
         unknown AS (SELECT invoice_id FROM effects WHERE invoice_id IS NOT NULL AND status = 'unknown'
                     UNION SELECT invoice_id FROM reminders WHERE status = 'unknown'),
         flagged AS (
           SELECT i.*, i.id IN (SELECT invoice_id FROM escalated) AS escalated, i.id IN (SELECT invoice_id FROM unknown) AS unknown_outcome
           FROM invoices i
           WHERE i.status IN ('approved', 'sent', 'partially_paid')
             AND (i.disputed OR i.id IN (SELECT invoice_id FROM escalated) OR i.id IN (SELECT invoice_id FROM unknown)))`;
  const { rows } = await db.query<{
    id: string;
    number: string;
    client_name: string;
    currency: string;
    balance: number;
    due_date: string;
    disputed: boolean;
    escalated: boolean;
    unknown_outcome: boolean;
  }>(
    `${flagged}
       SELECT f.id, f.number, c.name AS client_name, f.currency, f.total - f.amount_paid AS balance, f.due_date, f.disputed, f.escalated, f.unknown_outcome
       FROM flagged f JOIN clients c ON c.id = f.client_id ORDER BY f.seq DESC LIMIT $1`,
    [limit],
  );
  const counted = await db.query<{ total: number }>(`${flagged} SELECT count(*)::int AS total FROM flagged`);
  return {
    total: counted.rows[0]?.total ?? 0,
    rows: rows.map((r) => ({
      id: r.id,
      number: r.number,
      clientName: r.client_name,
      currency: r.currency.trim(),
      balance: r.balance,
      dueDate: r.due_date,
      reasons: [r.disputed && 'disputed', r.escalated && 'escalated', r.unknown_outcome && 'unknown_outcome'].filter((x): x is AttentionReason => Boolean(x)),
    })),
  };
}

export interface UpcomingReminder {
  number: string;
  clientName: string;
  currency: string;
  balance: number;
  tone: ReminderTone;
  dueAt: Date;
}

/** The next pending reminder steps, soonest first (held and finished steps are not pending). */
export async function nextRemindersDue(db: Queryable, limit: number): Promise<UpcomingReminder[]> {
  const { rows } = await db.query<{ number: string; client_name: string; currency: string; balance: number; tone: ReminderTone; due_at: Date }>(
    `SELECT i.number, c.name AS client_name, i.currency, i.total - i.amount_paid AS balance, r.tone, r.due_at
     FROM reminders r JOIN invoices i ON i.id = r.invoice_id JOIN clients c ON c.id = i.client_id
     WHERE r.status = 'pending' ORDER BY r.due_at, i.seq LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({ number: r.number, clientName: r.client_name, currency: r.currency.trim(), balance: r.balance, tone: r.tone, dueAt: r.due_at }));
}

import type { Queryable } from './db.js';

/**
 * Where an invoice's issue at its back-end stands: the attempt its idempotency keys carry and the due
 * date pinned for that attempt (YYYY-MM-DD). See docs/billing.md "Issuing at the back-end".
 */
export interface IssueAttempt {
  attempt: number;
  dueDate: string;
}

/**
 * The current attempt, pinning its due date on first use: the invoice's due date, or `today` when that
 * has passed (a back-end refuses a due date in the past). Pinned once, so a retry on a later day sends
 * the very same parameters under the same keys.
 */
export async function currentIssueAttempt(db: Queryable, invoiceId: string, today: string): Promise<IssueAttempt> {
  const { rows } = await db.query<{ issue_attempt: number; issue_due_date: string }>(
    `UPDATE invoices SET issue_due_date = COALESCE(issue_due_date, GREATEST($2::date, due_date))
      WHERE id = $1 RETURNING issue_attempt, issue_due_date`,
    [invoiceId, today],
  );
  const row = rows[0];
  if (!row) throw new Error(`invoice ${invoiceId} is gone`);
  return { attempt: row.issue_attempt, dueDate: row.issue_due_date };
}

/**
 * The back-end answered `failed` with a definite failure, which it may have stored under that attempt's
 * keys: the next try uses the next attempt (fresh keys). Compare-and-set on `failed`, so two processes
 * that saw the same failure move on once. A pinned due date that has passed is let go, to be pinned
 * again (fresh keys may carry new parameters); one still ahead is kept.
 */
export async function moveToNextIssueAttempt(db: Queryable, invoiceId: string, failed: number, today: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE invoices SET issue_attempt = issue_attempt + 1,
            issue_due_date = CASE WHEN issue_due_date < $3::date THEN NULL ELSE issue_due_date END
      WHERE id = $1 AND issue_attempt = $2`,
    [invoiceId, failed, today],
  );
  return (rowCount ?? 0) > 0;
}

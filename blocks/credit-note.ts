import { dateLabel, esc, fmt } from './format.js';
import { sourceLabel } from './source-labels.js';
import { post, who, type ThreadPost } from './thread.js';

/** The thread post after a credit: how much, why, the balance now, and what happens next. */
export function creditNote(o: {
  by: string;
  amount: number;
  currency: string;
  reason: string;
  backendName: string;
  balance: number;
  emailedTo: readonly string[] | null;
  nextReminder: Date | null;
  timezone: string;
}): ThreadPost {
  const head = `:receipt: Credit of ${fmt(o.amount, o.currency)} applied by ${who(o.by)} in ${esc(o.backendName)} (${esc(o.reason)}).`;
  const state = o.balance <= 0 ? ' *Settled by the credit*: nothing left to pay, no more reminders.' : ` Open balance now *${fmt(o.balance, o.currency)}*.`;
  const mail = o.emailedTo ? ` Corrected balance emailed to ${esc(o.emailedTo.join(', '))}.` : ' :warning: The client email did not go out; tell the client yourself.';
  const next = o.nextReminder ? ` Reminders start again: next on ${dateLabel(o.nextReminder, o.timezone)}.` : '';
  return post(`${head}${state}${mail}${next}`);
}

/**
 * A credit made in the back-end's own UI and read back: "Credit of $X applied in <back-end>", never
 * "Payment received". `balance` null: the payment posted right after says what is left.
 */
export function backendCreditNote(o: { amount: number; currency: string; backendName: string; balance: number | null }): ThreadPost {
  const head = `:receipt: Credit of ${fmt(o.amount, o.currency)} applied in ${sourceLabel(o.backendName)}.`;
  if (o.balance === null) return post(head);
  return post(
    o.balance <= 0
      ? `${head} *Settled by credit*: nothing left to pay, reminders stopped.`
      : `${head} Open balance now *${fmt(o.balance, o.currency)}*; reminders continue for it.`,
  );
}

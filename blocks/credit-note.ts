import { dateLabel, esc, fmt } from './format.js';
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

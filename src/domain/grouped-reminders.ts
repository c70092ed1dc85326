import { daysBetween } from './calendar.js';
import type { ReminderTone } from './types.js';

/**
 * Grouped reminders (a client's `groupReminders`): on a day when several of the client's invoices
 * have a step due, one statement email lists every open invoice in the tone of the most urgent step.
 * Pure: the steps, the invoices and today are passed in.
 */
const URGENCY: Record<ReminderTone, number> = { friendly: 0, firm: 1, final: 2 };

/** The tone of the most urgent step (final over firm over friendly). */
export function mostUrgentTone(tones: readonly ReminderTone[]): ReminderTone {
  if (!tones.length) throw new RangeError('no tones to choose from');
  return tones.reduce((a, b) => (URGENCY[b] > URGENCY[a] ? b : a));
}

export interface DueStepRef {
  invoiceId: string;
  stepIndex: number;
  tone: ReminderTone;
  clientId: string;
}

export interface StepGrouping<T extends DueStepRef> {
  /** Steps sent on their own, as before. */
  singles: T[];
  /** Per grouping client with steps of at least two invoices due: those steps, in one email. */
  groups: { clientId: string; steps: T[] }[];
}

/**
 * Sorts due steps into one group per client that groups reminders and has steps of two or more
 * invoices due; everything else stays single (a lone invoice keeps its usual reminder).
 */
export function groupDueSteps<T extends DueStepRef>(steps: readonly T[], groupingClients: ReadonlySet<string>): StepGrouping<T> {
  const byClient = new Map<string, T[]>();
  const singles: T[] = [];
  for (const step of steps) {
    if (!groupingClients.has(step.clientId)) singles.push(step);
    else byClient.set(step.clientId, [...(byClient.get(step.clientId) ?? []), step]);
  }
  const groups: StepGrouping<T>['groups'] = [];
  for (const [clientId, clientSteps] of byClient) {
    if (new Set(clientSteps.map((s) => s.invoiceId)).size >= 2) groups.push({ clientId, steps: clientSteps });
    else singles.push(...clientSteps);
  }
  return { singles, groups };
}

export interface StatementInvoice {
  number: string;
  milestone: string;
  currency: string;
  /** Minor units still open. */
  balance: number;
  dueDate: string;
  paymentUrl: string | null;
}

export interface StatementLine extends StatementInvoice {
  daysOverdue: number;
}

export interface Statement {
  lines: StatementLine[];
  /** Open balance per currency (minor units), in the order the currencies first appear. */
  totals: { currency: string; amount: number }[];
}

/** Every invoice with something open, oldest due date first, with its days overdue as of `today`. */
export function buildStatement(invoices: readonly StatementInvoice[], today: string): Statement {
  const lines = invoices
    .filter((i) => i.balance > 0)
    .map((i) => ({ ...i, daysOverdue: Math.max(0, daysBetween(i.dueDate, today)) }))
    .sort((a, b) => (a.dueDate === b.dueDate ? a.number.localeCompare(b.number) : a.dueDate < b.dueDate ? -1 : 1));
  const totals: Statement['totals'] = [];
  for (const line of lines) {
    const total = totals.find((t) => t.currency === line.currency);
    if (total) total.amount += line.balance;
    else totals.push({ currency: line.currency, amount: line.balance });
  }
  return { lines, totals };
}

import type { Locale } from './locale.js';
import type { LateFeeSettings } from './late-fees.js';
import type { BillingAddress } from './billing-address.js';

/** Plain data shared by the domain, the ports, the Block Kit builders and the email templates. */

export type InvoiceStatus =
  | 'draft' // built from a milestone, waiting for approval in Slack
  | 'approved' // approved (or auto-send); being created at the back-end and emailed
  | 'sent' // emailed with a payment link; reminders running
  | 'partially_paid' // some money in; reminders continue for the balance
  | 'paid'
  | 'credited' // settled by credits (credit notes / memos), not by money: nothing left to pay
  | 'void'
  | 'uncollectible'
  | 'discarded'; // draft thrown away in Slack; keeps its number so the sequence stays gap-free

export interface InvoiceLine {
  description: string;
  /** Decimal string so fractional hours stay exact, e.g. "1", "2.5". */
  quantity: string;
  /** Minor units per unit. */
  unitAmount: number;
  /** Minor units: quantity × unitAmount, rounded half away from zero. */
  amount: number;
}

export type ReminderTone = 'friendly' | 'firm' | 'final';

/** What each tone is called in Slack and in notes: "past-due notice" for `firm`. */
export const TONE_NAMES: Record<ReminderTone, string> = { friendly: 'friendly reminder', firm: 'past-due notice', final: 'final notice' };

/** One step of a client's reminder sequence. */
export interface ReminderStep {
  /** Days after `from`; negative only with from = 'due' (a pre-due nudge, e.g. -3). */
  day: number;
  from: 'delivery' | 'due';
  tone: ReminderTone;
}

/** What the final step does beyond the email: pause the service and escalate, or just the notice. */
export type FinalMode = 'pause' | 'notice-only';

export type InvoicingProvider = 'stripe' | 'quickbooks' | 'freshbooks' | 'xero' | 'invoiceninja' | 'zoho' | 'wave';

export interface Client {
  /** Stable slug from the clients file, e.g. "acme". */
  id: string;
  name: string;
  emails: string[];
  currency: string;
  paymentTermsDays: number;
  provider: InvoicingProvider;
  asanaProjectGids: string[];
  /** Containers in the other project tools, by tool name: ClickUp lists, Trello boards, monday boards. */
  toolContainers?: Record<string, string[]>;
  reminderSchedule: ReminderStep[];
  finalMode: FinalMode;
  autoSend: boolean;
  /** A fixed invoice on a monthly schedule, independent of milestones (src/domain/retainer.ts). */
  retainer?: Retainer;
  /** The client's IANA time zone for its business hours; null or absent: the business time zone. */
  timezone?: string | null;
  /** Reminders go out only Mon-Fri within these hours (src/domain/quiet-hours.ts); null or absent: any time. */
  businessHours?: BusinessHours | null;
  /** Which tasks are this client's billing milestones and which fields they use; absent: the default names. */
  mapping?: MilestoneMapping;
  /** Invoice lines from tracked time instead of the Amount fields, when a milestone has time entries. */
  timeBilling?: TimeBilling;
  /** FreshBooks only: the name of a tax set up in FreshBooks, applied to every line (FreshBooks clients carry no tax). */
  freshbooksTax?: string | null;
  /** How to pay when the back-end gives no payment link (QuickBooks without Payments); overrides PAY_INSTRUCTIONS. */
  payInstructions?: string | null;
  /** Minor units: a draft above this is held for a human (src/domain/amount-ceiling.ts); absent: INVOICE_AMOUNT_CEILING. */
  maxInvoiceAmount?: number | null;
  /** Where sales tax is sourced to when a tax service is configured (src/providers/tax/); absent: none known. */
  billingAddress?: BillingAddress | null;
  /** Every email links to the client's page of open and paid invoices (docs/client-page.md); absent: off. */
  clientPage?: boolean;
  /** The language of the client's emails and replies (src/domain/locale.ts); absent: English. */
  locale?: Locale | null;
  /** Several steps due on one day go out as one statement email (src/domain/grouped-reminders.ts); absent: off. */
  groupReminders?: boolean;
  /** "HH:mm" in the client's time zone: with today's sends on, a step due on a day waits until then; absent: when due. */
  sendAt?: string | null;
  /** Charged with overdue reminders (src/domain/late-fees.ts); absent or null: no late fees (the default). */
  lateFee?: LateFeeSettings | null;
}

/** A daily sending window on business days (Mon-Fri), local "HH:mm" times in the client's time zone; start < end. */
export interface BusinessHours {
  start: string;
  end: string;
}

/** See src/providers/projects/mapping.ts, which reads tasks through it. */
export interface MilestoneMapping {
  /** Custom field (Asana, ClickUp, Trello) or column title (monday) that says "yes, invoice this". */
  billingField: string;
  /** A tag (Asana, ClickUp), label (Trello) or tags-column value (monday) that marks a milestone as well. */
  billingTag: string | null;
  amountField: string;
  quantityField: string;
  rateField: string;
  clientField: string;
  /**
   * Status (ClickUp), list (Trello) or status label (monday) meaning done; null: the tool's own rule.
   * Asana has only its completed checkbox, which always decides there.
   */
  doneStatus: string | null;
}

export interface TimeBilling {
  /** One line per task (the milestone and each subtask with time) or per person. */
  groupBy: 'task' | 'person';
  /** Minor units per hour, in the client's currency. */
  rate: number;
  /** Minor units per hour for particular people, keyed by their id, name or email in the tool, lower-cased. */
  personRates: Record<string, number>;
}

/** A client's monthly retainer, from the clients file. */
export interface Retainer {
  /** Minor units, in the client's currency. */
  amount: number;
  description: string;
  /** Day of the month the invoice goes out, 1..28 (every month has it), in the business time zone. */
  dayOfMonth: number;
  /** First date (YYYY-MM-DD) a billing day may fall on; null: from the day the retainer was first seen. */
  startsOn: string | null;
}

export const DEFAULT_REMINDER_SCHEDULE: readonly ReminderStep[] = [
  { day: 7, from: 'delivery', tone: 'friendly' },
  { day: 14, from: 'delivery', tone: 'firm' },
  { day: 30, from: 'delivery', tone: 'final' },
];

/** Everything a Slack message or an email needs to show one invoice. */
export interface InvoiceView {
  id: string;
  /** Display number, e.g. "INV-0042". */
  number: string;
  clientName: string;
  milestone: string;
  currency: string;
  lines: InvoiceLine[];
  /** Minor units, tax included once the back-end has computed it: what the client owes. */
  total: number;
  /** Minor units: the sum of the lines (absent: equal to `total`). */
  subtotal?: number;
  /** Minor units of tax as the back-end computed it; null/absent: not known yet (a draft). */
  taxAmount?: number | null;
  /** e.g. "Sales Tax"; null when the back-end names none. */
  taxName?: string | null;
  /** Percent as a decimal string, e.g. "8.25"; null when the back-end states none. */
  taxRate?: string | null;
  /** Invoicing back-end ("stripe", "quickbooks", "freshbooks"), to say where the tax comes from. */
  provider?: string;
  /** Shown instead of a payment link when there is none (client's payInstructions, else PAY_INSTRUCTIONS). */
  payInstructions?: string | null;
  amountPaid: number;
  /** YYYY-MM-DD in the business time zone. */
  dueDate: string;
  status: InvoiceStatus;
  disputed: boolean;
  paused: boolean;
  recipients: string[];
  paymentUrl: string | null;
  sentAt: Date | null;
  paidAt: Date | null;
  /** Link back to the milestone in the project tool. */
  sourceUrl: string | null;
  /** Something a human must look at (e.g. a send whose outcome is unknown after a crash). */
  attention: string | null;
  /** A draft over its ceiling: why it is held for a human ("over the 1,000,000.00 USD ceiling: check the amount"). */
  overCeiling?: string | null;
  /** Sales tax from a tax service (TaxJar, Avalara: src/usecases/sales-tax.ts); absent: the back-end's own tax. */
  salesTax?: SalesTaxView | null;
}

/** What the invoice message says about a tax service's tax. Money in minor units. */
export interface SalesTaxView {
  status: 'computed' | 'pending' | 'failed' | 'skipped';
  amount: number | null;
  ratePercent: string | null;
  /** e.g. "Sales tax (NY)". */
  name: string | null;
  jurisdiction: string | null;
  /** "TaxJar", "Avalara". */
  source: string;
  /** Why it is pending, failed or skipped. */
  reason: string | null;
  /** Who chose "Send without tax" ("slack:U123"). */
  decidedBy: string | null;
}

export type AgingBucketLabel = '0-7' | '8-14' | '15-30' | '30+';

export interface AgingBucket {
  label: AgingBucketLabel;
  count: number;
  /** One total per currency present in the bucket, minor units, sorted by currency code. */
  totals: { currency: string; amount: number }[];
}

export interface AgingReport {
  asOf: Date;
  buckets: AgingBucket[];
  /** Overdue invoices (past their due date) with the largest balance first, at most 5. */
  largestOverdue: { number: string; clientName: string; currency: string; balance: number; daysOverdue: number }[];
  openCount: number;
}

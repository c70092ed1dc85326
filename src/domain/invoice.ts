import type { InvoiceLine, InvoiceStatus } from './types.js';
import { MAX_AMOUNT_MINOR, MoneyError, formatMajorWithCode, money, multiply, parseQuantity, sum } from './money.js';

/**
 * The invoice state machine. Payment status is derived from amounts (Lago's habit: payment is not a
 * free-form status), so a duplicated or out-of-order payment event can only move an invoice forward.
 */
export type InvoiceCommand =
  | { type: 'approve' }
  | { type: 'discard' }
  | { type: 'edit' }
  | { type: 'markSent' }
  | { type: 'recordPayment'; amountPaid: number; total: number }
  | { type: 'void' }
  | { type: 'markUncollectible' };

export class InvalidTransitionError extends Error {
  override readonly name = 'InvalidTransitionError';
  constructor(
    readonly from: InvoiceStatus,
    readonly command: InvoiceCommand['type'],
  ) {
    super(`an invoice that is ${from} cannot ${command}`);
  }
}

const OPEN: readonly InvoiceStatus[] = ['sent', 'partially_paid'];

/** Settled invoices get no reminders and accept no further changes from duebot's side. */
export function isSettled(status: InvoiceStatus): boolean {
  return status === 'paid' || status === 'credited' || status === 'void' || status === 'uncollectible' || status === 'discarded';
}

/** Open = sent to the client and not fully paid: what aging, reminders and polling look at. */
export function isOpen(status: InvoiceStatus): boolean {
  return OPEN.includes(status);
}

export function nextStatus(from: InvoiceStatus, command: InvoiceCommand): InvoiceStatus {
  const refuse = (): never => {
    throw new InvalidTransitionError(from, command.type);
  };
  switch (command.type) {
    case 'approve':
      return from === 'draft' ? 'approved' : refuse();
    case 'discard':
      return from === 'draft' ? 'discarded' : refuse();
    case 'edit':
      return from === 'draft' ? 'draft' : refuse();
    case 'markSent':
      return from === 'approved' ? 'sent' : refuse();
    case 'recordPayment': {
      // A payment seen before our own "sent" bookkeeping (fast payer, crash) still counts.
      if (!(from === 'approved' || isOpen(from) || from === 'paid')) refuse();
      if (command.amountPaid >= command.total) return 'paid';
      if (from === 'paid') return 'paid'; // an older, smaller snapshot never un-pays an invoice
      return command.amountPaid > 0 ? 'partially_paid' : from === 'approved' ? 'approved' : 'sent';
    }
    case 'void':
      return from === 'approved' || isOpen(from) || from === 'uncollectible' || from === 'void' ? 'void' : refuse();
    case 'markUncollectible':
      return from === 'approved' || isOpen(from) || from === 'uncollectible' ? 'uncollectible' : refuse();
  }
}

/**
 * Builds one invoice line, computing its amount exactly from a decimal quantity. A line that comes to
 * nothing (0.0000001 × 10.00 USD rounds to 0.00) or less is refused: it would be a zero invoice.
 */
export function line(description: string, quantity: string, unitAmount: number, currency: string): InvoiceLine {
  const unit = money(unitAmount, currency);
  const amount = multiply(unit, parseQuantity(quantity)).amount;
  if (amount <= 0) {
    throw new MoneyError(
      `line "${description}": ${quantity} × ${formatMajorWithCode(unit)} comes to ${formatMajorWithCode(money(amount, currency))}; a line must come to at least one ${currency} minor unit`,
    );
  }
  return { description, quantity, unitAmount, amount };
}

/** The sum of the lines, refused beyond MAX_AMOUNT_MINOR (each line may be below it, their sum not). */
export function totalOf(lines: readonly InvoiceLine[], currency: string): number {
  const total = sum(
    lines.map((l) => money(l.amount, currency)),
    currency,
  ).amount;
  if (total > MAX_AMOUNT_MINOR) throw new MoneyError(`the lines add up to more than ${formatMajorWithCode(money(MAX_AMOUNT_MINOR, currency))}`);
  return total;
}

/** Formats the gap-free sequence number for display, e.g. 42 → "INV-0042". */
export function formatInvoiceNumber(prefix: string, sequence: number): string {
  return `${prefix}${String(sequence).padStart(4, '0')}`;
}

import type { InvoiceStatus, InvoiceView } from './types.js';

/**
 * How an invoice's tax reads, the same in Slack and in email. duebot never computes tax itself: the
 * back-end applies the customer's configured rate when the invoice is created there, and duebot
 * shows what it reported.
 */
const BACKEND_NAMES: Record<string, string> = {
  stripe: 'Stripe',
  quickbooks: 'QuickBooks',
  freshbooks: 'FreshBooks',
  xero: 'Xero',
  invoiceninja: 'Invoice Ninja',
  zoho: 'Zoho Invoice',
  wave: 'Wave',
};

export function backendDisplayName(provider: string | undefined): string {
  return provider ? (BACKEND_NAMES[provider] ?? provider) : 'the invoicing tool';
}

/** "Tax (Sales Tax, 8.25%)", "Tax (GST)", "Tax (8.25%)" or "Tax". */
export function taxLabel(view: Pick<InvoiceView, 'taxName' | 'taxRate'>, word = 'Tax'): string {
  const parts = [view.taxName, view.taxRate ? `${view.taxRate}%` : null].filter((p): p is string => Boolean(p));
  return parts.length ? `${word} (${parts.join(', ')})` : word;
}

/** Tax to show as its own line: known and more than zero. */
export function hasTax(view: Pick<InvoiceView, 'taxAmount'>): boolean {
  return typeof view.taxAmount === 'number' && view.taxAmount > 0;
}

const BEFORE_BACKEND: ReadonlySet<InvoiceStatus> = new Set(['draft', 'approved']);

/**
 * Before the back-end invoice exists the tax is not known: say where it will come from instead of
 * guessing a number. Null once it is known (or for invoices that never reach the back-end).
 */
export function pendingTaxNote(view: Pick<InvoiceView, 'taxAmount' | 'status' | 'provider' | 'salesTax'>): string | null {
  if (view.taxAmount !== null && view.taxAmount !== undefined) return null;
  if (view.salesTax) return null; // a tax service's tax says where it comes from itself (blocks/sales-tax.ts)
  if (!BEFORE_BACKEND.has(view.status)) return null;
  return `Tax as set on the customer in ${backendDisplayName(view.provider)}, added when sent`;
}

/**
 * Adds percentages given as decimal strings or numbers exactly ("5" + "9.975" = "14.975"): several
 * taxes on the same subtotal show as one combined rate. Null when any is not a plain decimal.
 */
export function addPercents(rates: readonly (string | number)[]): string | null {
  if (rates.length === 0) return null;
  const SCALE = 6;
  let sum = 0n;
  for (const rate of rates) {
    const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(String(rate).trim());
    if (!m) return null;
    sum += BigInt(m[1]! + (m[2] ?? '').padEnd(SCALE, '0'));
  }
  const digits = sum.toString().padStart(SCALE + 1, '0');
  const fraction = digits.slice(-SCALE).replace(/0+$/, '');
  return `${digits.slice(0, -SCALE)}${fraction ? `.${fraction}` : ''}`;
}

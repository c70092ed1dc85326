import { formatMajorWithCode, money, parseMajor, type Money } from './money.js';

/**
 * The per-invoice ceiling: a draft whose total is above it is held for a human (never sent by itself,
 * auto-send clients included), however it came in. Pure.
 */
export const DEFAULT_INVOICE_AMOUNT_CEILING = '1000000';

/** The ceiling for an invoice in `currency`: the client's own (minor units) or the business-wide one (whole major units). */
export function invoiceCeiling(currency: string, businessCeiling: string = DEFAULT_INVOICE_AMOUNT_CEILING, clientMaxMinor?: number | null): Money {
  return clientMaxMinor != null ? money(clientMaxMinor, currency) : parseMajor(businessCeiling, currency);
}

/** Why a draft of this total is held, e.g. "over the 1,000,000.00 USD ceiling: check the amount"; null at or below it. */
export function overCeilingReason(total: Money, ceiling: Money): string | null {
  return total.amount > ceiling.amount ? `over the ${formatMajorWithCode(ceiling)} ceiling: check the amount` : null;
}

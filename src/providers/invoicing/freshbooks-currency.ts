import { parseMajor } from '../../domain/money.js';
import { decimalAmount } from './currency-units.js';

/**
 * FreshBooks takes money as `{ amount: "1500.00", code }` decimal strings and keeps two decimals (it
 * answers "1500.00" even for JPY): amounts go with the currency's own decimals up to two ("1500" JPY,
 * "1.25" KWD), a three-decimal amount only when its last decimal is 0.
 */
export const FRESHBOOKS_MAX_DECIMALS = 2;

/** duebot minor units → FreshBooks' decimal string. */
export function toFreshBooksAmount(amountMinor: number, currency: string): string {
  return decimalAmount('FreshBooks', FRESHBOOKS_MAX_DECIMALS, amountMinor, currency);
}

/** A FreshBooks decimal string → duebot minor units (trailing zeros beyond the currency's decimals are fine). */
export function fromFreshBooksAmount(value: string, currency: string): number {
  return parseMajor(value, currency).amount;
}

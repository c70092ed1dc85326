import { money, parseMajor, toMajorString } from '../../domain/money.js';
import { decimalAmount } from './currency-units.js';

/**
 * QuickBooks Online takes JSON decimal numbers in major units and keeps line amounts, tax and totals at
 * two decimals (it rounds anything finer): JPY and ISK go as whole units, KWD and the other
 * three-decimal currencies only when their last decimal is 0.
 */
export const QUICKBOOKS_MAX_DECIMALS = 2;

/** duebot minor units → QuickBooks' amount (a JSON number: the exact decimal's shortest double). */
export function toQuickBooksAmount(amountMinor: number, currency: string): number {
  return Number(decimalAmount('QuickBooks', QUICKBOOKS_MAX_DECIMALS, amountMinor, currency));
}

/** A unit price: QuickBooks keeps up to seven decimals there, so the currency's own decimals go as they are. */
export function toQuickBooksUnitPrice(amountMinor: number, currency: string): number {
  return Number(toMajorString(money(amountMinor, currency)));
}

/** A QuickBooks amount (number or decimal string) → duebot minor units, exactly. */
export function fromQuickBooksAmount(value: number | string, currency: string): number {
  return parseMajor(value, currency).amount;
}

import { currencyExponent, normalizeCurrency, parseMinorUnits } from '../../domain/money.js';
import { decimalAmount, rescaleRounded } from './currency-units.js';

/**
 * Xero takes money as JSON decimal numbers in major units and keeps amounts (line amounts, totals,
 * payments, credit notes) at two decimals; unit prices keep four with `unitdp=4`. JPY and ISK go as
 * whole units; KWD and the other three-decimal currencies only when their last decimal is 0.
 */
export const XERO_MAX_DECIMALS = 2;
export const XERO_UNIT_DECIMALS = 4;

/** duebot minor units → Xero's amount (a JSON number: the exact decimal's shortest double), or a refusal. */
export function toXeroAmount(amountMinor: number, currency: string): number {
  return Number(decimalAmount('Xero', XERO_MAX_DECIMALS, amountMinor, currency));
}

/** A unit price, sent with `unitdp=4`: the currency's own decimals up to four. */
export function toXeroUnitAmount(amountMinor: number, currency: string): number {
  return Number(decimalAmount('Xero', XERO_UNIT_DECIMALS, amountMinor, currency));
}

/**
 * A Xero amount → duebot minor units: exact for what duebot sent; an amount Xero computed (its tax on a
 * JPY invoice may carry cents) is rounded to the currency's ISO decimals, as the client's page shows it.
 */
export function fromXeroAmount(value: number | string | undefined | null, currency: string): number {
  if (value === undefined || value === null) return 0;
  const iso = currencyExponent(normalizeCurrency(currency));
  const read = Math.max(iso, XERO_MAX_DECIMALS);
  return rescaleRounded(parseMinorUnits(value, read, currency), read, iso);
}

import { currencyExponent, decimalText, parseMajor, parseMinorUnits } from '../../domain/money.js';
import { decimalAmount, rescaleRounded, unrepresentable } from './currency-units.js';

/**
 * Zoho Invoice takes money as JSON decimal numbers and keeps, per currency of the organization, the
 * decimals its currency settings say (`price_precision`: 0, 2 or 3). Amounts duebot sends go exactly
 * with those decimals or are refused (`unrepresentable`); amounts Zoho computed are read exactly.
 */

/** duebot minor units → the decimal number Zoho takes, as a JSON number's text ("1500", "980.5", "1.25"). */
export function toZohoAmount(amountMinor: number, currency: string, precision: number): number {
  const text = decimalAmount('Zoho Invoice', precision, amountMinor, currency);
  const wire = Number(text);
  // A JSON number is a double: beyond ~15 significant digits its shortest text is another amount.
  if (String(wire) !== text.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, ''))
    throw unrepresentable('Zoho Invoice', amountMinor, currency, 'JSON numbers hold about 15 significant digits');
  return wire;
}

/**
 * A Zoho decimal number → duebot minor units. Zoho answers with JSON numbers; their shortest text is
 * the decimal Zoho meant. Digits beyond the currency's ISO decimals (a 3-decimal precision on USD)
 * are rounded: Zoho computed that amount, and duebot must record it whatever it is.
 */
export function fromZohoAmount(value: number | string | null | undefined, currency: string): number {
  if (value === null || value === undefined || value === '') return 0;
  // A double's binary noise (0.30000000000000004) is not a digit Zoho meant: nine decimals are plenty.
  const text = typeof value === 'number' ? decimalText(value, 9) : value.trim();
  const iso = currencyExponent(currency);
  const fraction = text.split('.')[1]?.replace(/0+$/, '') ?? '';
  if (fraction.length <= iso) return parseMajor(text, currency).amount;
  // More digits than ISO keeps: read at the wider scale, then round once.
  return rescaleRounded(parseMinorUnits(text, fraction.length, currency), fraction.length, iso);
}

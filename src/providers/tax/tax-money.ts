import { currencyExponent, decimalText, MoneyError, parseMinorUnits } from '../../domain/money.js';
import { rescaleRounded } from '../invoicing/currency-units.js';

/**
 * A tax amount a tax service computed (a JSON float in major units, e.g. 123.75) as duebot's minor
 * units: read through its shortest decimal string with up to 6 decimals, then rounded half away from
 * zero to the currency's decimals. No float arithmetic: the number is only ever turned into text.
 */
export function taxMinorUnits(value: unknown, currency: string, what: string): number {
  if (typeof value !== 'number' && typeof value !== 'string') throw new MoneyError(`${what}: ${JSON.stringify(value)} is not an amount`);
  if (typeof value === 'number' && !Number.isFinite(value)) throw new MoneyError(`${what}: ${value} is not an amount`);
  const SCALE = 6;
  let micro: number;
  try {
    micro = parseMinorUnits(value, SCALE, 'a tax amount');
  } catch {
    // More than 6 decimals: cut the text to 7 and round once, still without float arithmetic.
    const text = typeof value === 'number' ? decimalText(value) : value.trim();
    const m = /^(-?\d+)\.(\d{7})\d*$/.exec(text);
    if (!m) throw new MoneyError(`${what}: ${JSON.stringify(value)} is not an amount`);
    micro = rescaleRounded(parseMinorUnits(`${m[1]}.${m[2]}`, SCALE + 1, 'a tax amount'), SCALE + 1, SCALE);
  }
  return rescaleRounded(micro, SCALE, currencyExponent(currency));
}

/** A decimal rate as a percent string: 0.08875 → "8.875" (shifting the decimal point in the text). */
export function percentFromFraction(value: unknown): string {
  const text = typeof value === 'number' ? decimalText(value) : String(value ?? '').trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return '0';
  const frac = (m[2] ?? '').padEnd(2, '0');
  const whole = `${m[1]!}${frac.slice(0, 2)}`.replace(/^0+(?=\d)/, '');
  const fraction = frac.slice(2).replace(/0+$/, '');
  return `${whole}${fraction ? `.${fraction}` : ''}`;
}

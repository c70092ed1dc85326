import { currencyExponent, formatMajorWithCode, money } from '../../domain/money.js';
import { BackendError } from './errors.js';

/**
 * Moving an amount between duebot's minor units (ISO 4217 exponent) and a back-end's own. Each back-end
 * keeps its exponent table in its own module (stripe-currency.ts, quickbooks-currency.ts,
 * freshbooks-currency.ts); this holds the arithmetic they share. Integers only: never a float.
 */

/** `amount` with `from` decimals expressed with `to` decimals, or null when that loses a digit. */
export function rescaleExact(amount: number, from: number, to: number): number | null {
  if (to >= from) return amount * 10 ** (to - from);
  const divisor = 10 ** (from - to);
  return amount % divisor === 0 ? amount / divisor : null;
}

/**
 * `amount` with `from` decimals expressed with `to` decimals, rounded half away from zero. Only for
 * amounts a back-end computed itself (its tax, a payment made there), which duebot must record whatever
 * they are: amounts duebot sends are refused instead (`unrepresentable`).
 */
export function rescaleRounded(amount: number, from: number, to: number): number {
  if (to >= from) return amount * 10 ** (to - from);
  const divisor = 10 ** (from - to);
  const abs = Math.abs(amount);
  const rounded = Math.floor(abs / divisor) + (abs % divisor >= divisor / 2 ? 1 : 0);
  return amount < 0 ? -rounded : rounded;
}

/** The refusal for an amount a back-end cannot hold exactly: final (not retryable), shown to the approver. */
export function unrepresentable(backend: string, amountMinor: number, currency: string, rule: string): BackendError {
  return new BackendError(
    `${formatMajorWithCode(money(amountMinor, currency))} cannot be sent to ${backend} exactly: ${rule}. Change the amount and approve again.`,
    'invalid',
    false,
  );
}

/**
 * For back-ends that take decimal major units (QuickBooks, FreshBooks) and keep at most `maxDecimals`
 * of them: the exact decimal string with the currency's ISO decimals cut to what the back-end keeps
 * ("1500" JPY, "1.25" KWD), or a refusal when a dropped digit is not 0.
 */
export function decimalAmount(backend: string, maxDecimals: number, amountMinor: number, currency: string): string {
  const iso = currencyExponent(currency);
  const kept = Math.min(iso, maxDecimals);
  const scaled = rescaleExact(amountMinor, iso, kept);
  if (scaled === null) throw unrepresentable(backend, amountMinor, currency, `${backend} keeps ${kept} decimals of ${currency}`);
  const digits = Math.abs(scaled)
    .toString()
    .padStart(kept + 1, '0');
  const text = kept === 0 ? digits : `${digits.slice(0, -kept)}.${digits.slice(-kept)}`;
  return (scaled < 0 ? '-' : '') + text;
}

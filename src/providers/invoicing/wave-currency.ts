import { currencyExponent, normalizeCurrency, parseMinorUnits } from '../../domain/money.js';
import { rescaleExact, rescaleRounded, unrepresentable } from './currency-units.js';

/**
 * Wave's money: outputs are `Money { value: "1500.00", currency { code, exponent } }`, where `value` is
 * the decimal amount and `exponent` the decimals Wave keeps for that currency; inputs (`unitPrice`) are
 * decimals in major units. duebot sends every amount with the currency's ISO decimals, refused when
 * Wave keeps fewer and a dropped digit is not 0; what Wave computed is read back exactly when it can
 * be, rounded half away from zero otherwise (its own tax, payments made there).
 */

/** The slice of Wave's `Money` duebot reads. */
export interface WaveMoney {
  value: string;
  currency: { code: string; exponent: number };
}

/**
 * duebot minor units → the decimal string Wave takes, given how many decimals Wave keeps for the
 * currency (`waveExponent`, read from Wave's `currency(code)`): "1500.00" USD, "150000" JPY, "1.250" KWD.
 */
export function toWaveDecimal(amountMinor: number, currency: string, waveExponent: number): string {
  const iso = currencyExponent(currency);
  const kept = Math.min(iso, waveExponent);
  if (rescaleExact(amountMinor, iso, kept) === null) throw unrepresentable('Wave', amountMinor, currency, `Wave keeps ${waveExponent} decimals of ${currency}`);
  const digits = Math.abs(amountMinor)
    .toString()
    .padStart(iso + 1, '0');
  const text = iso === 0 ? digits : `${digits.slice(0, -iso)}.${digits.slice(-iso)}`;
  return (amountMinor < 0 ? '-' : '') + text;
}

/** A Wave `Money` → duebot minor units in `currency` (the invoice's), rounding only what ISO cannot hold. */
export function fromWaveMoney(m: WaveMoney | null | undefined, currency: string): number {
  if (!m) return 0;
  const iso = currencyExponent(currency);
  const text = m.value.trim();
  const decimals = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
  // At the precision Wave wrote it with, then to ISO decimals.
  const scale = Math.max(decimals, 0);
  const atScale = parseMinorUnits(text, scale, normalizeCurrency(m.currency.code || currency));
  return rescaleRounded(atScale, scale, iso);
}

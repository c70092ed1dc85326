import { currencyExponent, decimalText, normalizeCurrency, parseMinorUnits } from '../../domain/money.js';
import { decimalAmount, rescaleRounded } from './currency-units.js';

/**
 * Invoice Ninja keeps currencies as rows (`GET /api/v1/statics` → `currencies[]`: numeric `id`, ISO `code`,
 * `precision` as a string) and a client's currency as `settings.currency_id`. Its precision is not always
 * ISO's: JPY and ISK 0 like ISO, but PKR and HUF 0 (ISO 2), BHD and OMR 2 (ISO 3), KWD 3. Amounts go on the
 * wire as JSON numbers in major units with at most that many decimals; anything finer is refused.
 */
export interface InvoiceNinjaCurrency {
  id: string;
  code: string;
  precision: number;
}

/** The statics' currency rows, keyed both ways; rows without a usable code or precision are skipped. */
export function currencyTable(rows: readonly { id?: unknown; code?: unknown; precision?: unknown }[]): {
  byId: Map<string, InvoiceNinjaCurrency>;
  byCode: Map<string, InvoiceNinjaCurrency>;
} {
  const byId = new Map<string, InvoiceNinjaCurrency>();
  const byCode = new Map<string, InvoiceNinjaCurrency>();
  for (const row of rows) {
    const precision = Number(row.precision);
    if (typeof row.code !== 'string' || !/^[A-Za-z]{3}$/.test(row.code) || !Number.isInteger(precision) || precision < 0 || precision > 6) continue;
    const currency = { id: String(row.id), code: normalizeCurrency(row.code), precision };
    byId.set(currency.id, currency);
    if (!byCode.has(currency.code)) byCode.set(currency.code, currency);
  }
  return { byId, byCode };
}

/** duebot minor units → Invoice Ninja's JSON number (the exact decimal's shortest double), or a refusal. */
export function toInvoiceNinjaAmount(amountMinor: number, currency: InvoiceNinjaCurrency): number {
  return Number(decimalAmount('Invoice Ninja', currency.precision, amountMinor, currency.code));
}

/**
 * An amount Invoice Ninja computed (it stores six decimals and rounds to its precision) → duebot minor
 * units, rounded where its precision is finer than ISO's (KWD is not; a stray float digit would be).
 */
export function fromInvoiceNinjaAmount(value: number | string | null | undefined, currencyCode: string): number {
  if (value === null || value === undefined || value === '') return 0;
  // A JSON number may carry float noise past the six decimals Invoice Ninja keeps: cut there first.
  const micro = parseMinorUnits(typeof value === 'number' ? decimalText(value, 6) : value, 6, currencyCode);
  return rescaleRounded(micro, 6, currencyExponent(currencyCode));
}

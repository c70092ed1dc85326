import { currencyExponent, normalizeCurrency } from '../../domain/money.js';
import { rescaleExact, rescaleRounded, unrepresentable } from './currency-units.js';

/**
 * Stripe's minor units, which are not always ISO 4217's (docs.stripe.com/currencies):
 * - zero-decimal at Stripe: these, MGA included (ISO gives it 2 decimals: a 100x difference);
 * - ISK, HUF and TWD stay two-decimal in the API (ISO: ISK 0), ISK in multiples of 100;
 * - three-decimal (BHD, JOD, KWD, OMR, TND) with the last digit 0;
 * - everything else two-decimal.
 */
const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

export function stripeExponent(currency: string): number {
  const code = normalizeCurrency(currency);
  return ZERO_DECIMAL.has(code) ? 0 : THREE_DECIMAL.has(code) ? 3 : 2;
}

/** duebot minor units → the `amount` Stripe takes, or a BackendError ('invalid') when Stripe cannot hold it exactly. */
export function toStripeAmount(amountMinor: number, currency: string): number {
  const code = normalizeCurrency(currency);
  const exp = stripeExponent(code);
  const amount = rescaleExact(amountMinor, currencyExponent(code), exp);
  if (amount === null) throw unrepresentable('Stripe', amountMinor, code, `Stripe takes ${code} with ${exp} decimals`);
  if (THREE_DECIMAL.has(code) && amount % 10 !== 0) throw unrepresentable('Stripe', amountMinor, code, `Stripe requires the last of the three ${code} decimals to be 0`);
  return amount;
}

/**
 * A Stripe `amount` → duebot minor units. Exact for everything duebot sent; an amount Stripe computed
 * below duebot's unit (never seen: Stripe keeps ISK in whole kronur) is rounded half away from zero.
 */
export function fromStripeAmount(amount: number, currency: string): number {
  const code = normalizeCurrency(currency);
  return rescaleRounded(amount, stripeExponent(code), currencyExponent(code));
}

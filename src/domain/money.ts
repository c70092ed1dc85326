/**
 * Money as integer minor units plus an ISO 4217 currency. No floats anywhere in the money path:
 * amounts from outside (custom fields, YAML, Slack modals) arrive as decimal strings or numbers and
 * are parsed digit by digit.
 */
export interface Money {
  /** Integer amount in the currency's minor unit (cents for USD, yen for JPY). */
  readonly amount: number;
  /** Upper-case ISO 4217 code, e.g. "USD". */
  readonly currency: string;
}

/** Currencies whose minor unit is not 1/100 (ISO 4217). Everything else has two decimals. */
const EXPONENTS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

export class MoneyError extends Error {
  override readonly name = 'MoneyError';
}

/**
 * The largest amount duebot accepts anywhere, in minor units: 15 digits. A bigint column holds far more
 * and Number.MAX_SAFE_INTEGER (16 digits) a little more, but 15 significant digits are the most a double
 * carries exactly through every decimal conversion on the way out (Intl display, back-ends that take
 * decimal numbers), so nothing larger can be shown or sent correctly: 9,999,999,999,999.99 USD.
 */
export const MAX_AMOUNT_MINOR = 999_999_999_999_999;

export function normalizeCurrency(code: string): string {
  const upper = code.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(upper)) throw new MoneyError(`"${code}" is not an ISO 4217 currency code`);
  return upper;
}

export function currencyExponent(currency: string): number {
  return EXPONENTS[normalizeCurrency(currency)] ?? 2;
}

export function money(amount: number, currency: string): Money {
  if (!Number.isSafeInteger(amount)) throw new MoneyError(`amount must be an integer of minor units, got ${amount}`);
  return { amount, currency: normalizeCurrency(currency) };
}

/**
 * Parses a major-unit amount ("1500", "1,500.50", 1500.5) into minor units, exactly.
 * Numbers are converted through their shortest decimal string, so 0.1 + 0.2 style noise never leaks in.
 */
export function parseMajor(value: string | number, currency: string): Money {
  const cur = normalizeCurrency(currency);
  return money(parseMinorUnits(value, currencyExponent(cur), cur), cur);
}

/** parseMajor for a given number of decimals (`label` names them in errors: a currency, or "any currency"). */
export function parseMinorUnits(value: string | number, exp: number, label: string): number {
  let text = typeof value === 'number' ? decimalText(value) : value.trim().replace(/[,_\s]/g, '');
  const negative = text.startsWith('-');
  if (negative || text.startsWith('+')) text = text.slice(1);
  const match = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[1] === '' && (match[2] ?? '') === '')) {
    throw new MoneyError(`"${value}" is not an amount`);
  }
  const whole = match[1] || '0';
  const fraction = match[2] ?? '';
  if (fraction.replace(/0+$/, '').length > exp) {
    throw new MoneyError(`"${value}" has more decimals than ${label} allows (${exp})`);
  }
  const minor = BigInt(whole) * 10n ** BigInt(exp) + BigInt((fraction + '0'.repeat(exp)).slice(0, exp) || '0');
  return withinLimit(negative ? -minor : minor, `"${value}"`);
}

/** A bigint of minor units as a number, refused when it is beyond MAX_AMOUNT_MINOR either way. */
function withinLimit(minor: bigint, what: string): number {
  if (minor > BigInt(MAX_AMOUNT_MINOR) || minor < -BigInt(MAX_AMOUNT_MINOR)) {
    throw new MoneyError(`${what} is too large (at most ${MAX_AMOUNT_MINOR.toLocaleString('en-US')} minor units)`);
  }
  return Number(minor);
}

/**
 * A positive decimal quantity ("2.5", "1") as written, refused when it is not one: digits only (no
 * exponent, sign or float noise), above zero, and at most 30 characters so nothing absurd is stored.
 */
export function parseQuantity(value: string | number): string {
  const text = typeof value === 'number' ? decimalText(value) : value.trim();
  if (!/^\d+(\.\d+)?$/.test(text) || text.length > 30) throw new MoneyError(`quantity "${String(value).slice(0, 40)}" is not a positive number`);
  if (!/[1-9]/.test(text)) throw new MoneyError(`quantity "${text}" must be above zero`);
  return text;
}

/**
 * A number read from JSON as plain decimal text, with no exponent, for integer parsing: never arithmetic on
 * the double. `maxDecimals` cuts binary noise past what the sender keeps (Invoice Ninja 6, Zoho 9).
 */
export function decimalText(n: number, maxDecimals = 20): string {
  if (!Number.isFinite(n)) throw new MoneyError(`${n} is not an amount`);
  // toLocaleString avoids exponent notation for large or tiny numbers while keeping the shortest digits.
  return n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: maxDecimals });
}

function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new MoneyError(`cannot combine ${a.currency} with ${b.currency}`);
}

export function add(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amount + b.amount, a.currency);
}

export function subtract(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amount - b.amount, a.currency);
}

export function sum(items: readonly Money[], currency: string): Money {
  return items.reduce((acc, m) => add(acc, m), money(0, currency));
}

/** Multiplies by a decimal quantity such as "1.5" hours, rounding half away from zero to a minor unit. */
export function multiply(m: Money, quantity: string | number): Money {
  const text = typeof quantity === 'number' ? decimalText(quantity) : quantity.trim();
  const match = /^(-?)(\d*)(?:\.(\d+))?$/.exec(text);
  if (!match || (match[2] === '' && !match[3])) throw new MoneyError(`"${quantity}" is not a quantity`);
  const fraction = match[3] ?? '';
  const scale = 10n ** BigInt(fraction.length);
  const q = BigInt((match[2] || '0') + fraction) * (match[1] === '-' ? -1n : 1n);
  const product = BigInt(m.amount) * q;
  const abs = product < 0n ? -product : product;
  const rounded = (abs + scale / 2n) / scale;
  return money(withinLimit(product < 0n ? -rounded : rounded, `${toMajorString(m)} ${m.currency} × ${text}`), m.currency);
}

/** Basis-point percentage (825 = 8.25 %), rounded half away from zero. */
export function percentOf(m: Money, basisPoints: number): Money {
  if (!Number.isInteger(basisPoints)) throw new MoneyError('basis points must be an integer');
  const product = BigInt(m.amount) * BigInt(basisPoints);
  const abs = product < 0n ? -product : product;
  const rounded = (abs + 5000n) / 10000n;
  return money(Number(product < 0n ? -rounded : rounded), m.currency);
}

/** Plain decimal string in major units, e.g. "1500.00" (for APIs that take decimals). */
export function toMajorString(m: Money): string {
  const exp = currencyExponent(m.currency);
  const abs = Math.abs(m.amount)
    .toString()
    .padStart(exp + 1, '0');
  const whole = exp === 0 ? abs : abs.slice(0, -exp);
  const frac = exp === 0 ? '' : '.' + abs.slice(-exp);
  return (m.amount < 0 ? '-' : '') + whole + frac;
}

/** Major units with thousands separators and the code, e.g. "1,000,000.00 USD" (exact, for messages). */
export function formatMajorWithCode(m: Money): string {
  const [whole, frac] = toMajorString(m).split('.');
  return `${whole!.replace(/\B(?=(\d{3})+$)/g, ',')}${frac === undefined ? '' : `.${frac}`} ${m.currency}`;
}

/** Human display, e.g. "$1,500.00" or "€980.00" or "¥12,000". */
export function formatMoney(m: Money, locale = 'en-US'): string {
  const exp = currencyExponent(m.currency);
  const formatter = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: m.currency,
    minimumFractionDigits: exp,
    maximumFractionDigits: exp,
  });
  // Intl reads the decimal text exactly: no float ever stands between the minor units and the display.
  return formatter.format(toMajorString(m) as `${number}`);
}

import { assertYmd } from './calendar.js';
import { formatMoney as formatMoneyIn, money } from './money.js';
import { INTL_TAGS, type Locale } from './locale.js';

/**
 * Money and dates as the client reads them: "3.040,00 €" and "15. Januar 2027" for a German client,
 * "$3,040.00" and "Jan 15, 2027" in English as always. Amounts stay integer minor units until Intl
 * formats their exact decimal text.
 */
export function formatMoney(minor: number, currency: string, locale: Locale): string {
  return formatMoneyIn(money(minor, currency), INTL_TAGS[locale]);
}

const dateFormats = new Map<Locale, Intl.DateTimeFormat>();

/**
 * A calendar date ("2027-01-15", already fixed in the business time zone) in the client's words.
 * Formatted in UTC from its parts, so no reader's time zone can shift the day.
 */
export function formatDate(ymd: string, locale: Locale): string {
  const [y, m, d] = assertYmd(ymd).split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (m < 1 || m > 12 || d < 1 || d > lastDay) throw new RangeError(`"${ymd}" is not a calendar date`);
  let format = dateFormats.get(locale);
  if (!format) {
    // English keeps its short month ("Dec 2, 2026"); the others write the month out, as letters there do.
    format = new Intl.DateTimeFormat(INTL_TAGS[locale], { day: 'numeric', month: locale === 'en' ? 'short' : 'long', year: 'numeric', timeZone: 'UTC' });
    dateFormats.set(locale, format);
  }
  return format.format(new Date(Date.UTC(y, m - 1, d)));
}

/** A line's quantity ("1.5") in the client's digits ("1,5"); English keeps the text as entered. */
export function formatQuantity(quantity: string, locale: Locale): string {
  if (locale === 'en' || !/^-?\d+(\.\d+)?$/.test(quantity)) return quantity;
  return new Intl.NumberFormat(INTL_TAGS[locale], { maximumFractionDigits: 20, useGrouping: false }).format(quantity as `${number}`);
}

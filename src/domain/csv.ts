/**
 * CSV for spreadsheets (RFC 4180: CRLF rows, quotes doubled). Outside text that a spreadsheet would run as
 * a formula (a cell starting with = + - @, a tab or a CR) gets a leading apostrophe, so a task named
 * `=HYPERLINK(...)` or "=cmd|' /C calc'!A0" stays text (OWASP "CSV injection"). Numbers, and text that is
 * only a plain decimal number such as "-12.50", are written as they are: a spreadsheet reads them as numbers.
 */
export type CsvValue = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' || PLAIN_NUMBER.test(value) || !FORMULA_START.test(value) ? String(value) : `'${value}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as CSV text, each ended by CRLF. */
export function csvText(rows: readonly (readonly CsvValue[])[]): string {
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** A header row, then the rows. */
export const toCsv = (header: readonly string[], rows: readonly (readonly CsvValue[])[]): string => csvText([header, ...rows]);

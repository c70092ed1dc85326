/**
 * CSV for spreadsheets (RFC 4180: CRLF rows, quotes doubled). Outside text that a spreadsheet would
 * run as a formula (a cell starting with = + - @, a tab or a CR) gets a leading apostrophe, so a task
 * named `=HYPERLINK(...)` stays text. Numbers are our own and are written as they are.
 */
export type CsvValue = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? String(value) : FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

import { parse } from 'csv-parse/sync';
import type { ForecastInvoice } from '../domain/forecast.js';
import { MoneyError, normalizeCurrency, parseMajor } from '../domain/money.js';

/**
 * Reads a payment-history CSV with the columns
 * `customer,invoice_number,invoice_date,due_date,amount,currency,paid_date` (header required, any
 * column order, extra columns ignored). `amount` is a decimal in major units ("1250.00"), converted
 * exactly to minor units; `paid_date` is empty while unpaid; `due_date` may be empty (the default
 * terms then apply). A bad row is reported with its line number and the column at fault.
 */
export const HISTORY_COLUMNS = ['customer', 'invoice_number', 'invoice_date', 'due_date', 'amount', 'currency', 'paid_date'] as const;

export class HistoryCsvError extends Error {
  override readonly name = 'HistoryCsvError';
  readonly code = 'forecast_history_invalid';
}

type Row = Record<string, string>;

export function parseHistoryCsv(text: string): ForecastInvoice[] {
  let records: { record: Row; info: { lines: number } }[];
  try {
    records = parse(text, {
      columns: (header: string[]) => {
        const names = header.map((h) => h.trim().toLowerCase());
        const missing = HISTORY_COLUMNS.filter((c) => !names.includes(c));
        if (missing.length) throw new HistoryCsvError(`the header lacks the column(s) ${missing.join(', ')}`);
        return names;
      },
      skip_empty_lines: true,
      trim: true,
      bom: true,
      info: true,
    }) as never;
  } catch (err) {
    if (err instanceof HistoryCsvError) throw err;
    throw new HistoryCsvError(`not a readable CSV: ${(err as Error).message}`);
  }
  return records.map(({ record, info }) => toInvoice(record, info.lines));
}

function toInvoice(row: Row, line: number): ForecastInvoice {
  const fail = (column: string, why: string): never => {
    throw new HistoryCsvError(`row ${line}, column ${column}: ${why}`);
  };
  const field = (column: (typeof HISTORY_COLUMNS)[number]) => row[column] ?? '';
  const date = (column: (typeof HISTORY_COLUMNS)[number], optional: boolean): string | null => {
    const value = field(column);
    if (value === '') return optional ? null : fail(column, 'is empty');
    return isCalendarDate(value) ? value : fail(column, `"${value}" is not a YYYY-MM-DD date`);
  };

  const customer = field('customer') || fail('customer', 'is empty');
  const number = field('invoice_number') || fail('invoice_number', 'is empty');
  let currency: string;
  try {
    currency = normalizeCurrency(field('currency'));
  } catch {
    return fail('currency', `"${field('currency')}" is not an ISO 4217 currency code`);
  }
  let amount: number;
  try {
    amount = parseMajor(field('amount'), currency).amount;
  } catch (err) {
    return fail('amount', err instanceof MoneyError ? err.message : `"${field('amount')}" is not an amount`);
  }
  if (amount < 0) fail('amount', 'is negative');
  const invoiceDate = date('invoice_date', false)!;
  const dueDate = date('due_date', true);
  const paidDate = date('paid_date', true);
  if (dueDate && dueDate < invoiceDate) fail('due_date', `${dueDate} is before the invoice date ${invoiceDate}`);
  if (paidDate && paidDate < invoiceDate) fail('paid_date', `${paidDate} is before the invoice date ${invoiceDate}`);
  return { customer, number, invoiceDate, dueDate, amount, currency, paidDate };
}

/** A real `YYYY-MM-DD` calendar date (2026-02-30 is not; the shared `assertYmd` lets such dates roll over). */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

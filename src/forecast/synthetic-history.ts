import { addDays, daysBetween } from '../domain/calendar.js';
import type { ForecastInvoice } from '../domain/forecast.js';
import { seededRandom } from '../domain/random.js';

/**
 * A SYNTHETIC accounts-receivable history that is hard to forecast on purpose (described in
 * docs/forecast.md#the-synthetic-history). Deterministic: the same seed gives the same rows.
 *
 * Each client has a payment style (prompt, late, erratic, early, month-end run, weekly run), terms,
 * a billing cadence and a typical amount. On top: habits that drift over time and sometimes break
 * (a client in trouble), seasonality (December and August slower), large invoices paid slower,
 * payments on a weekend land on Monday, partial payments (two rows with one invoice number), disputes
 * (paid much later or never), invoices never paid, and clients that arrive or leave mid-period.
 */
export interface SyntheticOptions {
  seed: number;
  first: string;
  last: string;
  /** The "export" date: payments after it are still empty. */
  exported: string;
  /** Clients at the start; about as many again arrive during the period. */
  clients: number;
}

export const DEFAULT_SYNTHETIC: SyntheticOptions = { seed: 20261204, first: '2024-01-01', last: '2026-06-30', exported: '2026-07-15', clients: 40 };

type Style = 'prompt' | 'late' | 'erratic' | 'early' | 'month-end' | 'weekly-run';

interface Client {
  name: string;
  currency: string;
  terms: number;
  cadence: number;
  base: number;
  style: Style;
  /** Mean lateness at the start, and its drift in days per year. */
  lateness: number;
  drift: number;
  start: string;
  end: string;
  /** From this date on the client pays much later (trouble), if set. */
  troubleFrom: string | null;
  writeOff: number;
  partialShare: number;
  runWeekday: number;
}

const NAMES = ['Northwind', 'Bluebird', 'Harbor', 'Granite', 'Maple', 'Summit', 'Pixel', 'Orchard', 'Redwood', 'Lakeside', 'Atelier', 'Quarry', 'Cedar', 'Falcon', 'Juniper'];
const KINDS = ['Studio', 'Dental', 'Logistics', 'Construction', 'Legal', 'Forge', 'Cafe', 'Ventures', 'Clinic', 'Analytics', 'Media', 'Foods'];

export function syntheticHistory(options: SyntheticOptions = DEFAULT_SYNTHETIC): ForecastInvoice[] {
  const random = seededRandom(options.seed);
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const chance = (p: number) => random() < p;
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const pick = <T>(items: readonly [number, T][]): T => {
    let r = random() * items.reduce((s, [w]) => s + w, 0);
    for (const [w, v] of items) if ((r -= w) < 0) return v;
    return items[items.length - 1]![1];
  };
  const span = daysBetween(options.first, options.last);

  const clients: Client[] = [];
  const total = options.clients * 2;
  for (let i = 0; i < total; i++) {
    const arrives = i < options.clients ? options.first : addDays(options.first, between(60, span - 30));
    const lost = chance(0.3);
    const style = pick<Style>([
      [22, 'prompt'],
      [25, 'late'],
      [15, 'erratic'],
      [8, 'early'],
      [18, 'month-end'],
      [12, 'weekly-run'],
    ]);
    const baseLateness = { prompt: 0, late: between(8, 25), erratic: between(5, 20), early: -between(8, 20), 'month-end': between(0, 10), 'weekly-run': between(0, 8) }[style];
    clients.push({
      name: `${NAMES[i % NAMES.length]} ${KINDS[Math.floor(i / NAMES.length) % KINDS.length]}${i >= NAMES.length * KINDS.length ? ` ${i}` : ''}`,
      currency: chance(0.15) ? 'EUR' : 'USD',
      terms: pick([
        [20, 15],
        [55, 30],
        [15, 45],
        [10, 60],
      ]),
      cadence: between(7, 40),
      base: Math.round(Math.exp(7 + 1.2 * random())),
      style,
      lateness: baseLateness,
      drift: chance(0.5) ? normal() * 8 : 0,
      start: arrives,
      end: lost ? addDays(arrives, between(90, Math.max(91, daysBetween(arrives, options.last)))) : options.last,
      troubleFrom: chance(0.12) ? addDays(options.first, between(120, span)) : null,
      writeOff: pick([
        [70, 0.005],
        [25, 0.03],
        [5, 0.1],
      ]),
      partialShare: chance(0.3) ? 0.15 : 0,
      runWeekday: between(1, 5),
    });
  }

  const rows: ForecastInvoice[] = [];
  for (const [index, c] of clients.entries()) {
    const prefix = `C${String(index + 1).padStart(3, '0')}`;
    let n = 1;
    for (let date = addDays(c.start, between(0, c.cadence)); date <= c.end && date <= options.last; date = addDays(date, Math.max(3, Math.round(c.cadence * (0.5 + random()))))) {
      const amount = Math.max(5000, Math.round((c.base * Math.exp(0.5 * normal())) / 5) * 500);
      const due = addDays(date, c.terms);
      const number = `${prefix}-${String(n++).padStart(4, '0')}`;
      const lostSoon = c.end < options.last && daysBetween(date, c.end) < 60;
      const disputed = chance(0.04);
      let paid: string | null = null;
      if (!chance(c.writeOff + (lostSoon ? 0.15 : 0) + (disputed ? 0.3 : 0))) {
        paid = payDate(c, date, due, amount, disputed);
      }
      // Paid after the export date: still open in the export.
      const row = (paidOn: string | null, part: number) =>
        rows.push({
          customer: c.name,
          number,
          invoiceDate: date,
          dueDate: due,
          amount: part,
          currency: c.currency,
          paidDate: paidOn && paidOn <= options.exported ? paidOn : null,
        });
      if (paid && chance(c.partialShare)) {
        // Half now, the rest 10-40 days later (or never): two rows with one invoice number.
        const first = Math.round(amount / 2);
        row(paid, first);
        row(chance(0.1) ? null : weekdayOn(addDays(paid, between(10, 40))), amount - first);
      } else row(paid, amount);
    }
  }
  rows.sort((a, b) => a.invoiceDate.localeCompare(b.invoiceDate) || a.number.localeCompare(b.number) || a.amount - b.amount);
  return rows;

  function payDate(c: Client, issued: string, due: string, amount: number, disputed: boolean): string {
    const years = daysBetween(options.first, issued) / 365;
    let mean = c.lateness + c.drift * years;
    if (c.troubleFrom && issued >= c.troubleFrom) mean += 25;
    const month = Number(issued.slice(5, 7));
    if (month === 12 || month === 11) mean += 7; // year-end: approvers on holiday
    if (month === 7) mean += 5; // summer
    if (amount > c.base * 2) mean += 6; // large invoices need a second signature
    if (disputed) mean += between(25, 70);
    const spread = c.style === 'erratic' ? 15 : c.style === 'prompt' ? 2 : 5;
    let late = Math.round(mean + spread * normal());
    if (c.style === 'erratic' && chance(0.2)) late += between(20, 50);
    let date = addDays(due, late);
    if (c.style === 'month-end') date = monthEndAfter(date);
    if (c.style === 'weekly-run') date = nextWeekday(date, c.runWeekday);
    if (date < issued) date = addDays(issued, between(0, 3));
    return weekdayOn(date);
  }
}

const weekday = (ymd: string) => new Date(`${ymd}T00:00:00Z`).getUTCDay();

/** A payment dated on a weekend arrives on Monday. */
function weekdayOn(ymd: string): string {
  const day = weekday(ymd);
  return day === 6 ? addDays(ymd, 2) : day === 0 ? addDays(ymd, 1) : ymd;
}

function monthEndAfter(ymd: string): string {
  const [y, m] = ymd.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return addDays(next, -1);
}

function nextWeekday(ymd: string, target: number): string {
  return addDays(ymd, (target - weekday(ymd) + 7) % 7);
}

/** The rows as the history CSV (`customer,invoice_number,invoice_date,due_date,amount,currency,paid_date`). */
export function historyCsv(rows: readonly ForecastInvoice[]): string {
  const quote = (v: string) => (/[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const major = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
  const lines = rows.map((r) => [r.customer, r.number, r.invoiceDate, r.dueDate ?? '', major(r.amount), r.currency, r.paidDate ?? ''].map(quote).join(','));
  return ['customer,invoice_number,invoice_date,due_date,amount,currency,paid_date', ...lines].join('\n') + '\n';
}

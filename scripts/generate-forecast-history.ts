/**
 * `npx tsx scripts/generate-forecast-history.ts [out.csv]` writes the SYNTHETIC payment history used
 * to measure the forecast (default test/fixtures/forecast/history.csv). Deterministic: a fixed seed,
 * so the committed file is reproducible byte for byte.
 *
 * Twelve made-up customers with distinct, plausible habits (lateness = paid date - due date):
 * prompt payers, chronic 2-3 week late payers, erratic ones, one that pays early, a monthly retainer,
 * a EUR client, and a client that only starts late in the period (little history). Invoices from
 * 2025-01-01 to 2026-06-30; the "export" is taken on 2026-07-15, so later payments are still empty.
 */
import { writeFile } from 'node:fs/promises';
import { addDays, daysBetween } from '../src/domain/calendar.js';
import { seededRandom } from './bench-support.js';

const SEED = 20260301;
const FIRST = '2025-01-01';
const LAST = '2026-06-30';
const EXPORTED = '2026-07-15';

const random = seededRandom(SEED);
const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(weighted: [number, T][]): T => {
  let r = random() * weighted.reduce((s, [w]) => s + w, 0);
  for (const [w, v] of weighted) if ((r -= w) < 0) return v;
  return weighted[weighted.length - 1]![1];
};

interface Habit {
  name: string;
  currency: string;
  termsDays: number;
  /** Days between invoices (a range), or 'monthly' for a retainer billed on the 1st. */
  cadence: [number, number] | 'monthly';
  /** Typical invoice in whole major units. */
  base: number;
  start?: string;
  /** Lateness in days for one invoice, or null for never paid (written off). */
  lateness: () => number | null;
}

const HABITS: Habit[] = [
  {
    name: 'Northwind Studio',
    currency: 'USD',
    termsDays: 30,
    cadence: [10, 20],
    base: 4200,
    lateness: () =>
      pick([
        [80, between(-2, 2)],
        [20, between(3, 8)],
      ]),
  },
  {
    name: 'Bluebird Dental',
    currency: 'USD',
    termsDays: 15,
    cadence: [14, 25],
    base: 1800,
    lateness: () =>
      pick([
        [85, between(-1, 1)],
        [15, between(2, 6)],
      ]),
  },
  { name: 'Harbor Logistics', currency: 'USD', termsDays: 30, cadence: [18, 30], base: 9500, lateness: () => between(-3, 3) },
  {
    name: 'Granite Construction',
    currency: 'USD',
    termsDays: 30,
    cadence: [14, 24],
    base: 12000,
    lateness: () =>
      pick([
        [75, between(14, 21)],
        [25, between(22, 32)],
      ]),
  },
  {
    name: 'Maple Property Mgmt',
    currency: 'USD',
    termsDays: 30,
    cadence: [14, 28],
    base: 3300,
    lateness: () =>
      pick([
        [70, between(12, 20)],
        [20, between(20, 28)],
        [10, between(5, 11)],
      ]),
  },
  { name: 'Summit Legal', currency: 'USD', termsDays: 45, cadence: [20, 35], base: 7800, lateness: () => between(14, 24) },
  {
    name: 'Pixel Forge',
    currency: 'USD',
    termsDays: 15,
    cadence: [7, 18],
    base: 2500,
    lateness: () =>
      pick<number | null>([
        [40, between(0, 4)],
        [30, between(8, 25)],
        [27, between(30, 60)],
        [3, null],
      ]),
  },
  {
    name: 'Orchard Cafe Group',
    currency: 'USD',
    termsDays: 30,
    cadence: [10, 30],
    base: 1400,
    lateness: () =>
      pick<number | null>([
        [35, between(-5, 3)],
        [35, between(10, 35)],
        [25, between(40, 75)],
        [5, null],
      ]),
  },
  { name: 'Redwood Ventures', currency: 'USD', termsDays: 30, cadence: [14, 24], base: 15000, lateness: () => between(-24, -18) },
  {
    name: 'Lakeside Clinic',
    currency: 'USD',
    termsDays: 15,
    cadence: 'monthly',
    base: 2000,
    lateness: () =>
      pick([
        [85, between(1, 4)],
        [15, between(8, 12)],
      ]),
  },
  { name: 'Atelier Brun', currency: 'EUR', termsDays: 30, cadence: [15, 30], base: 5200, lateness: () => between(4, 11) },
  { name: 'Quarry Analytics', currency: 'USD', termsDays: 30, cadence: [10, 16], base: 6000, start: '2026-04-01', lateness: () => between(6, 12) },
];

function amountFor(base: number): number {
  // Spread of roughly 0.5x..1.6x the customer's typical invoice, rounded to 50 major units.
  const factor = 0.5 + random() * 1.1;
  return Math.max(50, Math.round((base * factor) / 50) * 50);
}

export function generateHistory(): string {
  const rows: string[][] = [];
  for (const habit of HABITS) {
    let date = habit.start ?? (habit.cadence === 'monthly' ? FIRST : addDays(FIRST, between(0, 10)));
    let n = 1;
    const prefix = habit.name.replace(/[^A-Z]/g, '').slice(0, 3);
    while (date <= LAST) {
      const amount = habit.cadence === 'monthly' ? habit.base : amountFor(habit.base);
      const due = addDays(date, habit.termsDays);
      const late = habit.lateness();
      let paid = late === null ? '' : addDays(due, late);
      if (paid && paid < date) paid = date;
      if (paid > EXPORTED) paid = '';
      rows.push([habit.name, `${prefix}-${String(n).padStart(4, '0')}`, date, due, `${amount}.00`, habit.currency, paid]);
      n += 1;
      if (habit.cadence === 'monthly') {
        const [y, m] = date.split('-').map(Number) as [number, number];
        date = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
      } else {
        date = addDays(date, between(habit.cadence[0], habit.cadence[1]));
      }
    }
  }
  rows.sort((a, b) => a[2]!.localeCompare(b[2]!) || a[1]!.localeCompare(b[1]!));
  const quote = (v: string) => (/[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return ['customer,invoice_number,invoice_date,due_date,amount,currency,paid_date', ...rows.map((r) => r.map(quote).join(','))].join('\n') + '\n';
}

const out = process.argv[2] ?? 'test/fixtures/forecast/history.csv';
const csv = generateHistory();
await writeFile(out, csv);
const count = csv.trim().split('\n').length - 1;
console.log(`wrote ${count} invoices over ${daysBetween(FIRST, LAST) + 1} days to ${out}`);

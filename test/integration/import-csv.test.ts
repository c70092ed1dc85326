import { readFile } from 'node:fs/promises';
import { openTestDatabase } from '../support/database.js';
import type { Database } from '../../src/store/db.js';
import type { Clock } from '../../src/clock.js';
import type { Services } from '../../src/services.js';
import { upsertClients } from '../../src/store/clients.js';
import { draftsWithoutMessage, findInvoiceByNumber, invoicesInStatus, openInvoicesForAging } from '../../src/store/invoices.js';
import { clientInvoiceFacts } from '../../src/store/client-invoices.js';
import { buildForecast, type Forecast, type ForecastInvoice } from '../../src/domain/forecast.js';
import { clientStats } from '../../src/domain/client-stats.js';
import { parseHistoryCsv } from '../../src/forecast/history-csv.js';
import { forecastNow } from '../../src/usecases/forecast.js';
import { importFromCsv, type ImportDeps } from '../../src/usecases/import-history.js';
import { DEFAULT_REMINDER_SCHEDULE, type Client } from '../../src/domain/types.js';

const TZ = 'America/New_York';
const FIXTURE = new URL('../fixtures/forecast/history.csv', import.meta.url);

/** A clock the test sets: business time comes from it, as from src/clock.ts in the bot. */
class SetClock implements Clock {
  constructor(private at: Date) {}
  now(): Date {
    return new Date(this.at);
  }
  set(at: Date): void {
    this.at = at;
  }
}

let db: Database;
let csv: string;
let rows: ForecastInvoice[];
const clock = new SetClock(new Date('2026-03-02T15:00:00Z'));
const deps = (): ImportDeps => ({ db, clock, timezone: TZ, actor: 'test' });
/** What forecastNow reads from the services: the database, the clock, the time zone and the project tools (none here). */
const services = () => ({ db, clock, settings: { timezone: TZ }, projectTools: {}, backends: {} }) as unknown as Services;

/** The forecast from the database, shaped as the CLI's for comparison. */
async function botForecast() {
  const outlook = await forecastNow(services());
  return comparable(outlook.forecast);
}
function cliForecast(input: readonly ForecastInvoice[], asOf: string) {
  return comparable(buildForecast(input, asOf));
}
/** The chances to 9 decimals: the database sums the recency weights in another order than the CLI (last-digit float noise). */
function comparable(f: Forecast) {
  const round = (x: number) => Math.round(x * 1e9) / 1e9;
  return {
    currencies: f.currencies,
    payments: f.payments.map((p) => ({ ...p, bucketChances: p.bucketChances.map(round), neverChance: round(p.neverChance) })),
  };
}

const lakeside: Client = {
  id: 'lakeside',
  name: 'Lakeside Clinic',
  emails: ['ap@lakeside.example'],
  currency: 'USD',
  paymentTermsDays: 15,
  provider: 'stripe',
  asanaProjectGids: [],
  reminderSchedule: [...DEFAULT_REMINDER_SCHEDULE],
  finalMode: 'pause',
  autoSend: false,
};

beforeAll(async () => {
  db = await openTestDatabase();
  csv = await readFile(FIXTURE, 'utf8');
  rows = parseHistoryCsv(csv);
  // One customer of the CSV is in the clients file; the other eleven are not.
  await upsertClients(db.pool, [lakeside], clock.now());
});
afterAll(async () => db.close());

describe(`CSV history import (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  test('as of 2026-03-02: the forecast from the database equals the CLI on the rows known that day; rows dated later are skipped', async () => {
    const report = await importFromCsv(deps(), csv);
    const known = rows.filter((r) => r.invoiceDate <= '2026-03-02');
    expect(known.length).toBe(237);
    expect(report).toMatchObject({ origin: 'csv', read: 313, imported: 237, updated: 0, unchanged: 0 });
    expect(report.skipped).toHaveLength(76);
    expect(report.skipped[0]!.reason).toMatch(/^dated 2026-03-\d\d, after today$/);
    // Eleven customers besides Lakeside; one only starts in April 2026.
    expect(report.newClients).toHaveLength(10);
    expect(report.newClients).not.toContain('Lakeside Clinic');

    // The CLI treats a payment after as-of as not yet made; the import does the same.
    expect(await botForecast()).toEqual(cliForecast(known, '2026-03-02'));
    const usd = (await forecastNow(services())).forecast.currencies.find((c) => c.currency === 'USD')!;
    expect(usd.total30d).toBeGreaterThan(0);
    expect(usd.overdueCount).toBeGreaterThan(0);
  });

  test('imported invoices are history: matched client, aging, client stats; no Slack message, no reminder', async () => {
    const lc = await findInvoiceByNumber(db.pool, 'LC-0001');
    expect(lc).toMatchObject({
      clientId: 'lakeside',
      source: 'import',
      sourceRef: 'csv:LC-0001',
      seq: null,
      status: 'paid',
      total: 200000,
      amountPaid: 200000,
      dueDate: '2025-01-16',
    });
    const open = rows.filter((r) => r.invoiceDate <= '2026-03-02' && (!r.paidDate || r.paidDate > '2026-03-02'));
    const aging = await openInvoicesForAging(db.pool);
    expect(aging.map((a) => a.number).sort()).toEqual(open.map((r) => r.number).sort());

    const lakesidePaid = rows.filter((r) => r.customer === 'Lakeside Clinic' && r.paidDate && r.paidDate <= '2026-03-02');
    const stats = clientStats(await clientInvoiceFacts(db.pool, 'lakeside'), '2026-03-02');
    expect(stats.paidCount).toBe(lakesidePaid.length);

    expect(await draftsWithoutMessage(db.pool, new Date('2100-01-01'))).toEqual([]);
    expect(await invoicesInStatus(db.pool, ['sent', 'partially_paid', 'paid'])).toEqual([]); // never swept or polled
    // Payments of a first import predate every forecast: kept on the invoice, not as collections for the accuracy check.
    const { rows: firstPayments } = await db.pool.query('SELECT count(*)::int AS n FROM payments');
    expect(firstPayments[0].n).toBe(0);
    const { rows: reminders } = await db.pool.query('SELECT count(*)::int AS n FROM reminders');
    expect(reminders[0].n).toBe(0);
    const { rows: imported } = await db.pool.query<{ id: string; imported: boolean; emails: string[] }>(
      "SELECT id, imported, emails FROM clients WHERE id LIKE 'imported-%' ORDER BY id",
    );
    expect(imported).toHaveLength(10);
    expect(imported.every((c) => c.imported && c.emails.length === 0)).toBe(true);
  });

  test('re-running the same day changes nothing', async () => {
    const report = await importFromCsv(deps(), csv);
    expect(report).toMatchObject({ imported: 0, updated: 0, unchanged: 237, newClients: [] });
    const { rows: count } = await db.pool.query("SELECT count(*)::int AS n FROM invoices WHERE source = 'import'");
    expect(count[0].n).toBe(237);
  });

  test('as of 2026-06-30: new invoices come in, payments that arrived since update the old ones, and the forecast equals the CLI on the whole CSV', async () => {
    clock.set(new Date('2026-06-30T15:00:00Z'));
    const report = await importFromCsv(deps(), csv);
    const paidSince = rows.filter((r) => r.invoiceDate <= '2026-03-02' && r.paidDate && r.paidDate > '2026-03-02' && r.paidDate <= '2026-06-30');
    expect(paidSince.length).toBe(21);
    expect(report).toMatchObject({ read: 313, imported: 76, updated: 21, unchanged: 216, skipped: [] });
    expect(report.newClients).toHaveLength(1);
    expect(await botForecast()).toEqual(cliForecast(rows, '2026-06-30'));

    const updated = await findInvoiceByNumber(db.pool, paidSince[0]!.number);
    expect(updated).toMatchObject({ status: 'paid', amountPaid: updated!.total });
    const { rows: payments } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM payments WHERE invoice_id = $1', [updated!.id]);
    expect(payments[0]!.n).toBe(1);
  });
});

import { openTestDatabase } from '../support/database.js';
import type { Database } from '../../src/store/db.js';
import type { Services } from '../../src/services.js';
import { upsertClients } from '../../src/store/clients.js';
import { insertDraft } from '../../src/store/invoices.js';
import { formatInvoiceNumber } from '../../src/domain/invoice.js';
import { DEFAULT_REMINDER_SCHEDULE, type Client } from '../../src/domain/types.js';
import { forecastNow } from '../../src/usecases/forecast.js';
import { importFromCsv } from '../../src/usecases/import-history.js';

const now = new Date('2026-03-02T15:00:00Z');
const clock = { now: () => now };
const client = (c: Partial<Client> & Pick<Client, 'id' | 'name'>): Client => ({
  emails: ['ap@example.com'],
  currency: 'USD',
  paymentTermsDays: 15,
  provider: 'stripe',
  asanaProjectGids: [],
  reminderSchedule: [...DEFAULT_REMINDER_SCHEDULE],
  finalMode: 'pause',
  autoSend: false,
  ...c,
});

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => db.close());

test(`retainer invoices of the next 30 days are inflows at due date + the client's lateness (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, async () => {
  await upsertClients(
    db.pool,
    [
      client({ id: 'acme', name: 'Acme Ltd', retainer: { amount: 150000, description: 'Support', dayOfMonth: 10, startsOn: '2026-01-01' } }),
      client({ id: 'dyno', name: 'Dyno', paymentTermsDays: 7, retainer: { amount: 40000, description: 'Hosting', dayOfMonth: 2, startsOn: '2026-01-01' } }),
    ],
    now,
  );
  // Acme's history, imported: 2, 4 and 9 days late.
  const csv = [
    'customer,invoice_number,invoice_date,due_date,amount,currency,paid_date',
    'Acme Ltd,A-1,2025-12-01,2025-12-10,100.00,USD,2025-12-12',
    'Acme Ltd,A-2,2026-01-01,2026-01-10,100.00,USD,2026-01-14',
    'Acme Ltd,A-3,2026-02-01,2026-02-10,100.00,USD,2026-02-19',
  ].join('\n');
  expect(await importFromCsv({ db, clock, timezone: 'UTC', actor: 'test' }, csv)).toMatchObject({ imported: 3, newClients: [] });
  // Dyno's March retainer was drafted today (the retainer job ran): it counts once, as the stored draft.
  await insertDraft(
    db.pool,
    {
      clientId: 'dyno',
      source: 'retainer',
      sourceRef: 'dyno:2026-03',
      sourceUrl: null,
      milestone: 'Retainer — March 2026',
      currency: 'USD',
      lines: [{ description: 'Hosting', quantity: '1', unitAmount: 40000, amount: 40000 }],
      total: 40000,
      dueDate: '2026-03-09',
      recipients: ['ap@example.com'],
      provider: 'stripe',
    },
    { scope: 'default', format: (n) => formatInvoiceNumber('INV-', n) },
    now,
  );

  const outlook = await forecastNow({ db, clock, settings: { timezone: 'UTC' }, projectTools: {}, backends: {} } as unknown as Services);
  const usd = outlook.forecast.currencies.find((c) => c.currency === 'USD')!;
  // Dyno's draft: issued tomorrow, due 03-09, no own history → the pooled curve (Acme's 2, 4, 9 days late): even odds by 03-13.
  // Acme's April retainer is outside the window; its March one bills 03-10, due 03-25, even odds 4 days late → 03-29.
  expect(outlook.forecast.payments.map((p) => [p.number, p.expectedDate, p.basis])).toEqual([
    ['INV-0001', '2026-03-13', 'pooled'],
    ['retainer acme 2026-03', '2026-03-29', 'customer'],
  ]);
  // Each amount spread over the weeks around those dates: Dyno's mostly in week 2 (03-10..03-16), Acme's mostly in week 4 (03-24..03-30), part of it after 04-01.
  const [dyno, acme] = outlook.forecast.payments;
  expect(dyno!.bucketChances.indexOf(Math.max(...dyno!.bucketChances))).toBe(1);
  expect(acme!.bucketChances.indexOf(Math.max(...acme!.bucketChances))).toBe(3);
  expect(usd.weeks[3]!.expected).toBeGreaterThan(usd.weeks[1]!.expected);
  expect(usd.later).toBeGreaterThan(0);
  expect(usd.total30d + usd.later).toBe(190000);
});

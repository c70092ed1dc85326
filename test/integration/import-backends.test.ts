import type { InvoicingBackend } from '../../src/providers/invoicing/backend.js';
import { createStripeBackend } from '../../src/providers/invoicing/stripe.js';
import { createQuickBooksBackend } from '../../src/providers/invoicing/quickbooks.js';
import { createFreshBooksBackend } from '../../src/providers/invoicing/freshbooks.js';
import { upsertClients } from '../../src/store/clients.js';
import { findInvoiceByNumber, insertDraft, updateInvoice } from '../../src/store/invoices.js';
import type { Database } from '../../src/store/db.js';
import { localDate, localTime } from '../../src/domain/calendar.js';
import { formatInvoiceNumber } from '../../src/domain/invoice.js';
import { DEFAULT_REMINDER_SCHEDULE, type Client } from '../../src/domain/types.js';
import { importRecords, recordsFromBackend, type ImportDeps } from '../../src/usecases/import-history.js';
import { openTestDatabase } from '../support/database.js';
import { startFakeStripe } from '../support/fake-stripe.js';
import { startFakeQuickBooks } from '../support/fake-quickbooks.js';
import { startFakeFreshBooks } from '../support/fake-freshbooks.js';
import { issueTerms } from '../support/issue-terms.js';
import { connectedStore } from '../support/connected-backend.js';

const TZ = 'Europe/Berlin';
const PAGE = 3;

/** One back-end's fake, driven the same way for every back-end. */
interface Driver {
  backend: InvoicingBackend;
  /** An invoice from the past; returns the back-end's id. */
  seed(inv: { customer: string; number: string; issued: string; due: string; cents: number; paid?: { on: string; cents?: number }; voided?: boolean }): string;
  pay(id: string, on: string): void;
  /** List requests that asked for a page after the first. */
  laterPageRequests(): number;
  close(): Promise<void>;
}

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => db.close());

const unix = (ymd: string) => Math.floor(localTime(ymd, 12, TZ).getTime() / 1000);
const major = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

async function stripeDriver(): Promise<Driver> {
  const fake = await startFakeStripe();
  return {
    backend: createStripeBackend({ secretKey: 'sk_test_import', webhookSecret: fake.webhookSecret, apiUrl: fake.url }),
    seed: (s) =>
      fake.seedInvoice({
        customerName: s.customer,
        number: s.number,
        currency: 'USD',
        total: s.cents,
        created: unix(s.issued),
        dueDate: unix(s.due),
        status: s.voided ? 'void' : s.paid && (s.paid.cents ?? s.cents) >= s.cents ? 'paid' : 'open',
        amountPaid: s.paid?.cents ?? (s.paid ? s.cents : 0),
        paidAt: s.paid ? unix(s.paid.on) : null,
      }).id,
    pay: (id, on) => {
      fake.pay(id);
      (fake.invoices.get(id)!.status_transitions as Record<string, number>).paid_at = unix(on);
    },
    laterPageRequests: () => fake.requests.filter((r) => r.method === 'GET' && r.path === '/v1/invoices' && r.query.starting_after).length,
    close: fake.close,
  };
}

/** An OAuth back-end connected as the connect flow leaves it. */
const connected = (provider: string, accountId: string, tokens: { accessToken: string; refreshToken: string; expiresAt: Date }) => connectedStore(db, provider, accountId, tokens);

async function quickbooksDriver(): Promise<Driver> {
  const fake = await startFakeQuickBooks();
  const connections = await connected('quickbooks', fake.realmId, fake.issueTokens());
  return {
    backend: createQuickBooksBackend({
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      redirectUri: 'http://127.0.0.1/oauth/quickbooks/callback',
      apiUrl: fake.url,
      tokenUrl: `${fake.url}/oauth2/v1/tokens/bearer`,
      connections,
      now: () => new Date(),
    }),
    seed: (s) => {
      const id = fake.seedInvoice({ customerName: s.customer, docNumber: s.number, txnDate: s.issued, dueDate: s.due, totalCents: s.cents });
      if (s.paid) fake.pay(id, s.paid.cents, s.paid.on);
      if (s.voided) fake.void(id);
      return id;
    },
    pay: (id, on) => void fake.pay(id, undefined, on),
    laterPageRequests: () => fake.requests.filter((r) => r.path.endsWith('/query') && !/startposition 1 /.test(r.query.get('query') ?? '')).length,
    close: fake.close,
  };
}

async function freshbooksDriver(): Promise<Driver> {
  const fake = await startFakeFreshBooks();
  const connections = await connected('freshbooks', fake.accountId, fake.issueTokens());
  const offset = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
  return {
    backend: createFreshBooksBackend({
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      redirectUri: 'http://127.0.0.1/oauth/freshbooks/callback',
      apiUrl: fake.url,
      connections,
      now: () => new Date(),
    }),
    seed: (s) => {
      const id = fake.seedInvoice({ organization: s.customer, invoiceNumber: s.number, createDate: s.issued, dueOffsetDays: offset(s.issued, s.due), amount: major(s.cents) });
      if (s.paid) fake.pay(id, s.paid.cents === undefined ? undefined : major(s.paid.cents), s.paid.on);
      if (s.voided) fake.void(id);
      return String(id);
    },
    pay: (id, on) => void fake.pay(id, undefined, on),
    laterPageRequests: () =>
      fake.requests.filter((r) => r.method === 'GET' && /\/(invoices\/invoices|payments\/payments)$/.test(r.path) && Number(r.query.get('page') ?? 1) > 1).length,
    close: fake.close,
  };
}

const acme = (provider: Client['provider']): Client => ({
  id: 'acme',
  name: 'Acme Ltd',
  emails: ['ap@acme.example'],
  currency: 'USD',
  paymentTermsDays: 30,
  provider,
  asanaProjectGids: [],
  reminderSchedule: [...DEFAULT_REMINDER_SCHEDULE],
  finalMode: 'pause',
  autoSend: false,
});

describe.each([
  ['stripe', stripeDriver],
  ['quickbooks', quickbooksDriver],
  ['freshbooks', freshbooksDriver],
] as const)(`history import from %s (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, (provider, start) => {
  let driver: Driver;
  const now = new Date();
  const deps: ImportDeps = { db: undefined as never, clock: { now: () => now }, timezone: TZ, actor: 'test' };
  const ids: Record<string, string> = {};
  const run = async (since: string | null = null) => {
    const invoices = await driver.backend.listInvoicesForImport!({ since, timezone: TZ, pageSize: PAGE });
    return importRecords({ ...deps, db }, provider, recordsFromBackend(provider, invoices));
  };
  const num = (n: string) => `${provider.slice(0, 2).toUpperCase()}-${n}`;

  beforeAll(async () => {
    driver = await start();
    await db.pool.query('DELETE FROM payments; DELETE FROM audit_log; DELETE FROM invoices; DELETE FROM clients; DELETE FROM invoice_counters');
    await upsertClients(db.pool, [acme(provider)], now);
    ids.a1 = driver.seed({ customer: 'Acme Ltd', number: num('101'), issued: '2026-08-01', due: '2026-08-31', cents: 150000, paid: { on: '2026-09-04' } });
    ids.a2 = driver.seed({ customer: 'Acme Ltd', number: num('102'), issued: '2026-09-01', due: '2026-10-01', cents: 150000, paid: { on: '2026-10-09' } });
    ids.a3 = driver.seed({ customer: 'Acme Ltd', number: num('103'), issued: '2026-10-01', due: '2026-10-31', cents: 99950 });
    ids.g1 = driver.seed({ customer: 'Globex Corp', number: num('201'), issued: '2026-08-15', due: '2026-08-29', cents: 42000, paid: { on: '2026-08-28' } });
    ids.g2 = driver.seed({ customer: 'Globex Corp', number: num('202'), issued: '2026-09-15', due: '2026-09-29', cents: 42000, paid: { on: '2026-10-02', cents: 10000 } });
    ids.g3 = driver.seed({ customer: 'Globex Corp', number: num('203'), issued: '2026-10-15', due: '2026-10-29', cents: 42000 });
    ids.v1 = driver.seed({ customer: 'Globex Corp', number: num('204'), issued: '2026-10-20', due: '2026-11-03', cents: 5000, voided: true });
    // An invoice duebot issued itself: the back-end lists it, the import leaves it to duebot.
    const own = await driver.backend.issueInvoice({
      invoiceId: '00000000-0000-4000-9000-000000000001',
      number: 'INV-0001',
      customer: { clientId: 'acme', name: 'Acme Ltd', emails: ['ap@acme.example'], providerCustomerId: null },
      currency: 'USD',
      lines: [{ description: 'Design', quantity: '1', unitAmount: 70000, amount: 70000 }],
      ...issueTerms(30),
      memo: 'Design',
      metadata: {},
    });
    const draft = await insertDraft(
      db.pool,
      {
        clientId: 'acme',
        source: 'asana',
        sourceRef: `own-${provider}`,
        sourceUrl: null,
        milestone: 'Design',
        currency: 'USD',
        lines: [{ description: 'Design', quantity: '1', unitAmount: 70000, amount: 70000 }],
        total: 70000,
        dueDate: '2026-12-25',
        recipients: ['ap@acme.example'],
        provider,
      },
      { scope: 'default', format: (n) => formatInvoiceNumber('INV-', n) },
      now,
    );
    await updateInvoice(db.pool, draft!.id, { status: 'sent', providerInvoiceId: own.providerInvoiceId, sentAt: now }, now);
  });
  afterAll(async () => driver.close());

  test('first run: paid, partly paid and open invoices imported page by page; void and duebot-issued ones skipped with reasons', async () => {
    const report = await run();
    expect(driver.laterPageRequests()).toBeGreaterThan(0);
    expect(report).toMatchObject({ origin: provider, read: 8, imported: 6, updated: 0, unchanged: 0, newClients: ['Globex Corp'] });
    expect(report.skipped).toHaveLength(2);
    expect(report.skipped).toEqual(
      expect.arrayContaining([
        { number: num('204'), reason: 'void' },
        { number: expect.any(String), reason: 'issued by duebot as INV-0001; already tracked' },
      ]),
    );

    const a1 = await findInvoiceByNumber(db.pool, num('101'));
    expect(a1).toMatchObject({
      clientId: 'acme',
      source: 'import',
      sourceRef: `${provider}:${ids.a1}`,
      status: 'paid',
      total: 150000,
      amountPaid: 150000,
      dueDate: '2026-08-31',
      providerInvoiceId: null,
    });
    expect(localDate(a1!.sentAt!, TZ)).toBe('2026-08-01');
    expect(localDate(a1!.paidAt!, TZ)).toBe('2026-09-04');
    expect(await findInvoiceByNumber(db.pool, num('202'))).toMatchObject({ clientId: 'imported-globex-corp', status: 'partially_paid', amountPaid: 10000, paidAt: null });
    expect(await findInvoiceByNumber(db.pool, num('103'))).toMatchObject({ status: 'sent', amountPaid: 0, dueDate: '2026-10-31' });
    expect(await findInvoiceByNumber(db.pool, num('204'))).toBeNull();
  });

  test('a re-run duplicates nothing; a payment made since updates the invoice', async () => {
    expect(await run()).toMatchObject({ imported: 0, updated: 0, unchanged: 6 });
    driver.pay(ids.a3!, '2026-11-20');
    expect(await run()).toMatchObject({ imported: 0, updated: 1, unchanged: 5 });
    const a3 = await findInvoiceByNumber(db.pool, num('103'));
    expect(a3).toMatchObject({ status: 'paid', amountPaid: 99950 });
    expect(localDate(a3!.paidAt!, TZ)).toBe('2026-11-20');
    const { rows } = await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM invoices WHERE source = 'import'");
    expect(rows[0]!.n).toBe(6);
  });

  test('a client added to the clients file since takes over the history kept under its imported client', async () => {
    await upsertClients(db.pool, [{ ...acme(provider), id: 'globex', name: 'Globex Corp', emails: ['ap@globex.example'] }], now);
    expect(await run()).toMatchObject({ imported: 0, updated: 3, unchanged: 3, newClients: [] });
    expect(await findInvoiceByNumber(db.pool, num('203'))).toMatchObject({ clientId: 'globex', status: 'sent' });
  });

  test('--since reads only invoices dated on or after it', async () => {
    const invoices = await driver.backend.listInvoicesForImport!({ since: '2026-09-15', timezone: TZ, pageSize: PAGE });
    expect(
      invoices
        .map((i) => i.number)
        .filter((n) => n.startsWith(num('')))
        .sort(),
    ).toEqual([num('103'), num('202'), num('203'), num('204')]);
  });
});

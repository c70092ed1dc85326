import type { BillDue, InvoicingBackend } from '../../src/providers/invoicing/backend.js';
import { createFreshBooksBackend } from '../../src/providers/invoicing/freshbooks.js';
import { createQuickBooksBackend } from '../../src/providers/invoicing/quickbooks.js';
import type { Database } from '../../src/store/db.js';
import { openTestDatabase } from '../support/database.js';
import { startFakeFreshBooks } from '../support/fake-freshbooks.js';
import { startFakeQuickBooks } from '../support/fake-quickbooks.js';
import { xeroSubject } from '../support/xero-subject.js';
import { connectedStore, onFake } from '../support/connected-backend.js';
import { backendBillsDue } from '../../src/usecases/bills-due.js';
import { createLogger } from '../../src/log.js';
import type { Services } from '../../src/services.js';

/**
 * `billsDue` of every back-end that keeps payables, through its real SDK against its stand-in: only
 * bills still owed and due within the window count, for what is left to pay, in minor units.
 */
interface BillSpec {
  vendor: string;
  dueDate: string;
  /** Major units with two decimals, as each stand-in takes them. */
  amount: string;
  paid?: string;
  currency?: string;
}
interface BillsSubject {
  backend: InvoicingBackend;
  addBill(bill: BillSpec): void;
  /** A bill the back-end keeps but that is not owed: deleted, draft or awaiting approval. */
  addNotOwed(bill: BillSpec): void;
  close(): Promise<void>;
}

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => db.close());

const cents = (major: string) => Number(major.replace('.', ''));

const subjects: Record<string, () => Promise<BillsSubject>> = {
  async quickbooks() {
    const fake = await startFakeQuickBooks();
    const connections = await connectedStore(db, 'quickbooks', fake.realmId, fake.issueTokens());
    const add = (b: BillSpec) =>
      fake.addBill({ vendor: b.vendor, dueDate: b.dueDate, totalCents: cents(b.amount), paidCents: cents(b.paid ?? '0.00'), currency: b.currency ?? 'USD' });
    return {
      backend: createQuickBooksBackend(onFake(fake, connections)),
      addBill: add,
      // QuickBooks keeps no bill status: a bill paid in full (Balance 0) is the one not owed.
      addNotOwed: (b) => add({ ...b, paid: b.amount }),
      close: fake.close,
    };
  },
  async xero() {
    const subject = await xeroSubject(db);
    const add = (b: BillSpec, status?: 'DRAFT') =>
      subject.fake.seedBill({ contactName: b.vendor, dueDate: b.dueDate, amount: b.amount, paid: b.paid, currency: b.currency, status });
    return { backend: subject.backend, addBill: (b) => void add(b), addNotOwed: (b) => void add(b, 'DRAFT'), close: subject.close };
  },
  async freshbooks() {
    const fake = await startFakeFreshBooks();
    const connections = await connectedStore(db, 'freshbooks', fake.accountId, fake.issueTokens());
    return {
      backend: createFreshBooksBackend(onFake(fake, connections)),
      addBill: (b) => void fake.addBill(b),
      addNotOwed: (b) => void fake.addBill({ ...b, visState: 1 }),
      close: fake.close,
    };
  },
};

const byDue = (bills: BillDue[]) => bills.map(({ providerBillId: _id, ...b }) => b).sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.vendor.localeCompare(b.vendor));

describe.each(Object.keys(subjects))('%s billsDue', (name) => {
  let subject: BillsSubject;
  beforeAll(async () => {
    subject = await subjects[name]!();
  });
  afterAll(async () => subject.close());

  test('bills still owed within the window, for what is left to pay, per currency; nothing else', async () => {
    subject.addBill({ vendor: 'Office Rent LLC', dueDate: '2026-12-10', amount: '2500.00' });
    subject.addBill({ vendor: 'Cloud Hosting', dueDate: '2026-12-05', amount: '300.50', paid: '100.25' });
    subject.addBill({ vendor: 'Berlin Freelancer', dueDate: '2027-01-04', amount: '800.00', currency: 'EUR' });
    subject.addBill({ vendor: 'Too Late Inc', dueDate: '2027-01-05', amount: '999.00' });
    subject.addBill({ vendor: 'Too Early Inc', dueDate: '2026-12-04', amount: '999.00' });
    subject.addNotOwed({ vendor: 'Not Owed Co', dueDate: '2026-12-12', amount: '999.00' });

    expect(byDue(await subject.backend.billsDue!('2026-12-05', '2027-01-04'))).toEqual([
      { vendor: 'Cloud Hosting', currency: 'USD', amountDue: 20_025, dueDate: '2026-12-05' },
      { vendor: 'Office Rent LLC', currency: 'USD', amountDue: 250_000, dueDate: '2026-12-10' },
      { vendor: 'Berlin Freelancer', currency: 'EUR', amountDue: 80_000, dueDate: '2027-01-04' },
    ]);
  });

  test('a date that is not YYYY-MM-DD never reaches the query', async () => {
    await expect(subject.backend.billsDue!("2026-12-05' or 1=1", '2027-01-04')).rejects.toThrow();
  });
});

describe('the forecast reads every back-end within one budget', () => {
  const fakes = { quickbooks: startFakeQuickBooks(), freshbooks: startFakeFreshBooks() };
  let xero: BillsSubject;
  let quickbooks: InvoicingBackend;
  let freshbooks: InvoicingBackend;
  beforeAll(async () => {
    xero = await subjects.xero!();
    const [qbo, fb] = [await fakes.quickbooks, await fakes.freshbooks];
    quickbooks = createQuickBooksBackend(onFake(qbo, await connectedStore(db, 'quickbooks', qbo.realmId, qbo.issueTokens())));
    freshbooks = createFreshBooksBackend(onFake(fb, await connectedStore(db, 'freshbooks', fb.accountId, fb.issueTokens())));
    qbo.delayMs = 4000; // far slower than the budget
    fb.revokeAccessTokens(); // the connection was revoked in FreshBooks
    fb.revokeRefreshTokens();
  });
  afterAll(async () => Promise.all([xero.close(), (await fakes.quickbooks).close(), (await fakes.freshbooks).close()]));
  const services = (backends: Record<string, InvoicingBackend>) => ({ backends, log: createLogger('silent') }) as unknown as Services;

  test('one too slow and one failing are left out and named; the others still count', async () => {
    xero.addBill({ vendor: 'Agency Partner', dueDate: '2026-12-20', amount: '1200.00' });
    const result = await backendBillsDue(services({ quickbooks, freshbooks, xero: xero.backend }), '2026-12-05', 1500);
    expect(result.bills.map((b) => [b.vendor, b.amountDue])).toEqual([['Agency Partner', 120_000]]);
    expect(result.readFrom).toEqual(['Xero']);
    expect(result.notes.sort()).toEqual([
      'FreshBooks bills could not be read; outflows from it are left out.',
      'QuickBooks bills did not arrive within 1.5 s; outflows from it are left out.',
    ]);
    expect(result.unavailableFrom).toEqual([]);
  });

  test('no back-end that keeps bills: outflows are not available, and from which back-ends', async () => {
    const stripe = { name: 'stripe' } as InvoicingBackend;
    expect(await backendBillsDue(services({ stripe }), '2026-12-05')).toEqual({ bills: [], readFrom: [], notes: [], unavailableFrom: ['Stripe'] });
  });
});

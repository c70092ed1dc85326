import { randomBytes } from 'node:crypto';
import { storedOAuth } from '../support/contract-oauth.js';
import type { InvoicingBackend, IssueInvoiceRequest } from '../../src/providers/invoicing/backend.js';
import Stripe from 'stripe';
import { createStripeBackend, stripeConnection } from '../../src/providers/invoicing/stripe.js';
import { createFreshBooksBackend } from '../../src/providers/invoicing/freshbooks.js';
import { createConnectionStore, type ConnectionStore } from '../../src/store/connections.js';
import { createTokenCipher } from '../../src/store/token-cipher.js';
import type { Database } from '../../src/store/db.js';
import { openTestDatabase } from '../support/database.js';
import { startFakeStripe, stripeMajor } from '../support/fake-stripe.js';
import { money, parseMajor, toMajorString } from '../../src/domain/money.js';
import { startFakeFreshBooks } from '../support/fake-freshbooks.js';
import { createQuickBooksBackend } from '../../src/providers/invoicing/quickbooks.js';
import { startFakeQuickBooks } from '../support/fake-quickbooks.js';
import { issueTerms } from '../support/issue-terms.js';
import { addDays } from '../../src/domain/calendar.js';
import { xeroSubject } from '../support/xero-subject.js';
import { invoiceninjaSubject } from '../support/invoiceninja-subject.js';
import { startZohoSubject } from '../support/zoho-subject.js';
import { waveSubject } from '../support/wave-subject.js';
import { lateFeeIssueRequest } from '../../src/usecases/late-fees.js';

/**
 * What every invoicing back-end must do, run against a local server speaking that provider's wire
 * format through the real SDK. Rate limits are decided the same way everywhere: a 429 is never slept
 * on inside the adapter; it surfaces at once as a retryable `rate_limited` BackendError (with the
 * Retry-After when the SDK exposes it) and the calling job retries later.
 */
interface Subject {
  backend: InvoicingBackend;
  /** Records a payment at the provider; amount in minor units (default: everything outstanding). */
  pay(providerInvoiceId: string, amountMinor?: number): void;
  void(providerInvoiceId: string): void;
  rateLimitNext(): void;
  /**
   * Configures an 8.25% tax named "Sales Tax" on this request's customer the way that back-end keeps
   * it (Stripe: a Tax Rate id in the customer's metadata; QuickBooks: the customer's default tax code;
   * FreshBooks: a tax named in the clients file) and returns the request to issue.
   */
  withCustomerTax?(req: IssueInvoiceRequest): Promise<IssueInvoiceRequest>;
  /**
   * What the back-end's API cannot do, each with the reason, so the suite checks the honest refusal
   * instead of skipping: `void` (voidInvoice refuses an open invoice, finally, with a message containing
   * this text), `credits` (no creditInvoice), `customerTax` (no tax kept on the customer: no
   * withCustomerTax), `narrowCurrency` (keeps ISO decimals for every currency: nothing to refuse).
   */
  lacks?: { void?: string; credits?: string; customerTax?: string; narrowCurrency?: string };
  /**
   * The invoice as the provider holds it, in major units as its own page shows them to the client (Stripe:
   * its minor units under Stripe's exponent; QuickBooks: TotalAmt/Balance; FreshBooks: amount/outstanding),
   * and the amounts the adapter sent on the wire for its lines, as sent.
   */
  held(providerInvoiceId: string): { total: string; remaining: string; sentLines: string[] };
  /** Customers and invoices the provider holds: a refused amount must create neither. */
  counts(): { customers: number; invoices: number };
  /** OAuth back-ends: make the stored access token expired, and read what the store holds. */
  oauth?: {
    expire(): Promise<void>;
    stored(): Promise<{ refreshToken: string; accessToken: string }>;
    liveRefreshTokens(): string[];
    revokeAll(): void;
    /** False where the provider keeps its refresh token on refresh (Zoho). */
    rotatesRefreshToken?: boolean;
    connections: ConnectionStore;
  };
  close(): Promise<void>;
}

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => db.close());

const major = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

async function stripeSubject(): Promise<Subject> {
  const fake = await startFakeStripe();
  return {
    backend: createStripeBackend({ secretKey: 'sk_test_contract', webhookSecret: fake.webhookSecret, apiUrl: fake.url }),
    pay: (id, amount) => void fake.pay(id, amount),
    void: (id) => void fake.void(id),
    rateLimitNext: () => fake.failNext(1, 429),
    held(id) {
      const inv = fake.invoices.get(id)!;
      const currency = String(inv.currency);
      const lines = (inv.lines as { data: { amount: number }[] }).data;
      return {
        total: stripeMajor(inv.amount_due as number, currency),
        remaining: stripeMajor(inv.amount_remaining as number, currency),
        sentLines: lines.map((l) => String(l.amount)),
      };
    },
    counts: () => ({ customers: fake.customers.size, invoices: fake.invoices.size }),
    async withCustomerTax(req) {
      const rate = fake.createTaxRate('Sales Tax', '8.25');
      const stripe = new Stripe('sk_test_contract', stripeConnection(fake.url));
      // As the owner would in the Dashboard: the customer exists, its metadata names the rate.
      await stripe.customers.create({ name: req.customer.name, metadata: { duebot_client_id: req.customer.clientId, tax_rates: rate } });
      return req;
    },
    close: fake.close,
  };
}

async function freshbooksSubject(): Promise<Subject> {
  const fake = await startFakeFreshBooks();
  const provider = 'freshbooks';
  await db.pool.query('DELETE FROM connections WHERE provider = $1', [provider]);
  const connections = createConnectionStore(db.pool, createTokenCipher(randomBytes(32)));
  await connections.saveTokens(provider, { accountId: fake.accountId, ...fake.issueTokens() }, new Date());
  return {
    backend: createFreshBooksBackend({
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      redirectUri: 'http://127.0.0.1/oauth/freshbooks/callback',
      apiUrl: fake.url,
      connections,
      now: () => new Date(),
    }),
    pay: (id, amount) => void fake.pay(id, amount === undefined ? undefined : major(amount)),
    void: (id) => fake.void(id),
    rateLimitNext: () => fake.failNext(1, 429, { 'retry-after': '30' }),
    held(id) {
      const inv = fake.invoices.get(Number(id))!;
      const create = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/invoices/invoices')).at(-1)!;
      const lines = (create.body as { invoice: { lines: { unit_cost: { amount: string } }[] } }).invoice.lines;
      return { total: (inv.amount as { amount: string }).amount, remaining: (inv.outstanding as { amount: string }).amount, sentLines: lines.map((l) => l.unit_cost.amount) };
    },
    counts: () => ({ customers: fake.clients.size, invoices: fake.invoices.size }),
    async withCustomerTax(req) {
      fake.createTax('Sales Tax', '8.25');
      return { ...req, customer: { ...req.customer, freshbooksTax: 'sales tax' } };
    },
    oauth: storedOAuth(connections, provider, fake),
    close: fake.close,
  };
}

async function quickbooksSubject(): Promise<Subject> {
  const fake = await startFakeQuickBooks();
  const provider = 'quickbooks';
  await db.pool.query('DELETE FROM connections WHERE provider = $1', [provider]);
  const connections = createConnectionStore(db.pool, createTokenCipher(randomBytes(32)));
  await connections.saveTokens(provider, { accountId: fake.realmId, ...fake.issueTokens() }, new Date());
  return {
    backend: createQuickBooksBackend({
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      redirectUri: 'http://127.0.0.1/oauth/quickbooks/callback',
      apiUrl: fake.url,
      tokenUrl: `${fake.url}/oauth2/v1/tokens/bearer`,
      webhookVerifier: fake.verifier,
      connections,
      now: () => new Date(),
    }),
    pay: (id, amount) => void fake.pay(id, amount),
    void: (id) => fake.void(id),
    rateLimitNext: () => fake.failNext(1, 429, { 'retry-after': '60' }),
    held(id) {
      const inv = fake.invoices.get(id)!;
      // The body as it went over the wire: JSON numbers exactly as the adapter wrote them.
      const create = fake.requests.filter((r) => r.method === 'POST' && /\/invoice$/.test(r.path)).at(-1)!;
      const lines = (create.body as { Line: { Amount: number }[] }).Line;
      return { total: String(inv.TotalAmt), remaining: String(inv.Balance), sentLines: lines.map((l) => String(l.Amount)) };
    },
    counts: () => ({ customers: fake.customers.size, invoices: fake.invoices.size }),
    async withCustomerTax(req) {
      const code = fake.createTaxCode('Sales Tax', '8.25');
      // The customer as set up in QuickBooks: taxable, with that default tax code.
      const customerId = '9' + String(fake.customers.size + 1).padStart(3, '0');
      fake.customers.set(customerId, { Id: customerId, SyncToken: '0', DisplayName: req.customer.name, Taxable: false, Active: true });
      fake.setCustomerTax(customerId, code);
      return req;
    },
    oauth: storedOAuth(connections, provider, fake),
    close: fake.close,
  };
}

async function zohoSubject(): Promise<Subject> {
  // An organization whose KWD is set to 2 decimals (Zoho's currency setting), so a 3-decimal amount is refused.
  const zoho = await startZohoSubject(db.pool, { precision: { KWD: 2 } });
  const { fake, connections } = zoho;
  return {
    backend: zoho.backend,
    pay: zoho.pay,
    void: (id) => fake.void(id),
    rateLimitNext: () => fake.failNext(1, 429, { 'retry-after': '60' }),
    held: zoho.held,
    counts: zoho.counts,
    withCustomerTax: zoho.withCustomerTax,
    oauth: { ...storedOAuth(connections, 'zoho', fake), stored: zoho.stored, rotatesRefreshToken: false },
    close: fake.close,
  };
}

let seq = 0;
const request = (): IssueInvoiceRequest => {
  seq += 1;
  return {
    invoiceId: `00000000-0000-4000-9000-${String(seq).padStart(12, '0')}`,
    number: `CT-${String(seq).padStart(4, '0')}`,
    customer: { clientId: `contract-${seq}`, name: `Contract Client ${seq}`, emails: [`ap${seq}@client.example`], providerCustomerId: null },
    currency: 'USD',
    lines: [
      { description: 'Design', quantity: '1', unitAmount: 120000, amount: 120000 },
      { description: 'Revisions', quantity: '2.5', unitAmount: 12000, amount: 30000 },
    ],
    ...issueTerms(14),
    memo: 'Milestone 2 - Design',
    metadata: {},
  };
};

describe.each([
  ['stripe', stripeSubject],
  ['freshbooks', freshbooksSubject],
  ['quickbooks', quickbooksSubject],
  ['xero', () => xeroSubject(db)],
  ['invoiceninja', invoiceninjaSubject],
  ['zoho', zohoSubject],
  ['wave', () => waveSubject(db)],
] as const)('%s back-end contract', (name, start) => {
  let subject: Subject;
  beforeAll(async () => {
    subject = await start();
  });
  afterAll(async () => subject.close());

  test('create → open, with a payment link and the exact total', async () => {
    const issued = await subject.backend.issueInvoice(request());
    expect(issued).toMatchObject({ status: 'open', currency: 'USD', amountDue: 150000, amountPaid: 0, amountRemaining: 150000 });
    expect(issued.paymentUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(await subject.backend.fetchInvoice(issued.providerInvoiceId)).toMatchObject({ providerInvoiceId: issued.providerInvoiceId, status: 'open', amountRemaining: 150000 });
  });

  test("the customer's configured tax is computed by the back-end, read back, and paying the total settles it", async () => {
    if (subject.lacks?.customerTax) return void expect(subject.withCustomerTax).toBeUndefined();
    const req = await subject.withCustomerTax!(request());
    const issued = await subject.backend.issueInvoice(req);
    // 1,200.00 + 300.00 at 8.25%: 99.00 + 24.75 = 123.75 whether rounded per line or on the subtotal.
    expect(issued.tax).toEqual({ subtotal: 150000, amount: 12375, name: 'Sales Tax', ratePercent: '8.25' });
    expect(issued).toMatchObject({ status: 'open', amountDue: 162375, amountRemaining: 162375 });
    expect((await subject.backend.fetchInvoice(issued.providerInvoiceId)).tax).toMatchObject({ subtotal: 150000, amount: 12375 });
    subject.pay(issued.providerInvoiceId, 150000);
    expect(await subject.backend.fetchInvoice(issued.providerInvoiceId)).toMatchObject({ status: 'open', amountPaid: 150000, amountRemaining: 12375 });
    subject.pay(issued.providerInvoiceId, 12375);
    expect(await subject.backend.fetchInvoice(issued.providerInvoiceId)).toMatchObject({ status: 'paid', amountPaid: 162375, amountRemaining: 0 });
  });

  test('a salesTax computed by duebot is carried exactly', async () => {
    // The customer also has a tax of its own at the back-end (where it keeps one): duebot's computed tax replaces it, never adds to it.
    const base = subject.withCustomerTax ? await subject.withCustomerTax(request()) : request();
    const req = { ...base, salesTax: { amount: 13313, ratePercent: '8.875', name: 'Sales tax (NY)', source: 'taxjar' } };
    const issued = await subject.backend.issueInvoice(req);
    expect(issued).toMatchObject({ status: 'open', currency: 'USD', amountDue: 163313, amountPaid: 0, amountRemaining: 163313 });
    expect(parseMajor(subject.held(issued.providerInvoiceId).total, 'USD').amount).toBe(163313);
    // A replay finds the same invoice and adds nothing.
    const again = await subject.backend.issueInvoice(req);
    expect(again).toMatchObject({ providerInvoiceId: issued.providerInvoiceId, amountDue: 163313 });
    subject.pay(issued.providerInvoiceId);
    expect(await subject.backend.fetchInvoice(issued.providerInvoiceId)).toMatchObject({ status: 'paid', amountPaid: 163313, amountRemaining: 0 });
  });

  test('a customer without a configured tax gets none: the tax reads zero', async () => {
    const issued = await subject.backend.issueInvoice(request());
    expect(issued.tax).toMatchObject({ subtotal: 150000, amount: 0 });
  });

  test('issuing twice gives the same invoice and customer', async () => {
    const req = request();
    const a = await subject.backend.issueInvoice(req);
    const b = await subject.backend.issueInvoice(req);
    expect(b.providerInvoiceId).toBe(a.providerInvoiceId);
    expect(b.providerCustomerId).toBe(a.providerCustomerId);
    const again = await subject.backend.issueInvoice({ ...request(), customer: { ...req.customer, providerCustomerId: a.providerCustomerId } });
    expect(again.providerCustomerId).toBe(a.providerCustomerId);
  });

  test("duebot's number is the back-end invoice's number, on issue and on every read", async () => {
    const req = request();
    const issued = await subject.backend.issueInvoice(req);
    expect(issued.number).toBe(req.number);
    expect((await subject.backend.fetchInvoice(issued.providerInvoiceId)).number).toBe(req.number);
  });

  test('a later attempt, on a later day, of an invoice already issued gives that invoice', async () => {
    const req = request();
    const a = await subject.backend.issueInvoice(req);
    const b = await subject.backend.issueInvoice({ ...req, attempt: 1, issueDate: addDays(req.issueDate, 1) });
    expect(b).toMatchObject({ providerInvoiceId: a.providerInvoiceId, number: req.number, status: 'open' });
  });

  test('partial then full payment', async () => {
    const issued = await subject.backend.issueInvoice(request());
    subject.pay(issued.providerInvoiceId, 50000);
    expect(await subject.backend.fetchInvoice(issued.providerInvoiceId)).toMatchObject({ status: 'open', amountPaid: 50000, amountRemaining: 100000 });
    subject.pay(issued.providerInvoiceId);
    expect(await subject.backend.fetchInvoice(issued.providerInvoiceId)).toMatchObject({ status: 'paid', amountPaid: 150000, amountRemaining: 0 });
  });

  test('void', async () => {
    const issued = await subject.backend.issueInvoice(request());
    subject.void(issued.providerInvoiceId);
    expect((await subject.backend.fetchInvoice(issued.providerInvoiceId)).status).toBe('void');
  });

  test('duebot voids through the port (Adjust amount): void at the back-end, and a second call changes nothing', async () => {
    const issued = await subject.backend.issueInvoice(request());
    const cannot = subject.lacks?.void;
    if (cannot) {
      // The refusal is final and says why; the invoice stays open, so nothing is reissued over it.
      const err = await subject.backend.voidInvoice(issued.providerInvoiceId).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'BackendError', code: 'invalid', retryable: false });
      expect((err as Error).message).toContain(cannot);
      expect((await subject.backend.fetchInvoice(issued.providerInvoiceId)).status).toBe('open');
      // Taken back in the back-end's own UI, it reads as void, and voiding it again changes nothing.
      subject.void(issued.providerInvoiceId);
      expect((await subject.backend.voidInvoice(issued.providerInvoiceId)).status).toBe('void');
      return;
    }
    expect((await subject.backend.voidInvoice(issued.providerInvoiceId)).status).toBe('void');
    expect((await subject.backend.fetchInvoice(issued.providerInvoiceId)).status).toBe('void');
    expect((await subject.backend.voidInvoice(issued.providerInvoiceId)).status).toBe('void');
  });

  test('a late fee is an invoice of its own for the same customer, numbered after the original, and waived by voiding it', async () => {
    const original = request();
    const issued = await subject.backend.issueInvoice(original);
    const fee = { id: request().invoiceId, number: `${original.number}-F1`, amount: 7500, currency: 'USD' };
    const req = lateFeeIssueRequest({
      fee,
      original: { id: original.invoiceId, number: original.number, recipients: original.customer.emails },
      customer: { ...original.customer, providerCustomerId: issued.providerCustomerId },
      stepNumber: 2,
      today: original.issueDate,
      timezone: original.timezone,
    });
    const charged = await subject.backend.issueInvoice(req);
    expect(charged).toMatchObject({ status: 'open', number: fee.number, providerCustomerId: issued.providerCustomerId, amountDue: 7500, amountRemaining: 7500 });
    expect(charged.providerInvoiceId).not.toBe(issued.providerInvoiceId);
    expect((await subject.backend.issueInvoice(req)).providerInvoiceId).toBe(charged.providerInvoiceId);
    expect(await subject.backend.fetchInvoice(issued.providerInvoiceId)).toMatchObject({ status: 'open', amountRemaining: 150000 });
    if (subject.lacks?.void) return void (await expect(subject.backend.voidInvoice(charged.providerInvoiceId)).rejects.toMatchObject({ code: 'invalid', retryable: false }));
    expect((await subject.backend.voidInvoice(charged.providerInvoiceId)).status).toBe('void');
  });

  test('a credit lowers what is still due; credit up to the rest settles it', async () => {
    if (subject.lacks?.credits) return void expect(subject.backend.creditInvoice).toBeUndefined();
    const issued = await subject.backend.issueInvoice(request());
    expect(subject.backend.creditInvoice).toBeDefined();
    const credited = await subject.backend.creditInvoice!(issued.providerInvoiceId, 20000, 'Goodwill: late delivery');
    expect(credited).toMatchObject({ status: 'open', amountRemaining: 130000 });
    expect(await subject.backend.fetchInvoice(issued.providerInvoiceId)).toMatchObject({ status: 'open', amountRemaining: 130000 });
    subject.pay(issued.providerInvoiceId, 30000);
    expect(await subject.backend.fetchInvoice(issued.providerInvoiceId)).toMatchObject({ status: 'open', amountRemaining: 100000 });
    expect(await subject.backend.creditInvoice!(issued.providerInvoiceId, 100000, 'Written down')).toMatchObject({ status: 'paid', amountRemaining: 0 });
  });

  test('a 429 surfaces at once as a retryable rate_limited error', async () => {
    const issued = await subject.backend.issueInvoice(request());
    subject.rateLimitNext();
    await expect(subject.backend.fetchInvoice(issued.providerInvoiceId)).rejects.toMatchObject({ name: 'BackendError', code: 'rate_limited', retryable: true, status: 429 });
    expect((await subject.backend.fetchInvoice(issued.providerInvoiceId)).status).toBe('open');
  });

  /**
   * Per currency: what the back-end holds (and shows the client on its own page) and what duebot reads
   * back both equal duebot's total, the amount its email states. [currency, line unit, quantity, credit,
   * the line amounts each back-end must receive on the wire]: Stripe in Stripe's minor units (ISK
   * two-decimal, MGA zero-decimal), QuickBooks and FreshBooks as decimal major units.
   */
  const wire: Record<string, Record<string, string[]>> = {
    USD: { stripe: ['150000'], quickbooks: ['1500'], freshbooks: ['1500.00'], xero: ['1500'], invoiceninja: ['1500'], zoho: ['1500'], wave: ['1500.00'] },
    EUR: { stripe: ['98050'], quickbooks: ['980.5'], freshbooks: ['980.50'], xero: ['980.5'], invoiceninja: ['980.5'], zoho: ['980.5'], wave: ['980.50'] },
    JPY: { stripe: ['150000'], quickbooks: ['150000'], freshbooks: ['150000'], xero: ['150000'], invoiceninja: ['150000'], zoho: ['150000'], wave: ['150000'] },
    ISK: { stripe: ['150000'], quickbooks: ['1500'], freshbooks: ['1500'], xero: ['1500'], invoiceninja: ['1500'], zoho: ['1500'], wave: ['1500'] },
    MGA: { stripe: ['1500'], quickbooks: ['1500'], freshbooks: ['1500.00'], xero: ['1500'], invoiceninja: ['1500'], zoho: ['1500'], wave: ['1500.00'] },
    KWD: { stripe: ['1250'], quickbooks: ['1.25'], freshbooks: ['1.25'], xero: ['1.25'], invoiceninja: ['1.25'], zoho: ['1.25'], wave: ['1.250'] },
  };
  test.each([
    ['USD', 150000, 10000],
    ['EUR', 98050, 5025],
    ['JPY', 150000, 5000],
    ['ISK', 1500, 100],
    ['MGA', 150000, 2000],
    ['KWD', 1250, 500],
  ])('%s: the amount the back-end holds and the amount read back equal the total the client is sent', async (currency, total, credit) => {
    const req = { ...request(), currency, lines: [{ description: 'Milestone', quantity: '1', unitAmount: total, amount: total }] };
    const issued = await subject.backend.issueInvoice(req);
    expect(subject.held(issued.providerInvoiceId).sentLines).toEqual(wire[currency]![name]);
    // What the client sees: duebot's email states the total in the currency's ISO decimals.
    const emailed = toMajorString(money(total, currency));
    expect(parseMajor(subject.held(issued.providerInvoiceId).total, currency).amount).toBe(total);
    expect(issued).toMatchObject({ currency, amountDue: total, amountRemaining: total, amountPaid: 0 });
    expect(parseMajor(emailed, currency).amount).toBe(issued.amountDue);

    if (subject.lacks?.credits) {
      subject.pay(issued.providerInvoiceId);
      expect(await subject.backend.fetchInvoice(issued.providerInvoiceId)).toMatchObject({ status: 'paid', amountRemaining: 0, amountPaid: total, amountCredited: 0 });
    } else {
      const credited = await subject.backend.creditInvoice!(issued.providerInvoiceId, credit, 'Goodwill');
      expect(credited.amountRemaining).toBe(total - credit);
      expect(parseMajor(subject.held(issued.providerInvoiceId).remaining, currency).amount).toBe(total - credit);

      subject.pay(issued.providerInvoiceId);
      const paid = await subject.backend.fetchInvoice(issued.providerInvoiceId);
      expect(paid).toMatchObject({ status: 'paid', amountRemaining: 0 });
      // Money and credit apart on every back-end (QuickBooks and FreshBooks apply a credit as a payment of their own).
      expect(paid).toMatchObject({ amountPaid: total - credit, amountCredited: credit, credits: [{ id: credited.creditId, amount: credit }] });
    }

    const imported = (await subject.backend.listInvoicesForImport!({ since: null, timezone: 'UTC' })).find((h) => h.providerInvoiceId === issued.providerInvoiceId)!;
    expect(imported).toMatchObject({ currency });
    expect(imported.total).toBe(total);
  });

  // Invoice Ninja keeps KWD's three decimals but only two of BHD's.
  const unheld = name === 'invoiceninja' ? 'BHD' : 'KWD';
  test(`a ${unheld} amount the back-end cannot hold exactly is refused before anything is created, with the reason`, async () => {
    if (subject.lacks?.narrowCurrency) {
      // Nothing to refuse: the third decimal goes as it is.
      const issued = await subject.backend.issueInvoice({ ...request(), currency: unheld, lines: [{ description: 'Audit', quantity: '1', unitAmount: 1255, amount: 1255 }] });
      return void expect(issued).toMatchObject({ currency: unheld, amountDue: 1255 });
    }
    const req = { ...request(), currency: unheld, lines: [{ description: 'Audit', quantity: '1', unitAmount: 1255, amount: 1255 }] };
    const before = subject.counts();
    const err = await subject.backend.issueInvoice(req).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'BackendError', code: 'invalid', retryable: false });
    expect((err as Error).message).toContain(`1.255 ${unheld}`);
    expect(subject.counts()).toEqual(before);
  });

  const oauthTest = name === 'stripe' || name === 'invoiceninja' ? test.skip : test;
  oauthTest('an expired access token is refreshed first and the rotated refresh token is stored', async () => {
    const issued = await subject.backend.issueInvoice(request());
    const oauth = subject.oauth!;
    const before = await oauth.stored();
    await oauth.expire();
    expect((await subject.backend.fetchInvoice(issued.providerInvoiceId)).status).toBe('open');
    const after = await oauth.stored();
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(oauth.liveRefreshTokens()).toContain(after.refreshToken);
    if (oauth.rotatesRefreshToken === false) {
      expect(after.refreshToken).toBe(before.refreshToken);
    } else {
      expect(after.refreshToken).not.toBe(before.refreshToken);
      expect(oauth.liveRefreshTokens()).not.toContain(before.refreshToken);
    }
  });

  oauthTest('a revoked connection is marked broken once and fails as not_connected', async () => {
    const oauth = subject.oauth!;
    const issued = await subject.backend.issueInvoice(request());
    const tokens = await oauth.stored();
    oauth.revokeAll();
    const err = (await subject.backend.fetchInvoice(issued.providerInvoiceId).catch((e: unknown) => e)) as Error & { cause?: unknown };
    expect(err).toMatchObject({ code: 'not_connected', retryable: false });
    // Nothing a logger could print carries a token.
    const printable = [
      err.message,
      err.stack,
      JSON.stringify(err),
      String(err.cause),
      (err.cause as Error | undefined)?.cause ? String((err.cause as { cause: unknown }).cause) : '',
    ].join(' ');
    expect(printable).not.toContain(tokens.refreshToken);
    expect(printable).not.toContain(tokens.accessToken);
    expect(await oauth.connections.get(name)).toMatchObject({ status: 'broken', lastError: expect.stringMatching(/refresh failed/) });
    await expect(subject.backend.fetchInvoice(issued.providerInvoiceId)).rejects.toMatchObject({ code: 'not_connected' });
  });
});

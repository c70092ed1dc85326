import { randomBytes } from 'node:crypto';
import { WebhookSignatureError, type IssueInvoiceRequest } from '../../src/providers/invoicing/backend.js';
import { BackendError, isDefiniteFailure } from '../../src/providers/invoicing/errors.js';
import { createWaveBackend, WAVE, type WaveBackend } from '../../src/providers/invoicing/wave.js';
import { createConnectionStore, type ConnectionStore } from '../../src/store/connections.js';
import type { Database } from '../../src/store/db.js';
import { createTokenCipher } from '../../src/store/token-cipher.js';
import { openTestDatabase } from '../support/database.js';
import { startFakeWave, type FakeWave } from '../support/fake-wave.js';
import { issueTerms } from '../support/issue-terms.js';

/** What is special about Wave: GraphQL errors in 200s, the business choice at connect, no void/credits, products per line. */
let db: Database;
let fake: FakeWave;
let connections: ConnectionStore;
let backend: WaveBackend;
const broken: string[] = [];

const make = () =>
  createWaveBackend({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    redirectUri: 'http://127.0.0.1/oauth/wave/callback',
    apiUrl: fake.graphqlUrl,
    authorizeUrl: fake.authorizeUrl,
    tokenUrl: fake.tokenUrl,
    connections,
    now: () => new Date(),
    onBroken: (provider, reason) => void broken.push(`${provider}: ${reason}`),
    limits: { concurrency: 4, perMinute: 10_000 },
  });

beforeAll(async () => {
  db = await openTestDatabase();
  fake = await startFakeWave();
  connections = createConnectionStore(db.pool, createTokenCipher(randomBytes(32)));
  await connections.saveTokens(WAVE, { accountId: fake.businessId, ...fake.issueTokens() }, new Date());
  backend = make();
});
afterAll(async () => {
  await fake.close();
  await db.close();
});

let seq = 0;
const req = (over: Partial<IssueInvoiceRequest> = {}): IssueInvoiceRequest => {
  seq += 1;
  return {
    invoiceId: `00000000-0000-4000-b000-${String(seq).padStart(12, '0')}`,
    number: `WV-${String(seq).padStart(4, '0')}`,
    customer: { clientId: `c${seq}`, name: `Client ${seq}`, emails: [`ap${seq}@client.example`], providerCustomerId: null },
    currency: 'USD',
    lines: [{ description: 'Design', quantity: '2.5', unitAmount: 40000, amount: 100000 }],
    ...issueTerms(30),
    memo: 'Milestone 1',
    metadata: {},
    ...over,
  };
};
const ops = (from: number) => fake.requests.slice(from).map((r) => r.operation);

describe('connect', () => {
  /** The consent as a browser goes through it: Wave's authorize page redirects back with a code. */
  async function consent(b: WaveBackend): Promise<string> {
    const res = await fetch(b.authorizeUrl('st4te'), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('st4te');
    return back.searchParams.get('code')!;
  }

  test('the authorize URL asks for the scopes duebot needs (write does not imply read at Wave)', () => {
    const url = new URL(backend.authorizeUrl('s1'));
    expect(`${url.origin}${url.pathname}`).toBe(fake.authorizeUrl);
    expect(url.searchParams.get('scope')!.split(' ')).toEqual(expect.arrayContaining(['business:read', 'customer:*', 'invoice:*', 'product:*', 'account:*']));
    expect(url.searchParams.get('redirect_uri')).toBe('http://127.0.0.1/oauth/wave/callback');
  });

  test('a code is exchanged once for tokens bound to the one business they reach; several are offered as choices; classic-invoicing businesses are left out', async () => {
    const code = await consent(backend);
    const one = await backend.exchangeCode(code);
    expect(one.tokens).toMatchObject({ accessToken: expect.stringMatching(/^wat_/), accountId: fake.businessId });
    expect(one.accountName).toBe('Acme Studio');
    expect(one.choices).toBeUndefined();
    fake.addBusiness('Old Books', { isClassicInvoicing: true });
    const second = fake.addBusiness('Acme Labs');
    const several = await backend.exchangeCode(await consent(backend));
    expect(several.choices).toEqual([
      { accountId: fake.businessId, accountName: 'Acme Studio' },
      { accountId: second, accountName: 'Acme Labs' },
    ]);
    expect(several.tokens.accessToken).toMatch(/^wat_/);
    // A code works once.
    await expect(backend.exchangeCode(code)).rejects.toMatchObject({ name: 'BackendError', status: 400 });
  });

  test('a login reaching no business duebot can invoice from is refused', async () => {
    const usable = [...fake.businesses.values()].filter((b) => !b.isClassicInvoicing);
    for (const business of usable) business.isClassicInvoicing = true;
    try {
      await expect(backend.exchangeCode(await consent(backend))).rejects.toMatchObject({ name: 'BackendError', code: 'invalid', retryable: false });
    } finally {
      for (const business of usable) business.isClassicInvoicing = false;
    }
  });
});

describe('issuing', () => {
  test('customer, product, draft, approve, mark sent: open with the view link, duebot number and dates', async () => {
    const from = fake.requests.length;
    const r = req();
    const issued = await backend.issueInvoice(r);
    expect(issued).toMatchObject({ status: 'open', number: r.number, amountDue: 100000, amountRemaining: 100000, currency: 'USD' });
    expect(issued.paymentUrl).toMatch(/\/invoice\/view\//);
    expect(ops(from)).toEqual(
      expect.arrayContaining([
        'Currency',
        'Customers',
        'CustomerCreate',
        'Invoices',
        'Products',
        'IncomeAccounts',
        'ProductCreate',
        'InvoiceCreate',
        'InvoiceApprove',
        'InvoiceMarkSent',
      ]),
    );
    expect(ops(from)).not.toContain('InvoiceSend'); // duebot emails the link itself
    const stored = fake.invoices.get(issued.providerInvoiceId)!;
    expect(stored).toMatchObject({ status: 'SENT', invoiceDate: r.issueDate, dueDate: r.dueDate, memo: 'Milestone 1' });
    expect(stored.items).toEqual([expect.objectContaining({ description: 'Design', quantity: '2.5', unitPrice: '400.00' })]);
  });

  test('every line goes under one product per business, created once and found by name afterwards', async () => {
    await backend.issueInvoice(req());
    const from = fake.requests.length;
    await make().issueInvoice(req()); // a fresh process: the product is found, not made again
    expect(ops(from)).toContain('Products');
    expect(ops(from)).not.toContain('ProductCreate');
    expect([...fake.products.values()].filter((p) => p.name === 'duebot')).toHaveLength(1);
  });

  test('a product deleted in Wave: that issue is refused, the next attempt finds or makes the product again', async () => {
    await backend.issueInvoice(req());
    for (const [id, p] of fake.products) if (p.name === 'duebot') fake.products.delete(id);
    const r = req();
    await expect(backend.issueInvoice(r)).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/Product not found/) });
    expect(await backend.issueInvoice({ ...r, attempt: 1 })).toMatchObject({ status: 'open', number: r.number });
    expect([...fake.products.values()].filter((p) => p.name === 'duebot')).toHaveLength(1);
  });

  test('an existing Wave customer is found by email, not created twice', async () => {
    const r = req();
    const first = await backend.issueInvoice(r);
    const before = fake.customers.size;
    const second = await backend.issueInvoice(req({ customer: { ...r.customer, clientId: 'other' } }));
    expect(second.providerCustomerId).toBe(first.providerCustomerId);
    expect(fake.customers.size).toBe(before);
  });

  test('a tax computed by a tax service goes as a last line of exactly that amount', async () => {
    const issued = await backend.issueInvoice(req({ salesTax: { amount: 8875, ratePercent: '8.875', name: 'Sales tax (NY)', source: 'taxjar' } }));
    expect(issued.amountDue).toBe(108875);
    expect(issued.tax).toEqual({ subtotal: 100000, amount: 8875, name: 'Sales tax (NY)', ratePercent: '8.875' });
    expect(fake.invoices.get(issued.providerInvoiceId)!.items.at(-1)).toMatchObject({ description: 'Sales tax (NY)', quantity: '1', unitPrice: '88.75' });
  });

  test("the product's default sales tax is Wave's tax; a tax service's amount replaces it, never adds to it", async () => {
    fake.setProductTax('duebot', { name: 'State tax', ratePercent: '8.25' });
    try {
      const own = await backend.issueInvoice(req());
      expect(own).toMatchObject({ amountDue: 108250, tax: { subtotal: 100000, amount: 8250, name: 'State tax' } });
      const replaced = await backend.issueInvoice(req({ salesTax: { amount: 8875, ratePercent: '8.875', name: 'Sales tax (NY)', source: 'taxjar' } }));
      expect(replaced).toMatchObject({ amountDue: 108875, tax: { subtotal: 100000, amount: 8875, name: 'Sales tax (NY)', ratePercent: '8.875' } });
      // Neither the service lines nor the tax line carry the product's tax at Wave.
      expect(fake.invoices.get(replaced.providerInvoiceId)!.items.map((i) => i.taxes)).toEqual([[], []]);
      expect(fake.shown(replaced.providerInvoiceId).total).toBe('1088.75');
    } finally {
      fake.setProductTax('duebot', null);
    }
  });

  test('an answer lost after Wave created the draft: the retry finds it by number and approves it, one invoice only', async () => {
    const r = req();
    fake.failOperation('InvoiceCreate', { drop: true, after: true });
    const err = await backend.issueInvoice(r).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'BackendError', code: 'unavailable', retryable: true });
    expect(isDefiniteFailure(err)).toBe(false); // unknown outcome: the same attempt is retried
    const retried = await backend.issueInvoice(r);
    expect(retried).toMatchObject({ status: 'open', number: r.number });
    expect([...fake.invoices.values()].filter((i) => i.invoiceNumber === r.number)).toHaveLength(1);
  });

  test('a crash between approve and mark-sent: the retry marks it sent without approving again', async () => {
    const r = req();
    fake.failOperation('InvoiceMarkSent', { code: 'INTERNAL_SERVER_ERROR' });
    await expect(backend.issueInvoice(r)).rejects.toMatchObject({ code: 'unavailable', retryable: true });
    const from = fake.requests.length;
    expect(await backend.issueInvoice({ ...r, attempt: 1 })).toMatchObject({ status: 'open' });
    expect(ops(from)).not.toContain('InvoiceApprove');
    expect(ops(from)).toContain('InvoiceMarkSent');
  });

  test("Wave's refusal of the input (didSucceed false) is a definite, final failure naming Wave's reason", async () => {
    // Another customer's invoice already carries the number: Wave refuses a duplicate.
    const r = req();
    await backend.issueInvoice(r);
    const err = await backend.issueInvoice(req({ number: r.number })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'BackendError', code: 'invalid', retryable: false, status: 400 });
    expect((err as Error).message).toMatch(/input\.invoiceNumber: Invoice number is already in use/);
    expect(isDefiniteFailure(err)).toBe(true);
  });

  test('where Wave keeps fewer decimals than ISO, an amount it cannot hold is refused before anything is created', async () => {
    fake.setExponent('KWD', 2);
    const fresh = make(); // exponents are read once per process
    const before = { customers: fake.customers.size, invoices: fake.invoices.size };
    const err = await fresh.issueInvoice(req({ currency: 'KWD', lines: [{ description: 'Audit', quantity: '1', unitAmount: 1255, amount: 1255 }] })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid', retryable: false });
    expect((err as Error).message).toContain('1.255 KWD');
    expect({ customers: fake.customers.size, invoices: fake.invoices.size }).toEqual(before);
    // 1.250 fits: it goes with its ISO decimals and reads back exactly.
    const ok = await fresh.issueInvoice(req({ currency: 'KWD', lines: [{ description: 'Audit', quantity: '1', unitAmount: 1250, amount: 1250 }] }));
    expect(ok).toMatchObject({ currency: 'KWD', amountDue: 1250 });
    fake.setExponent('KWD', 3);
  });
});

describe('reading and taking back', () => {
  test('payments read back from amountPaid/amountDue: partial, then paid (OVERPAID settles too)', async () => {
    const issued = await backend.issueInvoice(req());
    fake.pay(issued.providerInvoiceId, 30000);
    expect(await backend.fetchInvoice(issued.providerInvoiceId)).toMatchObject({ status: 'open', amountPaid: 30000, amountRemaining: 70000, amountCredited: 0 });
    fake.pay(issued.providerInvoiceId, 80000);
    expect(await backend.fetchInvoice(issued.providerInvoiceId)).toMatchObject({ status: 'paid', amountPaid: 110000, amountRemaining: 0 });
  });

  test('the poll lists the open invoices by status (one listing per unsettled status), settled and deleted ones left out', async () => {
    const open = await backend.issueInvoice(req());
    const partial = await backend.issueInvoice(req());
    const paid = await backend.issueInvoice(req());
    const gone = await backend.issueInvoice(req());
    fake.pay(partial.providerInvoiceId, 100);
    fake.pay(paid.providerInvoiceId);
    fake.void(gone.providerInvoiceId);
    const from = fake.requests.length;
    const listed = await backend.listOpenInvoices!();
    const ids = listed.map((i) => i.providerInvoiceId);
    expect(ids).toEqual(expect.arrayContaining([open.providerInvoiceId, partial.providerInvoiceId]));
    expect(ids).not.toContain(paid.providerInvoiceId);
    expect(ids).not.toContain(gone.providerInvoiceId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(listed.find((i) => i.providerInvoiceId === partial.providerInvoiceId)).toMatchObject({ status: 'open', amountPaid: 100, amountRemaining: 99900 });
    expect(fake.requests.slice(from).map((r) => r.variables.status)).toEqual(['SAVED', 'SENT', 'VIEWED', 'PARTIAL', 'OVERDUE', 'UNPAID']);
  });

  test('no credit notes in the public API: creditInvoice is absent, so duebot refuses credits for Wave', () => {
    expect(backend.creditInvoice).toBeUndefined();
  });

  test('a draft left by a crash before approval is deleted by voidInvoice; an approved one is refused with the human way out', async () => {
    const r = req();
    fake.failOperation('InvoiceApprove', { code: 'INTERNAL_SERVER_ERROR' });
    await expect(backend.issueInvoice(r)).rejects.toMatchObject({ code: 'unavailable' });
    const draft = [...fake.invoices.values()].find((i) => i.invoiceNumber === r.number)!;
    expect(draft.status).toBe('DRAFT');
    expect(await backend.voidInvoice(draft.id)).toMatchObject({ status: 'void' });
    expect(fake.invoices.has(draft.id)).toBe(false);

    const issued = await backend.issueInvoice(req());
    const err = (await backend.voidInvoice(issued.providerInvoiceId).catch((e: unknown) => e)) as BackendError;
    expect(err).toMatchObject({ code: 'invalid', retryable: false });
    expect(err.message).toMatch(
      /Wave cannot void invoice WV-\d+: Wave's public API has no void and deletes only drafts \(Wave said: Only draft invoices can be deleted\)\. Delete it in Wave/,
    );
    fake.pay(issued.providerInvoiceId, 100);
    await expect(backend.voidInvoice(issued.providerInvoiceId)).rejects.toThrow(/it has payments recorded/);
  });

  test('history import pages through the invoices, from a date on', async () => {
    const old = fake.seedInvoice({ customerName: 'Past Client', invoiceNumber: 'OLD-1', invoiceDate: '2020-01-05', dueDate: '2020-02-04', amountMinor: 250000 });
    const paid = fake.seedInvoice({ customerName: 'Past Client', invoiceNumber: 'OLD-2', invoiceDate: '2020-03-01', dueDate: '2020-03-31', amountMinor: 99900, currency: 'EUR' });
    fake.pay(paid);
    const from = fake.requests.length;
    const all = await backend.listInvoicesForImport!({ since: null, timezone: 'UTC', pageSize: 2 });
    expect(all.length).toBe(fake.invoices.size);
    expect(fake.requests.slice(from).filter((r) => r.operation === 'Invoices').length).toBe(Math.ceil(fake.invoices.size / 2));
    expect(all.find((h) => h.providerInvoiceId === old)).toMatchObject({
      number: 'OLD-1',
      customerName: 'Past Client',
      total: 250000,
      amountPaid: 0,
      status: 'open',
      issueDate: '2020-01-05',
      paidDate: null,
    });
    expect(all.find((h) => h.providerInvoiceId === paid)).toMatchObject({
      currency: 'EUR',
      total: 99900,
      amountPaid: 99900,
      status: 'paid',
      paidDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    const since = await backend.listInvoicesForImport!({ since: '2020-02-01', timezone: 'UTC' });
    expect(since.map((h) => h.providerInvoiceId)).not.toContain(old);
    expect(since.map((h) => h.providerInvoiceId)).toContain(paid);
  });

  test('no webhooks: a delivery is refused as unsigned', () => {
    expect(() => backend.parseWebhook(Buffer.from('{}'), {})).toThrow(WebhookSignatureError);
  });
});

describe('errors and the connection', () => {
  test('HTTP 429 surfaces at once as rate_limited with the Retry-After; a GraphQL rate-limit code too', async () => {
    const issued = await backend.issueInvoice(req());
    fake.failNext(1, 429, { 'retry-after': '30' });
    await expect(backend.fetchInvoice(issued.providerInvoiceId)).rejects.toMatchObject({ code: 'rate_limited', retryable: true, status: 429, retryAfterMs: 30_000 });
    fake.failNextWith('RATE_LIMITED', 'Too many requests');
    await expect(backend.fetchInvoice(issued.providerInvoiceId)).rejects.toMatchObject({ code: 'rate_limited', status: 429 });
  });

  test("Wave's internal error is an unknown outcome (retryable, not definite); a validation error is final", async () => {
    const issued = await backend.issueInvoice(req());
    fake.failNextWith('INTERNAL_SERVER_ERROR', 'boom');
    const err = await backend.fetchInvoice(issued.providerInvoiceId).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unavailable', retryable: true });
    expect(isDefiniteFailure(err)).toBe(false);
    fake.failNextWith('GRAPHQL_VALIDATION_FAILED', 'Cannot query field');
    await expect(backend.fetchInvoice(issued.providerInvoiceId)).rejects.toMatchObject({ code: 'invalid', retryable: false, status: 400 });
  });

  test('an invoice deleted in Wave (NOT_FOUND, field null) reads as void', async () => {
    const issued = await backend.issueInvoice(req());
    fake.void(issued.providerInvoiceId);
    expect(await backend.fetchInvoice(issued.providerInvoiceId)).toMatchObject({ status: 'void', amountRemaining: 0, paymentUrl: null });
  });

  test('UNAUTHENTICATED (token revoked at Wave) gets one refresh and the call goes through; the rotated tokens are stored', async () => {
    const issued = await backend.issueInvoice(req());
    const before = (await connections.get(WAVE))!;
    fake.revokeAccessTokens();
    expect((await backend.fetchInvoice(issued.providerInvoiceId)).status).toBe('open');
    const after = (await connections.get(WAVE))!;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(broken).toEqual([]);
  });

  test('a business no longer reachable with the connection asks for a reconnect', async () => {
    const c = (await connections.get(WAVE))!;
    await connections.saveTokens(WAVE, { ...c, accountId: Buffer.from('Business:gone').toString('base64') }, new Date());
    try {
      await expect(make().issueInvoice(req())).rejects.toMatchObject({ code: 'not_connected' });
      expect(await connections.get(WAVE)).toMatchObject({ status: 'broken', lastError: expect.stringMatching(/no longer reachable/) });
      expect(broken).toEqual([`wave: the connected Wave business is no longer reachable (deleted, or access removed)`]);
    } finally {
      await connections.saveTokens(WAVE, c, new Date());
    }
  });
});

import { randomBytes } from 'node:crypto';
import { createXeroBackend, type XeroBackend } from '../../src/providers/invoicing/xero.js';
import { xeroSignature } from '../../src/providers/invoicing/xero-webhooks.js';
import { WebhookSignatureError, type IssueInvoiceRequest } from '../../src/providers/invoicing/backend.js';
import { createConnectionStore, type ConnectionStore } from '../../src/store/connections.js';
import { createTokenCipher } from '../../src/store/token-cipher.js';
import type { Database } from '../../src/store/db.js';
import { openTestDatabase } from '../support/database.js';
import { startFakeXero, type FakeXero } from '../support/fake-xero.js';
import { issueTerms } from '../support/issue-terms.js';

/** What is special about Xero: organisations (tenants), its identity server, signatures, idempotency and limits. */

let db: Database;
let fake: FakeXero;
let connections: ConnectionStore;
let backend: XeroBackend;
const broken: string[] = [];

const make = (extra: Partial<Parameters<typeof createXeroBackend>[0]> = {}) =>
  createXeroBackend({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    redirectUri: 'https://duebot.example.com/oauth/xero/callback',
    apiUrl: fake.url,
    identityUrl: fake.url,
    loginUrl: fake.url,
    webhookKey: fake.webhookKey,
    connections,
    now: () => new Date(),
    onBroken: (_provider, reason) => void broken.push(reason),
    ...extra,
  });

beforeAll(async () => {
  db = await openTestDatabase();
});
beforeEach(async () => {
  fake = await startFakeXero();
  await db.pool.query("DELETE FROM connections WHERE provider = 'xero'");
  connections = createConnectionStore(db.pool, createTokenCipher(randomBytes(32)));
  await connections.saveTokens('xero', { accountId: fake.tenantId, ...fake.issueTokens() }, new Date());
  broken.length = 0;
  backend = make();
});
afterEach(async () => fake.close());
afterAll(async () => db.close());

let n = 0;
const request = (over: Partial<IssueInvoiceRequest> = {}): IssueInvoiceRequest => {
  n += 1;
  return {
    invoiceId: `00000000-0000-4000-b000-${String(n).padStart(12, '0')}`,
    number: `XR-${String(n).padStart(4, '0')}`,
    customer: { clientId: 'acme', name: 'Acme Ltd', emails: ['ap@acme.example'], providerCustomerId: null },
    currency: 'USD',
    lines: [{ description: 'Hours', quantity: '2.5', unitAmount: 12345, amount: 30863 }],
    ...issueTerms(30),
    memo: 'Milestone 1 - Discovery',
    metadata: {},
    ...over,
  };
};
const apiCalls = () => fake.requests.filter((r) => r.path.startsWith('/api.xro/2.0/'));

describe('connecting', () => {
  test('the consent URL asks for offline access and the granular scopes, with the state', () => {
    const url = new URL(backend.authorizeUrl('st4te'));
    expect(`${url.origin}${url.pathname}`).toBe(`${fake.url}/identity/connect/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: fake.clientId,
      redirect_uri: 'https://duebot.example.com/oauth/xero/callback',
      scope: 'offline_access accounting.invoices accounting.payments.read accounting.contacts accounting.settings.read',
      state: 'st4te',
    });
  });

  test('one organisation authorised: it is the account, by tenant id and name', async () => {
    fake.authorise('code-1');
    const exchanged = await backend.exchangeCode('code-1');
    expect(exchanged).toMatchObject({ accountName: 'Pixel & Co (NZ)', tokens: { accountId: fake.tenantId } });
    expect(exchanged.choices).toBeUndefined();
    expect(exchanged.tokens.expiresAt.getTime()).toBeGreaterThan(Date.now() + 29 * 60_000);
    // The token request authenticated with the client secret (Basic), as a web app does.
    const token = fake.requests.find((r) => r.path === '/connect/token')!;
    expect(token.headers.authorization).toBe(`Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64')}`);
  });

  test('several organisations in one consent are offered; organisations of an earlier consent are not', async () => {
    const second = fake.addTenant('Pixel Holdings (AU)');
    const earlier = fake.addTenant('Old Co (UK)');
    fake.authorise('earlier', [earlier.tenantId]);
    await backend.exchangeCode('earlier');
    fake.authorise('code-2', [fake.tenantId, second.tenantId]);
    const exchanged = await backend.exchangeCode('code-2');
    expect(exchanged.tokens.accountId).toBe('');
    expect(exchanged.choices).toEqual([
      { accountId: fake.tenantId, accountName: 'Pixel & Co (NZ)' },
      { accountId: second.tenantId, accountName: 'Pixel Holdings (AU)' },
    ]);
    // Narrowed at the source too: /connections?authEventId=<the token's authentication_event_id>.
    expect(
      fake.requests
        .filter((r) => r.path === '/connections')
        .at(-1)!
        .query.get('authEventId'),
    ).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('a spent code is refused and nothing is connected', async () => {
    await expect(backend.exchangeCode('never-issued')).rejects.toMatchObject({ name: 'BackendError', status: 400 });
  });

  test('every Accounting API call names the connected organisation in xero-tenant-id', async () => {
    await backend.issueInvoice(request());
    expect(apiCalls().length).toBeGreaterThan(3);
    expect(new Set(apiCalls().map((r) => r.headers['xero-tenant-id']))).toEqual(new Set([fake.tenantId]));
  });

  test('an organisation disconnected from the app (403) breaks the connection once', async () => {
    const issued = await backend.issueInvoice(request());
    fake.disconnect(fake.tenantId);
    await expect(backend.fetchInvoice(issued.providerInvoiceId)).rejects.toMatchObject({ code: 'auth', status: 403 });
    expect(broken).toEqual([expect.stringContaining('403')]);
    await expect(backend.fetchInvoice(issued.providerInvoiceId)).rejects.toMatchObject({ code: 'not_connected' });
    expect(broken).toHaveLength(1);
  });

  test('a refresh token Xero no longer takes (invalid_grant) breaks the connection', async () => {
    fake.revokeRefreshTokens();
    const c = (await connections.get('xero'))!;
    await connections.saveTokens('xero', { ...c, expiresAt: new Date(Date.now() - 1000) }, new Date());
    await expect(backend.issueInvoice(request())).rejects.toMatchObject({ code: 'not_connected' });
    expect(await connections.get('xero')).toMatchObject({ status: 'broken' });
  });
});

describe('invoices', () => {
  test('an AUTHORISED ACCREC invoice with duebot number, dates, exact lines and the online invoice as payment link', async () => {
    const req = request();
    const issued = await backend.issueInvoice(req);
    const create = fake.requests.find((r) => r.method === 'PUT' && r.path === '/api.xro/2.0/Invoices')!;
    expect(create.query.get('unitdp')).toBe('4');
    expect(create.headers['idempotency-key']).toBe(`duebot-${req.invoiceId}-a0`);
    expect((create.body as { Invoices: unknown[] }).Invoices[0]).toMatchObject({
      Type: 'ACCREC',
      InvoiceNumber: req.number,
      Date: req.issueDate,
      DueDate: req.dueDate,
      Status: 'AUTHORISED',
      CurrencyCode: 'USD',
      LineAmountTypes: 'Exclusive',
      LineItems: [{ Description: 'Hours', Quantity: 2.5, UnitAmount: 123.45, LineAmount: 308.63, AccountCode: '200' }],
    });
    expect(issued).toMatchObject({ status: 'open', number: req.number, amountDue: 30863, amountRemaining: 30863, paymentUrl: `${fake.url}/in/${issued.providerInvoiceId}` });
    // The contact carries duebot's client id, so it is found again whatever its name becomes.
    expect(fake.contacts.get(issued.providerCustomerId)).toMatchObject({ Name: 'Acme Ltd', ContactNumber: 'acme', EmailAddress: 'ap@acme.example' });
  });

  test('an answer lost after Xero created the invoice: the retry finds it, nothing is made twice', async () => {
    const req = request();
    fake.dropNextAnswer('PUT', '/Invoices');
    // No answer: an unknown outcome, retried on the same attempt (same idempotency key).
    await expect(backend.issueInvoice(req)).rejects.toMatchObject({ code: 'unavailable', retryable: true, status: null });
    expect([...fake.invoices.values()].filter((i) => i.InvoiceNumber === req.number)).toHaveLength(1);
    const again = await backend.issueInvoice(req);
    expect([...fake.invoices.values()].filter((i) => i.InvoiceNumber === req.number)).toHaveLength(1);
    expect(fake.requests.filter((r) => r.method === 'PUT' && r.path === '/api.xro/2.0/Invoices')).toHaveLength(1);
    expect(again).toMatchObject({ providerInvoiceId: [...fake.invoices.values()].find((i) => i.InvoiceNumber === req.number)!.InvoiceID, status: 'open' });
  });

  test('a repeated Idempotency-Key gets the first answer back from Xero', async () => {
    const req = request();
    await backend.issueInvoice(req);
    const create = fake.requests.find((r) => r.method === 'PUT' && r.path === '/api.xro/2.0/Invoices')!;
    const replay = await fetch(`${fake.url}/api.xro/2.0/Invoices?unitdp=4`, {
      method: 'PUT',
      headers: { ...(create.headers as Record<string, string>), 'content-length': String(Buffer.byteLength(JSON.stringify(create.body))) },
      body: JSON.stringify(create.body),
    });
    expect(replay.status).toBe(200);
    expect([...fake.invoices.values()].filter((i) => i.InvoiceNumber === req.number)).toHaveLength(1);
  });

  test('a number Xero already holds for another contact is refused, not taken over', async () => {
    const req = request();
    await backend.issueInvoice({ ...req, customer: { ...req.customer, clientId: 'globex', name: 'Globex' } });
    await expect(backend.issueInvoice({ ...req, invoiceId: '00000000-0000-4000-b000-999999999999' })).rejects.toMatchObject({ code: 'invalid', retryable: false });
  });

  test('a tax service amount is carried exactly as a last line, without Xero tax on top', async () => {
    const taxType = fake.createTaxRate('GST', '15');
    const contactId = fake.createContact('Taxed Ltd');
    fake.setContactTax(contactId, taxType);
    const req = request({
      customer: { clientId: 'taxed', name: 'Taxed Ltd', emails: [], providerCustomerId: contactId },
      lines: [{ description: 'Design', quantity: '1', unitAmount: 100000, amount: 100000 }],
      salesTax: { amount: 8875, ratePercent: '8.875', name: 'Sales tax (NY)', source: 'taxjar' },
    });
    const issued = await backend.issueInvoice(req);
    const sent = (fake.requests.find((r) => r.method === 'PUT' && r.path === '/api.xro/2.0/Invoices')!.body as { Invoices: Record<string, unknown>[] }).Invoices[0]!;
    expect(sent.LineAmountTypes).toBe('NoTax');
    expect((sent.LineItems as Record<string, unknown>[]).at(-1)).toMatchObject({ Description: 'Sales tax (NY)', LineAmount: 88.75 });
    expect(issued).toMatchObject({ amountDue: 108875, tax: { subtotal: 100000, amount: 8875, name: 'Sales tax (NY)', ratePercent: '8.875' } });
  });

  test('payments in Xero: partial, then full; a credit note made in Xero is read back as a credit by its id', async () => {
    const issued = await backend.issueInvoice(request());
    fake.pay(issued.providerInvoiceId, '100.00');
    const creditNoteId = fake.credit(issued.providerInvoiceId, '8.63');
    expect(await backend.fetchInvoice(issued.providerInvoiceId)).toMatchObject({
      status: 'open',
      amountPaid: 10000,
      amountCredited: 863,
      credits: [{ id: creditNoteId, amount: 863 }],
      amountRemaining: 20000,
    });
    fake.pay(issued.providerInvoiceId);
    expect(await backend.fetchInvoice(issued.providerInvoiceId)).toMatchObject({ status: 'paid', amountPaid: 30000, amountRemaining: 0 });
  });

  test('a credit note split across invoices counts only its part on each, with or without AppliedAmount on the invoice', async () => {
    for (const without of [false, true]) {
      await fake.close();
      fake = await startFakeXero({ creditNotesWithoutAppliedAmount: without });
      await connections.saveTokens('xero', { accountId: fake.tenantId, ...fake.issueTokens() }, new Date());
      backend = make();
      const issued = await backend.issueInvoice(request());
      const creditNoteId = fake.credit(issued.providerInvoiceId, '4.00', '10.00');
      expect(await backend.fetchInvoice(issued.providerInvoiceId)).toMatchObject({ amountCredited: 400, credits: [{ id: creditNoteId, amount: 400 }], amountRemaining: 30463 });
    }
  });

  test('duebot credits with an ACCRECCREDIT credit note allocated to the invoice', async () => {
    const issued = await backend.issueInvoice(request());
    const credited = await backend.creditInvoice!(issued.providerInvoiceId, 863, 'Goodwill');
    const note = fake.requests.find((r) => r.method === 'PUT' && r.path === '/api.xro/2.0/CreditNotes')!;
    expect((note.body as { CreditNotes: unknown[] }).CreditNotes[0]).toMatchObject({ Type: 'ACCRECCREDIT', Status: 'AUTHORISED', LineItems: [{ UnitAmount: 8.63 }] });
    expect(note.headers['idempotency-key']).toMatch(/^duebot-credit-[0-9a-f]{48}$/);
    const allocation = fake.requests.find((r) => r.method === 'PUT' && r.path.endsWith('/Allocations'))!;
    expect(allocation.path).toBe(`/api.xro/2.0/CreditNotes/${credited.creditId}/Allocations`);
    expect(credited).toMatchObject({ amountCredited: 863, credits: [{ id: credited.creditId, amount: 863 }], amountRemaining: 30000 });
  });

  test('voiding an invoice with a payment is refused (duebot never deletes a client payment)', async () => {
    const issued = await backend.issueInvoice(request());
    fake.pay(issued.providerInvoiceId, '1.00');
    await expect(backend.voidInvoice(issued.providerInvoiceId)).rejects.toMatchObject({ code: 'invalid', retryable: false });
    expect(fake.invoices.get(issued.providerInvoiceId)!.Status).toBe('AUTHORISED');
  });

  test('history import pages through ACCREC invoices dated on or after `since`, with payment dates', async () => {
    const old = fake.seedInvoice({ contactName: 'Old Client', number: 'OLD-1', date: '2025-01-10', dueDate: '2025-02-10', amount: '50.00' });
    const kept = ['2026-03-01', '2026-03-02', '2026-03-03'].map((date, i) =>
      fake.seedInvoice({ contactName: 'Kept Client', number: `K-${i}`, date, dueDate: '2026-04-01', amount: '10.00', currency: 'EUR' }),
    );
    fake.pay(kept[0]!, '10.00', '2026-03-15');
    const rows = await backend.listInvoicesForImport!({ since: '2026-01-01', timezone: 'UTC', pageSize: 2 });
    expect(rows.map((r) => r.providerInvoiceId)).toEqual(kept);
    expect(rows.map((r) => r.providerInvoiceId)).not.toContain(old);
    expect(rows[0]).toMatchObject({
      number: 'K-0',
      customerName: 'Kept Client',
      currency: 'EUR',
      total: 1000,
      amountPaid: 1000,
      issueDate: '2026-03-01',
      dueDate: '2026-04-01',
      status: 'paid',
    });
    expect(rows[1]).toMatchObject({ status: 'open', paidDate: null });
    expect(fake.requests.filter((r) => r.method === 'GET' && r.path === '/api.xro/2.0/Invoices' && r.query.get('pageSize') === '2')).toHaveLength(2);
  });

  test('the payment poll reads only invoices changed since its last run (If-Modified-Since)', async () => {
    const a = await backend.issueInvoice(request());
    const b = await backend.issueInvoice(request());
    // `a` last changed long before the previous poll (the poll looks a minute further back, for overlap).
    fake.invoices.get(a.providerInvoiceId)!.updatedAt = Date.now() - 10 * 60_000;
    expect(await backend.changedSinceLastPoll!()).toBeNull();
    fake.pay(b.providerInvoiceId, '1.00');
    const changed = await backend.changedSinceLastPoll!();
    expect(changed).toEqual(new Set([b.providerInvoiceId]));
    expect(fake.requests.filter((r) => r.path === '/api.xro/2.0/Invoices' && r.headers['if-modified-since'])).toHaveLength(1);
    // Rate limited: said so (the poll then leaves Xero alone this run); another failure: unknown, read everything.
    fake.rateLimitNext('minute', 10);
    await expect(backend.changedSinceLastPoll!()).rejects.toMatchObject({ code: 'rate_limited' });
    fake.failNext(1, 500);
    expect(await backend.changedSinceLastPoll!()).toBeNull();
  });
});

describe('webhooks', () => {
  test('signed deliveries map INVOICE events to a re-read and CREDITNOTE events to the invoice they are allocated to', async () => {
    const issued = await backend.issueInvoice(request());
    const creditNoteId = fake.credit(issued.providerInvoiceId, '1.00');
    const delivery = fake.signedDelivery([
      fake.invoiceEvent(issued.providerInvoiceId),
      fake.invoiceEvent(creditNoteId, 'CREDITNOTE'),
      { ...fake.invoiceEvent('c0ffee00-0000-4000-8000-000000000001', 'CONTACT') },
    ]);
    const events = backend.parseWebhookEvents!(Buffer.from(delivery.body), delivery.headers);
    expect(events.map((e) => [e.kind, e.providerInvoiceId])).toEqual([
      ['payment', issued.providerInvoiceId],
      ['credit', null],
      ['ignored', null],
    ]);
    expect(events[0]!.eventId).toContain(fake.tenantId);
    expect(await backend.resolveInvoiceId!(events[1]!)).toBe(issued.providerInvoiceId);
    // A credit note this organisation does not hold (an earlier organisation's event) concerns no invoice here.
    const foreign = fake.signedDelivery([fake.invoiceEvent('0f0f0f0f-0000-4000-8000-000000000009', 'CREDITNOTE')]);
    const [other] = backend.parseWebhookEvents!(Buffer.from(foreign.body), foreign.headers);
    expect(await backend.resolveInvoiceId!(other!)).toBeNull();
  });

  test('a wrong or missing x-xero-signature is refused; an intent-to-receive delivery carries no events', () => {
    const itr = JSON.stringify({ events: [], firstEventSequence: 0, lastEventSequence: 0, entropy: 'S0m3r4Nd0mt3xt' });
    expect(backend.parseWebhookEvents!(Buffer.from(itr), { 'x-xero-signature': xeroSignature(fake.webhookKey, itr) })).toEqual([]);
    expect(() => backend.parseWebhookEvents!(Buffer.from(itr), { 'x-xero-signature': xeroSignature('guess', itr) })).toThrow(WebhookSignatureError);
    expect(() => backend.parseWebhookEvents!(Buffer.from(itr), {})).toThrow(WebhookSignatureError);
    // Signed over other bytes (re-serialised JSON) does not verify either.
    expect(() => backend.parseWebhookEvents!(Buffer.from(`${itr} `), { 'x-xero-signature': xeroSignature(fake.webhookKey, itr) })).toThrow(WebhookSignatureError);
  });
});

describe('limits', () => {
  test("a 429 surfaces at once as rate_limited with Xero's Retry-After", async () => {
    const issued = await backend.issueInvoice(request());
    fake.rateLimitNext('minute', 42);
    await expect(backend.fetchInvoice(issued.providerInvoiceId)).rejects.toMatchObject({ code: 'rate_limited', retryable: true, status: 429, retryAfterMs: 42_000 });
  });

  test("the daily allowance spent: later calls fail fast until Xero's Retry-After, without calling Xero", async () => {
    const issued = await backend.issueInvoice(request());
    fake.rateLimitNext('day', 3600);
    await expect(backend.fetchInvoice(issued.providerInvoiceId)).rejects.toMatchObject({ code: 'rate_limited', message: expect.stringContaining('day limit') });
    const calls = apiCalls().length;
    await expect(backend.fetchInvoice(issued.providerInvoiceId)).rejects.toMatchObject({ code: 'rate_limited', status: 429 });
    expect(apiCalls().length).toBe(calls);
  });

  test('a call Xero does not answer in time is an unknown outcome (retryable, no status)', async () => {
    const issued = await backend.issueInvoice(request());
    fake.setLatency(1000);
    await expect(make({ timeoutMs: 100 }).fetchInvoice(issued.providerInvoiceId)).rejects.toMatchObject({ code: 'unavailable', retryable: true, status: null });
  });

  test('at most 5 calls in flight per organisation', async () => {
    const issued = await backend.issueInvoice(request());
    fake.setLatency(150);
    await Promise.all(Array.from({ length: 12 }, () => backend.fetchInvoice(issued.providerInvoiceId)));
    expect(fake.maxInFlight()).toBe(5);
  });
});

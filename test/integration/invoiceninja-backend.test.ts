import type { IssueInvoiceRequest } from '../../src/providers/invoicing/backend.js';
import { createInvoiceNinjaBackend, type InvoiceNinjaBackend } from '../../src/providers/invoicing/invoiceninja.js';
import { checkInvoiceNinjaUrl } from '../../src/providers/invoicing/invoiceninja-http.js';
import { loadConfig } from '../../src/config.js';
import { startFakeInvoiceNinja, type FakeInvoiceNinja } from '../support/fake-invoiceninja.js';
import { issueTerms } from '../support/issue-terms.js';

/**
 * What is special about Invoice Ninja (the contract suite covers the rest): an API token instead of
 * OAuth (a refused token is reported once), the base URL check, the unique number standing in for an
 * idempotency key, the secret header on webhook deliveries, credits applied through a payment, the tax
 * service's line, and paging.
 */
let fake: FakeInvoiceNinja;
let backend: InvoiceNinjaBackend;
let broken: { provider: string; reason: string }[];
beforeEach(async () => {
  fake = await startFakeInvoiceNinja();
  broken = [];
  backend = createInvoiceNinjaBackend({ baseUrl: fake.url, apiToken: fake.token, now: () => new Date(), onBroken: (provider, reason) => broken.push({ provider, reason }) });
});
afterEach(async () => fake.close());

let seq = 0;
const request = (overrides: Partial<IssueInvoiceRequest> = {}): IssueInvoiceRequest => {
  seq += 1;
  return {
    invoiceId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    number: `IN-${String(seq).padStart(4, '0')}`,
    customer: { clientId: 'acme', name: 'Acme Ltd', emails: ['ap@acme.example', 'cfo@acme.example'], providerCustomerId: null },
    currency: 'USD',
    lines: [{ description: 'Milestone 1 - Discovery', quantity: '1', unitAmount: 150000, amount: 150000 }],
    ...issueTerms(7),
    memo: 'Milestone 1 - Discovery',
    metadata: {},
    ...overrides,
  };
};

test('issuing sends the token headers, marks the invoice sent with our number and dates, and returns the invitation link', async () => {
  const req = request();
  const issued = await backend.issueInvoice(req);
  const create = fake.requests.find((r) => r.method === 'POST' && r.path === '/api/v1/invoices')!;
  expect(create.query.get('mark_sent')).toBe('true');
  expect(create.body).toMatchObject({
    number: req.number,
    date: req.issueDate,
    due_date: req.dueDate,
    line_items: [{ cost: 1500, quantity: 1, notes: 'Milestone 1 - Discovery' }],
  });
  const inv = fake.invoices.get(issued.providerInvoiceId)!;
  expect(inv).toMatchObject({ status_id: '2', number: req.number });
  // One contact per email, each invited; the first invitation's portal link is the payment link.
  const client = fake.clients.get(issued.providerCustomerId)!;
  expect((client.contacts as { email: string }[]).map((c) => c.email)).toEqual(['ap@acme.example', 'cfo@acme.example']);
  expect(issued.paymentUrl).toBe((inv.invitations as { link: string }[])[0]!.link);
  expect(issued).toMatchObject({
    status: 'open',
    number: req.number,
    amountDue: 150000,
    amountRemaining: 150000,
    paymentUrl: expect.stringMatching(/\/client\/invoice\/[0-9a-f]+$/),
  });
  // duebot emails the invoice itself: no email action reached Invoice Ninja.
  expect(fake.requests.some((r) => r.query.has('send_email') || (r.path.endsWith('/bulk') && /email/.test((r.body as { action: string }).action)))).toBe(false);
});

test('two attempts racing on one number make one invoice: the 422 on the number finds the first', async () => {
  const first = await backend.issueInvoice(request());
  const req = request({ customer: { ...request().customer, providerCustomerId: first.providerCustomerId } });
  const [a, b] = await Promise.all([backend.issueInvoice(req), backend.issueInvoice({ ...req, attempt: 1 })]);
  expect(b.providerInvoiceId).toBe(a.providerInvoiceId);
  expect([...fake.invoices.values()].filter((i) => i.number === req.number)).toHaveLength(1);
  expect(fake.requests.filter((r) => r.path === '/api/v1/invoices' && r.method === 'POST').map((r) => r.status)).toContain(422);
});

test('our number already on another client is refused, not adopted', async () => {
  const other = await backend.issueInvoice(request({ customer: { clientId: 'globex', name: 'Globex', emails: ['ap@globex.example'], providerCustomerId: null } }));
  const clash = request({ number: fake.invoices.get(other.providerInvoiceId)!.number as string });
  await expect(backend.issueInvoice(clash)).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('another client') });
});

test('a client found in another currency is refused before an invoice is made in the wrong one', async () => {
  fake.clientWithTax({ name: 'Eurocorp', email: 'ap@euro.example', currencyId: '3' }, '', 0);
  const req = request({ customer: { clientId: 'euro', name: 'Eurocorp', emails: ['ap@euro.example'], providerCustomerId: null } });
  await expect(backend.issueInvoice(req)).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('bills in EUR, not USD') });
  expect(fake.invoices.size).toBe(0);
});

test("a tax service's amount goes as a marked last line and reads back as the invoice's tax", async () => {
  const req = request({ salesTax: { amount: 13313, ratePercent: '8.875', name: 'Sales tax (NY)', source: 'taxjar' } });
  const issued = await backend.issueInvoice(req);
  expect(issued).toMatchObject({ amountDue: 163313, tax: { subtotal: 150000, amount: 13313, name: 'Sales tax (NY)', ratePercent: '8.875' } });
  const lines = fake.invoices.get(issued.providerInvoiceId)!.line_items as { product_key: string; cost: number }[];
  expect(lines.at(-1)).toMatchObject({ product_key: 'Sales tax (NY)', cost: 133.13 });
});

test("a line whose rounded amount is not cost × quantity goes as one unit of duebot's amount", async () => {
  // 3 × 33.33 = 99.99, but duebot's line says 100.00 (an adjusted amount): Invoice Ninja must hold 100.00.
  const issued = await backend.issueInvoice(request({ lines: [{ description: 'Hours', quantity: '3', unitAmount: 3333, amount: 10000 }] }));
  expect(issued.amountDue).toBe(10000);
  const line = (fake.invoices.get(issued.providerInvoiceId)!.line_items as { cost: number; quantity: number; notes: string }[])[0]!;
  expect(line).toMatchObject({ cost: 100, quantity: 1, notes: 'Hours (3 × 33.33)' });
});

test('a credit is a credit applied by a payment of 0: read back as credit (by its id), not as money', async () => {
  const issued = await backend.issueInvoice(request());
  fake.pay(issued.providerInvoiceId, 300);
  const credited = await backend.creditInvoice!(issued.providerInvoiceId, 20000, 'Goodwill');
  expect(fake.credits.get(credited.creditId)).toMatchObject({ amount: 200, balance: 0 });
  const applying = [...fake.payments.values()].at(-1)!;
  expect(applying).toMatchObject({
    amount: 0,
    paymentables: [
      { invoice_id: issued.providerInvoiceId, amount: 200 },
      { credit_id: credited.creditId, amount: 200 },
    ],
  });
  expect(credited).toMatchObject({ status: 'open', amountPaid: 30000, amountCredited: 20000, credits: [{ id: credited.creditId, amount: 20000 }], amountRemaining: 100000 });
});

test('void cancels (status 5): the number stays, nothing is owed, the link goes; voiding again changes nothing', async () => {
  const issued = await backend.issueInvoice(request());
  const voided = await backend.voidInvoice(issued.providerInvoiceId);
  expect(voided).toMatchObject({ status: 'void', amountRemaining: 0, paymentUrl: null, number: issued.number });
  expect(fake.invoices.get(issued.providerInvoiceId)).toMatchObject({ status_id: '5', is_deleted: false });
  await backend.voidInvoice(issued.providerInvoiceId);
  expect(fake.requests.filter((r) => r.path === '/api/v1/invoices/bulk' && (r.body as { action: string }).action === 'cancel')).toHaveLength(1);
});

test('an archived invoice (404 on its own route) is read from the list and still owed; a deleted one reads void', async () => {
  const issued = await backend.issueInvoice(request());
  fake.act('archive', issued.providerInvoiceId);
  expect(await backend.fetchInvoice(issued.providerInvoiceId)).toMatchObject({ status: 'open', amountRemaining: 150000 });
  fake.act('delete', issued.providerInvoiceId);
  expect(await backend.fetchInvoice(issued.providerInvoiceId)).toMatchObject({ status: 'void', amountRemaining: 0 });
  await expect(backend.fetchInvoice('NoSuchId00')).rejects.toMatchObject({ code: 'not_found' });
});

test('a 429 surfaces at once with its Retry-After, without a retry', async () => {
  const issued = await backend.issueInvoice(request());
  const before = fake.requests.length;
  fake.failNext(1, 429, { 'retry-after': '42' });
  await expect(backend.fetchInvoice(issued.providerInvoiceId)).rejects.toMatchObject({
    name: 'BackendError',
    code: 'rate_limited',
    retryable: true,
    status: 429,
    retryAfterMs: 42_000,
  });
  expect(fake.requests.length).toBe(before + 1);
});

test('a refused token (403) is an auth failure, reported once as broken, and never printed', async () => {
  const bad = createInvoiceNinjaBackend({
    baseUrl: fake.url,
    apiToken: 'stolen-or-revoked-token',
    now: () => new Date(),
    onBroken: (provider, reason) => broken.push({ provider, reason }),
  });
  const err = (await bad.issueInvoice(request()).catch((e: unknown) => e)) as Error;
  expect(err).toMatchObject({ name: 'BackendError', code: 'auth', status: 403, message: expect.stringContaining('Invalid token') });
  await expect(bad.issueInvoice(request())).rejects.toMatchObject({ code: 'auth' });
  expect(broken).toEqual([{ provider: 'invoiceninja', reason: expect.stringContaining('INVOICENINJA_API_TOKEN') }]);
  expect(`${err.message} ${err.stack} ${JSON.stringify(err)}`).not.toContain('stolen-or-revoked-token');
});

test('the base URL must be https off this machine, and a bare base', () => {
  expect(checkInvoiceNinjaUrl('https://invoicing.co')).toBeNull();
  expect(checkInvoiceNinjaUrl('http://127.0.0.1:8000')).toBeNull();
  expect(checkInvoiceNinjaUrl('http://billing.example.com')).toMatch(/https/);
  expect(checkInvoiceNinjaUrl('https://billing.example.com/api/v1')).toMatch(/without \/api\/v1/);
  const env = {
    SLACK_BOT_TOKEN: 'xoxb-1',
    SLACK_SIGNING_SECRET: 's',
    BILLING_CHANNEL_ID: 'C0123ABCD',
    OWNER_SLACK_USER_ID: 'U0123ABCD',
    APPROVER_SLACK_USER_IDS: 'U0123ABCD',
    ASANA_ACCESS_TOKEN: 'asana',
    SMTP_URL: 'smtp://127.0.0.1:2525',
    EMAIL_FROM: 'billing@pixelco.example',
    BUSINESS_NAME: 'Pixel & Co',
    INVOICENINJA_API_TOKEN: 'token',
  };
  // The token alone is a complete back-end, on the hosted service by default.
  expect(loadConfig(env).invoiceninja).toEqual({ baseUrl: 'https://invoicing.co', apiToken: 'token' });
  expect(() => loadConfig({ ...env, INVOICENINJA_URL: 'http://billing.example.com' })).toThrow(/INVOICENINJA_URL: must be an https base URL/);
  expect(() => loadConfig({ ...env, INVOICENINJA_API_TOKEN: '', INVOICENINJA_URL: 'https://billing.example.com' })).toThrow(/INVOICENINJA_API_TOKEN: is required/);
});

test('deliveries: only the registration secret is accepted; the event comes from the registration, ids dedupe', async () => {
  const issued = await backend.issueInvoice(request());
  const { paymentId } = fake.pay(issued.providerInvoiceId);
  const body = Buffer.from(JSON.stringify({ ...fake.payments.get(paymentId), invoices: [{ id: issued.providerInvoiceId }] }));
  const auth = { event: 'create_payment', secret: 'the-registration-secret' };
  expect(() => backend.parseDelivery(body, {}, auth)).toThrow(/missing X-Duebot-Secret/);
  expect(() => backend.parseDelivery(body, { 'x-duebot-secret': 'the-registration-secreT' }, auth)).toThrow(/does not match/);
  expect(() => backend.parseWebhook(body, { 'x-duebot-secret': auth.secret })).toThrow(/registration/);
  const events = backend.parseDelivery(body, { 'x-duebot-secret': auth.secret }, auth);
  expect(events).toEqual([
    expect.objectContaining({
      eventId: `create_payment:${paymentId}:${issued.providerInvoiceId}`,
      kind: 'payment',
      providerInvoiceId: issued.providerInvoiceId,
      subject: { type: 'payment', id: paymentId },
    }),
  ]);
  expect(await backend.resolveInvoiceId!({ ...events[0]!, providerInvoiceId: null })).toBe(issued.providerInvoiceId);
  const invoiceBody = Buffer.from(JSON.stringify({ id: issued.providerInvoiceId, updated_at: 1760000123 }));
  expect(backend.parseDelivery(invoiceBody, { 'x-duebot-secret': 's' }, { event: 'delete_invoice', secret: 's' })).toEqual([
    expect.objectContaining({ eventId: `delete_invoice:${issued.providerInvoiceId}:1760000123`, kind: 'voided', providerInvoiceId: issued.providerInvoiceId }),
  ]);
});

test('webhooks are created per event with the secret header, and deleted', async () => {
  const id = await backend.webhookSubscriptions.create('create_payment', 'https://duebot.example.com/webhooks/invoiceninja?hook=abc', { 'X-Duebot-Secret': 'sekrit' });
  expect(fake.webhooks.get(id)).toMatchObject({ event_id: '4', rest_method: 'post', format: 'JSON', headers: { 'X-Duebot-Secret': 'sekrit' } });
  await backend.webhookSubscriptions.remove(id);
  expect(fake.webhooks.size).toBe(0);
  await backend.webhookSubscriptions.remove(id); // gone already: fine
  // A token that may not create webhooks (no admin, or no API feature on the plan) is no broken token.
  fake.forbidWebhooks = true;
  await expect(backend.webhookSubscriptions.create('create_payment', 'https://duebot.example.com/x', {})).rejects.toMatchObject({
    code: 'auth',
    status: 403,
    message: expect.stringContaining('unauthorized'),
  });
  expect(broken).toEqual([]);
});

test('open invoices and the history import page through the lists', async () => {
  const a = await backend.issueInvoice(request());
  const b = await backend.issueInvoice(request());
  fake.pay(b.providerInvoiceId);
  expect((await backend.listOpenInvoices!()).map((i) => i.providerInvoiceId)).toEqual([a.providerInvoiceId]);
  const history = await backend.listInvoicesForImport!({ since: null, timezone: 'UTC', pageSize: 1 });
  expect(history).toEqual([
    expect.objectContaining({ providerInvoiceId: a.providerInvoiceId, customerName: 'Acme Ltd', status: 'open', paidDate: null, total: 150000 }),
    expect.objectContaining({ providerInvoiceId: b.providerInvoiceId, status: 'paid', amountPaid: 150000, paidDate: new Date().toISOString().slice(0, 10) }),
  ]);
  expect(fake.requests.filter((r) => r.path === '/api/v1/invoices' && r.method === 'GET' && r.query.get('per_page') === '1')).toHaveLength(2);
});

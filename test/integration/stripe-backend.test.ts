import { createStripeBackend, BackendError, searchLiteral, stripeConnection, stripeDueDate } from '../../src/providers/invoicing/stripe.js';
import { WebhookSignatureError, type IssueInvoiceRequest } from '../../src/providers/invoicing/backend.js';
import { startFakeStripe, type FakeStripe, type RecordedRequest } from '../support/fake-stripe.js';
import { issueTerms } from '../support/issue-terms.js';

let stripe: FakeStripe;
beforeAll(async () => {
  stripe = await startFakeStripe();
});
afterAll(async () => stripe.close());
afterEach(() => stripe.failNext(0, 200));

const backendFor = (fake: FakeStripe) => createStripeBackend({ secretKey: 'sk_test_duebot', webhookSecret: fake.webhookSecret, apiUrl: fake.url });
const backend = () => backendFor(stripe);

let seq = 0;
const request = (over: Partial<IssueInvoiceRequest> & { clientId?: string } = {}): IssueInvoiceRequest => {
  const { clientId = `client-${seq + 1}`, ...rest } = over;
  seq += 1;
  return {
    invoiceId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    number: `INV-${String(seq).padStart(4, '0')}`,
    customer: { clientId, name: 'Acme Ltd', emails: ['ap@acme.example', 'cfo@acme.example'], providerCustomerId: null },
    currency: 'USD',
    lines: [
      { description: 'Design', quantity: '1', unitAmount: 120000, amount: 120000 },
      { description: 'Revisions', quantity: '2.5', unitAmount: 12000, amount: 30000 },
    ],
    ...issueTerms(14),
    memo: 'Milestone 2 - Design',
    metadata: { duebot_source: 'asana:1' },
    ...rest,
  };
};

/** Requests the fake received from `mark` on, as "METHOD path" with invoice ids blanked. */
const trafficSince = (fake: FakeStripe, mark: number) => fake.requests.slice(mark).map((r) => `${r.method} ${r.path.replace(/in_[0-9a-f]+/, 'in_*')}`);
const linesOf = (fake: FakeStripe, id: string) => (fake.invoices.get(id)!.lines as { data: { description: string; amount: number; metadata: Record<string, string> }[] }).data;
const sent = (mark: number, filter: (r: RecordedRequest) => boolean) => stripe.requests.slice(mark).filter(filter);

describe('issueInvoice', () => {
  test('creates customer, invoice, one item per line and finalizes it, without asking Stripe to email', async () => {
    const req = request();
    const mark = stripe.requests.length;
    const issued = await backend().issueInvoice(req);

    expect(trafficSince(stripe, mark)).toEqual([
      'GET /v1/invoices/search',
      'GET /v1/customers/search',
      // Search lags behind writes; list is consistent: a customer or invoice made by an earlier attempt is found.
      'GET /v1/customers',
      'POST /v1/customers',
      'GET /v1/invoices',
      'POST /v1/invoices',
      'POST /v1/invoiceitems',
      'POST /v1/invoiceitems',
      'POST /v1/invoices/in_*/finalize',
    ]);
    expect(sent(mark, (r) => r.method === 'POST').map((r) => r.idempotencyKey)).toEqual([
      expect.stringMatching(new RegExp(`^duebot-customer-${req.customer.clientId}-[0-9a-f]{16}-a0$`)),
      `duebot-invoice-${req.invoiceId}-a0`,
      `duebot-line-${req.invoiceId}-a0-0`,
      `duebot-line-${req.invoiceId}-a0-1`,
      `duebot-finalize-${req.invoiceId}-a0`,
    ]);
    expect(sent(mark, (r) => r.method === 'POST' && r.path === '/v1/invoices')[0]!.body).toMatchObject({
      collection_method: 'send_invoice',
      // The pinned due date, as the last second of that day in the business time zone; duebot's number.
      due_date: String(stripeDueDate(req.dueDate, 'UTC')),
      number: req.number,
      currency: 'usd',
      auto_advance: 'false',
      pending_invoice_items_behavior: 'exclude',
      description: 'Milestone 2 - Design',
    });
    expect(sent(mark, (r) => r.path.endsWith('/finalize'))[0]!.body).toEqual({ auto_advance: 'false' });
    expect(sent(mark, (r) => r.method === 'POST' && r.path === '/v1/customers')[0]!.body).toEqual({
      name: 'Acme Ltd',
      email: 'ap@acme.example',
      metadata: { duebot_client_id: req.customer.clientId },
    });

    expect(issued).toEqual({
      providerInvoiceId: expect.stringMatching(/^in_/),
      providerCustomerId: expect.stringMatching(/^cus_/),
      status: 'open',
      currency: 'USD',
      amountDue: 150000,
      amountPaid: 0,
      amountCredited: 0,
      amountRemaining: 150000,
      paymentUrl: `${stripe.url}/pay/${issued.providerInvoiceId}`,
      pdfUrl: `${stripe.url}/pay/${issued.providerInvoiceId}/pdf`,
      number: req.number,
      metadata: { duebot_source: 'asana:1', duebot_invoice_id: req.invoiceId, duebot_number: req.number },
      tax: { subtotal: 150000, amount: 0, name: null, ratePercent: null },
    });
    expect(sent(mark, (r) => r.method === 'POST' && r.path === '/v1/invoices')[0]!.body.default_tax_rates).toBeUndefined();
    expect(linesOf(stripe, issued.providerInvoiceId).map((l) => [l.description, l.amount])).toEqual([
      ['Design', 120000],
      ['Revisions (2.5 × $120.00)', 30000],
    ]);
    const stored = stripe.invoices.get(issued.providerInvoiceId)!;
    expect(stored).toMatchObject({ customer: issued.providerCustomerId, total: 150000, number: req.number, due_date: stripeDueDate(req.dueDate, 'UTC') });

    const page = await fetch(issued.paymentUrl!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(String(stored.number));
  });

  test('zero-decimal currencies pass amounts through untouched and describe quantities in that currency', async () => {
    const issued = await backend().issueInvoice(request({ currency: 'jpy', lines: [{ description: 'Consulting', quantity: '3', unitAmount: 15000, amount: 45000 }] }));
    expect(issued).toMatchObject({ currency: 'JPY', amountDue: 45000 });
    expect(stripe.invoices.get(issued.providerInvoiceId)!.currency).toBe('jpy');
    expect(linesOf(stripe, issued.providerInvoiceId).map((l) => l.description)).toEqual(['Consulting (3 × ¥15,000)']);
  });

  test('the customer is created once, then found by metadata search or taken from the remembered id', async () => {
    const clientId = "o'brien & co";
    const mark = stripe.requests.length;
    const first = await backend().issueInvoice(request({ clientId }));
    const second = await backend().issueInvoice(request({ clientId }));
    expect(second.providerCustomerId).toBe(first.providerCustomerId);
    expect(sent(mark, (r) => r.path === '/v1/customers/search').map((r) => r.query.query)).toEqual([
      `metadata['duebot_client_id']:${searchLiteral(clientId)}`,
      `metadata['duebot_client_id']:${searchLiteral(clientId)}`,
    ]);

    const mark2 = stripe.requests.length;
    const third = await backend().issueInvoice(request({ clientId, customer: { clientId, name: 'Acme Ltd', emails: [], providerCustomerId: first.providerCustomerId } }));
    expect(third.providerCustomerId).toBe(first.providerCustomerId);
    // Read (for its tax rates), never searched for or created again.
    expect(sent(mark2, (r) => r.path.startsWith('/v1/customers')).map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v1/customers/${first.providerCustomerId}`]);
    expect([...stripe.customers.values()].filter((c) => (c.metadata as Record<string, string>).duebot_client_id === clientId)).toHaveLength(1);
  });

  test('issuing the same invoice again returns the same invoice and creates nothing', async () => {
    const req = request();
    const a = await backend().issueInvoice(req);
    const counts = () => [stripe.customers.size, stripe.invoices.size, stripe.invoiceItems.size];
    const before = counts();
    const mark = stripe.requests.length;
    const b = await backend().issueInvoice(req);
    expect(b).toEqual(a);
    expect(counts()).toEqual(before);
    expect(trafficSince(stripe, mark)).toEqual(['GET /v1/invoices/search']);
  });

  test('a retry after a failure half-way finishes the same invoice (keys replayed or, after 24 h, found by search)', async () => {
    const req = request();
    stripe.failNext(1, 400, undefined, { path: /\/finalize$/ });
    const err = await backend()
      .issueInvoice(req)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'BackendError', code: 'invalid', retryable: false, status: 400 });
    const drafts = [...stripe.invoices.values()].filter((i) => (i.metadata as Record<string, string>).duebot_invoice_id === req.invoiceId);
    expect(drafts.map((d) => d.status)).toEqual(['draft']);

    // Stripe forgets idempotency keys after 24 hours; the lines already on the draft must not be added twice.
    stripe.expireIdempotencyKeys();
    const issued = await backend().issueInvoice(req);
    expect(issued).toMatchObject({ providerInvoiceId: drafts[0]!.id, status: 'open', amountDue: 150000 });
    expect(linesOf(stripe, issued.providerInvoiceId).map((l) => l.metadata.duebot_line_index)).toEqual(['0', '1']);
  });

  test('while search still lags behind, listing finds what the first try made, so a retry duplicates nothing', async () => {
    const lagging = await startFakeStripe({ searchDelayMs: 60_000 });
    try {
      const req = request();
      lagging.failNext(1, 503, undefined, { path: /\/finalize$/, headers: { 'stripe-should-retry': 'false' } });
      await expect(backendFor(lagging).issueInvoice(req)).rejects.toMatchObject({ code: 'unavailable', retryable: true, status: 503 });
      const mark = lagging.requests.length;
      const issued = await backendFor(lagging).issueInvoice(req);
      expect(issued.status).toBe('open');
      expect([lagging.customers.size, lagging.invoices.size, lagging.invoiceItems.size]).toEqual([1, 1, 2]);
      // Search found nothing; the customer (by email) and the draft (by customer) were listed, and only the finalize ran again.
      expect(
        lagging.requests
          .slice(mark)
          .filter((r) => r.method === 'POST')
          .map((r) => r.idempotencyKey),
      ).toEqual([`duebot-finalize-${req.invoiceId}-a0`]);
    } finally {
      await lagging.close();
    }
  });
});

describe('fetchInvoice', () => {
  test('follows partial and full payment', async () => {
    const issued = await backend().issueInvoice(request());
    stripe.pay(issued.providerInvoiceId, 50000);
    expect(await backend().fetchInvoice(issued.providerInvoiceId)).toMatchObject({ status: 'open', amountDue: 150000, amountPaid: 50000, amountRemaining: 100000 });
    stripe.pay(issued.providerInvoiceId, 25000);
    expect(await backend().fetchInvoice(issued.providerInvoiceId)).toMatchObject({ status: 'open', amountPaid: 75000, amountRemaining: 75000 });
    stripe.pay(issued.providerInvoiceId);
    expect(await backend().fetchInvoice(issued.providerInvoiceId)).toMatchObject({ status: 'paid', currency: 'USD', amountPaid: 150000, amountRemaining: 0 });
  });

  test('a partial credit note made in the Dashboard is a credit, not a payment; a voided one credits nothing', async () => {
    const issued = await backend().issueInvoice(request());
    stripe.pay(issued.providerInvoiceId, 50000);
    const note = stripe.creditNote(issued.providerInvoiceId, 20000, 'Goodwill');
    expect(await backend().fetchInvoice(issued.providerInvoiceId)).toMatchObject({
      status: 'open',
      amountPaid: 50000,
      amountCredited: 20000,
      amountRemaining: 80000,
      credits: [{ id: note.id, amount: 20000 }],
    });
    stripe.voidCreditNote(note.id);
    expect(await backend().fetchInvoice(issued.providerInvoiceId)).toMatchObject({ amountPaid: 50000, amountCredited: 0, amountRemaining: 100000, credits: [] });
  });

  test('maps void and uncollectible; an unknown id is not_found', async () => {
    const voided = await backend().issueInvoice(request());
    stripe.void(voided.providerInvoiceId);
    expect((await backend().fetchInvoice(voided.providerInvoiceId)).status).toBe('void');
    const lost = await backend().issueInvoice(request());
    stripe.markUncollectible(lost.providerInvoiceId);
    expect((await backend().fetchInvoice(lost.providerInvoiceId)).status).toBe('uncollectible');
    const err = await backend()
      .fetchInvoice('in_missing')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err).toMatchObject({ code: 'not_found', retryable: false, status: 404 });
  });
});

describe('parseWebhook', () => {
  let invoiceId: string;
  let duebotId: string;
  beforeAll(async () => {
    const req = request();
    duebotId = req.invoiceId;
    invoiceId = (await backend().issueInvoice(req)).providerInvoiceId;
  });
  const parse = (delivery: { body: string; headers: Record<string, string> }) => backend().parseWebhook(Buffer.from(delivery.body), delivery.headers);

  test('a correctly signed delivery is verified and mapped', () => {
    const event = stripe.event('invoice.paid', invoiceId);
    expect(parse(stripe.signedDelivery(event))).toEqual({
      eventId: event.id,
      type: 'invoice.paid',
      kind: 'paid',
      providerInvoiceId: invoiceId,
      duebotInvoiceId: duebotId,
      occurredAt: new Date((event.created as number) * 1000),
    });
  });

  test.each([
    ['invoice.paid', 'paid'],
    ['invoice.payment_succeeded', 'payment'],
    ['invoice.voided', 'voided'],
    ['invoice.marked_uncollectible', 'uncollectible'],
    ['invoice.updated', 'payment'],
    ['invoice.finalized', 'ignored'],
    ['invoice.payment_failed', 'ignored'],
  ])('%s → %s', (type, kind) => {
    expect(parse(stripe.signedDelivery(stripe.event(type, invoiceId))).kind).toBe(kind);
  });

  test('a credit note made in the Dashboard names its invoice, to be read again; other objects are ignored', () => {
    const note = stripe.creditNote(invoiceId, 1000);
    expect(parse(stripe.signedDelivery(stripe.creditNoteEvent('credit_note.created', note.id)))).toMatchObject({
      kind: 'credit',
      type: 'credit_note.created',
      providerInvoiceId: invoiceId,
      duebotInvoiceId: null,
      subject: { type: 'credit_note', id: note.id },
    });
    stripe.voidCreditNote(note.id);
    expect(parse(stripe.signedDelivery(stripe.creditNoteEvent('credit_note.voided', note.id)))).toMatchObject({ kind: 'credit', providerInvoiceId: invoiceId });
    const other = { ...stripe.event('charge.refunded', invoiceId), data: { object: { id: 'ch_1', object: 'charge', invoice: invoiceId, metadata: {} } } };
    expect(parse(stripe.signedDelivery(other))).toMatchObject({ kind: 'ignored', providerInvoiceId: null, duebotInvoiceId: null });
  });

  test('an invoice without our metadata has no duebot id', () => {
    const event = stripe.event('invoice.paid', invoiceId);
    (event.data as { object: { metadata: object } }).object.metadata = {};
    expect(parse(stripe.signedDelivery(event))).toMatchObject({ kind: 'paid', providerInvoiceId: invoiceId, duebotInvoiceId: null });
  });

  const good = () => stripe.signedDelivery(stripe.event('invoice.paid', invoiceId));
  test.each<[string, () => { body: string; headers: Record<string, string | string[] | undefined> }, RegExp]>([
    ['wrong secret', () => stripe.signedDelivery(stripe.event('invoice.paid', invoiceId), { secret: 'whsec_not_ours' }), /No signatures found matching/],
    ['tampered body', () => ({ ...good(), body: good().body.replace('"invoice.paid"', '"invoice.voided"') }), /No signatures found matching/],
    ['stale timestamp', () => stripe.signedDelivery(stripe.event('invoice.paid', invoiceId), { timestamp: Math.floor(Date.now() / 1000) - 3600 }), /tolerance/],
    [
      'timestamp an hour ahead',
      () => stripe.signedDelivery(stripe.event('invoice.paid', invoiceId), { timestamp: Math.floor(Date.now() / 1000) + 3600 }),
      /timestamp is in the future/,
    ],
    ['missing header', () => ({ body: good().body, headers: { 'content-type': 'application/json' } }), /missing Stripe-Signature/],
    ['empty header', () => ({ body: good().body, headers: { 'stripe-signature': '' } }), /missing Stripe-Signature/],
    ['garbage header', () => ({ body: good().body, headers: { 'stripe-signature': 'v1=deadbeef' } }), /Unable to extract timestamp/],
  ])('%s → WebhookSignatureError', (_name, make, reason) => {
    const delivery = make();
    let thrown: unknown;
    try {
      backend().parseWebhook(Buffer.from(delivery.body), delivery.headers);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(WebhookSignatureError);
    expect((thrown as Error).message).toMatch(reason);
    expect((thrown as Error).message).not.toMatch(/\n/);
  });

  test('a repeated header takes its first value', () => {
    const delivery = good();
    const parsed = backend().parseWebhook(Buffer.from(delivery.body), { 'stripe-signature': [delivery.headers['stripe-signature']!, 't=1,v1=00'] });
    expect(parsed.kind).toBe('paid');
  });
});

describe('faults', () => {
  test('a passing 500 is retried by the SDK under the same idempotency key', async () => {
    const req = request();
    const mark = stripe.requests.length;
    stripe.failNext(1, 500, undefined, { path: '/v1/invoices', method: 'POST' });
    expect((await backend().issueInvoice(req)).status).toBe('open');
    expect(stripe.pendingFailures()).toBe(0);
    const creates = sent(mark, (r) => r.method === 'POST' && r.path === '/v1/invoices');
    expect(creates.map((r) => [r.status, r.idempotencyKey])).toEqual([
      [500, `duebot-invoice-${req.invoiceId}-a0`],
      [200, `duebot-invoice-${req.invoiceId}-a0`],
    ]);
  });

  test('a 429 surfaces at once as a retryable rate_limited BackendError (the SDK retries it only when told to)', async () => {
    const issued = await backend().issueInvoice(request());
    const mark = stripe.requests.length;
    stripe.failNext(3, 429);
    const err = await backend()
      .fetchInvoice(issued.providerInvoiceId)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err).toMatchObject({ code: 'rate_limited', retryable: true, status: 429 });
    expect(sent(mark, () => true)).toHaveLength(1);
    expect(stripe.pendingFailures()).toBe(2);
  });

  test('retries exhausted on a 429 with stripe-should-retry, and on a refused connection, stay retryable', async () => {
    const issued = await backend().issueInvoice(request());
    const mark = stripe.requests.length;
    stripe.failNext(3, 429, undefined, { headers: { 'stripe-should-retry': 'true' } });
    const nowhere = createStripeBackend({ secretKey: 'sk_test_x', webhookSecret: 'whsec_x', apiUrl: 'http://127.0.0.1:1' });
    // Both wait out the SDK's real back-off (0.5 s, then ~1 s), so run them side by side.
    const [limited, refused] = await Promise.all([
      backend()
        .fetchInvoice(issued.providerInvoiceId)
        .catch((e: unknown) => e),
      nowhere.fetchInvoice('in_1').catch((e: unknown) => e),
    ]);
    expect(limited).toMatchObject({ name: 'BackendError', code: 'rate_limited', retryable: true });
    expect(sent(mark, () => true).map((r) => r.status)).toEqual([429, 429, 429]);
    expect(stripe.pendingFailures()).toBe(0);
    expect(refused).toMatchObject({ name: 'BackendError', code: 'unavailable', retryable: true, status: null });
  });

  test('auth and invalid-request failures are not retryable', async () => {
    stripe.failNext(1, 401);
    await expect(backend().fetchInvoice('in_whatever')).rejects.toMatchObject({ code: 'auth', retryable: false, status: 401 });
    const err = await backend()
      .issueInvoice(request({ customer: { clientId: 'ghost', name: 'Ghost', emails: [], providerCustomerId: 'cus_gone' } }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'not_found', retryable: false, status: 404 });
    expect((err as Error).message).toMatch(/retrieve customer.*No such customer: 'cus_gone'/);
  });
});

describe('helpers', () => {
  test('stripeConnection splits an apiUrl for the SDK', () => {
    expect(stripeConnection('http://127.0.0.1:12111')).toEqual({ host: '127.0.0.1', port: 12111, protocol: 'http' });
    expect(stripeConnection('https://stripe.internal')).toEqual({ host: 'stripe.internal', port: 443, protocol: 'https' });
    expect(stripeConnection(null)).toEqual({});
    expect(() => stripeConnection('ftp://x')).toThrow(/http/);
  });

  test('searchLiteral escapes quotes and backslashes', () => {
    expect(searchLiteral("o'brien\\x")).toBe("'o\\'brien\\\\x'");
  });
});

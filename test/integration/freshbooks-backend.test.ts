import { randomBytes } from 'node:crypto';
import { createFreshBooksBackend, freshbooksSignedString, type FreshBooksBackend } from '../../src/providers/invoicing/freshbooks.js';
import { WebhookSignatureError } from '../../src/providers/invoicing/backend.js';
import { createConnectionStore } from '../../src/store/connections.js';
import { createTokenCipher } from '../../src/store/token-cipher.js';
import type { Database } from '../../src/store/db.js';
import { openTestDatabase } from '../support/database.js';
import { startFakeFreshBooks, type FakeFreshBooks } from '../support/fake-freshbooks.js';
import { issueTerms } from '../support/issue-terms.js';

let db: Database;
let fake: FakeFreshBooks;
let backend: FreshBooksBackend;
beforeAll(async () => {
  db = await openTestDatabase();
  fake = await startFakeFreshBooks();
  const connections = createConnectionStore(db.pool, createTokenCipher(randomBytes(32)));
  await connections.saveTokens('freshbooks', { accountId: fake.accountId, ...fake.issueTokens() }, new Date());
  backend = createFreshBooksBackend({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    redirectUri: 'http://127.0.0.1/cb',
    apiUrl: fake.url,
    webhookVerifier: fake.verifier,
    connections,
    now: () => new Date(),
  });
});
afterAll(async () => {
  await fake.close();
  await db.close();
});

const req = (n: number) => ({
  invoiceId: `00000000-0000-4000-a000-${String(n).padStart(12, '0')}`,
  number: `FB-${n}`,
  customer: { clientId: 'acme', name: 'Acme Ltd', emails: ['ap@acme.example'], providerCustomerId: null },
  currency: 'JPY',
  lines: [{ description: 'Consulting', quantity: '3', unitAmount: 15000, amount: 45000 }],
  ...issueTerms(30),
  memo: 'Milestone 1',
  metadata: {},
});

test('lines go out as exact decimal strings, the invoice is marked sent and the share link is the payment URL', async () => {
  const issued = await backend.issueInvoice({ ...req(1), currency: 'USD', lines: [{ description: 'Hours', quantity: '2.5', unitAmount: 12345, amount: 30863 }] });
  const create = fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/invoices/invoices'))!;
  expect((create.body as { invoice: Record<string, unknown> }).invoice).toMatchObject({
    invoice_number: 'FB-1',
    currency_code: 'USD',
    due_offset_days: 30,
    lines: [{ type: 0, name: 'Hours', qty: '2.5', unit_cost: { amount: '123.45', code: 'USD' } }],
  });
  expect(fake.invoices.get(Number(issued.providerInvoiceId))!.v3_status).toBe('sent');
  // duebot's number on the FreshBooks invoice, and the due date 30 days after the issue date.
  expect(fake.invoices.get(Number(issued.providerInvoiceId))).toMatchObject({ invoice_number: 'FB-1', create_date: req(1).issueDate, due_date: req(1).dueDate });
  expect(issued).toMatchObject({ status: 'open', number: 'FB-1', amountDue: 30863, paymentUrl: `${fake.url}/view/${issued.providerInvoiceId}` });
});

test('zero-decimal currencies: ¥ amounts are whole', async () => {
  const issued = await backend.issueInvoice(req(2));
  // FreshBooks money strings always carry two decimals; parseMajor reads "45000.00" JPY exactly.
  expect(issued).toMatchObject({ currency: 'JPY', amountDue: 45000 });
});

test('payment webhooks are verified, mapped, and the payment resolves to its invoice', async () => {
  const issued = await backend.issueInvoice(req(3));
  const { paymentId } = fake.pay(issued.providerInvoiceId);
  const delivery = fake.signedDelivery({ name: 'payment.create', object_id: String(paymentId), account_id: fake.accountId, business_id: '6543', identity_id: '1', user_id: '1' });
  const [event] = backend.parseWebhookEvents!(Buffer.from(delivery.body), delivery.headers);
  expect(event).toMatchObject({ eventId: `payment.create:${paymentId}`, kind: 'payment', providerInvoiceId: null, subject: { type: 'payment', id: String(paymentId) } });
  expect(await backend.resolveInvoiceId!(event!)).toBe(issued.providerInvoiceId);

  const del = fake.signedDelivery({ name: 'invoice.delete', object_id: issued.providerInvoiceId, account_id: fake.accountId });
  expect(backend.parseWebhook(Buffer.from(del.body), del.headers)).toMatchObject({ kind: 'voided', providerInvoiceId: issued.providerInvoiceId });
  const client = fake.signedDelivery({ name: 'client.create', object_id: '5', account_id: fake.accountId });
  expect(backend.parseWebhook(Buffer.from(client.body), client.headers)).toMatchObject({ kind: 'ignored', providerInvoiceId: null });
});

test('bad, missing or foreign signatures are refused; a verifier learnt at run time is accepted', () => {
  const fields = { name: 'payment.create', object_id: '1', account_id: fake.accountId };
  const good = fake.signedDelivery(fields);
  expect(() => backend.parseWebhook(Buffer.from(good.body.replace('object_id=1', 'object_id=2')), good.headers)).toThrow(WebhookSignatureError);
  expect(() => backend.parseWebhook(Buffer.from(good.body), { 'content-type': 'application/x-www-form-urlencoded' })).toThrow(/missing/);
  const other = fake.signedDelivery(fields, 'someone-else');
  expect(() => backend.parseWebhook(Buffer.from(other.body), other.headers)).toThrow(WebhookSignatureError);
  expect(backend.parseWebhookEvents!(Buffer.from(other.body), other.headers, ['someone-else'])[0]!.kind).toBe('payment');
});

test('the signed string follows json.dumps defaults', () => {
  expect(freshbooksSignedString(new URLSearchParams('name=payment.create&object_id=7&note=caf%C3%A9'))).toBe('{"name": "payment.create", "object_id": "7", "note": "caf\\u00e9"}');
});

test('the verification handshake is confirmed back to FreshBooks', async () => {
  await backend.confirmWebhook('4321', 'abc-verifier');
  expect(fake.verifiedCallbacks.get('4321')).toBe('abc-verifier');
});

test('connect: a code is exchanged for tokens and the account id', async () => {
  const result = await backend.exchangeCode('good-code');
  expect(result).toMatchObject({ accountId: fake.accountId, accessToken: expect.stringMatching(/^fbat_/), refreshToken: expect.stringMatching(/^fbrt_/) });
  expect(result.expiresAt.getTime()).toBeGreaterThan(Date.now());
  await expect(backend.exchangeCode('good-code')).rejects.toMatchObject({ code: 'invalid', status: 400 });
  expect(backend.authorizeUrl('st4te')).toMatch(/client_id=fb-client-id.*&state=st4te$/);
});

test('an invoice numbered the same for another client is not taken for ours', async () => {
  const mine = { ...req(40), customer: { clientId: 'other', name: 'Other Co', emails: ['ap@other.example'], providerCustomerId: null } };
  const theirs = await backend.issueInvoice({ ...req(41), number: mine.number });
  const ours = await backend.issueInvoice(mine);
  expect(ours.providerInvoiceId).not.toBe(theirs.providerInvoiceId);
  expect(ours.providerCustomerId).not.toBe(theirs.providerCustomerId);
});

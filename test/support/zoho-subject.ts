import { randomBytes } from 'node:crypto';
import { createZohoBackend, ZOHO } from '../../src/providers/invoicing/zoho.js';
import { packZohoRefreshToken, unpackZohoRefreshToken } from '../../src/providers/invoicing/zoho-oauth.js';
import { createConnectionStore } from '../../src/store/connections.js';
import { createTokenCipher } from '../../src/store/token-cipher.js';
import type { Queryable } from '../../src/store/db.js';
import { parseMajor } from '../../src/domain/money.js';
import { startFakeZoho, type FakeZohoOptions } from './fake-zoho.js';
import type { IssueInvoiceRequest } from '../../src/providers/invoicing/backend.js';

/**
 * The Zoho Invoice back-end against its stand-in, connected as the connect flow leaves it (org id as
 * the account, the DC sealed with the refresh token). For the contract suite and the Zoho tests.
 */
export async function startZohoSubject(db: Queryable, fakeOptions: FakeZohoOptions = {}, limits = { concurrency: 5, perMinute: 10_000 }) {
  // Zoho's 100 a minute would make the suites wait on the adapter's own pacing: both sides are raised here.
  const fake = await startFakeZoho({ perMinute: limits.perMinute, ...fakeOptions });
  await db.query('DELETE FROM connections WHERE provider = $1', [ZOHO]);
  const connections = createConnectionStore(db, createTokenCipher(randomBytes(32)));
  const store = async (tokens = fake.issueTokens()) =>
    connections.saveTokens(ZOHO, { accountId: fake.organizationId, ...tokens, refreshToken: packZohoRefreshToken(fake.dc as 'us', tokens.refreshToken) }, new Date());
  await store();
  const broken: string[] = [];
  const backend = createZohoBackend({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    redirectUri: 'http://127.0.0.1/oauth/zoho/callback',
    baseUrl: fake.url,
    connections,
    now: () => new Date(),
    onBroken: (_provider, reason) => void broken.push(reason),
    limits,
  });
  const major = (minor: number, currency: string) => {
    const exp = currency === 'JPY' || currency === 'ISK' ? 0 : currency === 'KWD' ? 3 : 2;
    return exp === 0 ? String(minor) : (minor / 10 ** exp).toFixed(exp);
  };
  return {
    fake,
    backend,
    connections,
    broken,
    store,
    pay: (id: string, amount?: number) => {
      const currency = String(fake.invoices.get(id)!.currency_code);
      fake.pay(id, amount === undefined ? undefined : major(amount, currency));
    },
    held(id: string) {
      const inv = fake.invoices.get(id)!;
      const create = fake.requests.filter((r) => r.method === 'POST' && /\/invoice\/v3\/invoices$/.test(r.path)).at(-1)!;
      const lines = (create.body as { line_items: { rate: number }[] }).line_items;
      return { total: String(inv.total), remaining: String(inv.balance), sentLines: lines.map((l) => String(l.rate)) };
    },
    counts: () => ({ customers: fake.contacts.size, invoices: fake.invoices.size }),
    async withCustomerTax(req: IssueInvoiceRequest): Promise<IssueInvoiceRequest> {
      const taxId = fake.createTax('Sales Tax', '8.25');
      // The contact as set up in Zoho's UI, with that tax as its default.
      fake.createContact({ contact_name: req.customer.name, currency_code: req.currency, tax_id: taxId });
      return req;
    },
    async stored() {
      const c = (await connections.get(ZOHO))!;
      return { accessToken: c.accessToken, refreshToken: unpackZohoRefreshToken(c.refreshToken).refreshToken };
    },
    amount: (text: string, currency: string) => parseMajor(text, currency).amount,
  };
}

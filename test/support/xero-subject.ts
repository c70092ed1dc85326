import { randomBytes } from 'node:crypto';
import { storedOAuth } from './contract-oauth.js';
import type { IssueInvoiceRequest } from '../../src/providers/invoicing/backend.js';
import { createXeroBackend } from '../../src/providers/invoicing/xero.js';
import { createConnectionStore } from '../../src/store/connections.js';
import { createTokenCipher } from '../../src/store/token-cipher.js';
import type { Database } from '../../src/store/db.js';
import { startFakeXero } from './fake-xero.js';

const major = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

/** The back-end contract's subject for Xero: the adapter through xero-node against the local stand-in. */
export async function xeroSubject(db: Database) {
  // Xero's real limits (60 a minute) would make the suite wait minutes; test/integration/xero-backend.test.ts covers them.
  const fake = await startFakeXero({ limits: { perMinute: 10_000, concurrent: 5, perDay: 100_000 } });
  const provider = 'xero';
  await db.pool.query('DELETE FROM connections WHERE provider = $1', [provider]);
  const connections = createConnectionStore(db.pool, createTokenCipher(randomBytes(32)));
  await connections.saveTokens(provider, { accountId: fake.tenantId, ...fake.issueTokens() }, new Date());
  return {
    backend: createXeroBackend({
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      redirectUri: 'http://127.0.0.1/oauth/xero/callback',
      apiUrl: fake.url,
      identityUrl: fake.url,
      webhookKey: fake.webhookKey,
      limits: { concurrency: 5, perMinute: 10_000 },
      connections,
      now: () => new Date(),
    }),
    // Contract amounts are in cents of the test's currencies; Xero takes major units with 2 decimals.
    pay: (id: string, amount?: number) => void fake.pay(id, amount === undefined ? undefined : major(amount)),
    void: (id: string) => fake.void(id),
    rateLimitNext: () => fake.rateLimitNext('minute', 30),
    held(id: string) {
      const inv = fake.invoices.get(id)!;
      // The body as it went over the wire: JSON numbers exactly as the adapter wrote them.
      const create = fake.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/Invoices')).at(-1)!;
      const lines = (create.body as { Invoices: { LineItems: { LineAmount: number }[] }[] }).Invoices[0]!.LineItems;
      return { total: String(inv.Total), remaining: String(inv.AmountDue), sentLines: lines.map((l) => String(l.LineAmount)) };
    },
    counts: () => ({ customers: fake.contacts.size, invoices: fake.invoices.size }),
    async withCustomerTax(req: IssueInvoiceRequest) {
      const taxType = fake.createTaxRate('Sales Tax', '8.25');
      // The contact as set up in Xero: its default sales tax is that rate.
      const contactId = fake.createContact(req.customer.name);
      fake.setContactTax(contactId, taxType);
      return req;
    },
    oauth: storedOAuth(connections, provider, fake),
    /** The stand-in itself, for suites that seed what the contract does not (bills). */
    fake,
    close: fake.close,
  };
}

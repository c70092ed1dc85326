import { randomBytes } from 'node:crypto';
import type { IssueInvoiceRequest } from '../../src/providers/invoicing/backend.js';
import { createZohoBackend } from '../../src/providers/invoicing/zoho.js';
import { createConnectionStore } from '../../src/store/connections.js';
import { createTokenCipher } from '../../src/store/token-cipher.js';
import type { Database } from '../../src/store/db.js';
import { openTestDatabase } from '../support/database.js';
import { startFakeZoho, zohoEnv, type FakeZoho } from '../support/fake-zoho.js';
import { startZohoSubject } from '../support/zoho-subject.js';
import { issueTerms } from '../support/issue-terms.js';
import { startHarness, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { callback, openLink, requestConnectLink } from '../support/connect-backend.js';
import { zohoWebhookSecret } from '../../src/providers/invoicing/zoho-webhook.js';
import { webhookSecrets } from '../../src/store/secrets.js';

/**
 * What is special about Zoho Invoice: the data centre named by the consent redirect (only Zoho's own,
 * never a host from the query), the organization choice in the approver's browser, the webhook URL's
 * secret, error 1001 on a repeated number, Zoho's `{code, message}` errors and its token endpoint's
 * 200-with-error answers. Real adapter and app, the local Zoho stand-in.
 */

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => db.close());

let seq = 0;
const request = (): IssueInvoiceRequest => {
  seq += 1;
  return {
    invoiceId: `00000000-0000-4000-9000-${String(seq).padStart(12, '0')}`,
    number: `ZO-${String(seq).padStart(4, '0')}`,
    customer: { clientId: `zoho-${seq}`, name: `Zoho Client ${seq}`, emails: [`ap${seq}@client.example`], providerCustomerId: null },
    currency: 'USD',
    lines: [{ description: 'Design', quantity: '1', unitAmount: 150000, amount: 150000 }],
    ...issueTerms(14),
    attempt: 0,
    memo: 'Milestone',
    metadata: {},
  };
};

describe('Zoho Invoice adapter', () => {
  let subject: Awaited<ReturnType<typeof startZohoSubject>>;
  beforeAll(async () => {
    subject = await startZohoSubject(db.pool);
  });
  afterAll(async () => subject.fake.close());

  test('every call carries the Zoho-oauthtoken and organization headers, at the connected data centre', async () => {
    const issued = await subject.backend.issueInvoice(request());
    const calls = subject.fake.requests.filter((r) => r.path.includes('/invoice/v3/'));
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      expect(call.path.startsWith('/us/invoice/v3/')).toBe(true);
      expect(call.headers.authorization).toMatch(/^Zoho-oauthtoken 1000\./);
      expect(call.headers['x-com-zoho-invoice-organizationid']).toBe(subject.fake.organizationId);
    }
    const create = calls.find((r) => r.method === 'POST' && r.path.endsWith('/invoices'))!;
    expect(create.query.get('ignore_auto_number_generation')).toBe('true');
    expect(subject.fake.invoices.get(issued.providerInvoiceId)).toMatchObject({ status: 'sent', invoice_number: issued.number });
    expect(issued.paymentUrl).toBe(subject.fake.invoices.get(issued.providerInvoiceId)!.invoice_url);
  });

  test('1001 on create: the invoice an earlier attempt made (its answer lost) is looked up, never made twice', async () => {
    const req = request();
    subject.fake.dropNextCreate();
    await expect(subject.backend.issueInvoice(req)).rejects.toMatchObject({ code: 'unavailable', status: null });
    const before = subject.fake.invoices.size;
    // Zoho's search does not see it yet: only the create's 1001 tells duebot it exists.
    subject.fake.searchLag(1);
    const again = await subject.backend.issueInvoice(req);
    expect(subject.fake.invoices.size).toBe(before);
    expect(subject.fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/invoices')).at(-1)).toMatchObject({ status: 400 });
    expect(again).toMatchObject({ number: req.number, status: 'open', amountDue: 150000 });
  });

  test("1001 for another customer's invoice is a definite refusal, not that invoice", async () => {
    const first = await subject.backend.issueInvoice(request());
    const other = { ...request(), number: first.number! };
    const err = await subject.backend.issueInvoice(other).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'BackendError', code: 'invalid', retryable: false, status: 400 });
    expect((err as Error).message).toContain('another customer');
  });

  test('Zoho errors by HTTP status and code: 429 with Retry-After, 400 with a code, 5xx', async () => {
    const issued = await subject.backend.issueInvoice(request());
    subject.fake.failNext(1, 429, { 'retry-after': '30' });
    await expect(subject.backend.fetchInvoice(issued.providerInvoiceId)).rejects.toMatchObject({ code: 'rate_limited', retryable: true, status: 429, retryAfterMs: 30_000 });
    subject.fake.failNext(1, 400, {}, { code: 4, message: 'Invalid value passed for rate' });
    await expect(subject.backend.fetchInvoice(issued.providerInvoiceId)).rejects.toMatchObject({ code: 'invalid', retryable: false, zohoCode: 4 });
    subject.fake.failNext(1, 500);
    await expect(subject.backend.fetchInvoice(issued.providerInvoiceId)).rejects.toMatchObject({ code: 'unavailable', retryable: true, status: 500 });
    await expect(subject.backend.fetchInvoice('999999999')).rejects.toMatchObject({ code: 'not_found', status: 404 });
  });

  test("KWD at Zoho's 3 decimals goes exactly; a currency the organization lacks is refused before anything is made", async () => {
    const kwd = await subject.backend.issueInvoice({ ...request(), currency: 'KWD', lines: [{ description: 'Audit', quantity: '1', unitAmount: 1255, amount: 1255 }] });
    expect(kwd).toMatchObject({ currency: 'KWD', amountDue: 1255, amountRemaining: 1255 });
    expect(subject.fake.invoices.get(kwd.providerInvoiceId)).toMatchObject({ total: 1.255 });
    const before = subject.fake.contacts.size;
    await expect(subject.backend.issueInvoice({ ...request(), currency: 'CHF' })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('no CHF currency') });
    expect(subject.fake.contacts.size).toBe(before);
  });

  test("a client's existing contact that bills in another currency is refused, not invoiced in the wrong currency", async () => {
    const req = request();
    subject.fake.createContact({ contact_name: req.customer.name, email: req.customer.emails[0]!, currency_code: 'EUR' });
    const before = subject.fake.invoices.size;
    await expect(subject.backend.issueInvoice(req)).rejects.toMatchObject({ code: 'invalid', retryable: false, message: expect.stringContaining('bills in EUR, not USD') });
    expect(subject.fake.invoices.size).toBe(before);
  });

  test('a sales tax from a tax service is a last line of exactly that amount, and no Zoho tax is added', async () => {
    const req = { ...request(), salesTax: { amount: 12375, ratePercent: '8.25', name: 'Sales tax (NY)', source: 'taxjar' } };
    const issued = await subject.backend.issueInvoice(req);
    const lines = subject.fake.invoices.get(issued.providerInvoiceId)!.line_items as { name: string; rate: number; tax_id?: string }[];
    expect(lines.at(-1)).toMatchObject({ name: 'Sales tax (NY)', rate: 123.75 });
    expect(lines.every((l) => !l.tax_id)).toBe(true);
    expect(issued).toMatchObject({ amountDue: 162375, tax: { subtotal: 150000, amount: 12375, name: 'Sales tax (NY)', ratePercent: '8.25' } });
  });

  test('a throttled token refresh is a rate limit to retry, not a broken connection', async () => {
    const issued = await subject.backend.issueInvoice(request());
    const c = (await subject.connections.get('zoho'))!;
    await subject.connections.saveTokens('zoho', { ...c, expiresAt: new Date(Date.now() - 1000) }, new Date());
    subject.fake.throttleTokens(1);
    await expect(subject.backend.fetchInvoice(issued.providerInvoiceId)).rejects.toMatchObject({ code: 'rate_limited', retryable: true, status: 429 });
    expect(await subject.connections.get('zoho')).toMatchObject({ status: 'active' });
    expect((await subject.backend.fetchInvoice(issued.providerInvoiceId)).status).toBe('open');
    expect(subject.broken).toHaveLength(0);
  });

  test('a refresh refused with 200 {"error":"invalid_code"} marks the connection broken once', async () => {
    const issued = await subject.backend.issueInvoice(request());
    subject.fake.revokeAccessTokens();
    subject.fake.revokeRefreshTokens();
    await expect(subject.backend.fetchInvoice(issued.providerInvoiceId)).rejects.toMatchObject({ code: 'not_connected' });
    await expect(subject.backend.fetchInvoice(issued.providerInvoiceId)).rejects.toMatchObject({ code: 'not_connected' });
    expect(subject.broken).toHaveLength(1);
    expect(await subject.connections.get('zoho')).toMatchObject({ status: 'broken' });
    await subject.store();
  });
});

test('the webhook URL secret is made once, sealed, kept; one sealed under a lost key is replaced by one that works', async () => {
  await db.pool.query("DELETE FROM webhook_secrets WHERE provider = 'zoho'");
  const cipher = createTokenCipher(randomBytes(32));
  const first = await zohoWebhookSecret(db.pool, cipher, new Date());
  expect(first).toMatch(/^[\w-]{43}$/);
  expect(await zohoWebhookSecret(db.pool, cipher, new Date())).toBe(first);
  const { rows } = await db.pool.query<{ secret: string }>("SELECT secret FROM webhook_secrets WHERE provider = 'zoho'");
  expect(rows).toHaveLength(1);
  expect(rows[0]!.secret).not.toContain(first);
  const newKey = createTokenCipher(randomBytes(32));
  const second = await zohoWebhookSecret(db.pool, newKey, new Date());
  expect(second).not.toBe(first);
  expect(await webhookSecrets(db.pool, newKey, 'zoho')).toEqual([second]);
});

describe('Zoho data centre of the consent', () => {
  let fake: FakeZoho;
  beforeAll(async () => {
    fake = await startFakeZoho({ dc: 'eu' });
  });
  afterAll(async () => fake.close());

  const backend = () =>
    createZohoBackend({
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      redirectUri: 'https://duebot.example.com/oauth/zoho/callback',
      baseUrl: fake.url,
      connections: createConnectionStore(db.pool, createTokenCipher(randomBytes(32))),
      now: () => new Date(),
    });

  /** The consent as Zoho answers it: the redirect's query (code, state, location, accounts-server). */
  async function consent(): Promise<URLSearchParams> {
    const authorize = new URL(backend().authorizeUrl('st4te'));
    expect(authorize.pathname).toBe('/us/oauth/v2/auth');
    expect(authorize.searchParams.get('access_type')).toBe('offline');
    const res = await fetch(authorize, { redirect: 'manual' });
    return new URL(res.headers.get('location')!).searchParams;
  }
  const tokenCalls = () => fake.requests.filter((r) => r.path.endsWith('/oauth/v2/token'));

  test('the code is exchanged at the data centre the redirect names, and the API is called there', async () => {
    const query = await consent();
    expect(query.get('location')).toBe('eu');
    expect(query.get('accounts-server')).toBe('https://accounts.zoho.eu');
    const { tokens, organizations } = await backend().exchangeCallback(query);
    expect(tokenCalls().at(-1)!.path).toBe('/eu/oauth/v2/token');
    expect(fake.requests.at(-1)!.path).toBe('/eu/invoice/v3/organizations');
    expect(organizations).toEqual([{ id: fake.organizationId, name: 'Zylker Design' }]);
    // The DC travels sealed with the refresh token.
    expect(tokens.refreshToken).toMatch(/^zoho-dc=eu;1000\./);
  });

  test.each([
    ['an unknown location', { location: 'xx' }],
    ['a foreign accounts server', { 'accounts-server': 'https://accounts.evil.example' }],
    ['a location and accounts server that disagree', { location: 'eu', 'accounts-server': 'https://accounts.zoho.com' }],
    ['a lookalike host', { location: 'eu', 'accounts-server': 'https://accounts.zoho.eu.evil.example' }],
  ])('%s is refused before any token request', async (_name, tamper) => {
    const query = await consent();
    for (const [k, v] of Object.entries(tamper)) query.set(k, v);
    const before = tokenCalls().length;
    await expect(backend().exchangeCallback(query)).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/refused the Zoho callback/) });
    expect(tokenCalls()).toHaveLength(before);
  });

  test('a code presented at another data centre is refused there (Zoho answers 200 with an error)', async () => {
    const query = await consent();
    query.set('location', 'us');
    query.set('accounts-server', 'https://accounts.zoho.com');
    await expect(backend().exchangeCallback(query)).rejects.toMatchObject({ code: 'invalid', status: 400, message: expect.stringContaining('invalid_code') });
  });
});

describe('Zoho in the app: organization choice and the webhook URL', () => {
  let h: Harness;
  let fake: FakeZoho;
  const key = randomBytes(32);
  beforeEach(async () => {
    // An EU account: its data centre must survive the wait for the approver's pick.
    fake = await startFakeZoho({
      dc: 'eu',
      organizations: [
        { organization_id: '10234695', name: 'Zylker Design' },
        { organization_id: '20567801', name: 'Zylker <b>Studio</b>' },
      ],
    });
    h = await startHarness({ env: { ENCRYPTION_KEY: key.toString('base64'), PUBLIC_URL: 'https://duebot.example.com', ...zohoEnv(fake) } });
  });
  afterEach(async () => {
    await h?.stop();
    await fake?.close();
  });
  const pool = () => h.bot.services.db.pool;

  /** The approver's flow up to the callback's page: the link, Zoho's consent, the redirect back. */
  async function consentPage(): Promise<{ cookie: string; page: string }> {
    const opened = await openLink(h, await requestConnectLink(h, 'zoho'));
    expect(opened.location!.toString().startsWith(`${fake.url}/us/oauth/v2/auth?`)).toBe(true);
    const zoho = await fetch(opened.location!, { redirect: 'manual' });
    const back = new URL(zoho.headers.get('location')!);
    const res = await callback(h, 'zoho', Object.fromEntries(back.searchParams), opened.cookie);
    expect(res.status).toBe(200);
    return { cookie: opened.cookie!, page: await res.text() };
  }
  const choose = (cookie: string | null, fields: Record<string, string>) =>
    fetch(`${h.bot.url}/oauth/zoho/choose`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
      body: new URLSearchParams(fields).toString(),
    });
  const choiceToken = (page: string) => /name="choice" value="([\w-]+)"/.exec(page)![1]!;

  test('a callback naming a data centre that is not Zoho’s connects nothing and sends the code nowhere', async () => {
    const opened = await openLink(h, await requestConnectLink(h, 'zoho'));
    const zoho = await fetch(opened.location!, { redirect: 'manual' });
    const back = new URL(zoho.headers.get('location')!);
    back.searchParams.set('location', 'xx');
    back.searchParams.set('accounts-server', 'https://accounts.attacker.example');
    const res = await callback(h, 'zoho', Object.fromEntries(back.searchParams), opened.cookie);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: expect.stringContaining('could not finish connecting Zoho Invoice') });
    expect(fake.requests.filter((r) => r.path.endsWith('/oauth/v2/token'))).toHaveLength(0);
    expect((await pool().query('SELECT 1 FROM connections')).rowCount).toBe(0);
    expect((await pool().query('SELECT 1 FROM oauth_account_choices')).rowCount).toBe(0);
  });

  test('several organizations: the approver picks one in the same browser; the pick is single-use and bound', async () => {
    const { cookie, page } = await consentPage();
    expect(page).toContain('Choose the organization duebot invoices from (Zoho Invoice authorised 2 in this consent)');
    expect(page).toContain('value="20567801">Zylker &lt;b&gt;Studio&lt;/b&gt;</button>');
    expect((await pool().query('SELECT 1 FROM connections')).rowCount).toBe(0);
    const { rows } = await pool().query<{ access_token: string }>('SELECT access_token FROM oauth_account_choices');
    expect(rows[0]!.access_token).not.toContain('1000.');
    const token = choiceToken(page);

    // Another browser (no cookie) cannot pick; the choice is not spent by it.
    expect((await choose(null, { choice: token, account: '20567801' })).status).toBe(403);
    const picked = await choose(cookie, { choice: token, account: '20567801' });
    expect(picked.status).toBe(200);
    const done = await picked.text();
    expect(done).toContain('Zoho Invoice organization “Zylker &lt;b&gt;Studio&lt;/b&gt;” (organization id 20567801) is connected');
    expect(done).toMatch(/POST https:\/\/duebot\.example\.com\/webhooks\/zoho\/[\w-]{43}/);
    expect((await pool().query<{ account_id: string }>("SELECT account_id FROM connections WHERE provider = 'zoho'")).rows).toEqual([{ account_id: '20567801' }]);
    await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => String(m.args.text ?? '').includes('connected Zoho Invoice')));
    // The data centre waited sealed with the tokens: the picked organization is called at the EU hosts, its token accepted.
    await h.bot.services.backends.zoho!.fetchInvoice('460000000099999').catch(() => null);
    expect(fake.requests.at(-1)).toMatchObject({ path: '/eu/invoice/v3/invoices/460000000099999' });
    expect(fake.requests.at(-1)!.headers['x-com-zoho-invoice-organizationid']).toBe('20567801');
    expect(fake.requests.at(-1)!.status).not.toBe(401);
    // Spent: a replay changes nothing.
    expect((await choose(cookie, { choice: token, account: '10234695' })).status).toBe(400);
  });

  test('an organization Zoho did not list cannot be picked (and the choice is spent)', async () => {
    const { cookie, page } = await consentPage();
    const token = choiceToken(page);
    expect((await choose(cookie, { choice: token, account: '99999999' })).status).toBe(400);
    expect((await choose(cookie, { choice: token, account: '10234695' })).status).toBe(400);
    expect((await pool().query('SELECT 1 FROM connections')).rowCount).toBe(0);
  });

  test('the webhook URL secret: the right one stores the delivery, a wrong one gets 401 and stores nothing', async () => {
    const { cookie, page } = await consentPage();
    const done = await (await choose(cookie, { choice: choiceToken(page), account: '10234695' })).text();
    const secret = /\/webhooks\/zoho\/([\w-]+)/.exec(done)![1]!;
    const { rows } = await pool().query<{ secret: string }>("SELECT secret FROM webhook_secrets WHERE provider = 'zoho'");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.secret).not.toContain(secret);

    const body = JSON.stringify({ invoice: { invoice_id: '460000000012345', total: 0, status: 'paid' } });
    const post = (path: string) => fetch(`${h.bot.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    for (const wrong of [`/webhooks/zoho/${secret.slice(0, -1)}x`, `/webhooks/zoho/${secret}x`, '/webhooks/zoho/x']) {
      const refused = await post(wrong);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: expect.stringContaining('unknown webhook URL') });
    }
    expect((await post('/webhooks/zoho')).status).toBe(404);
    expect((await pool().query("SELECT 1 FROM inbox_events WHERE source = 'zoho'")).rowCount).toBe(0);

    const accepted = await post(`/webhooks/zoho/${secret}`);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect(await (await post(`/webhooks/zoho/${secret}`)).json()).toEqual({ accepted: 0, duplicates: 1, ignored: 0 });
    const stored = await pool().query<{ payload: { providerInvoiceId: string } }>("SELECT payload FROM inbox_events WHERE source = 'zoho'");
    expect(stored.rows.map((r) => r.payload.providerInvoiceId)).toEqual(['460000000012345']);
    // Reconnecting keeps the URL Zoho's workflow rule already posts to.
    const second = await consentPage();
    const again = await (await choose(second.cookie, { choice: choiceToken(second.page), account: '10234695' })).text();
    expect(again).toContain(`/webhooks/zoho/${secret}`);
    await h.slack.waitFor(async () => (await pool().query("SELECT 1 FROM inbox_events WHERE source = 'zoho' AND processed_at IS NOT NULL")).rowCount === 1);
  });
});

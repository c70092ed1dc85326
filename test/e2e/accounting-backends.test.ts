import { randomBytes } from 'node:crypto';
import { startHarness, APPROVER, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { startFakeQuickBooks, type FakeQuickBooks, quickbooksEnv } from '../support/fake-quickbooks.js';
import { startFakeFreshBooks, type FakeFreshBooks, freshbooksEnv } from '../support/fake-freshbooks.js';
import { findInvoiceBySource } from '../../src/store/invoices.js';
import { createConnectionStore } from '../../src/store/connections.js';
import { createTokenCipher } from '../../src/store/token-cipher.js';
import { ACME_ON_QUICKBOOKS, connectBackend } from '../support/connect-backend.js';

/**
 * QuickBooks and FreshBooks wired into the running app: connect through the OAuth routes, issue an
 * approved invoice at QuickBooks, learn of its payment from a signed webhook, and FreshBooks' callback
 * handshake. Real HTTP app, real SDKs, local stand-ins.
 */

let h: Harness;
let qbo: FakeQuickBooks;
let fb: FakeFreshBooks;
const key = randomBytes(32);
beforeEach(async () => {
  [qbo, fb] = await Promise.all([startFakeQuickBooks(), startFakeFreshBooks()]);
  h = await startHarness({
    clientsYaml: ACME_ON_QUICKBOOKS,
    env: {
      ENCRYPTION_KEY: key.toString('base64'),
      PUBLIC_URL: 'https://duebot.example.com',
      ...quickbooksEnv(qbo),
      ...freshbooksEnv(fb),
    },
  });
});
afterEach(async () => {
  await h?.stop();
  await Promise.all([qbo?.close(), fb?.close()]);
});

const connect = (provider: string, consent: Record<string, string>) => connectBackend(h, provider, consent);

test('connect QuickBooks, issue an approved invoice there, and take its payment from a signed webhook', async () => {
  // Before connecting, a forged callback is refused.
  expect((await fetch(`${h.bot.url}/oauth/quickbooks/callback?state=forged&code=qbo-code&realmId=${qbo.realmId}`)).status).toBe(403);
  const connected = await connect('quickbooks', { code: 'qbo-code', realmId: qbo.realmId });
  expect(connected.status).toBe(200);
  const stored = await createConnectionStore(h.bot.services.db.pool, createTokenCipher(key)).get('quickbooks');
  expect(stored).toMatchObject({ accountId: qbo.realmId, status: 'active', accessToken: expect.stringMatching(/^qboat_/) });
  const raw = await h.bot.services.db.pool.query<{ access_token: string }>("SELECT access_token FROM connections WHERE provider = 'quickbooks'");
  expect(raw.rows[0]!.access_token).not.toContain('qboat_');

  expect((await h.completeMilestone({ gid: '7001', name: 'Milestone 1 - Discovery', amount: 1500 })).status).toBe(200);
  const draft = await h.slack.waitFor(async () => findInvoiceBySource(h.bot.services.db.pool, 'asana', '7001'));
  expect(draft.provider).toBe('quickbooks');
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
  expect((await h.clickButton('approve_invoice', draft.id, APPROVER)).status).toBe(200);
  const sent = await h.waitForStatus(draft.id, 'sent');
  const qbInvoice = qbo.invoices.get(sent.providerInvoiceId!)!;
  expect(qbInvoice).toMatchObject({ DocNumber: draft.number, TotalAmt: 1500 });
  expect(sent.paymentUrl).toBe(`${qbo.url}/comm/pay/${sent.providerInvoiceId}`);
  const email = await h.smtp.waitFor((m) => m.subject.includes(draft.number));
  expect(email.text).toContain(sent.paymentUrl!);

  const { paymentId } = qbo.pay(sent.providerInvoiceId!);
  const forged = qbo.signed({ eventNotifications: [] }, 'wrong');
  expect((await fetch(`${h.bot.url}/webhooks/quickbooks`, { method: 'POST', body: forged.body, headers: forged.headers })).status).toBe(401);
  const delivery = qbo.signed([
    {
      specversion: '1.0',
      id: `evt-${paymentId}`,
      type: 'qbo.payment.created.v1',
      time: new Date().toISOString(),
      intuitentityid: paymentId,
      intuitaccountid: qbo.realmId,
      data: {},
    },
  ]);
  const res = await fetch(`${h.bot.url}/webhooks/quickbooks`, { method: 'POST', body: delivery.body, headers: delivery.headers });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
  const paid = await h.waitForStatus(draft.id, 'paid');
  expect(paid.amountPaid).toBe(150000);
  const again = await fetch(`${h.bot.url}/webhooks/quickbooks`, { method: 'POST', body: delivery.body, headers: delivery.headers });
  expect(await again.json()).toEqual({ accepted: 0, duplicates: 1, ignored: 0 });
  // Let the processing of the stored event finish before the bot stops.
  await h.slack.waitFor(async () => (await h.bot.services.db.pool.query("SELECT 1 FROM inbox_events WHERE source = 'quickbooks' AND processed_at IS NOT NULL")).rowCount === 1);
});

test('a revoked QuickBooks connection is reported once with the reconnect command and the invoice is held', async () => {
  expect((await connect('quickbooks', { code: 'qbo-code', realmId: qbo.realmId })).status).toBe(200);
  qbo.revokeAccessTokens();
  qbo.revokeRefreshTokens();
  await h.completeMilestone({ gid: '7002', name: 'Milestone 2', amount: 900 });
  const draft = await h.slack.waitFor(async () => findInvoiceBySource(h.bot.services.db.pool, 'asana', '7002'));
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
  await h.clickButton('approve_invoice', draft.id, APPROVER);
  const notice = await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes('stopped working')));
  expect(String(notice.args.text)).toContain('`/invoices connect quickbooks`');
  // The sweep keeps trying (every 200 ms here) without repeating the notice.
  await new Promise((r) => setTimeout(r, 700));
  expect(h.slack.messages(BILLING_CHANNEL).filter((m) => JSON.stringify(m.args).includes('stopped working'))).toHaveLength(1);
  expect((await h.waitForStatus(draft.id, 'approved')).providerInvoiceId).toBeNull();

  // Reconnecting releases it.
  expect((await connect('quickbooks', { code: 'qbo-code-again', realmId: qbo.realmId })).status).toBe(200);
  const sent = await h.waitForStatus(draft.id, 'sent');
  expect(qbo.invoices.get(sent.providerInvoiceId!)).toMatchObject({ DocNumber: draft.number });
});

test('FreshBooks: connect, the callback verification handshake, then signed deliveries only', async () => {
  const connected = await connect('freshbooks', { code: 'good-code' });
  expect(connected.status).toBe(200);
  expect(await connected.text()).toContain(`FreshBooks business “Pixel &amp; Co” (account ${fb.accountId}) is connected`);
  expect(h.slack.messages(BILLING_CHANNEL).map((m) => m.args.text)).toContain(
    `:white_check_mark: <@${APPROVER}> connected FreshBooks business “Pixel &amp; Co” (account ${fb.accountId}). Held invoices go out now.`,
  );
  const handshake = await fetch(`${h.bot.url}/webhooks/freshbooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name: 'callback.verify', object_id: '77', verifier: 'learnt-verifier', account_id: fb.accountId }).toString(),
  });
  expect(handshake.status).toBe(200);
  expect(fb.verifiedCallbacks.get('77')).toBe('learnt-verifier');

  const good = fb.signedDelivery({ name: 'client.create', object_id: '5', account_id: fb.accountId }, 'learnt-verifier');
  const accepted = await fetch(`${h.bot.url}/webhooks/freshbooks`, { method: 'POST', body: good.body, headers: good.headers });
  expect(accepted.status).toBe(200);
  expect(await accepted.json()).toMatchObject({ ignored: 1 });
  const bad = fb.signedDelivery({ name: 'payment.create', object_id: '5', account_id: fb.accountId }, 'guess');
  expect((await fetch(`${h.bot.url}/webhooks/freshbooks`, { method: 'POST', body: bad.body, headers: bad.headers })).status).toBe(401);
  const { rows } = await h.bot.services.db.pool.query("SELECT count(*)::int AS n FROM inbox_events WHERE source = 'freshbooks'");
  expect(rows[0]).toEqual({ n: 0 });
});

import { randomBytes } from 'node:crypto';
import { startHarness, APPROVER, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { startFakeWave, waveEnv, type FakeWave } from '../support/fake-wave.js';
import { findInvoiceBySource } from '../../src/store/invoices.js';
import { createConnectionStore } from '../../src/store/connections.js';
import { createTokenCipher } from '../../src/store/token-cipher.js';
import { callback, openLink, requestConnectLink, acmeOn } from '../support/connect-backend.js';

/**
 * Wave wired into the running app: the approver connects through the OAuth routes (choosing the
 * business when the login reaches several), a milestone is approved and issued at Wave with duebot's
 * number, the client is emailed Wave's view link, and the payment made at Wave is learnt by polling
 * alone (Wave sends duebot no webhooks). Real HTTP app, local Wave stand-in.
 */

const ACME_ON_WAVE = acmeOn('wave');

let h: Harness;
let wave: FakeWave;
const key = randomBytes(32);
beforeEach(async () => {
  wave = await startFakeWave();
  h = await startHarness({
    clientsYaml: ACME_ON_WAVE,
    pollPaymentsEvery: 300,
    env: { ENCRYPTION_KEY: key.toString('base64'), PUBLIC_URL: 'https://duebot.example.com', ...waveEnv(wave) },
  });
});
afterEach(async () => {
  await h?.stop();
  await wave?.close();
});

/** The approver's link, Wave's consent page (which redirects back with a code), then the callback from the same browser. */
async function consent(): Promise<{ page: Response; cookie: string }> {
  const opened = await openLink(h, await requestConnectLink(h, 'wave'));
  expect(opened.response.status).toBe(302);
  expect(`${opened.location!.origin}${opened.location!.pathname}`).toBe(wave.authorizeUrl);
  const atWave = await fetch(opened.location!, { redirect: 'manual' });
  const back = new URL(atWave.headers.get('location')!);
  const page = await callback(h, 'wave', Object.fromEntries(back.searchParams), opened.cookie);
  return { page, cookie: opened.cookie! };
}

const connectedNotices = () => h.slack.messages(BILLING_CHANNEL).filter((m) => String(m.args.text ?? '').includes('connected Wave'));

test('connect Wave, issue an approved invoice there with the view link emailed, and learn of its payment by polling', async () => {
  const { page } = await consent();
  expect(page.status).toBe(200);
  expect(await page.text()).toMatch(/Wave business “Acme Studio” .* is connected/);
  await h.slack.waitFor(() => connectedNotices().length === 1);
  const stored = await createConnectionStore(h.bot.services.db.pool, createTokenCipher(key)).get('wave');
  expect(stored).toMatchObject({ accountId: wave.businessId, status: 'active', accessToken: expect.stringMatching(/^wat_/) });
  const raw = await h.bot.services.db.pool.query<{ access_token: string }>("SELECT access_token FROM connections WHERE provider = 'wave'");
  expect(raw.rows[0]!.access_token).not.toContain('wat_');

  expect((await h.completeMilestone({ gid: '7101', name: 'Milestone 1 - Discovery', amount: 1500 })).status).toBe(200);
  const draft = await h.slack.waitFor(async () => findInvoiceBySource(h.bot.services.db.pool, 'asana', '7101'));
  expect(draft.provider).toBe('wave');
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
  expect((await h.clickButton('approve_invoice', draft.id, APPROVER)).status).toBe(200);
  const sent = await h.waitForStatus(draft.id, 'sent');
  const atWave = wave.invoices.get(sent.providerInvoiceId!)!;
  expect(atWave).toMatchObject({ invoiceNumber: draft.number, status: 'SENT', total: 150000n });
  expect(sent.paymentUrl).toMatch(new RegExp(`^${wave.url}/invoice/view/`));
  const email = await h.smtp.waitFor((m) => m.subject.includes(draft.number));
  expect(email.text).toContain(sent.paymentUrl!);

  wave.pay(sent.providerInvoiceId!, 50000);
  await h.slack.waitFor(async () => (await h.bot.services.db.pool.query("SELECT 1 FROM invoices WHERE id = $1 AND status = 'partially_paid'", [sent.id])).rowCount === 1);
  wave.pay(sent.providerInvoiceId!);
  const paid = await h.waitForStatus(draft.id, 'paid');
  expect(paid.amountPaid).toBe(150000);
  const { rows } = await h.bot.services.db.pool.query<{ actor: string }>("SELECT actor FROM audit_log WHERE invoice_id = $1 AND action = 'paid'", [sent.id]);
  expect(rows).toEqual([{ actor: 'wave (poll)' }]);
});

test('a login with several businesses: the approver picks one from the browser that ran the consent, once', async () => {
  const labs = wave.addBusiness('Acme Labs');
  const { page, cookie } = await consent();
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('Choose the business duebot invoices from');
  expect(html).toContain('Acme Studio');
  expect(html).toContain('Acme Labs');
  const choice = /name="choice" value="([^"]+)"/.exec(html)![1]!;
  // Posted beside the callback (/oauth/wave/choose), from the page in the browser that ran the consent.
  expect(/action="([^"]+)"/.exec(html)![1]).toBe('choose');
  // Nothing is connected yet, and the waiting tokens are sealed.
  expect(await h.bot.services.db.pool.query("SELECT 1 FROM connections WHERE provider = 'wave'")).toMatchObject({ rowCount: 0 });
  const waiting = await h.bot.services.db.pool.query<{ access_token: string }>('SELECT access_token FROM oauth_account_choices');
  expect(waiting.rows[0]!.access_token).not.toContain('wat_');

  const choose = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${h.bot.url}/oauth/wave/choose`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });
  // Another browser (no cookie, or another one) cannot make the choice, nor spend it.
  expect((await choose({ choice, account: labs })).status).toBe(403);
  expect((await choose({ choice, account: labs }, { cookie: 'duebot_oauth=someone-else' })).status).toBe(400);
  const made = await choose({ choice, account: labs }, { cookie });
  expect(made.status).toBe(200);
  expect(await made.text()).toMatch(/Wave business “Acme Labs” .* is connected/);
  await h.slack.waitFor(() => connectedNotices().length === 1);
  expect(await createConnectionStore(h.bot.services.db.pool, createTokenCipher(key)).account('wave')).toEqual({ accountId: labs, accountName: 'Acme Labs' });
  // The choice is spent: replaying it changes nothing.
  const replay = await choose({ choice, account: wave.businessId }, { cookie });
  expect(replay.status).toBe(400);
  expect(await replay.json()).toEqual({ error: expect.stringMatching(/already made/) });
  expect((await createConnectionStore(h.bot.services.db.pool, createTokenCipher(key)).account('wave'))!.accountId).toBe(labs);
});

test('a business the consent did not reach cannot be chosen, even from the right browser', async () => {
  wave.addBusiness('Acme Labs');
  const { page, cookie } = await consent();
  const choice = /name="choice" value="([^"]+)"/.exec(await page.text())![1]!;
  // Not a form: refused with a JSON reason, and the choice is still there for the real pick.
  const json = await fetch(`${h.bot.url}/oauth/wave/choose`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ choice, account: 'x' }),
  });
  expect(json.status).toBe(400);
  expect(await json.json()).toEqual({ error: 'the choice carries no account' });
  const forged = Buffer.from('Business:someone-elses').toString('base64');
  const res = await fetch(`${h.bot.url}/oauth/wave/choose`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ choice, account: forged }).toString(),
  });
  expect(res.status).toBe(400);
  expect(await h.bot.services.db.pool.query("SELECT 1 FROM connections WHERE provider = 'wave'")).toMatchObject({ rowCount: 0 });
});

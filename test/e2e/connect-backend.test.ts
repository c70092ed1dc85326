import { randomBytes } from 'node:crypto';
import { startHarness, APPROVER, BILLING_CHANNEL, MEMBER, type Harness } from '../support/harness.js';
import { startFakeQuickBooks, quickbooksEnv, type FakeQuickBooks } from '../support/fake-quickbooks.js';
import { ACME_ON_QUICKBOOKS, callback, connectBackend, connectLinks, openLink, requestConnectLink, slashConnect } from '../support/connect-backend.js';
import { KEEP_CURRENT_BACKEND_ACCOUNT, USE_NEW_BACKEND_ACCOUNT } from '../../blocks/backend-connect.js';
import { findInvoiceBySource, getInvoice } from '../../src/store/invoices.js';
import { runDueWork } from '../../src/usecases/sweep.js';

/**
 * Connecting QuickBooks is an approver's act (issue 8): the one-time link DMed by `/invoices connect`,
 * the browser cookie, the confirmation when another company is connected, and `/invoices disconnect`.
 * Real app, real QuickBooks SDK, the local QuickBooks and Slack stand-ins.
 */
const OTHER_REALM = '4620816365';

let h: Harness;
let qbo: FakeQuickBooks;
beforeEach(async () => {
  qbo = await startFakeQuickBooks();
  qbo.addCompany(OTHER_REALM, 'Acme <!channel> Books');
  h = await startHarness({
    clientsYaml: ACME_ON_QUICKBOOKS,
    env: { ENCRYPTION_KEY: randomBytes(32).toString('base64'), PUBLIC_URL: 'https://duebot.example.com', ...quickbooksEnv(qbo) },
  });
});
afterEach(async () => {
  await h?.stop();
  await qbo?.close();
});

const pool = () => h.bot.services.db.pool;
const count = async (table: string) => (await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
const connectedRealm = async () => (await pool().query<{ account_id: string }>("SELECT account_id FROM connections WHERE provider = 'quickbooks'")).rows[0]?.account_id ?? null;
const channelTexts = () => h.slack.messages(BILLING_CHANNEL).map((m) => String(m.args.text ?? ''));
const auditActions = async () => (await pool().query<{ actor: string; action: string }>("SELECT actor, action FROM audit_log WHERE action LIKE 'backend_%' ORDER BY id")).rows;
const createdInRealm = (realm: string) => qbo.requests.filter((r) => r.method === 'POST' && r.path === `/v3/company/${realm}/invoice` && r.status === 200).length;

/** An approved invoice for the QuickBooks client (sent at once if the connection works). */
async function approvedInvoice(gid: string) {
  await h.completeMilestone({ gid, name: `Milestone ${gid}`, amount: 900 });
  const draft = await h.slack.waitFor(async () => findInvoiceBySource(pool(), 'asana', gid));
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
  expect((await h.clickButton('approve_invoice', draft.id, APPROVER)).status).toBe(200);
  return draft;
}

/** Connects the other company while one is in use: the confirmation message and its pending id. */
async function connectOtherCompany() {
  const page = await connectBackend(h, 'quickbooks', { code: qbo.authorize(OTHER_REALM), realmId: OTHER_REALM });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('awaiting an approver&#39;s confirmation in Slack');
  const message = await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => String(m.args.text ?? '').includes('but duebot uses')));
  const buttons = (message.args.blocks as { elements?: { action_id: string; value: string }[] }[]).flatMap((b) => b.elements ?? []);
  expect(buttons.map((b) => b.action_id)).toEqual([USE_NEW_BACKEND_ACCOUNT, KEEP_CURRENT_BACKEND_ACCOUNT]);
  const { rows } = await pool().query<{ message_ts: string; access_token: string }>('SELECT message_ts, access_token FROM pending_connections');
  expect(rows).toHaveLength(1);
  expect(rows[0]!.access_token).not.toContain('qboat_');
  return { text: String(message.args.text), pendingId: buttons[0]!.value, ts: rows[0]!.message_ts };
}

test('only an approver’s one-time link, opened in the same browser, connects QuickBooks; the channel is told who connected which company', async () => {
  for (const path of ['/oauth/quickbooks/start', '/oauth/quickbooks/start?link=forged']) {
    const refused = await fetch(`${h.bot.url}${path}`, { redirect: 'manual' });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(await refused.json()).toEqual({ error: expect.stringContaining('/invoices connect quickbooks') });
  }
  for (const path of ['/oauth/__proto__/start?link=x', '/oauth/constructor/callback?state=x']) {
    const unknown = await fetch(`${h.bot.url}${path}`, { redirect: 'manual' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: expect.stringContaining('is not configured') });
  }
  expect(await count('oauth_states')).toBe(0);

  // A billing-channel member who is no approver gets no link.
  expect(await slashConnect(h, 'quickbooks', MEMBER)).toMatch(/only invoice approvers/);
  expect(h.slack.messages(MEMBER)).toHaveLength(0);
  expect(await count('oauth_links')).toBe(0);

  const path = await requestConnectLink(h, 'quickbooks');
  expect(connectLinks(h, 'quickbooks', APPROVER)[0]).toMatch(/^https:\/\/duebot\.example\.com\/oauth\/quickbooks\/start\?link=[\w-]{43}$/);
  const token = new URLSearchParams(path.split('?')[1]).get('link')!;
  expect((await pool().query('SELECT 1 FROM oauth_links WHERE token_hash = $1', [token])).rowCount).toBe(0);
  expect(await count('oauth_links')).toBe(1);

  const opened = await openLink(h, path);
  expect(opened.response.status).toBe(302);
  expect(`${opened.location!.origin}${opened.location!.pathname}`).toBe('https://appcenter.intuit.com/connect/oauth2');
  expect(opened.location!.searchParams.get('redirect_uri')).toBe('https://duebot.example.com/oauth/quickbooks/callback');
  const setCookie = opened.response.headers.get('set-cookie')!;
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/SameSite=Lax/);
  expect(setCookie).toMatch(/Secure/);
  expect(setCookie).toMatch(/Path=\/oauth\/quickbooks(;|$)/);
  // The link works once.
  expect((await openLink(h, path)).response.status).toBe(403);
  expect(await count('oauth_states')).toBe(1);

  const consent = { state: opened.state!, code: 'qbo-code', realmId: qbo.realmId };
  // Another browser (no cookie, or a made-up one) cannot finish, and does not spoil the state for the approver's.
  expect((await callback(h, 'quickbooks', consent, null)).status).toBe(403);
  const forged = await callback(h, 'quickbooks', consent, 'duebot_oauth=forged');
  expect(forged.status).toBe(403);
  expect(await forged.json()).toEqual({ error: expect.stringContaining('browser') });
  expect(await connectedRealm()).toBeNull();

  const done = await callback(h, 'quickbooks', consent, opened.cookie);
  expect(done.status).toBe(200);
  expect(await done.text()).toContain('QuickBooks company “Pixel &amp; Co Books” (realm 9130355) is connected');
  expect(await connectedRealm()).toBe(qbo.realmId);
  const notice = await h.slack.waitFor(() => channelTexts().find((t) => t.includes('connected QuickBooks')));
  expect(notice).toBe(`:white_check_mark: <@${APPROVER}> connected QuickBooks company “Pixel &amp; Co Books” (realm 9130355). Held invoices go out now.`);
  // The state is spent.
  expect((await callback(h, 'quickbooks', consent, opened.cookie)).status).toBe(400);
  expect(await auditActions()).toEqual([
    { actor: `slack:${APPROVER}`, action: 'backend_connect_link_sent' },
    { actor: `slack:${APPROVER}`, action: 'backend_connected' },
  ]);
});

test('a link older than 10 minutes is refused, and expired links are purged', async () => {
  const path = await requestConnectLink(h, 'quickbooks');
  h.clock.advance(10 * 60 * 1000 + 1000);
  const late = await openLink(h, path);
  expect(late.response.status).toBe(403);
  expect(late.cookie).toBeNull();
  expect(await count('oauth_states')).toBe(0);
  // The periodic sweep purges what expired.
  await runDueWork(h.bot.services);
  expect(await count('oauth_links')).toBe(0);
});

test('connecting another company waits for an approver: invoices stay held, an outsider’s click is refused, the confirmation releases them into the new company', async () => {
  expect((await connectBackend(h, 'quickbooks', { code: 'qbo-code', realmId: qbo.realmId })).status).toBe(200);
  // The connection breaks; an approved invoice is held.
  qbo.revokeAccessTokens();
  qbo.revokeRefreshTokens();
  const held = await approvedInvoice('7101');
  await h.slack.waitFor(() => channelTexts().find((t) => t.includes('stopped working')));

  const { text, pendingId, ts } = await connectOtherCompany();
  expect(text).toContain(
    `<@${APPROVER}> connected QuickBooks company “Acme &lt;!channel&gt; Books” (realm ${OTHER_REALM}), but duebot uses company “Pixel &amp; Co Books” (realm 9130355)`,
  );
  await runDueWork(h.bot.services);
  expect(await getInvoice(pool(), held.id)).toMatchObject({ status: 'approved', providerInvoiceId: null });
  expect(createdInRealm(OTHER_REALM)).toBe(0);
  expect(await connectedRealm()).toBe(qbo.realmId);

  const ephemerals = () => h.slack.callsTo('chat.postEphemeral').filter((c) => c.args.user === MEMBER);
  expect((await h.clickButton(USE_NEW_BACKEND_ACCOUNT, pendingId, MEMBER, ts)).status).toBe(200);
  expect(String((await h.slack.waitFor(() => ephemerals()[0])).args.text)).toMatch(/only invoice approvers/);
  expect(await connectedRealm()).toBe(qbo.realmId);
  expect(await count('pending_connections')).toBe(1);

  expect((await h.clickButton(USE_NEW_BACKEND_ACCOUNT, pendingId, APPROVER, ts)).status).toBe(200);
  const sent = await h.waitForStatus(held.id, 'sent');
  expect(createdInRealm(OTHER_REALM)).toBe(1);
  expect(qbo.invoices.get(sent.providerInvoiceId!)).toMatchObject({ DocNumber: held.number });
  expect(await connectedRealm()).toBe(OTHER_REALM);
  const confirmed = channelTexts().find((t) => t.includes('confirmed'))!;
  expect(confirmed).toBe(
    `:white_check_mark: <@${APPROVER}> confirmed: QuickBooks now uses company “Acme &lt;!channel&gt; Books” (realm ${OTHER_REALM}) instead of company “Pixel &amp; Co Books” (realm 9130355) (connected by <@${APPROVER}>). Held invoices go out now.`,
  );
  const decided = h.slack.lastUpdateOf(BILLING_CHANNEL, ts)!;
  expect(JSON.stringify(decided.args.blocks)).not.toContain(USE_NEW_BACKEND_ACCOUNT);

  // A second click finds nothing waiting.
  expect((await h.clickButton(USE_NEW_BACKEND_ACCOUNT, pendingId, APPROVER, ts)).status).toBe(200);
  await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').find((c) => c.args.user === APPROVER && String(c.args.text).includes('no longer waiting')));
  expect((await auditActions()).map((a) => a.action)).toEqual([
    'backend_connect_link_sent',
    'backend_connected',
    'backend_connect_link_sent',
    'backend_connect_pending',
    'backend_account_confirmed',
  ]);
});

test('keeping the current company discards the new one; disconnect deletes the tokens and holds invoices', async () => {
  expect((await connectBackend(h, 'quickbooks', { code: 'qbo-code', realmId: qbo.realmId })).status).toBe(200);
  const { pendingId, ts } = await connectOtherCompany();
  expect((await h.clickButton(KEEP_CURRENT_BACKEND_ACCOUNT, pendingId, MEMBER, ts)).status).toBe(200);
  await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral').find((c) => c.args.user === MEMBER));
  expect(await count('pending_connections')).toBe(1);

  expect((await h.clickButton(KEEP_CURRENT_BACKEND_ACCOUNT, pendingId, APPROVER, ts)).status).toBe(200);
  const kept = await h.slack.waitFor(() => h.slack.lastUpdateOf(BILLING_CHANNEL, ts));
  expect(kept.args.text).toBe(
    `:no_entry_sign: <@${APPROVER}> kept QuickBooks company “Pixel &amp; Co Books” (realm 9130355); the connection to company “Acme &lt;!channel&gt; Books” (realm ${OTHER_REALM}) was discarded.`,
  );
  expect(await count('pending_connections')).toBe(0);
  expect(await connectedRealm()).toBe(qbo.realmId);

  // Disconnect: approvers only; then invoices for QuickBooks are held.
  const before = h.slack.responses.length;
  await h.slashCommand('disconnect quickbooks', MEMBER);
  expect(String((await h.slack.waitFor(() => h.slack.responses[before])).body.text)).toMatch(/only invoice approvers/);
  expect(await connectedRealm()).toBe(qbo.realmId);
  const answer = h.slack.responses.length;
  await h.slashCommand('disconnect quickbooks', APPROVER);
  expect(String((await h.slack.waitFor(() => h.slack.responses[answer])).body.text)).toBe('Disconnected QuickBooks company “Pixel &amp; Co Books” (realm 9130355).');
  expect(channelTexts()).toContain(
    `:electric_plug: <@${APPROVER}> disconnected QuickBooks company “Pixel &amp; Co Books” (realm 9130355). Invoices for QuickBooks clients are held until an approver runs \`/invoices connect quickbooks\`.`,
  );
  expect(await count('connections')).toBe(0);
  const held = await approvedInvoice('7201');
  await runDueWork(h.bot.services);
  expect(await getInvoice(pool(), held.id)).toMatchObject({ status: 'approved', providerInvoiceId: null });
  expect((await auditActions()).map((a) => a.action).slice(-2)).toEqual(['backend_account_kept', 'backend_disconnected']);
});

import { startHarness, APPROVER, BILLING_CHANNEL, MEMBER, type Harness } from '../support/harness.js';
import { callback, openLink, requestConnectLink, slashConnect } from '../support/connect-backend.js';
import { findInvoiceBySource } from '../../src/store/invoices.js';
import { createConnectionStore } from '../../src/store/connections.js';
import { createTokenCipher } from '../../src/store/token-cipher.js';

/**
 * Asana by OAuth in the running app, beside the personal access token the harness starts with:
 * `/invoices connect asana` (approvers only) goes through the back-ends' connect flow, the tool then
 * reads and writes Asana with the OAuth token, `/invoices connect asana <project gid>` still registers
 * webhooks, and a connection Asana stops honouring is reported once while the personal token takes over.
 */
let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  Object.assign(h.env, {
    ASANA_CLIENT_ID: h.asana.oauth.clientId,
    ASANA_CLIENT_SECRET: h.asana.oauth.clientSecret,
    ASANA_OAUTH_URL: h.asana.oauth.url,
  });
  await h.restart();
});
afterEach(async () => h?.stop());

const stored = () => createConnectionStore(h.bot.services.db.pool, createTokenCipher(Buffer.from(h.env.ENCRYPTION_KEY!, 'base64'))).get('asana');
const lastBearer = (path: string) => h.asana.requests.filter((r) => r.path === path).at(-1)?.authorization;

/** The approver's whole consent: Slack link → browser → Asana's consent (its redirect) → our callback. */
async function connectAsana(): Promise<Response> {
  const opened = await openLink(h, await requestConnectLink(h, 'asana'));
  expect(opened.response.status).toBe(302);
  expect(`${opened.location!.origin}${opened.location!.pathname}`).toBe(`${h.asana.oauth.url}/-/oauth_authorize`);
  expect(opened.location!.searchParams.get('redirect_uri')).toBe(`${h.publicUrl}/oauth/asana/callback`);
  const consent = await fetch(opened.location!, { redirect: 'manual' });
  const back = new URL(consent.headers.get('location')!);
  expect(back.searchParams.get('state')).toBe(opened.state);
  return callback(h, 'asana', Object.fromEntries(back.searchParams), opened.cookie);
}

test('an approver connects Asana by OAuth; milestones and webhooks then use the OAuth token', async () => {
  expect(await slashConnect(h, 'asana', MEMBER)).toMatch(/only invoice approvers/);
  expect(h.slack.messages(MEMBER)).toHaveLength(0);

  const page = await connectAsana();
  expect(page.status).toBe(200);
  expect(await page.text()).toContain(`Asana user “Dana Approver” (user gid ${h.asana.oauth.user.gid}) is connected`);
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => String(m.args.text).includes('connected Asana user')));
  const tokens = (await stored())!;
  expect(tokens).toMatchObject({ accountId: h.asana.oauth.user.gid, status: 'active', accessToken: expect.stringMatching(/^2\/oauth-at-/) });

  // The milestone is read back with the OAuth token, not the personal one.
  expect((await h.completeMilestone({ gid: '7301', name: 'Milestone 1 - Discovery', amount: 1500 })).status).toBe(200);
  await h.slack.waitFor(async () => findInvoiceBySource(h.bot.services.db.pool, 'asana', '7301'));
  expect(lastBearer('/api/1.0/tasks/7301')).toBe(`Bearer ${tokens.accessToken}`);

  // With a resource, `connect asana` still registers a project webhook, through the OAuth token.
  h.asana.routeTargetsTo(h.bot.url);
  expect(await slashConnect(h, 'asana 1300', APPROVER)).toContain('webhook registered');
  expect(lastBearer('/api/1.0/webhooks')).toBe(`Bearer ${tokens.accessToken}`);

  // Disconnecting the OAuth connection: the personal token is used again.
  const before = h.slack.responses.length;
  await h.slashCommand('disconnect asana', APPROVER);
  expect(String((await h.slack.waitFor(() => h.slack.responses[before])).body.text)).toContain('Disconnected Asana user');
  expect(await stored()).toBeNull();
  await h.completeMilestone({ gid: '7302', name: 'Milestone 2', amount: 900 });
  await h.slack.waitFor(async () => findInvoiceBySource(h.bot.services.db.pool, 'asana', '7302'));
  expect(lastBearer('/api/1.0/tasks/7302')).toBe(`Bearer ${h.asana.token}`);
});

test('a connection Asana no longer honours is reported once; the personal token takes over', async () => {
  expect((await connectAsana()).status).toBe(200);
  await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => String(m.args.text).includes('connected Asana user')));
  h.asana.oauth.revokeAccessTokens();
  h.asana.oauth.revokeRefreshTokens();
  await h.completeMilestone({ gid: '7303', name: 'Milestone 3', amount: 700 });
  await h.slack.waitFor(async () => findInvoiceBySource(h.bot.services.db.pool, 'asana', '7303'));
  const notice = await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => String(m.args.text).includes('Asana connection stopped working')));
  expect(String(notice.args.text)).toContain('reads Asana with `ASANA_ACCESS_TOKEN` again until an approver runs `/invoices connect asana`');
  expect(await stored()).toMatchObject({ status: 'broken' });
  expect(lastBearer('/api/1.0/tasks/7303')).toBe(`Bearer ${h.asana.token}`);
  await h.completeMilestone({ gid: '7304', name: 'Milestone 4', amount: 700 });
  await h.slack.waitFor(async () => findInvoiceBySource(h.bot.services.db.pool, 'asana', '7304'));
  expect(h.slack.messages(BILLING_CHANNEL).filter((m) => String(m.args.text).includes('Asana connection stopped working'))).toHaveLength(1);
});

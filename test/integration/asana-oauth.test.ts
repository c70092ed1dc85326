import { randomBytes } from 'node:crypto';
import { createAsanaTool } from '../../src/providers/projects/asana.js';
import { ASANA, createAsanaOAuth } from '../../src/providers/projects/asana-oauth.js';
import { createConnectionStore, type ConnectionStore } from '../../src/store/connections.js';
import { createTokenCipher } from '../../src/store/token-cipher.js';
import type { Database } from '../../src/store/db.js';
import { openTestDatabase } from '../support/database.js';
import { asanaTask, startFakeAsana, type FakeAsana } from '../support/fake-asana.js';

/**
 * Asana OAuth 2.0 against the local Asana: the code exchange, the access token (an hour) refreshed
 * before it expires and after a 401, a refused refresh marking the connection broken once, and the
 * personal access token still working beside it.
 */
let db: Database;
let asana: FakeAsana;
let connections: ConnectionStore;
let broken: string[];
const REDIRECT = 'https://duebot.example.com/oauth/asana/callback';
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => db.close());
beforeEach(async () => {
  asana = await startFakeAsana();
  asana.addTask(asanaTask({ gid: '7001', name: 'Milestone 1', billing: true, amount: 1500, projectGid: '1200' }));
  await db.pool.query('DELETE FROM connections WHERE provider = $1', [ASANA]);
  connections = createConnectionStore(db.pool, createTokenCipher(randomBytes(32)));
  broken = [];
});
afterEach(async () => asana.close());

function oauth(options: { pat?: string | null; scopes?: string | null } = {}) {
  return createAsanaOAuth({
    clientId: asana.oauth.clientId,
    clientSecret: asana.oauth.clientSecret,
    redirectUri: REDIRECT,
    oauthUrl: asana.oauth.url,
    apiUrl: asana.url,
    scopes: options.scopes ?? null,
    personalAccessToken: options.pat ?? null,
    connections,
    now: () => new Date(),
    onBroken: (_provider, reason) => broken.push(reason),
  });
}

/** What the connect flow's callback does with a code: exchange, then store. */
async function connect(o: ReturnType<typeof oauth>): Promise<void> {
  const { tokens, accountName } = await o.connector.exchange(new URLSearchParams({ code: asana.oauth.issueCode(), state: 'checked-by-the-flow' }));
  await connections.saveTokens(ASANA, tokens, new Date(), accountName);
}
const bearerOf = (path: string) => asana.requests.filter((r) => r.path === path).at(-1)?.authorization;

test('the consent URL asks for a code back at our callback, with scopes only when the app uses granular ones', () => {
  const plain = new URL(oauth().connector.authorizeUrl('st4te'));
  expect(`${plain.origin}${plain.pathname}`).toBe(`${asana.oauth.url}/-/oauth_authorize`);
  expect(Object.fromEntries(plain.searchParams)).toEqual({ client_id: asana.oauth.clientId, redirect_uri: REDIRECT, response_type: 'code', state: 'st4te' });
  expect(new URL(oauth({ scopes: 'tasks:read projects:read' }).connector.authorizeUrl('s')).searchParams.get('scope')).toBe('tasks:read projects:read');
});

test('the code is exchanged for tokens naming the user; the tool then calls Asana with the OAuth bearer token', async () => {
  const o = oauth({ pat: asana.token });
  const { tokens, accountName } = await o.connector.exchange(new URLSearchParams({ code: asana.oauth.issueCode() }));
  expect(asana.oauth.tokenRequests.at(-1)).toMatchObject({ grant_type: 'authorization_code', client_id: asana.oauth.clientId, client_secret: '(right)', redirect_uri: REDIRECT });
  expect(tokens).toMatchObject({ accountId: asana.oauth.user.gid, accessToken: expect.stringMatching(/^2\/oauth-at-/), refreshToken: expect.stringMatching(/^2\/oauth-rt-/) });
  expect(tokens.expiresAt.getTime() - Date.now()).toBeGreaterThan(3_500_000);
  expect(accountName).toBe('Dana Approver');
  await connections.saveTokens(ASANA, tokens, new Date(), accountName);
  // Sealed at rest.
  const raw = await db.pool.query<{ access_token: string; refresh_token: string }>('SELECT access_token, refresh_token FROM connections WHERE provider = $1', [ASANA]);
  expect(JSON.stringify(raw.rows)).not.toContain(tokens.accessToken);
  expect(JSON.stringify(raw.rows)).not.toContain(tokens.refreshToken);

  const task = await createAsanaTool({ accessToken: asana.token, auth: o.auth, apiUrl: asana.url }).fetchTask('7001');
  expect(task.name).toBe('Milestone 1');
  // With a connection the OAuth token is used, even though a personal token is configured too.
  expect(bearerOf('/api/1.0/tasks/7001')).toBe(`Bearer ${tokens.accessToken}`);
  expect((await connections.get(ASANA))!.lastSuccessAt).not.toBeNull();
});

test('an unknown code is refused; the failure names no secret', async () => {
  const err = (await oauth()
    .connector.exchange(new URLSearchParams({ code: 'forged' }))
    .catch((e: unknown) => e)) as Error;
  expect(err).toMatchObject({ name: 'BackendError', status: 400, message: expect.stringContaining('invalid_grant') });
  expect(`${err.message} ${err.stack}`).not.toContain(asana.oauth.clientSecret);
});

test('an access token past its hour is refreshed before the call; the refresh token Asana keeps is kept', async () => {
  const o = oauth();
  await connect(o);
  const before = (await connections.get(ASANA))!;
  await connections.saveTokens(ASANA, { ...before, expiresAt: new Date(Date.now() - 1000) }, new Date());
  await createAsanaTool({ auth: o.auth, apiUrl: asana.url }).fetchTask('7001');
  const after = (await connections.get(ASANA))!;
  expect(asana.oauth.tokenRequests.at(-1)).toMatchObject({ grant_type: 'refresh_token', refresh_token: before.refreshToken });
  expect(after.accessToken).not.toBe(before.accessToken);
  expect(after.refreshToken).toBe(before.refreshToken);
  expect(after.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
  expect(bearerOf('/api/1.0/tasks/7001')).toBe(`Bearer ${after.accessToken}`);
});

test('a 401 before the expiry (Asana expired it early) gets one refresh and one retry', async () => {
  const o = oauth();
  await connect(o);
  asana.oauth.expireAccessTokens();
  const calls = asana.requests.length;
  expect((await createAsanaTool({ auth: o.auth, apiUrl: asana.url }).fetchTask('7001')).name).toBe('Milestone 1');
  expect(asana.requests.slice(calls).map((r) => r.path)).toEqual(['/api/1.0/tasks/7001', '/-/oauth_token', '/api/1.0/tasks/7001']);
  expect(broken).toEqual([]);
});

test('a refused refresh marks the connection broken once; with a personal token configured, that takes over', async () => {
  const o = oauth();
  await connect(o);
  asana.oauth.revokeAccessTokens();
  asana.oauth.revokeRefreshTokens();
  const tool = createAsanaTool({ auth: o.auth, apiUrl: asana.url });
  await expect(tool.fetchTask('7001')).rejects.toMatchObject({ name: 'ProjectToolError', code: 'auth', retryable: false });
  await expect(tool.fetchTask('7001')).rejects.toMatchObject({ code: 'auth', message: expect.stringContaining('/invoices connect asana') });
  expect(broken).toEqual(['token refresh failed (400)']);
  expect(await connections.get(ASANA)).toMatchObject({ status: 'broken' });

  const withPat = createAsanaTool({ accessToken: asana.token, auth: oauth({ pat: asana.token }).auth, apiUrl: asana.url });
  expect((await withPat.fetchTask('7001')).name).toBe('Milestone 1');
  expect(bearerOf('/api/1.0/tasks/7001')).toBe(`Bearer ${asana.token}`);
});

test('without a connection: the personal token when set, else a clear "not connected"', async () => {
  expect((await createAsanaTool({ accessToken: asana.token, auth: oauth({ pat: asana.token }).auth, apiUrl: asana.url }).fetchTask('7001')).name).toBe('Milestone 1');
  expect(bearerOf('/api/1.0/tasks/7001')).toBe(`Bearer ${asana.token}`);
  const calls = asana.requests.length;
  await expect(createAsanaTool({ auth: oauth().auth, apiUrl: asana.url }).fetchTask('7001')).rejects.toMatchObject({
    code: 'auth',
    message: expect.stringContaining('Asana is not connected'),
  });
  expect(asana.requests.length).toBe(calls);
});

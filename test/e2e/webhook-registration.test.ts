import { randomBytes } from 'node:crypto';
import { startHarness, APPROVER, MEMBER, type Harness } from '../support/harness.js';
import { asanaDelivery, asanaTask, completedEvent, unsolicitedHandshake } from '../support/fake-asana.js';
import { connectProjectTool } from '../../src/usecases/connect-project-tool.js';
import { countInbox } from '../../src/store/inbox.js';

/**
 * duebot registers its own Asana webhooks (issue 8, item 2): an approver's `/invoices connect asana <gid>`
 * opens a registration, the fake Asana makes its handshake during the create call, and only that handshake is
 * taken. Deliveries are checked against the registration their `?hook=` names. Secrets are sealed at rest.
 */

const MAX = 5;
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { WEBHOOK_REGISTRATIONS_MAX: String(MAX) } });
});
afterAll(async () => h?.stop());

const pool = () => h.bot.services.db.pool;

interface RegistrationRow {
  token: string;
  resource: string;
  status: string;
  mode: string;
  secret: string | null;
  webhook_id: string | null;
  target_url: string;
  created_by: string;
  last_delivery_at: Date | null;
}
const rows = async (resource?: string) =>
  (
    await pool().query<RegistrationRow>(
      `SELECT * FROM webhook_registrations WHERE tool = 'asana' ${resource ? 'AND resource = $1' : ''} ORDER BY created_at`,
      resource ? [resource] : [],
    )
  ).rows;
/** Everything a planted secret could land in. */
const storedSecrets = async () => {
  const { rows: r } = await pool().query<{ n: string }>(
    'SELECT (SELECT count(*) FROM webhook_registrations WHERE secret IS NOT NULL) + (SELECT count(*) FROM webhook_secrets) AS n',
  );
  return { secrets: Number(r[0]!.n), registrations: (await rows()).length };
};

async function command(text: string, user = APPROVER): Promise<string> {
  const before = h.slack.responses.length;
  expect((await h.slashCommand(text, user)).status).toBe(200);
  const answer = await h.slack.waitFor(() => h.slack.responses[before]);
  return String(answer.body.text);
}

const webhookOn = (resource: string) => [...h.asana.webhooks.values()].find((w) => w.resource === resource);
const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};
const deliver = (path: string, secret: string, events: unknown[]) => {
  const d = asanaDelivery(secret, events);
  return h.send(path, d.body, d.headers);
};

test('an approver connects a project: the webhook is created through the API, its secret sealed, its deliveries accepted', async () => {
  const answer = await command('connect asana 1500');
  expect(answer).toMatch(/Asana webhook registered on project gid `1500`/);
  const webhook = webhookOn('1500')!;
  expect(webhook.target).toMatch(/^https:\/\/duebot\.test\/webhooks\/asana\?hook=[\w-]{32}$/);
  expect(webhook.filters).toEqual([{ resource_type: 'task', action: 'changed', fields: ['completed'] }]);

  const [row] = await rows('1500');
  expect(row).toMatchObject({ status: 'active', mode: 'api', webhook_id: webhook.gid, target_url: webhook.target, created_by: APPROVER });
  // Sealed at rest: AES-GCM text, the secret appears nowhere in it.
  expect(row!.secret).toMatch(/^v1\./);
  expect(row!.secret).not.toContain(webhook.secret);
  expect(Buffer.from(row!.secret!.split('.')[3]!, 'base64url').toString('utf8')).not.toContain(webhook.secret);

  h.asana.addTask(asanaTask({ gid: '7501', name: 'Registered milestone', completed: true, billing: true, amount: 800, projectGid: '1500' }));
  const res = await deliver(pathOf(webhook.target), webhook.secret, [completedEvent('7501')]);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ accepted: 1 });
  expect((await rows('1500'))[0]!.last_delivery_at).not.toBeNull();
});

test('a member who is not an approver cannot connect or disconnect', async () => {
  const webhooks = h.asana.webhooks.size;
  expect(await command('connect asana 1501', MEMBER)).toMatch(/approver/i);
  expect(await command('disconnect asana 1500', MEMBER)).toMatch(/approver/i);
  expect(h.asana.webhooks.size).toBe(webhooks);
  expect(await rows('1501')).toEqual([]);
  expect(await rows('1500')).toHaveLength(1);
});

test('unsolicited handshakes (no hook, unknown hook, a used hook) get 403 JSON and store nothing', async () => {
  const before = await storedSecrets();
  const used = pathOf(webhookOn('1500')!.target);
  for (const path of ['/webhooks/asana', `/webhooks/asana?hook=${randomBytes(24).toString('base64url')}`, used, `${used}&hook=x`]) {
    const res = await unsolicitedHandshake(`${h.bot.url}${path}`);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/json/);
    expect(res.headers.get('x-hook-secret')).toBeNull();
    expect(await res.json()).toMatchObject({ error: expect.stringMatching(/registration/) });
  }
  expect(await storedSecrets()).toEqual(before);
});

test('2,000 planted handshakes store nothing, and a delivery signed with a planted secret is still refused', async () => {
  const before = await storedSecrets();
  const planted = 'planted-secret-0123456789';
  const hooks = Array.from({ length: 2000 }, (_, i) => (i % 4 === 0 ? '' : `?hook=${randomBytes(24).toString('base64url')}`));
  const statuses: number[] = [];
  for (let i = 0; i < hooks.length; i += 25) {
    const batch = await Promise.all(hooks.slice(i, i + 25).map((q) => unsolicitedHandshake(`${h.bot.url}/webhooks/asana${q}`, planted)));
    statuses.push(...batch.map((r) => r.status));
  }
  expect(new Set(statuses)).toEqual(new Set([403]));
  expect(await storedSecrets()).toEqual(before);
  const inbox = await countInbox(pool());
  for (const path of ['/webhooks/asana', `/webhooks/asana${hooks[1]}`, pathOf(webhookOn('1500')!.target)]) {
    expect((await deliver(path, planted, [completedEvent('7501')])).status).toBe(401);
  }
  expect(await countInbox(pool())).toBe(inbox);
});

test("deliveries without a hook, with an unknown hook, or signed with another registration's secret get 401 JSON", async () => {
  const mine = webhookOn('1500')!;
  const other = webhookOn('1200')!; // the harness's own registration
  const inbox = await countInbox(pool());
  const cases: [string, string][] = [
    ['/webhooks/asana', mine.secret],
    [`/webhooks/asana?hook=${randomBytes(24).toString('base64url')}`, mine.secret],
    [pathOf(mine.target), other.secret],
    [pathOf(other.target), mine.secret],
  ];
  for (const [path, secret] of cases) {
    const res = await deliver(path, secret, [completedEvent('7501')]);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: expect.any(String) });
  }
  expect(await countInbox(pool())).toBe(inbox);
});

test('a by-hand registration takes one handshake within 10 minutes; an older one is refused', async () => {
  const answer = await command('connect asana 1600 manual');
  const target = /`(https:\/\/duebot\.test\/webhooks\/asana\?hook=[\w-]+)`/.exec(answer)?.[1];
  expect(target).toBeDefined();
  expect((await rows('1600'))[0]).toMatchObject({ status: 'pending', mode: 'manual', secret: null });

  h.clock.advance(10 * 60_000 + 1000);
  const late = await unsolicitedHandshake(`${h.bot.url}${pathOf(target!)}`);
  expect(late.status).toBe(403);
  expect((await rows('1600'))[0]).toMatchObject({ status: 'pending', secret: null });

  const again = await command('connect asana 1600 manual'); // a fresh one replaces the stale one
  const fresh = /`(https:\/\/duebot\.test\/webhooks\/asana\?hook=[\w-]+)`/.exec(again)![1]!;
  const secret = randomBytes(16).toString('hex');
  const ok = await unsolicitedHandshake(`${h.bot.url}${pathOf(fresh)}`, secret);
  expect(ok.status).toBe(200);
  expect(ok.headers.get('x-hook-secret')).toBe(secret);
  expect(await rows('1600')).toEqual([expect.objectContaining({ status: 'active', mode: 'manual', target_url: fresh, secret: expect.stringMatching(/^v1\./) })]);
  // Once only: a second handshake on the same hook is refused and the secret stays.
  expect((await unsolicitedHandshake(`${h.bot.url}${pathOf(fresh)}`, 'another-secret')).status).toBe(403);
  h.asana.addTask(asanaTask({ gid: '7601', name: 'Hand-made webhook milestone', completed: true, billing: true, amount: 300, projectGid: '1600' }));
  expect((await deliver(pathOf(fresh), secret, [completedEvent('7601')])).status).toBe(200);
  expect((await deliver(pathOf(fresh), 'another-secret', [completedEvent('7601')])).status).toBe(401);
});

test('at most WEBHOOK_REGISTRATIONS_MAX resources per tool; re-connecting one replaces it and deletes the old webhook at Asana', async () => {
  const resources = new Set((await rows()).map((r) => r.resource));
  const extra: string[] = [];
  for (let n = 0; resources.size + extra.length < MAX; n += 1) extra.push(`170${n}`);
  for (const gid of extra) expect(await command(`connect asana ${gid}`)).toMatch(/registered/);
  const webhooks = h.asana.webhooks.size;
  expect(await command('connect asana 1799')).toMatch(new RegExp(`already has ${MAX} webhook registrations`));
  expect(h.asana.webhooks.size).toBe(webhooks);
  expect(await rows('1799')).toEqual([]);

  // Re-connecting a resource at the limit is allowed: the new webhook replaces the old one.
  const old = webhookOn('1500')!;
  const answer = await command('connect asana 1500');
  expect(answer).toMatch(/registered/);
  expect(answer).toContain(`The earlier webhook ${old.gid} was deleted.`);
  expect(h.asana.deletedWebhooks).toContain(old.gid);
  const renewed = webhookOn('1500')!;
  expect(renewed.gid).not.toBe(old.gid);
  expect(await rows('1500')).toEqual([expect.objectContaining({ webhook_id: renewed.gid, status: 'active' })]);
  expect((await deliver(pathOf(old.target), old.secret, [completedEvent('7501')])).status).toBe(401);
  expect((await deliver(pathOf(renewed.target), renewed.secret, [])).status).toBe(200);

  for (const gid of extra) expect(await command(`disconnect asana ${gid}`)).toMatch(/deleted/);
  expect(await command('connect asana 1799')).toMatch(/registered/);
});

test('/invoices status lists the registrations: resource, state, who connected it, when, last delivery', async () => {
  const before = h.slack.responses.length;
  await h.slashCommand('status', MEMBER);
  const answer = await h.slack.waitFor(() => h.slack.responses[before]);
  const body = JSON.stringify(answer.body.blocks);
  expect(body).toContain('Webhooks duebot registered');
  expect(body).toMatch(/• `1799` :white_check_mark: active, connected by <@UAPPROVER1> [^,]+, \d{4}, [^,]+, no delivery yet/);
  expect(body).toMatch(/• `1500` :white_check_mark: active, connected by <@UAPPROVER1> [^,]+, \d{4}, [^,]+, last delivery /);
  expect(body).toMatch(/• `1600` :white_check_mark: active \(by hand\), connected by <@UAPPROVER1> .*last delivery /);
  expect(body).toContain('• `1200` :white_check_mark: active');
});

test('disconnect deletes the webhook at Asana and the row; its deliveries are refused from then on', async () => {
  const webhook = webhookOn('1799')!;
  expect(await command('disconnect asana 1799')).toMatch(/Asana webhook on `1799` deleted/);
  expect(h.asana.deletedWebhooks).toContain(webhook.gid);
  expect(h.asana.requests.some((r) => r.method === 'DELETE' && r.path === `/api/1.0/webhooks/${webhook.gid}`)).toBe(true);
  expect(await rows('1799')).toEqual([]);
  expect((await deliver(pathOf(webhook.target), webhook.secret, [])).status).toBe(401);
  expect(await command('disconnect asana 1799')).toMatch(/No duebot webhook is registered/);
});

test('a failed create leaves no registration, and bad input gets the usage', async () => {
  h.asana.routeTargetsTo('http://127.0.0.1:9'); // the handshake cannot reach the bot: Asana refuses the webhook
  try {
    const answer = await command('connect asana 1900');
    expect(answer).toMatch(/:x: Asana did not create the webhook on project gid `1900`: .*handshake/);
  } finally {
    h.asana.routeTargetsTo(h.bot.url);
  }
  expect(await rows('1900')).toEqual([]);
  expect(await command('connect asana <!channel>')).toMatch(/^Usage: `\/invoices connect asana <project gid> \[manual\]`/);
  expect(await command('connect asana 1900 now')).toMatch(/^Usage:/);
});

test('without ENCRYPTION_KEY or PUBLIC_URL, connecting says which is missing and registers nothing', async () => {
  const services = h.bot.services;
  const webhooks = h.asana.webhooks.size;
  const noKey = await connectProjectTool({ ...services, webhooks: { ...services.webhooks, cipher: null } }, { tool: 'asana', resource: '1950', slackUserId: APPROVER });
  expect(noKey).toMatch(/`ENCRYPTION_KEY` is not set/);
  const noUrl = await connectProjectTool({ ...services, webhooks: { ...services.webhooks, publicUrl: null } }, { tool: 'asana', resource: '1950', slackUserId: APPROVER });
  expect(noUrl).toMatch(/`PUBLIC_URL` is not set/);
  expect(h.asana.webhooks.size).toBe(webhooks);
  expect(await rows('1950')).toEqual([]);
});

test('at start-up, plaintext webhook secrets of an older version are sealed (FreshBooks) or removed (Asana)', async () => {
  const at = h.clock.now();
  await pool().query('INSERT INTO webhook_secrets (provider, scope, secret, created_at) VALUES ($1, $2, $3, $4), ($5, $6, $7, $4)', [
    'freshbooks',
    'cb-1',
    'verifier-in-plaintext',
    at,
    'asana',
    'old-slot',
    'planted-asana-secret',
  ]);
  await h.restart();
  const { rows: after } = await pool().query<{ provider: string; secret: string }>('SELECT provider, secret FROM webhook_secrets ORDER BY provider');
  expect(after.map((r) => r.provider)).toEqual(['freshbooks']);
  expect(after[0]!.secret).toMatch(/^v1\./);
  expect(h.bot.services.webhooks.cipher!.decrypt(after[0]!.secret)).toBe('verifier-in-plaintext');
  // The registrations survive the restart: the harness's webhook still delivers.
  expect((await h.deliverAsana([])).status).toBe(200);
});

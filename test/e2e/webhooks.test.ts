import { startHarness, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { asanaDelivery, completedEvent } from '../support/fake-asana.js';
import { countInbox } from '../../src/store/inbox.js';
import { findInvoiceBySource, getInvoice } from '../../src/store/invoices.js';

/** Webhook edges through the real HTTP app: signatures, duplicates, replays, bad input, auto-send. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

const pool = () => h.bot.services.db.pool;
const settle = () => new Promise((r) => setTimeout(r, 500));

test('GET /healthz reports the database and the scheduler', async () => {
  const res = await fetch(`${h.bot.url}/healthz`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { status: string; database: { kind: string; reachable: boolean }; scheduler: { running: boolean } };
  expect(body).toMatchObject({ status: 'ok', database: { reachable: true }, scheduler: { running: true } });
  expect(['pglite', 'postgres']).toContain(body.database.kind);
});

test('a handshake duebot did not start is refused with 403 and stores nothing', async () => {
  const res = await fetch(`${h.bot.url}${h.asanaHookPath}`, { method: 'POST', headers: { 'X-Hook-Secret': 'abc123' }, body: '' });
  expect(res.status).toBe(403);
  expect(res.headers.get('x-hook-secret')).toBeNull();
});

test('a bad Asana signature gets 401 and nothing is stored or posted', async () => {
  const before = await countInbox(pool());
  h.asana.addTask((await import('../support/fake-asana.js')).asanaTask({ gid: '7001', name: 'Forged', completed: true, billing: true, amount: 999, projectGid: '1200' }));
  const res = await h.deliverAsana([completedEvent('7001')], 'not-the-secret');
  expect(res.status).toBe(401);
  const unsigned = await fetch(`${h.bot.url}${h.asanaHookPath}`, {
    method: 'POST',
    body: JSON.stringify({ events: [completedEvent('7001')] }),
    headers: { 'content-type': 'application/json' },
  });
  expect(unsigned.status).toBe(401);
  await settle();
  expect(await countInbox(pool())).toBe(before);
  expect(await findInvoiceBySource(pool(), 'asana', '7001')).toBeNull();
  expect(h.slack.messages(BILLING_CHANNEL).some((m) => JSON.stringify(m.args).includes('Forged'))).toBe(false);
});

test('a malformed but signed Asana body gets 400 with a reason', async () => {
  const delivery = asanaDelivery(h.hookSecret, []);
  const res = await fetch(`${h.bot.url}${h.asanaHookPath}`, {
    method: 'POST',
    body: '{"events": nope',
    headers: { ...delivery.headers, 'x-hook-signature': (await import('../../src/http/signatures.js')).hmacDigest('sha256', h.hookSecret, '{"events": nope', 'hex') },
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: string }).error).toMatch(/JSON/);
});

test('duplicate, replayed and re-completed deliveries make one invoice', async () => {
  const first = await h.completeMilestone({ gid: '7002', name: 'Milestone Dup', amount: 500 });
  expect(first.status).toBe(200);
  await h.deliverAsana([completedEvent('7002')]); // a second completion event for the same task
  const event = completedEvent('7002');
  await Promise.all([h.deliverAsana([event]), h.deliverAsana([event]), h.deliverAsana([event, event])]); // replays
  await h.slack.waitFor(async () => findInvoiceBySource(pool(), 'asana', '7002'));
  await settle();
  const posts = h.slack.messages(BILLING_CHANNEL).filter((m) => JSON.stringify(m.args).includes('Milestone Dup'));
  expect(posts).toHaveLength(1);
  const { rows } = await pool().query(`SELECT count(*)::int AS n FROM invoices WHERE source_ref = '7002'`);
  expect(rows[0].n).toBe(1);
});

test('a non-billing task and an incomplete task are ignored', async () => {
  const { asanaTask } = await import('../support/fake-asana.js');
  h.asana.addTask(asanaTask({ gid: '7003', name: 'Internal chore', completed: true, billing: false, projectGid: '1200' }));
  h.asana.addTask(asanaTask({ gid: '7004', name: 'Not done yet', completed: false, billing: true, amount: 10, projectGid: '1200' }));
  await h.deliverAsana([completedEvent('7003'), completedEvent('7004')]);
  await settle();
  expect(await findInvoiceBySource(pool(), 'asana', '7003')).toBeNull();
  expect(await findInvoiceBySource(pool(), 'asana', '7004')).toBeNull();
});

test('a billing milestone without an amount is flagged once in the billing channel', async () => {
  await h.completeMilestone({ gid: '7005', name: 'No amount here' });
  await h.deliverAsana([completedEvent('7005')]);
  const warning = await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes('No amount here')));
  expect(JSON.stringify(warning.args)).toMatch(/Amount/);
  await settle();
  expect(h.slack.messages(BILLING_CHANNEL).filter((m) => JSON.stringify(m.args).includes('No amount here'))).toHaveLength(1);
});

test('auto-send clients are invoiced at once, without approval', async () => {
  await h.completeMilestone({ gid: '7006', name: 'Globex retainer milestone', amount: 980, projectGid: '1300' });
  const email = await h.smtp.waitFor((m) => m.subject.includes('Globex retainer milestone'));
  expect(email.to).toEqual(['billing@globex.example']);
  expect(email.text).toContain('€980.00');
  const draft = await findInvoiceBySource(pool(), 'asana', '7006');
  const inv = await h.waitForStatus(draft!.id, 'sent');
  expect(inv).toMatchObject({ currency: 'EUR', approvedBy: 'auto-send' });
  // Its message never offered an Approve button: it was born "Sending…".
  const posts = h.slack.messages(BILLING_CHANNEL).filter((m) => JSON.stringify(m.args).includes('Globex retainer milestone'));
  expect(posts.length).toBeGreaterThan(0);
  expect(posts.some((m) => JSON.stringify(m.args).includes('approve_invoice'))).toBe(false);
});

test('Stripe: bad signature → 401; duplicate deliveries are harmless; void stops reminders', async () => {
  await h.completeMilestone({ gid: '7007', name: 'Globex void me', amount: 100, projectGid: '1300' });
  const inv = await h.slack.waitFor(async () => {
    const found = await findInvoiceBySource(pool(), 'asana', '7007');
    return found?.status === 'sent' ? found : undefined;
  });
  const stripeId = inv.providerInvoiceId!;

  const delivery = h.stripe.signedDelivery(h.stripe.event('invoice.paid', stripeId));
  const forged = await fetch(`${h.bot.url}/webhooks/stripe`, { method: 'POST', body: delivery.body, headers: { ...delivery.headers, 'stripe-signature': 't=1,v1=deadbeef' } });
  expect(forged.status).toBe(401);
  const before = await countInbox(pool(), 'stripe');

  h.stripe.void(stripeId);
  const voided = h.stripe.signedDelivery(h.stripe.event('invoice.voided', stripeId));
  const results = await Promise.all([0, 1, 2].map(() => fetch(`${h.bot.url}/webhooks/stripe`, { method: 'POST', body: voided.body, headers: voided.headers })));
  expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
  expect(await countInbox(pool(), 'stripe')).toBe(before + 1);
  await h.slack.waitFor(async () => ((await getInvoice(pool(), inv.id))?.status === 'void' ? true : undefined));
  await settle();
  const notes = h.slack.threadReplies(BILLING_CHANNEL, inv.slackTs!).filter((r) => /void/i.test(String(r.args.text)));
  expect(notes).toHaveLength(1);
  const { rows } = await pool().query(`SELECT status FROM reminders WHERE invoice_id = $1`, [inv.id]);
  expect(rows.every((r: { status: string }) => r.status === 'cancelled')).toBe(true);
});

test('unknown routes get a JSON 404', async () => {
  const res = await fetch(`${h.bot.url}/nope`);
  expect(res.status).toBe(404);
});

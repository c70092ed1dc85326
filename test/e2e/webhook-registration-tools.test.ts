import { randomBytes } from 'node:crypto';
import { startHarness, APPROVER, type Harness } from '../support/harness.js';
import { clickupDelivery, clickupTask, statusUpdatedEvent } from '../support/fake-clickup.js';
import { cardMovedAction, trelloCard, trelloDelivery } from '../support/fake-trello.js';
import { mondayDelivery, mondayItem, statusChangedEvent } from '../support/fake-monday.js';

/**
 * `/invoices connect clickup <list id>`: duebot creates the webhook through ClickUp's API (POST
 * /team/{team_id}/webhook), keeps the `secret` ClickUp answers sealed in the registration, and verifies the
 * deliveries to `?hook=` with it. A webhook made by hand (no `?hook=`) still uses CLICKUP_WEBHOOK_SECRET.
 * `/invoices connect trello <board id>`: POST /1/webhooks with `?hook=` in the callbackURL (Trello's HEAD check
 * answered); deliveries are verified over that registration's own URL with the app secret.
 * `/invoices connect monday <board id>`: the create_webhook mutation (monday's challenge answered); the JWT is
 * signed with the app's secret, its audience is the registration's own URL.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ tools: ['clickup', 'trello', 'monday'] });
});
afterAll(async () => h?.stop());

async function command(text: string): Promise<string> {
  const before = h.slack.responses.length;
  expect((await h.slashCommand(text, APPROVER)).status).toBe(200);
  return String((await h.slack.waitFor(() => h.slack.responses[before])).body.text);
}
const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};
const deliver = (path: string, secret: string, taskId: string, webhookId: string) => {
  const d = clickupDelivery(secret, statusUpdatedEvent(taskId, webhookId));
  return h.send(path, d.body, d.headers);
};
const row = async (resource: string, tool = 'clickup') =>
  (
    await h.bot.services.db.pool.query<{ status: string; secret: string | null; webhook_id: string | null; target_url: string }>(
      'SELECT * FROM webhook_registrations WHERE tool = $1 AND resource = $2',
      [tool, resource],
    )
  ).rows;

test('connect creates the webhook through the API with ?hook=, seals its secret, and verifies deliveries with it', async () => {
  expect(await command('connect clickup 901')).toMatch(/ClickUp webhook registered on list id `901`/);
  const [webhook] = [...h.clickup!.webhooks.values()];
  expect(webhook).toMatchObject({ listId: '901', events: ['taskStatusUpdated'], endpoint: expect.stringMatching(/^https:\/\/duebot\.test\/webhooks\/clickup\?hook=[\w-]{32}$/) });
  const [stored] = await row('901');
  expect(stored).toMatchObject({ status: 'active', webhook_id: webhook!.id, target_url: webhook!.endpoint });
  expect(stored!.secret).toMatch(/^v1\./);
  expect(stored!.secret).not.toContain(webhook!.secret);

  h.clickup!.addTask(clickupTask({ id: 'cu901a', name: 'Registered ClickUp milestone', listId: '901', billing: true, amount: 250 }));
  const ok = await deliver(pathOf(webhook!.endpoint), webhook!.secret, 'cu901a', webhook!.id);
  expect(ok.status).toBe(200);
  expect(await ok.json()).toMatchObject({ accepted: 1 });
  // The app-wide secret does not open a registered hook, and an unknown hook is refused whatever it is signed with.
  expect((await deliver(pathOf(webhook!.endpoint), h.clickup!.webhookSecret, 'cu901a', webhook!.id)).status).toBe(401);
  const unknown = await deliver(`/webhooks/clickup?hook=${randomBytes(24).toString('base64url')}`, webhook!.secret, 'cu901a', webhook!.id);
  expect(unknown.status).toBe(401);
  expect(await unknown.json()).toMatchObject({ error: expect.stringMatching(/hook/) });
});

test('a webhook made by hand (no ?hook=) keeps working with CLICKUP_WEBHOOK_SECRET', async () => {
  h.clickup!.addTask(clickupTask({ id: 'cu901b', name: 'Hand-made ClickUp milestone', listId: '901', billing: true, amount: 90 }));
  expect((await deliver('/webhooks/clickup', h.clickup!.webhookSecret, 'cu901b', h.clickup!.webhookId)).status).toBe(200);
  const [webhook] = [...h.clickup!.webhooks.values()];
  expect((await deliver('/webhooks/clickup', webhook!.secret, 'cu901b', h.clickup!.webhookId)).status).toBe(401);
});

test('manual is for handshake tools only; disconnect deletes the webhook at ClickUp and refuses its deliveries', async () => {
  expect(await command('connect clickup 902 manual')).toMatch(/^Usage: `\/invoices connect clickup <list id>`/);
  const [webhook] = [...h.clickup!.webhooks.values()];
  expect(await command('disconnect clickup 901')).toMatch(/ClickUp webhook on `901` deleted/);
  expect(h.clickup!.deletedWebhooks).toEqual([webhook!.id]);
  expect(h.clickup!.requests.some((r) => r.method === 'DELETE' && r.path === `/api/v2/webhook/${webhook!.id}`)).toBe(true);
  expect(await row('901')).toEqual([]);
  expect((await deliver(pathOf(webhook!.endpoint), webhook!.secret, 'cu901a', webhook!.id)).status).toBe(401);
});

describe('Trello', () => {
  const board = 'b0a4d0000000000000000001';
  const moved = (cardId: string) => {
    const [todo, done] = h.trello!.lists(board);
    h.trello!.addCard(trelloCard({ id: cardId, name: 'Trello milestone', boardId: board, listId: done!.id, billing: true, amount: 120 }));
    return cardMovedAction({ id: cardId, name: 'Trello milestone', boardId: board }, todo!, done!);
  };
  const deliverTrello = (path: string, signedUrl: string, payload: unknown) => {
    const d = trelloDelivery(h.trello!.appSecret, signedUrl, payload);
    return h.send(path, d.body, d.headers);
  };

  test('connect creates the webhook with ?hook= in its callbackURL; deliveries are verified over that exact URL', async () => {
    expect(await command(`connect trello ${board}`)).toMatch(/Trello webhook registered on board id `b0a4d0000000000000000001`/);
    const [webhook] = [...h.trello!.webhooks.values()];
    expect(webhook).toMatchObject({ idModel: board, callbackURL: expect.stringMatching(/^https:\/\/duebot\.test\/webhooks\/trello\?hook=[\w-]{32}$/) });
    expect(await row(board, 'trello')).toEqual([expect.objectContaining({ status: 'active', webhook_id: webhook!.id, target_url: webhook!.callbackURL, secret: null })]);

    const ok = await deliverTrello(pathOf(webhook!.callbackURL), webhook!.callbackURL, moved('c0ffee00000000000000a001'));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ accepted: 1 });
    // Signed over another URL (the hand-made one) but posted to the registration: refused.
    expect((await deliverTrello(pathOf(webhook!.callbackURL), `${h.publicUrl}/webhooks/trello`, moved('c0ffee00000000000000a002'))).status).toBe(401);
    expect((await deliverTrello(`/webhooks/trello?hook=${randomBytes(24).toString('base64url')}`, webhook!.callbackURL, moved('c0ffee00000000000000a003'))).status).toBe(401);
    // A webhook made by hand on TRELLO_CALLBACK_URL keeps working.
    expect((await deliverTrello('/webhooks/trello', `${h.publicUrl}/webhooks/trello`, moved('c0ffee00000000000000a004'))).status).toBe(200);
  });

  test('disconnect deletes the webhook at Trello and refuses its deliveries', async () => {
    const [webhook] = [...h.trello!.webhooks.values()];
    expect(await command(`disconnect trello ${board}`)).toMatch(/Trello webhook on `b0a4d0000000000000000001` deleted/);
    expect(h.trello!.deletedWebhooks).toEqual([webhook!.id]);
    expect(await row(board, 'trello')).toEqual([]);
    expect((await deliverTrello(pathOf(webhook!.callbackURL), webhook!.callbackURL, moved('c0ffee00000000000000a005'))).status).toBe(401);
  });
});

describe('monday.com', () => {
  const board = '4051234567';
  const deliverMonday = async (path: string, audience: string, itemId: string) => {
    h.monday!.addItem(mondayItem({ id: itemId, name: 'monday milestone', boardId: board, billing: true, amount: 75 }));
    const d = await mondayDelivery(h.monday!.signingSecret, statusChangedEvent({ itemId, boardId: board }), audience);
    return h.send(path, d.body, d.headers);
  };

  test('connect runs create_webhook with ?hook= in the URL (challenge answered); the JWT audience must be that URL', async () => {
    expect(await command(`connect monday ${board}`)).toMatch(/monday\.com webhook registered on board id `4051234567`/);
    const [webhook] = [...h.monday!.webhooks.values()];
    expect(webhook).toMatchObject({
      boardId: board,
      event: 'change_status_column_value',
      url: expect.stringMatching(/^https:\/\/duebot\.test\/webhooks\/monday\?hook=[\w-]{32}$/),
    });
    expect(await row(board, 'monday')).toEqual([expect.objectContaining({ status: 'active', webhook_id: webhook!.id, target_url: webhook!.url, secret: null })]);

    const ok = await deliverMonday(pathOf(webhook!.url), webhook!.url, '9100000001');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ accepted: 1 });
    expect((await deliverMonday(pathOf(webhook!.url), `${h.publicUrl}/webhooks/monday`, '9100000002')).status).toBe(401);
    expect((await deliverMonday(`/webhooks/monday?hook=${randomBytes(24).toString('base64url')}`, webhook!.url, '9100000003')).status).toBe(401);
    // A webhook made by hand on <PUBLIC_URL>/webhooks/monday keeps working.
    expect((await deliverMonday('/webhooks/monday', `${h.publicUrl}/webhooks/monday`, '9100000004')).status).toBe(200);
  });

  test('disconnect runs delete_webhook and refuses its deliveries', async () => {
    const [webhook] = [...h.monday!.webhooks.values()];
    expect(await command(`disconnect monday ${board}`)).toMatch(/monday\.com webhook on `4051234567` deleted/);
    expect(h.monday!.deletedWebhooks).toEqual([webhook!.id]);
    expect(await row(board, 'monday')).toEqual([]);
    expect((await deliverMonday(pathOf(webhook!.url), webhook!.url, '9100000005')).status).toBe(401);
  });
});

import { SignJWT } from 'jose';
import { createMondayTool, verifyMondayJwt } from '../../src/providers/projects/monday.js';
import { mondayDelivery, mondayItem, startFakeMonday, statusChangedEvent, type FakeMonday } from '../support/fake-monday.js';

let monday: FakeMonday;
beforeAll(async () => {
  monday = await startFakeMonday();
});
afterAll(async () => monday.close());

const AUD = 'https://duebot.test/webhooks/monday';
const BOARD = '1234567890';
const tool = (overrides: { doneLabel?: string; audience?: string | null; apiToken?: string } = {}) =>
  createMondayTool({
    apiToken: overrides.apiToken ?? monday.token,
    signingSecret: monday.signingSecret,
    apiUrl: monday.url,
    doneLabel: overrides.doneLabel ?? 'Done',
    audience: overrides.audience === undefined ? AUD : overrides.audience,
  });
const jwt = (secret: string, claims: Record<string, unknown>, expires = '5m') =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(expires).sign(new TextEncoder().encode(secret));

describe('monday.com project tool against a local GraphQL API', () => {
  test('an item with a Done status and the checkbox set, its columns found by title', async () => {
    monday.addItem(mondayItem({ id: '4455667788', name: 'Milestone 2', boardId: BOARD, billing: true, amount: 1500 }));
    expect(await tool().fetchTask('4455667788')).toEqual({
      taskId: '4455667788',
      name: 'Milestone 2',
      completed: true,
      completedAt: null,
      url: `https://pixel.monday.com/boards/${BOARD}/pulses/4455667788`,
      projectIds: [BOARD],
      isBillingMilestone: true,
      amount: '1500',
      quantity: null,
      rate: null,
      clientName: null,
      dueOn: null,
      facts: expect.objectContaining({ statuses: ['Done'], doneByTool: true, tags: [], nativeMilestone: false }),
    });
    monday.addItem(mondayItem({ id: '4455667789', name: 'Still working', boardId: BOARD, status: 'Working on it', billing: false }));
    expect(await tool().fetchTask('4455667789')).toMatchObject({ completed: false, isBillingMilestone: false });
    expect((await tool({ doneLabel: 'working on it' }).fetchTask('4455667789')).completed).toBe(true);
  });

  test('GraphQL errors inside a 200 and HTTP errors are coded and name monday.com', async () => {
    await expect(tool().fetchTask('1')).rejects.toMatchObject({ code: 'not_found', message: 'monday.com item 1 not found' });
    await expect(tool({ apiToken: 'wrong' }).fetchTask('4455667788')).rejects.toMatchObject({
      code: 'auth',
      message: expect.stringMatching(/^monday\.com POST answered 401: .*Not Authenticated/),
    });
  });

  test('the escalation is an item on the board with the owner in its people column, and the notes as an update', async () => {
    const created = await tool().createTask({ projectId: BOARD, title: 'Escalation', notes: 'Balance $7.00', assignee: '9603417', dueOn: null });
    expect(monday.createdItems.at(-1)).toEqual({ boardId: BOARD, name: 'Escalation', columnValues: { person: { personsAndTeams: [{ id: 9603417, kind: 'person' }] } } });
    expect(monday.updates.at(-1)).toEqual({ itemId: created.taskId, body: 'Balance $7.00' });
  });
});

describe('monday.com webhook deliveries', () => {
  const receive = async (payload: unknown, authorization?: string, t = tool()) => {
    const d = await mondayDelivery(monday.signingSecret, payload, AUD);
    return t.webhook.receive({ method: 'POST', headers: { ...d.headers, ...(authorization === undefined ? {} : { authorization }) }, rawBody: Buffer.from(d.body) });
  };

  test('the challenge is echoed', async () => {
    expect(await tool().webhook.receive({ method: 'POST', headers: {}, rawBody: Buffer.from('{"challenge":"xyz"}') })).toEqual({
      kind: 'reply',
      status: 200,
      body: { challenge: 'xyz' },
    });
  });

  test('a status changed to the done label is one event keyed by triggerUuid; other labels and events are ignored', async () => {
    const event = statusChangedEvent({ itemId: '4455667788', boardId: BOARD });
    expect(await receive(event)).toEqual({ kind: 'events', ignored: 0, events: [{ externalId: (event.event as { triggerUuid: string }).triggerUuid, taskId: '4455667788' }] });
    expect(await receive(statusChangedEvent({ itemId: '4455667788', boardId: BOARD, label: 'Stuck' }))).toEqual({ kind: 'events', events: [], ignored: 1 });
    expect(await receive({ event: { type: 'create_item', pulseId: 1 } })).toMatchObject({ ignored: 1 });
    expect(await receive(statusChangedEvent({ itemId: '1', boardId: BOARD, label: 'Shipped' }), undefined, tool({ doneLabel: 'shipped' }))).toMatchObject({ ignored: 0 });
  });

  test('the JWT must be signed with the signing secret, unexpired, and for our URL when PUBLIC_URL is set', async () => {
    const event = statusChangedEvent({ itemId: '4455667788', boardId: BOARD });
    expect(await receive(event, await jwt('wrong-secret', { aud: AUD }))).toMatchObject({ kind: 'unauthorized' });
    expect(await receive(event, await jwt(monday.signingSecret, { aud: 'https://someone-else.test/webhooks/monday' }))).toMatchObject({ kind: 'unauthorized' });
    expect(await receive(event, await jwt(monday.signingSecret, { aud: AUD }, '-1m'))).toMatchObject({ kind: 'unauthorized' });
    expect(await receive(event, '')).toMatchObject({ kind: 'unauthorized', reason: 'missing Authorization JWT' });
    expect(await receive(event, `Bearer ${await jwt(monday.signingSecret, { aud: AUD })}`)).toMatchObject({ kind: 'events' });
    expect(await verifyMondayJwt(monday.signingSecret, await jwt(monday.signingSecret, { aud: 'anything' }), null)).toBe(true);
  });
});

describe('monday.com project tool: the time tracking column', () => {
  test('sessions per person from the history, subitems under their own name, hand-entered time unattributed', async () => {
    monday.addItem(mondayItem({ id: '4455667790', name: 'Website', boardId: BOARD, billing: true }));
    monday.addSubitem('4455667790', { id: '4455667791', name: 'Wireframes' });
    monday.users.set('9603417', { id: '9603417', name: 'Dana Scully', email: 'dana@agency.example' });
    monday.trackTime('4455667790', 5400, 9603417);
    monday.trackTime('4455667790', 600, null);
    monday.trackTime('4455667791', 1800, 9603417);
    const entries = await tool().fetchTimeEntries!(await tool().fetchTask('4455667790'));
    const dana = { id: '9603417', name: 'Dana Scully', email: 'dana@agency.example' };
    expect(entries).toEqual([
      { taskId: '4455667790', taskName: 'Website', person: dana, durationMs: 5_400_000 },
      { taskId: '4455667790', taskName: 'Website', person: { id: null, name: null, email: null }, durationMs: 600_000 },
      { taskId: '4455667791', taskName: 'Wireframes', person: dana, durationMs: 1_800_000 },
    ]);
    monday.addItem(mondayItem({ id: '4455667792', name: 'Untracked', boardId: BOARD, billing: true }));
    expect(await tool().fetchTimeEntries!(await tool().fetchTask('4455667792'))).toEqual([]);
  });
});

describe('monday.com project tool: board items for the forecast', () => {
  test('every item of the board, page after page by cursor, with its date column and status', async () => {
    const board = '1234567899';
    for (let i = 1; i <= 5; i += 1)
      monday.addItem(
        mondayItem({ id: `55000${i}`, name: `Item ${i}`, boardId: board, status: i === 5 ? 'Done' : 'Working on it', billing: true, amount: i * 100, dueOn: `2026-12-0${i}` }),
      );
    const tasks = await tool().listOpenTasks!([board]);
    expect(tasks.map((t) => [t.taskId, t.completed, t.amount, t.dueOn])).toEqual([
      ['550001', false, '100', '2026-12-01'],
      ['550002', false, '200', '2026-12-02'],
      ['550003', false, '300', '2026-12-03'],
      ['550004', false, '400', '2026-12-04'],
      ['550005', true, '500', '2026-12-05'],
    ]);
  });
});

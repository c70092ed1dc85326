import { createClickUpTool, verifyClickUpSignature } from '../../src/providers/projects/clickup.js';
import { clickupDelivery, clickupTask, startFakeClickUp, statusUpdatedEvent, type FakeClickUp } from '../support/fake-clickup.js';

let clickup: FakeClickUp;
beforeAll(async () => {
  clickup = await startFakeClickUp();
});
afterAll(async () => clickup.close());

const tool = () => createClickUpTool({ apiToken: clickup.token, webhookSecret: clickup.webhookSecret, apiUrl: clickup.url });
const receive = (payload: unknown, secret = clickup.webhookSecret) => {
  const d = clickupDelivery(secret, payload);
  return tool().webhook.receive({ method: 'POST', headers: d.headers, rawBody: Buffer.from(d.body) });
};

describe('ClickUp project tool against a local ClickUp API', () => {
  test('a closed task with the checkbox set is read back with its list, amount and completion time, token as is', async () => {
    clickup.addTask(clickupTask({ id: 'abc1', name: 'Milestone 2', listId: '901', billing: true, amount: 1500.5 }));
    expect(await tool().fetchTask('abc1')).toEqual({
      taskId: 'abc1',
      name: 'Milestone 2',
      completed: true,
      completedAt: new Date(1793613600000),
      url: 'https://app.clickup.com/t/abc1',
      projectIds: ['901'],
      isBillingMilestone: true,
      amount: '1500.5',
      quantity: null,
      rate: null,
      clientName: null,
      dueOn: null,
      facts: {
        fields: [
          { name: 'Billing milestone', text: 'true', number: null, yes: true },
          { name: 'Amount', text: '1500.5', number: '1500.5', yes: false },
        ],
        tags: [],
        statuses: ['complete'],
        doneByTool: true,
        nativeMilestone: false,
      },
    });
    expect(clickup.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/v2/task/abc1', authorization: clickup.token });
  });

  test('drop-down fields are looked up by orderindex or option id; the Milestone task type counts without a field', async () => {
    const options = [
      { id: 'o-no', name: 'No', orderindex: 0 },
      { id: 'o-yes', name: 'Yes', orderindex: 1 },
    ];
    const base = clickupTask({ id: 'dd1', name: 'Drop-down', listId: '901' });
    clickup.addTask({
      ...base,
      custom_fields: [
        { id: 'f', name: 'billing milestone', type: 'drop_down', type_config: { options }, value: 1 },
        { id: 'c', name: 'Client', type: 'short_text', value: 'Acme Ltd' },
      ],
    });
    clickup.addTask({ ...base, id: 'dd2', custom_fields: [{ id: 'f', name: 'Billing milestone', type: 'drop_down', type_config: { options }, value: 'o-no' }] });
    clickup.addTask({ ...base, id: 'ms1', custom_item_id: 1, custom_fields: [] });
    expect(await tool().fetchTask('dd1')).toMatchObject({ isBillingMilestone: true, clientName: 'Acme Ltd' });
    expect((await tool().fetchTask('dd2')).isBillingMilestone).toBe(false);
    expect((await tool().fetchTask('ms1')).isBillingMilestone).toBe(true);
    clickup.addTask(clickupTask({ id: 'open1', name: 'Open', listId: '901', done: false, billing: true }));
    expect(await tool().fetchTask('open1')).toMatchObject({ completed: false, completedAt: null });
  });

  test('errors name ClickUp, the call and the status, and are coded', async () => {
    await expect(tool().fetchTask('missing')).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/^ClickUp GET \/task\/missing answered 404: Task not found ITEM_013/),
    });
    await expect(createClickUpTool({ apiToken: 'pk_wrong', webhookSecret: 'x', apiUrl: clickup.url }).fetchTask('abc1')).rejects.toMatchObject({ code: 'auth' });
    await expect(createClickUpTool({ apiToken: 'x', webhookSecret: 'x', apiUrl: 'http://127.0.0.1:1' }).fetchTask('abc1')).rejects.toMatchObject({
      code: 'unavailable',
      retryable: true,
      message: expect.stringMatching(/^ClickUp unreachable/),
    });
  });

  test('the escalation task goes to the list, assigned to the owner, with a due date in epoch ms', async () => {
    const created = await tool().createTask({ projectId: '902', title: 'Escalation', notes: 'Balance $7.00', assignee: '183', dueOn: '2026-12-01' });
    expect(created).toEqual({ taskId: expect.any(String), url: expect.stringMatching(/^https:\/\/app\.clickup\.com\/t\//) });
    expect(clickup.createdTasks.at(-1)).toEqual({
      listId: '902',
      body: { name: 'Escalation', description: 'Balance $7.00', assignees: [183], due_date: Date.parse('2026-12-01T12:00:00Z') },
    });
  });
});

describe('ClickUp webhook deliveries', () => {
  test('a status change to a closed status is one event, keyed by webhook and history item', async () => {
    const payload = statusUpdatedEvent('abc1', clickup.webhookId);
    const outcome = await receive(payload);
    const history = (payload.history_items as { id: string }[])[0]!.id;
    expect(outcome).toEqual({ kind: 'events', ignored: 0, events: [{ externalId: `${clickup.webhookId}:${history}`, taskId: 'abc1' }] });
  });

  test('other events and other statuses are ignored; a wrong secret or a bad body is refused', async () => {
    const reopened = statusUpdatedEvent('abc1', clickup.webhookId);
    (reopened.history_items as { after: unknown }[])[0]!.after = { status: 'in review', type: 'custom' };
    expect(await receive(reopened)).toEqual({ kind: 'events', events: [], ignored: 1 });
    expect(await receive({ event: 'taskCreated', task_id: 'abc1', webhook_id: clickup.webhookId, history_items: [] })).toEqual({ kind: 'events', events: [], ignored: 1 });
    expect(await receive(statusUpdatedEvent('abc1', clickup.webhookId), 'other-secret')).toMatchObject({ kind: 'unauthorized' });
    expect(await receive({ hello: 'world' })).toMatchObject({ kind: 'malformed' });
    expect(verifyClickUpSignature('s', Buffer.from('{}'), undefined)).toBe(false);
  });
});

describe('ClickUp project tool: tracked time', () => {
  test('per user on the task and on each subtask (include_subtasks), the legacy /task/{id}/time total in ms', async () => {
    clickup.addTask(clickupTask({ id: 'tt1', name: 'Website', listId: '901', billing: true }));
    clickup.addSubtask('tt1', clickupTask({ id: 'tt1a', name: 'Wireframes', listId: '901', done: false }));
    const dana = { id: 183, username: 'Dana Scully', email: 'dana@agency.example' };
    clickup.trackTime('tt1', 3_600_000, dana);
    clickup.trackTime('tt1', 1_800_000, dana);
    clickup.trackTime('tt1a', 900_000, { id: 184, username: 'Sam Tyler', email: 'sam@agency.example' });
    const entries = await tool().fetchTimeEntries!(await tool().fetchTask('tt1'));
    expect(entries).toEqual([
      { taskId: 'tt1', taskName: 'Website', person: { id: '183', name: 'Dana Scully', email: 'dana@agency.example' }, durationMs: 5_400_000 },
      { taskId: 'tt1a', taskName: 'Wireframes', person: { id: '184', name: 'Sam Tyler', email: 'sam@agency.example' }, durationMs: 900_000 },
    ]);
    expect(clickup.requests.map((r) => r.path)).toEqual(expect.arrayContaining(['/api/v2/task/tt1/time', '/api/v2/task/tt1a/time']));
  });
});

describe('ClickUp project tool: open tasks for the forecast', () => {
  test('every page of the list without the closed tasks, due dates as calendar days', async () => {
    for (let i = 0; i < 102; i += 1)
      clickup.addTask(clickupTask({ id: `pg${i}`, name: `Open ${i}`, listId: '955', done: false, billing: i === 0, amount: 10, dueOn: '2026-12-24' }));
    clickup.addTask(clickupTask({ id: 'pgc', name: 'Closed', listId: '955', done: true, billing: true }));
    const tasks = await tool().listOpenTasks!(['955']);
    expect(tasks).toHaveLength(102);
    expect(tasks[0]).toMatchObject({ taskId: 'pg0', completed: false, isBillingMilestone: true, amount: '10', dueOn: '2026-12-24' });
    expect(clickup.requests.filter((r) => r.path === '/api/v2/list/955/task')).toHaveLength(2);
  });
});

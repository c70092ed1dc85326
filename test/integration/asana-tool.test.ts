import { createAsanaTool, ProjectToolError } from '../../src/providers/projects/asana.js';
import { asanaTask, startFakeAsana, type AsanaTaskJson, type FakeAsana } from '../support/fake-asana.js';
import { Metrics } from '../../src/metrics.js';
import { parseMetrics, total } from '../support/prometheus-text.js';

let asana: FakeAsana;
beforeAll(async () => {
  asana = await startFakeAsana();
});
afterAll(async () => asana.close());

const tool = () => createAsanaTool({ accessToken: asana.token, apiUrl: asana.url });
const requestsFor = (path: string) => asana.requests.filter((r) => r.path === path);

describe('Asana project tool: fetching tasks from a local Asana API', () => {
  test('a completed billing milestone (enum Yes) with an amount, asked for with the right fields and token', async () => {
    asana.addTask(asanaTask({ gid: '1', name: 'Milestone 2', billing: true, amount: 1500.5, projectGid: '77', projectName: 'Acme website' }));
    const task = await tool().fetchTask('1');
    expect(task).toEqual({
      taskId: '1',
      name: 'Milestone 2',
      completed: true,
      completedAt: expect.any(Date),
      url: 'https://app.asana.com/0/77/1',
      projectIds: ['77'],
      isBillingMilestone: true,
      amount: 1500.5,
      quantity: null,
      rate: null,
      clientName: null,
      dueOn: null,
      facts: {
        fields: [
          { name: 'Billing milestone', text: 'Yes', number: null, yes: true },
          { name: 'Amount', text: '1500.5', number: 1500.5, yes: false },
        ],
        tags: [],
        statuses: [],
        doneByTool: true,
        nativeMilestone: false,
      },
    });
    const request = requestsFor('/api/1.0/tasks/1').at(-1)!;
    expect(request.method).toBe('GET');
    expect(request.authorization).toBe(`Bearer ${asana.token}`);
    const fields = new URLSearchParams(request.query).get('opt_fields')!.split(',');
    expect(fields).toEqual(
      expect.arrayContaining([
        'name',
        'completed',
        'completed_at',
        'permalink_url',
        'projects.gid',
        'custom_fields.name',
        'custom_fields.enum_value.name',
        'custom_fields.multi_enum_values.name',
        'custom_fields.number_value',
        'custom_fields.text_value',
        'custom_fields.display_value',
      ]),
    );
  });

  test.each([
    ['enum No', { billing: false }, false],
    ['a text field holding ✓', { billing: 'checkbox-text' as const }, true],
    ['no "Billing milestone" field', {}, false],
    ["no field, but Asana's native milestone type", { subtype: 'milestone' as const }, true],
    ['a native milestone explicitly marked No', { subtype: 'milestone' as const, billing: false }, false],
  ])('billing flag: %s', async (label, spec, expected) => {
    const gid = `b-${label.replace(/\W+/g, '-')}`;
    asana.addTask(asanaTask({ gid, name: label, projectGid: '77', ...spec }));
    expect((await tool().fetchTask(gid)).isBillingMilestone).toBe(expected);
  });

  test('quantity, rate and client; an open task has no completion date', async () => {
    asana.addTask(asanaTask({ gid: '3', name: 'Design sprint', billing: true, quantity: 12, rate: 95, client: 'Acme Ltd', projectGid: '77', completed: false }));
    expect(await tool().fetchTask('3')).toMatchObject({
      isBillingMilestone: true,
      amount: null,
      quantity: 12,
      rate: 95,
      clientName: 'Acme Ltd',
      completed: false,
      completedAt: null,
    });
  });

  test('field names are matched case-insensitively; multi-enum, text and enum values are read', async () => {
    const base = asanaTask({ gid: '5', name: 'Hand-made fields', projectGid: '77' });
    const task: AsanaTaskJson = {
      ...base,
      custom_fields: [
        {
          gid: 'f1',
          resource_type: 'custom_field',
          name: ' BILLING MILESTONE ',
          resource_subtype: 'multi_enum',
          multi_enum_values: [
            { gid: 'o1', name: 'Invoice later' },
            { gid: 'o2', name: 'yes' },
          ],
          display_value: 'Invoice later, yes',
        },
        { gid: 'f2', resource_type: 'custom_field', name: 'amount', resource_subtype: 'text', text_value: '1,250.00', display_value: '1,250.00' },
        { gid: 'f3', resource_type: 'custom_field', name: 'CLIENT', resource_subtype: 'enum', enum_value: { gid: 'o3', name: 'globex' }, display_value: 'globex' },
        { gid: 'f4', resource_type: 'custom_field', name: 'Rate', resource_subtype: 'text', text_value: 'ask Sam', display_value: 'ask Sam' },
      ],
    };
    asana.addTask(task);
    expect(await tool().fetchTask('5')).toMatchObject({ isBillingMilestone: true, amount: '1,250.00', rate: null, clientName: 'globex' });
  });

  test('an amount kept in a text field comes back as the decimal string', async () => {
    asana.addTask(asanaTask({ gid: '6', name: 'Text amount', billing: true, amount: '980.40', projectGid: '77' }));
    expect((await tool().fetchTask('6')).amount).toBe('980.40');
  });
});

describe('Asana project tool: errors are coded', () => {
  test('unknown task → not_found; wrong token → auth; nothing listening → unavailable', async () => {
    await expect(tool().fetchTask('404')).rejects.toMatchObject({ name: 'ProjectToolError', code: 'not_found', retryable: false });
    await expect(tool().fetchTask('404')).rejects.toThrow(/Unknown object/);
    await expect(createAsanaTool({ accessToken: 'wrong', apiUrl: asana.url }).fetchTask('1')).rejects.toMatchObject({ code: 'auth', retryable: false });
    const down = createAsanaTool({ accessToken: 'x', apiUrl: 'http://127.0.0.1:1' }).fetchTask('1');
    await expect(down).rejects.toBeInstanceOf(ProjectToolError);
    await expect(down).rejects.toMatchObject({ code: 'unavailable', retryable: true });
  });

  test('5xx → unavailable (retryable), 400 → invalid (permanent)', async () => {
    asana.failNext(1, 503);
    await expect(tool().fetchTask('1')).rejects.toMatchObject({ code: 'unavailable', retryable: true });
    asana.failNext(1, 400);
    await expect(tool().fetchTask('1')).rejects.toMatchObject({ code: 'invalid', retryable: false });
  });

  test('429 with Retry-After is waited out and retried at most 3 times', async () => {
    asana.addTask(asanaTask({ gid: '9', name: 'Rate limited', billing: true, amount: 1, projectGid: '77' }));
    const before = requestsFor('/api/1.0/tasks/9').length;
    asana.failNext(3, 429, { 'Retry-After': '0' });
    expect((await tool().fetchTask('9')).name).toBe('Rate limited');
    expect(requestsFor('/api/1.0/tasks/9').length - before).toBe(4);

    asana.failNext(4, 429, { 'Retry-After': '0' });
    await expect(tool().fetchTask('9')).rejects.toMatchObject({ code: 'rate_limited', retryable: true });
    expect(requestsFor('/api/1.0/tasks/9').length - before).toBe(8);
  });

  test('each attempt and each 429 wait is told to the metrics, by status', async () => {
    asana.addTask(asanaTask({ gid: '19', name: 'Observed', billing: true, amount: 1, projectGid: '77' }));
    const metrics = new Metrics({ defaultMetrics: false });
    const observed = createAsanaTool({ accessToken: asana.token, apiUrl: asana.url, observe: metrics.for('asana') });
    asana.failNext(2, 429, { 'Retry-After': '0' });
    await observed.fetchTask('19');
    asana.failNext(1, 404);
    await expect(observed.fetchTask('19')).rejects.toMatchObject({ code: 'not_found' });
    const samples = parseMetrics(await metrics.render({ database: null }));
    expect(total(samples, 'duebot_provider_calls_total', { provider: 'asana', operation: 'GET', status: 'rate_limited' })).toBe(2);
    expect(total(samples, 'duebot_provider_calls_total', { provider: 'asana', operation: 'GET', status: 'ok' })).toBe(1);
    expect(total(samples, 'duebot_provider_calls_total', { provider: 'asana', operation: 'GET', status: 'not_found' })).toBe(1);
    expect(total(samples, 'duebot_provider_calls_total')).toBe(4);
    expect(total(samples, 'duebot_rate_limit_waits_total', { provider: 'asana' })).toBe(2);
    expect(total(samples, 'duebot_rate_limit_wait_seconds_total', { provider: 'asana' })).toBe(0);
  });

  test('Retry-After: 1 is honoured before the retry', async () => {
    asana.failNext(1, 429, { 'Retry-After': '1' });
    const started = Date.now();
    await tool().fetchTask('9');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });
});

describe('Asana project tool: creating escalation tasks', () => {
  test('posts name, notes, project, assignee and due date, and returns the new gid and link', async () => {
    const created = await tool().createTask({
      projectId: '77',
      title: 'Escalation: Invoice #INV-0001 unpaid 30 days',
      notes: 'Balance $1.00',
      assignee: 'owner@agency.example',
      dueOn: '2026-11-20',
    });
    expect(created.taskId).toMatch(/^\d+$/);
    expect(created.url).toBe(`https://app.asana.com/0/77/${created.taskId}`);
    expect(asana.createdTasks.at(-1)).toEqual({
      data: { name: 'Escalation: Invoice #INV-0001 unpaid 30 days', notes: 'Balance $1.00', projects: ['77'], assignee: 'owner@agency.example', due_on: '2026-11-20' },
    });
    const request = asana.requests.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', path: '/api/1.0/tasks', authorization: `Bearer ${asana.token}` });
    expect(await tool().fetchTask(created.taskId)).toMatchObject({ name: 'Escalation: Invoice #INV-0001 unpaid 30 days', completed: false, projectIds: ['77'] });
  });

  test('no assignee and no due date leave those fields out', async () => {
    await tool().createTask({ projectId: '78', title: 'Unassigned', notes: '', assignee: null, dueOn: null });
    expect(asana.createdTasks.at(-1)).toEqual({ data: { name: 'Unassigned', notes: '', projects: ['78'] } });
  });

  test('a refused create is coded', async () => {
    asana.failNext(1, 403);
    await expect(tool().createTask({ projectId: '77', title: 'x', notes: '', assignee: null, dueOn: null })).rejects.toMatchObject({ code: 'auth' });
  });
});

describe('Asana project tool: time tracking entries', () => {
  test("the milestone's entries and its subtasks' (each under its subtask), every page read, minutes → ms", async () => {
    const milestone = asanaTask({ gid: '70', name: 'Website', billing: true, projectGid: '77' });
    asana.addTask(milestone);
    asana.addSubtask('70', asanaTask({ gid: '71', name: 'Wireframes', projectGid: '77' }));
    asana.addSubtask('70', asanaTask({ gid: '72', name: 'No time here', projectGid: '77' }));
    const dana = { gid: '1101', name: 'Dana Scully' };
    const sam = { gid: '1102', name: 'Sam Tyler' };
    // 105 entries on the milestone: more than one page of 100.
    for (let i = 0; i < 105; i += 1) asana.logTime('70', 2, i % 2 ? dana : sam);
    asana.logTime('71', 90, dana);
    const entries = await tool().fetchTimeEntries!(await tool().fetchTask('70'));
    expect(entries).toHaveLength(106);
    expect(entries.filter((e) => e.taskId === '70').reduce((n, e) => n + e.durationMs, 0)).toBe(210 * 60_000);
    expect(entries.at(-1)).toEqual({ taskId: '71', taskName: 'Wireframes', person: { id: '1101', name: 'Dana Scully', email: null }, durationMs: 90 * 60_000 });
    const pages = requestsFor('/api/1.0/tasks/70/time_tracking_entries');
    expect(pages).toHaveLength(2);
    expect(new URLSearchParams(pages[1]!.query).get('offset')).toBeTruthy();
    expect(new URLSearchParams(pages[0]!.query).get('opt_fields')).toContain('duration_minutes');
    expect(requestsFor('/api/1.0/tasks/72/time_tracking_entries')).toHaveLength(1);
  });

  test('a task without entries has none; an unknown task is not_found', async () => {
    asana.addTask(asanaTask({ gid: '73', name: 'Untracked', billing: true, projectGid: '77' }));
    expect(await tool().fetchTimeEntries!(await tool().fetchTask('73'))).toEqual([]);
    await expect(tool().fetchTimeEntries!({ ...(await tool().fetchTask('73')), taskId: '404404' })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('Asana project tool: open tasks for the forecast', () => {
  test("a project's incomplete tasks (completed_since=now) with their due dates", async () => {
    asana.addTask(asanaTask({ gid: '80', name: 'Next phase', billing: true, amount: 900, projectGid: '88', completed: false, dueOn: '2026-12-20' }));
    asana.addTask(asanaTask({ gid: '81', name: 'Done phase', billing: true, amount: 900, projectGid: '88' }));
    const tasks = await tool().listOpenTasks!(['88']);
    expect(tasks.map((t) => [t.taskId, t.completed, t.dueOn, t.amount])).toEqual([['80', false, '2026-12-20', 900]]);
    expect(new URLSearchParams(requestsFor('/api/1.0/projects/88/tasks')[0]!.query).get('completed_since')).toBe('now');
  });
});

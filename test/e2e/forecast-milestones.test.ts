import { startHarness, type Harness } from '../support/harness.js';
import { asanaTask } from '../support/fake-asana.js';
import { clickupTask } from '../support/fake-clickup.js';
import { addDays, localDate } from '../../src/domain/calendar.js';
import { forecastNow } from '../../src/usecases/forecast.js';
import { OPEN_TASKS_STALE_LIMIT_MS, UPCOMING_TIMEOUT_MS } from '../../src/usecases/upcoming-milestones.js';
import { DEFAULT_FORECAST_MILESTONES_CACHE_MS } from '../../src/domain/forecast.js';
import { waitFor } from '../support/http-stub.js';

/**
 * Upcoming billing milestones in `/invoices forecast`: read from Asana and ClickUp (through each client's
 * mapping), issued on their due date; the lists are reused for a minute; a tool that is too slow is left out
 * and the forecast says so, in time.
 */
const CLIENTS = `
clients:
  - id: acme
    name: Acme Ltd
    emails: [ap@acme.example]
    currency: USD
    paymentTermsDays: 7
    asanaProjects: ["1200"]
    clickupLists: ["901"]
  - id: globex
    name: Globex
    emails: [ap@globex.example]
    currency: USD
    paymentTermsDays: 10
    asanaProjects: ["1300"]
    mapping: { billingField: "Invoice this", amountField: Fee }
`;

let h: Harness;
let today: string;
beforeAll(async () => {
  h = await startHarness({ clientsYaml: CLIENTS, tools: ['clickup'] });
  today = localDate(h.bot.services.clock.now(), h.bot.services.settings.timezone);
  const open = { completed: false, projectGid: '1200' };
  h.asana.addTask(asanaTask({ ...open, gid: '7001', name: 'Launch', billing: true, amount: 2000, dueOn: addDays(today, 10) }));
  h.asana.addTask(asanaTask({ ...open, gid: '7002', name: 'Internal chore', billing: false, amount: 99, dueOn: addDays(today, 3) }));
  h.asana.addTask(asanaTask({ ...open, gid: '7003', name: 'Undated', billing: true, amount: 400 }));
  h.asana.addTask(asanaTask({ ...open, gid: '7004', name: 'Already done', billing: true, amount: 500, dueOn: addDays(today, 2), completed: true }));
  // Overdue but not done: expected as if issued tomorrow.
  h.asana.addTask(asanaTask({ ...open, gid: '7005', name: 'Late', billing: true, amount: 100, dueOn: addDays(today, -5) }));
  // globex's own field names: its "Fee" counts, a task with the default names does not.
  const own = asanaTask({ gid: '7101', name: 'Globex phase 2', billing: true, amount: 800, dueOn: addDays(today, 4), completed: false, projectGid: '1300' });
  h.asana.addTask({
    ...own,
    custom_fields: own.custom_fields.map((f) => ({ ...f, name: f.name === 'Amount' ? 'Fee' : f.name === 'Billing milestone' ? 'Invoice this' : f.name })),
  });
  h.asana.addTask(asanaTask({ gid: '7102', name: 'Globex default names', billing: true, amount: 9000, dueOn: addDays(today, 4), completed: false, projectGid: '1300' }));
  h.clickup!.addTask(clickupTask({ id: 'up1', name: 'ClickUp phase', listId: '901', done: false, billing: true, amount: 300, dueOn: addDays(today, 5) }));
  h.clickup!.addTask(clickupTask({ id: 'up2', name: 'ClickUp closed', listId: '901', done: true, billing: true, amount: 300, dueOn: addDays(today, 5) }));
});
afterAll(async () => h.stop());

test("open, dated billing milestones are scheduled inflows: issued on their due date, due after the client's terms", async () => {
  const outlook = await forecastNow(h.bot.services);
  const scheduled = outlook.forecast.payments.filter((p) => p.kind === 'scheduled').map((p) => ({ number: p.number, amount: p.amount, dueDate: p.dueDate }));
  expect(scheduled).toEqual(
    expect.arrayContaining([
      { number: 'asana:7001', amount: 200_000, dueDate: addDays(today, 17) },
      { number: 'asana:7005', amount: 10_000, dueDate: addDays(today, 8) },
      { number: 'asana:7101', amount: 80_000, dueDate: addDays(today, 14) },
      { number: 'clickup:up1', amount: 30_000, dueDate: addDays(today, 12) },
    ]),
  );
  expect(scheduled).toHaveLength(4);
  expect(outlook.notes).toEqual([]);
  expect(outlook.currencies[0]!.forecast.total30d).toBe(320_000);
});

const clickupLists = () => h.clickup!.requests.filter((r) => r.path.startsWith('/api/v2/list/901/task')).length;
const clickupNumbers = async () => (await forecastNow(h.bot.services)).forecast.payments.filter((p) => p.number.startsWith('clickup:')).map((p) => p.number);

test('the lists are reused for the cache time, then the last one answers while a fresh one is read', async () => {
  const asked = clickupLists();
  h.clickup!.addTask(clickupTask({ id: 'up3', name: 'ClickUp phase 3', listId: '901', done: false, billing: true, amount: 50, dueOn: addDays(today, 6) }));
  expect(await clickupNumbers()).toEqual(['clickup:up1']);
  expect(clickupLists()).toBe(asked);

  // Past the cache time: the last list answers at once (even from a slow tool) and one refresh is read behind it.
  h.clock.advance(DEFAULT_FORECAST_MILESTONES_CACHE_MS + 1000);
  h.clickup!.slowDown(300);
  try {
    expect(await clickupNumbers()).toEqual(['clickup:up1']);
    expect(await clickupNumbers()).toEqual(['clickup:up1']);
    await waitFor(() => clickupLists() > asked, 5000, 'the refresh');
    const numbers = await waitFor(async () => ((await clickupNumbers()).length === 2 ? clickupNumbers() : null), 5000, 'the refreshed list');
    expect(numbers.sort()).toEqual(['clickup:up1', 'clickup:up3']);
    expect(clickupLists()).toBe(asked + 1);
  } finally {
    h.clickup!.slowDown(0);
  }
});

test('a tool slower than the budget is left out, said in the reply, and the forecast still comes within Slack time', async () => {
  // Far slower than the budget, so the reply cannot come by the tool answering after all; the last list is too old to use.
  const toolDelayMs = 45_000;
  h.clock.advance(OPEN_TASKS_STALE_LIMIT_MS + 1000);
  h.clickup!.slowDown(toolDelayMs);
  try {
    const count = h.slack.responses.length;
    const started = Date.now();
    await h.slashCommand('forecast');
    const reply = await h.slack.waitFor(() => h.slack.responses.slice(count).find((r) => JSON.stringify(r.body).includes('Cash-flow forecast')), 30_000);
    // The budget was waited out, the tool never was (how much longer the rest took depends on the machine's load).
    expect(Date.now() - started).toBeGreaterThanOrEqual(UPCOMING_TIMEOUT_MS);
    expect(Date.now() - started).toBeLessThan(toolDelayMs);
    const text = JSON.stringify(reply.body);
    expect(text).toContain('clickup did not answer within 2 s: its upcoming milestones are not included.');
    expect(text).toContain('expected in the next 30 days *$2,900.00*');
  } finally {
    h.clickup!.slowDown(0);
  }
});

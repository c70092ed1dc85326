import { DEFAULT_MAPPING, readFacts, remapTask, taskField, type TaskFacts } from '../../src/providers/projects/mapping.js';
import type { ProjectTask } from '../../src/providers/projects/tool.js';

const facts = (over: Partial<TaskFacts> = {}): TaskFacts => ({
  fields: [
    taskField('Billing milestone', 'Yes'),
    taskField('Amount', '1,500.00'),
    taskField('Invoice?', '✓'),
    taskField('Fee', '900'),
    taskField('Customer', ' Globex '),
    taskField('Hours', '12.5'),
    taskField('Hourly', '95'),
  ],
  tags: ['billable', 'Q4'],
  statuses: ['complete'],
  doneByTool: true,
  nativeMilestone: false,
  ...over,
});
const custom = { ...DEFAULT_MAPPING, billingField: 'invoice?', amountField: 'FEE', quantityField: 'Hours', rateField: 'Hourly', clientField: 'customer' };

describe('reading a task through a mapping', () => {
  test('the default names', () => {
    expect(readFacts(facts())).toEqual({ completed: true, isBillingMilestone: true, amount: '1,500.00', quantity: null, rate: null, clientName: null });
  });

  test("a client's own names, case-insensitively; the default fields are not read", () => {
    expect(readFacts(facts({ fields: facts().fields.filter((f) => f.name !== 'Billing milestone') }), custom)).toEqual({
      completed: true,
      isBillingMilestone: true,
      amount: '900',
      quantity: '12.5',
      rate: '95',
      clientName: 'Globex',
    });
    const onlyDefaults = facts({ fields: [taskField('Billing milestone', 'Yes'), taskField('Amount', '10')] });
    expect(readFacts(onlyDefaults, custom)).toMatchObject({ isBillingMilestone: false, amount: null });
  });

  test('a billing tag marks a milestone; without field or tag the native milestone type counts only when no tag is configured', () => {
    const noField = facts({ fields: [] });
    expect(readFacts(noField, { ...DEFAULT_MAPPING, billingTag: 'BILLABLE' }).isBillingMilestone).toBe(true);
    expect(readFacts(noField, { ...DEFAULT_MAPPING, billingTag: 'invoice' }).isBillingMilestone).toBe(false);
    expect(readFacts({ ...noField, nativeMilestone: true }).isBillingMilestone).toBe(true);
    expect(readFacts({ ...noField, nativeMilestone: true }, { ...DEFAULT_MAPPING, billingTag: 'invoice' }).isBillingMilestone).toBe(false);
  });

  test("a done status replaces the tool's rule where the tool has statuses; Asana's completed flag and Trello's due-complete still count", () => {
    const ready = { ...DEFAULT_MAPPING, doneStatus: 'Ready to bill' };
    expect(readFacts(facts({ statuses: ['complete'], doneByTool: true }), ready).completed).toBe(false);
    expect(readFacts(facts({ statuses: ['ready to bill '], doneByTool: false }), ready).completed).toBe(true);
    expect(readFacts(facts({ statuses: [], doneByTool: true }), ready).completed).toBe(true);
    expect(readFacts(facts({ statuses: ['To do'], doneByTool: false, doneAnyway: true }), ready).completed).toBe(true);
  });

  test('remapTask re-reads a fetched task; tasks without facts (the generic webhook) stay as they are', () => {
    const base = { taskId: 't', name: 'T', completedAt: null, url: null, projectIds: [] };
    const task: ProjectTask = {
      ...base,
      completed: true,
      isBillingMilestone: true,
      amount: '1,500.00',
      quantity: null,
      rate: null,
      clientName: null,
      facts: facts({ fields: [taskField('Fee', '900')] }),
    };
    expect(remapTask(task, custom)).toMatchObject({ isBillingMilestone: false, amount: '900' });
    const generic: ProjectTask = { ...base, completed: true, isBillingMilestone: true, amount: null, quantity: null, rate: null, clientName: 'acme' };
    expect(remapTask(generic, custom)).toBe(generic);
  });
});

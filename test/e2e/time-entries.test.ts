import { startHarness, APPROVER, BILLING_CHANNEL, type Harness } from '../support/harness.js';
import { asanaTask, completedEvent } from '../support/fake-asana.js';
import { findInvoiceBySource } from '../../src/store/invoices.js';

/**
 * A milestone with tracked time, end to end: Asana's time tracking entries (the milestone's and its
 * subtasks') become hours × rate lines on the Slack draft and, after approval, on the Stripe invoice.
 */
const CLIENTS = `
clients:
  - id: acme
    name: Acme Ltd
    emails: [ap@acme.example]
    currency: USD
    paymentTermsDays: 7
    asanaProjects: ["1200"]
    timeEntries:
      rate: "120.00"
      personRates: { "Dana Scully": "150.00" }
  - id: globex
    name: Globex
    emails: billing@globex.example
    currency: EUR
    asanaProjects: ["1300"]
    autoSend: true
    timeEntries: { rate: 90, groupBy: person }
`;

const dana = { gid: '1101', name: 'Dana Scully' };
const sam = { gid: '1102', name: 'Sam Tyler' };
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ clientsYaml: CLIENTS });
});
afterAll(async () => h.stop());

const stripeLines = (stripeId: string) =>
  (h.stripe.invoices.get(stripeId) as unknown as { lines: { data: { description: string; amount: number }[] } }).lines.data.map((l) => ({
    description: l.description,
    amount: l.amount,
  }));

test('lines per task at the person rates: on the draft, in Slack and on the Stripe invoice after approval', async () => {
  // An Amount is set too: tracked time wins when there is any.
  h.asana.addTask(asanaTask({ gid: '9100', name: 'Website', billing: true, amount: 5000, projectGid: '1200' }));
  h.asana.addSubtask('9100', asanaTask({ gid: '9101', name: 'Wireframes', projectGid: '1200', completed: false }));
  h.asana.logTime('9100', 90, dana);
  h.asana.logTime('9100', 20, sam);
  h.asana.logTime('9101', 45, sam);
  expect((await h.deliverAsana([completedEvent('9100')])).status).toBe(200);

  const draft = await h.slack.waitFor(() => findInvoiceBySource(h.bot.services.db.pool, 'asana', '9100'));
  expect(draft.lines).toEqual([
    { description: 'Website (Dana Scully)', quantity: '1.5', unitAmount: 15_000, amount: 22_500 },
    { description: 'Website (Sam Tyler)', quantity: '0.33', unitAmount: 12_000, amount: 3_960 },
    { description: 'Wireframes', quantity: '0.75', unitAmount: 12_000, amount: 9_000 },
  ]);
  expect(draft.total).toBe(35_460);
  const post = await h.slack.waitFor(() => h.slack.messages(BILLING_CHANNEL).find((m) => JSON.stringify(m.args).includes(draft.number)));
  expect(JSON.stringify(post.args)).toContain('$354.60');

  expect((await h.clickButton('approve_invoice', draft.id, APPROVER)).status).toBe(200);
  const sent = await h.waitForStatus(draft.id, 'sent');
  expect(stripeLines(sent.providerInvoiceId!)).toEqual([
    { description: 'Website (Dana Scully) (1.5 × $150.00)', amount: 22_500 },
    { description: 'Website (Sam Tyler) (0.33 × $120.00)', amount: 3_960 },
    { description: 'Wireframes (0.75 × $120.00)', amount: 9_000 },
  ]);
});

test('grouped per person across the subtasks; a milestone without tracked time falls back to its Amount', async () => {
  h.asana.addTask(asanaTask({ gid: '9200', name: 'Audit', billing: true, projectGid: '1300' }));
  h.asana.addSubtask('9200', asanaTask({ gid: '9201', name: 'Interviews', projectGid: '1300' }));
  h.asana.logTime('9200', 60, dana);
  h.asana.logTime('9201', 30, dana);
  h.asana.logTime('9201', 15, sam);
  h.asana.addTask(asanaTask({ gid: '9300', name: 'Fixed fee', billing: true, amount: 700, projectGid: '1300' }));
  expect((await h.deliverAsana([completedEvent('9200'), completedEvent('9300')])).status).toBe(200);

  const audit = await h.slack.waitFor(() => findInvoiceBySource(h.bot.services.db.pool, 'asana', '9200'));
  expect(audit.lines).toEqual([
    { description: 'Audit: Dana Scully', quantity: '1.5', unitAmount: 9_000, amount: 13_500 },
    { description: 'Audit: Sam Tyler', quantity: '0.25', unitAmount: 9_000, amount: 2_250 },
  ]);
  // globex is auto-send: straight to Stripe.
  const sent = await h.waitForStatus(audit.id, 'sent');
  expect(stripeLines(sent.providerInvoiceId!)).toEqual([
    { description: 'Audit: Dana Scully (1.5 × €90.00)', amount: 13_500 },
    { description: 'Audit: Sam Tyler (0.25 × €90.00)', amount: 2_250 },
  ]);
  const fixed = await h.slack.waitFor(() => findInvoiceBySource(h.bot.services.db.pool, 'asana', '9300'));
  expect(fixed.lines).toEqual([{ description: 'Fixed fee', quantity: '1', unitAmount: 70_000, amount: 70_000 }]);
});

import { startHarness, type Harness } from '../support/harness.js';
import { clickupDelivery, clickupTask, statusUpdatedEvent } from '../support/fake-clickup.js';
import { findInvoiceBySource } from '../../src/store/invoices.js';

/**
 * A client whose mapping names its own done status: the webhook lets that status through (and the tool's
 * own closed statuses as before), and the read-back decides per client which one means "invoice now".
 */
const CLIENTS = `
clients:
  - id: acme
    name: Acme Ltd
    emails: [ap@acme.example]
    clickupLists: ["901"]
  - id: globex
    name: Globex
    emails: [ap@globex.example]
    clickupLists: ["903"]
    mapping: { doneStatus: Ready to bill, billingTag: invoice }
`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ clientsYaml: CLIENTS, tools: ['clickup'] });
});
afterAll(async () => h.stop());

const settle = () => new Promise((r) => setTimeout(r, 400));
const moveTo = async (taskId: string, status: { status: string; type: string }) => {
  const event = statusUpdatedEvent(taskId, h.clickup!.webhookId);
  (event.history_items as { after: unknown }[])[0]!.after = { ...status, color: '#aaa' };
  const d = clickupDelivery(h.clickup!.webhookSecret, event);
  return h.send('/webhooks/clickup', d.body, d.headers);
};
/** A ClickUp task in a custom status, marked by the tag "invoice" and no billing field. */
const tagged = (id: string, listId: string, status: { status: string; type: string }) => ({
  ...clickupTask({ id, name: `Task ${id}`, listId, amount: 450 }),
  custom_fields: [{ id: 'f-amount', name: 'Amount', type: 'currency', type_config: {}, value: '450' }],
  tags: [{ name: 'Invoice', tag_fg: '#fff', tag_bg: '#000', creator: 183 }],
  status: { ...status, color: '#aaa', orderindex: 2 },
});

test("globex's own done status invoices; its tag marks the milestone", async () => {
  const ready = { status: 'ready to bill', type: 'custom' };
  h.clickup!.addTask(tagged('g1', '903', ready));
  expect((await moveTo('g1', ready)).status).toBe(200);
  const invoice = await h.slack.waitFor(() => findInvoiceBySource(h.bot.services.db.pool, 'clickup', 'g1'));
  expect(invoice).toMatchObject({ clientId: 'globex', total: 45_000 });
});

test("for globex a closed status is not done; for acme (default mapping) 'ready to bill' is not done nor is the tag a milestone", async () => {
  const closed = { status: 'complete', type: 'closed' };
  h.clickup!.addTask(tagged('g2', '903', closed));
  expect((await moveTo('g2', closed)).status).toBe(200);
  const ready = { status: 'ready to bill', type: 'custom' };
  h.clickup!.addTask(tagged('a1', '901', ready));
  expect((await moveTo('a1', ready)).status).toBe(200);
  h.clickup!.addTask(tagged('a2', '901', closed));
  expect((await moveTo('a2', closed)).status).toBe(200);
  await settle();
  for (const id of ['g2', 'a1', 'a2']) expect(await findInvoiceBySource(h.bot.services.db.pool, 'clickup', id)).toBeNull();
  // A status nobody maps is not even stored.
  expect(await (await moveTo('g2', { status: 'in review', type: 'custom' })).json()).toMatchObject({ accepted: 0 });
});

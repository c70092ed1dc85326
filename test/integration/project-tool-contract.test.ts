import { SignJWT } from 'jose';
import { startHarness, APPROVER, BILLING_CHANNEL, OWNER, type Harness } from '../support/harness.js';
import { asanaDelivery, asanaTask, completedEvent, connectAsanaWebhook } from '../support/fake-asana.js';
import { clickupDelivery, clickupTask, statusUpdatedEvent } from '../support/fake-clickup.js';
import { cardMovedAction, trelloCard, trelloDelivery } from '../support/fake-trello.js';
import { mondayDelivery, mondayItem, statusChangedEvent } from '../support/fake-monday.js';
import { signGenericBody } from '../../src/providers/projects/generic.js';
import { countInbox } from '../../src/store/inbox.js';
import { findInvoiceBySource } from '../../src/store/invoices.js';

/**
 * The contract every project tool passes, through the real HTTP app, with deliveries signed the way each
 * tool signs them and the real HTTP client reading tasks back from (and writing escalations to) a local
 * server that speaks the tool's wire format.
 */

type ClientId = 'acme' | 'initech' | 'globex';
interface Delivery {
  path: string;
  body: string;
  headers: Record<string, string>;
}
interface TaskSpec {
  id: string;
  name: string;
  billing: boolean;
  amount: number;
  client: ClientId;
  /** Field names other than the defaults, for a client with its own mapping. */
  names?: FieldNames;
}
interface FieldNames {
  billing: string;
  amount: string;
}
/** globex's mapping in the clients file below. */
const GLOBEX_NAMES: FieldNames = { billing: 'Invoice this', amount: 'Fee' };
/** A field's name as the task carries it: a default name, or its replacement in `names`. */
const named = (name: string, names: FieldNames | undefined) => (names ? ({ 'Billing milestone': names.billing, Amount: names.amount }[name] ?? name) : name);
const renameFields = <T extends { name?: unknown; column?: { title?: unknown } }>(fields: T[], names: FieldNames | undefined): T[] =>
  fields.map((f) => (f.column ? { ...f, column: { ...f.column, title: named(String(f.column.title), names) } } : { ...f, name: named(String(f.name), names) }));
interface Driver {
  tool: 'asana' | 'clickup' | 'trello' | 'monday' | 'generic';
  /** A task id in the tool's own format, from a small number. */
  id(n: number): string;
  /** Answers the tool's set-up check (asserting inside), when the tool has one. */
  handshake?(h: Harness): Promise<void>;
  /** Puts the task in the tool, completed, and returns the tool's signed delivery saying so (a new event each call). */
  complete(h: Harness, task: TaskSpec): Promise<Delivery>;
  /** The same delivery with a signature that does not verify. */
  forge(h: Harness, delivery: Delivery): Promise<Delivery>;
  /** Waits for the day-30 escalation the tool received for the client, and checks where it went and to whom. */
  expectEscalation?(h: Harness, client: ClientId): Promise<void>;
  /** Tools without a task API (the generic webhook) have no "not a billing milestone" case. */
  billingFlag: boolean;
}

const CONTAINERS: Record<Driver['tool'], Record<ClientId, string>> = {
  asana: { acme: '1200', initech: '1400', globex: '1600' },
  clickup: { acme: '901', initech: '902', globex: '903' },
  trello: { acme: '65a0aa0000000000000000aa', initech: '65a0bb0000000000000000bb', globex: '65a0cc0000000000000000cc' },
  monday: { acme: '1234567890', initech: '1234567891', globex: '1234567892' },
  generic: { acme: '', initech: '', globex: '' },
};

const CLIENTS_YAML = `
clients:
  - id: acme
    name: Acme Ltd
    emails: [ap@acme.example]
    currency: USD
    paymentTermsDays: 7
    asanaProjects: ["${CONTAINERS.asana.acme}"]
    clickupLists: ["${CONTAINERS.clickup.acme}"]
    trelloBoards: ["${CONTAINERS.trello.acme}"]
    mondayBoards: ["${CONTAINERS.monday.acme}"]
  - id: initech
    name: Initech
    emails: [ap@initech.example]
    currency: USD
    paymentTermsDays: 7
    asanaProjects: ["${CONTAINERS.asana.initech}"]
    clickupLists: ["${CONTAINERS.clickup.initech}"]
    trelloBoards: ["${CONTAINERS.trello.initech}"]
    mondayBoards: ["${CONTAINERS.monday.initech}"]
    autoSend: true
    finalMode: pause
    reminders: [{ day: 30, tone: final }]
  - id: globex
    name: Globex
    emails: [ap@globex.example]
    currency: USD
    asanaProjects: ["${CONTAINERS.asana.globex}"]
    clickupLists: ["${CONTAINERS.clickup.globex}"]
    trelloBoards: ["${CONTAINERS.trello.globex}"]
    mondayBoards: ["${CONTAINERS.monday.globex}"]
    mapping: { billingField: "${GLOBEX_NAMES.billing}", amountField: "${GLOBEX_NAMES.amount}" }
`;

const replaceHeader = (d: Delivery, name: string, value: string): Delivery => ({ ...d, headers: { ...d.headers, [name]: value } });

const drivers: Driver[] = [
  {
    tool: 'asana',
    id: (n) => `88000${n}`,
    billingFlag: true,
    async handshake(h) {
      // Answered during duebot's own create call (an approver's connect), the only way it is accepted.
      const { answer } = await connectAsanaWebhook(h.bot.services, h.asana, CONTAINERS.asana.globex, APPROVER);
      expect(answer).toMatch(/webhook registered/);
    },
    async complete(h, t) {
      const task = asanaTask({ gid: t.id, name: t.name, completed: true, billing: t.billing, amount: t.amount, projectGid: CONTAINERS.asana[t.client] });
      h.asana.addTask({ ...task, custom_fields: renameFields(task.custom_fields, t.names) });
      return { path: h.asanaHookPath, ...asanaDelivery(h.hookSecret, [completedEvent(t.id)]) };
    },
    forge: async (_h, d) => replaceHeader(d, 'x-hook-signature', '0'.repeat(64)),
    async expectEscalation(h, client) {
      const task = await h.slack.waitFor(() => h.asana.createdTasks.find((c) => (c.data.projects as string[]).includes(CONTAINERS.asana[client])), 8000);
      expect(task.data).toMatchObject({ assignee: 'owner@agency.example', name: expect.stringMatching(/^Escalation: Invoice #/) });
    },
  },
  {
    tool: 'clickup',
    id: (n) => `86cu${n}`,
    billingFlag: true,
    async complete(h, t) {
      const task = clickupTask({ id: t.id, name: t.name, listId: CONTAINERS.clickup[t.client], billing: t.billing, amount: t.amount });
      h.clickup!.addTask({ ...task, custom_fields: renameFields(task.custom_fields as { name: string }[], t.names) });
      return { path: '/webhooks/clickup', ...clickupDelivery(h.clickup!.webhookSecret, statusUpdatedEvent(t.id, h.clickup!.webhookId)) };
    },
    forge: async (_h, d) => replaceHeader(d, 'x-signature', 'f'.repeat(64)),
    async expectEscalation(h, client) {
      const task = await h.slack.waitFor(() => h.clickup!.createdTasks.find((c) => c.listId === CONTAINERS.clickup[client]), 8000);
      expect(task.body).toMatchObject({ assignees: [183], name: expect.stringMatching(/^Escalation: Invoice #/), description: expect.stringContaining('Initech') });
    },
  },
  {
    tool: 'trello',
    id: (n) => `65c0cc00000000000000${String(n).padStart(4, '0')}`,
    billingFlag: true,
    async handshake(h) {
      const res = await h.send('/webhooks/trello', '', {}, 'HEAD');
      expect(res.status).toBe(200);
    },
    async complete(h, t) {
      const board = CONTAINERS.trello[t.client];
      const [todo, done] = h.trello!.lists(board) as [{ id: string; name: string }, { id: string; name: string }];
      h.trello!.renameFields(board, t.names ?? {}); // board-wide in Trello: reset for tasks with the default names
      h.trello!.addCard(trelloCard({ id: t.id, name: t.name, boardId: board, listId: done.id, billing: t.billing, amount: t.amount }));
      const payload = cardMovedAction({ id: t.id, name: t.name, boardId: board }, todo, done);
      return { path: '/webhooks/trello', ...trelloDelivery(h.trello!.appSecret, `${h.publicUrl}/webhooks/trello`, payload) };
    },
    // Signed with the right secret over the wrong callback URL: what a misconfigured TRELLO_CALLBACK_URL looks like.
    forge: async (h, d) => ({ ...d, headers: trelloDelivery(h.trello!.appSecret, 'https://elsewhere.test/webhooks/trello', JSON.parse(d.body)).headers }),
    async expectEscalation(h, client) {
      const [firstList] = h.trello!.lists(CONTAINERS.trello[client]);
      const card = await h.slack.waitFor(() => h.trello!.createdCards.find((c) => c.idList === firstList!.id), 8000);
      expect(card).toMatchObject({ idMembers: ['5f00bb0000000000000000bb'], name: expect.stringMatching(/^Escalation: Invoice #/), pos: 'top' });
    },
  },
  {
    tool: 'monday',
    id: (n) => `44556677${n}`,
    billingFlag: true,
    async handshake(h) {
      const res = await h.send('/webhooks/monday', JSON.stringify({ challenge: 'c-123' }), { 'content-type': 'application/json' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ challenge: 'c-123' });
    },
    async complete(h, t) {
      const board = CONTAINERS.monday[t.client];
      const item = mondayItem({ id: t.id, name: t.name, boardId: board, billing: t.billing, amount: t.amount });
      h.monday!.addItem({ ...item, column_values: renameFields(item.column_values as { column: { title: string } }[], t.names) });
      return {
        path: '/webhooks/monday',
        ...(await mondayDelivery(h.monday!.signingSecret, statusChangedEvent({ itemId: t.id, boardId: board }), `${h.publicUrl}/webhooks/monday`)),
      };
    },
    async forge(h, d) {
      const wrong = await new SignJWT({ aud: `${h.publicUrl}/webhooks/monday` })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode('not-the-signing-secret'));
      return replaceHeader(d, 'authorization', wrong);
    },
    async expectEscalation(h, client) {
      const item = await h.slack.waitFor(() => h.monday!.createdItems.find((i) => i.boardId === CONTAINERS.monday[client]), 8000);
      expect(item).toMatchObject({ name: expect.stringMatching(/^Escalation: Invoice #/), columnValues: { person: { personsAndTeams: [{ id: 9603417, kind: 'person' }] } } });
      await h.slack.waitFor(() => h.monday!.updates.find((u) => u.body.includes('Initech')));
    },
  },
  {
    tool: 'generic',
    id: (n) => `zap-${n}`,
    billingFlag: false,
    async complete(h, t) {
      const body = JSON.stringify({
        externalId: t.id,
        client: t.client,
        milestone: t.name,
        currency: 'USD',
        lines: [{ description: t.name, quantity: '1', unitAmount: t.amount.toFixed(2) }],
      });
      return { path: '/webhooks/generic', body, headers: { 'content-type': 'application/json', 'x-duebot-signature': signGenericBody(h.genericSecret!, body) } };
    },
    forge: async (_h, d) => replaceHeader(d, 'x-duebot-signature', `sha256=${'0'.repeat(64)}`),
  },
];

const settle = () => new Promise((r) => setTimeout(r, 400));

describe.each(drivers)('project tool contract: $tool', (d) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ clientsYaml: CLIENTS_YAML, tools: d.tool === 'asana' ? [] : [d.tool] });
  });
  afterAll(async () => h.stop());
  const pool = () => h.bot.services.db.pool;
  const send = (x: Delivery) => h.send(x.path, x.body, x.headers);
  const invoicesFor = async (id: string) =>
    (await pool().query<{ n: number }>('SELECT count(*)::int AS n FROM invoices WHERE source = $1 AND source_ref = $2', [d.tool, id])).rows[0]!.n;
  const draftPosts = (name: string) => h.slack.messages(BILLING_CHANNEL).filter((m) => JSON.stringify(m.args).includes(name));

  (d.handshake ? test : test.skip)('answers the set-up handshake', async () => {
    await d.handshake!(h);
  });

  test('a bad or missing signature gets 401 and nothing is stored', async () => {
    const before = await countInbox(pool(), d.tool);
    const good = await d.complete(h, { id: d.id(1), name: `${d.tool} forged milestone`, billing: true, amount: 999, client: 'acme' });
    expect((await send(await d.forge(h, good))).status).toBe(401);
    const unsigned = Object.fromEntries(Object.entries(good.headers).filter(([k]) => k === 'content-type'));
    expect((await h.send(good.path, good.body, unsigned)).status).toBe(401);
    await settle();
    expect(await countInbox(pool(), d.tool)).toBe(before);
    expect(await findInvoiceBySource(pool(), d.tool, d.id(1))).toBeNull();
  });

  test('a completed billing milestone makes exactly one draft invoice in Slack', async () => {
    const name = `${d.tool} milestone two`;
    const res = await send(await d.complete(h, { id: d.id(2), name, billing: true, amount: 1500, client: 'acme' }));
    expect(res.status).toBe(200);
    const invoice = await h.slack.waitFor(() => findInvoiceBySource(pool(), d.tool, d.id(2)));
    expect(invoice).toMatchObject({ clientId: 'acme', currency: 'USD', total: 150_000, milestone: name });
    await h.slack.waitFor(() => draftPosts(name)[0]);
    await settle();
    expect(draftPosts(name)).toHaveLength(1);
    expect((await findInvoiceBySource(pool(), d.tool, d.id(2)))!.status).toBe('draft');
  });

  test('a re-delivered or re-completed milestone never invoices twice', async () => {
    const name = `${d.tool} milestone three`;
    const task: TaskSpec = { id: d.id(3), name, billing: true, amount: 200, client: 'acme' };
    const first = await d.complete(h, task);
    const before = await countInbox(pool(), d.tool);
    const results = await Promise.all([send(first), send(first), send(first)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await countInbox(pool(), d.tool)).toBe(before + 1);
    await h.slack.waitFor(() => findInvoiceBySource(pool(), d.tool, task.id));
    // Completed again later (a new event from the tool): still the one invoice.
    expect((await send(await d.complete(h, task))).status).toBe(200);
    await settle();
    expect(await invoicesFor(task.id)).toBe(1);
    expect(draftPosts(name)).toHaveLength(1);
  });

  (d.billingFlag ? test : test.skip)('a task that is not a billing milestone is ignored', async () => {
    const res = await send(await d.complete(h, { id: d.id(4), name: `${d.tool} internal chore`, billing: false, amount: 50, client: 'acme' }));
    expect(res.status).toBe(200);
    await settle();
    expect(await findInvoiceBySource(pool(), d.tool, d.id(4))).toBeNull();
    expect(draftPosts(`${d.tool} internal chore`)).toHaveLength(0);
  });

  (d.billingFlag ? test : test.skip)('a client with its own mapping invoices from its own fields; the default names mean nothing there', async () => {
    const own = { id: d.id(6), name: `${d.tool} own fields`, billing: true, amount: 820, client: 'globex' as const, names: GLOBEX_NAMES };
    expect((await send(await d.complete(h, own))).status).toBe(200);
    const invoice = await h.slack.waitFor(() => findInvoiceBySource(pool(), d.tool, own.id));
    expect(invoice).toMatchObject({ clientId: 'globex', total: 82_000, milestone: own.name });
    // "Billing milestone" = yes and "Amount" set, but globex marks milestones with "Invoice this": not one.
    const defaults = { id: d.id(7), name: `${d.tool} default names`, billing: true, amount: 50, client: 'globex' as const };
    expect((await send(await d.complete(h, defaults))).status).toBe(200);
    await settle();
    expect(await findInvoiceBySource(pool(), d.tool, defaults.id)).toBeNull();
    expect(h.slack.messages(BILLING_CHANNEL).filter((m) => JSON.stringify(m.args).includes(defaults.name))).toHaveLength(0);
  });

  test('day 30 unpaid: the escalation goes to the tool the milestone came from, assigned to the owner', async () => {
    await send(await d.complete(h, { id: d.id(5), name: `${d.tool} escalate me`, billing: true, amount: 700, client: 'initech' }));
    const invoice = await h.slack.waitFor(() => findInvoiceBySource(pool(), d.tool, d.id(5)));
    await h.waitForStatus(invoice.id, 'sent');
    h.advanceDays(31);
    await h.smtp.waitFor((m) => /Final notice/i.test(m.subject) && m.subject.includes(invoice.number), 8000);
    await h.slack.waitFor(() => h.slack.callsTo('conversations.open').find((c) => c.args.users === OWNER), 8000);
    if (d.expectEscalation) await d.expectEscalation(h, 'initech');
    if (d.tool !== 'asana') expect(h.asana.createdTasks).toHaveLength(0);
  });
});

describe('every tool at once', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ clientsYaml: CLIENTS_YAML, tools: ['clickup', 'trello', 'monday', 'generic'] });
  });
  afterAll(async () => h.stop());

  test('a milestone from each tool, same id shape or not, makes one invoice each through the same core', async () => {
    // The same task id in two tools is two tasks: invoices are unique per (tool, task).
    for (const d of drivers) {
      const delivery = await d.complete(h, { id: d.tool === 'generic' ? drivers[0]!.id(9) : d.id(9), name: `${d.tool} mixed`, billing: true, amount: 100, client: 'acme' });
      const res = await h.send(delivery.path, delivery.body, delivery.headers);
      expect([d.tool, res.status]).toEqual([d.tool, 200]);
    }
    const rows = await h.slack.waitFor(async () => {
      const { rows } = await h.bot.services.db.pool.query<{ source: string; number: string }>(`SELECT source, number FROM invoices WHERE milestone LIKE '% mixed' ORDER BY source`);
      return rows.length === drivers.length ? rows : undefined;
    }, 8000);
    expect(rows.map((r) => r.source)).toEqual(['asana', 'clickup', 'generic', 'monday', 'trello']);
    expect(new Set(rows.map((r) => r.number)).size).toBe(drivers.length);
  });
});

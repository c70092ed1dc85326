import { createTrelloTool, verifyTrelloSignature } from '../../src/providers/projects/trello.js';
import { cardMovedAction, startFakeTrello, trelloCard, trelloDelivery, TRELLO_FIELDS, type FakeTrello } from '../support/fake-trello.js';

let trello: FakeTrello;
beforeAll(async () => {
  trello = await startFakeTrello();
});
afterAll(async () => trello.close());

const BOARD = '65a0aa0000000000000000aa';
const CALLBACK = 'https://duebot.test/webhooks/trello?from=trello';
const tool = (doneListIds: string[] = []) =>
  createTrelloTool({ apiKey: trello.apiKey, token: trello.token, appSecret: trello.appSecret, callbackUrl: CALLBACK, doneListIds, apiUrl: trello.url });
const [todo, done] = [() => trello.lists(BOARD)[0]!, () => trello.lists(BOARD)[1]!];

describe('Trello project tool against a local Trello API', () => {
  test('a card in the Done list with the checkbox set is a completed billing milestone of its board', async () => {
    trello.addCard(trelloCard({ id: '65c0cc0000000000000000c1', name: 'Milestone 2', boardId: BOARD, listId: done().id, billing: true, amount: 980.4 }));
    expect(await tool().fetchTask('65c0cc0000000000000000c1')).toEqual({
      taskId: '65c0cc0000000000000000c1',
      name: 'Milestone 2',
      completed: true,
      completedAt: new Date('2026-11-02T10:00:00.000Z'),
      url: expect.stringMatching(/^https:\/\/trello\.com\/c\//),
      projectIds: [BOARD],
      isBillingMilestone: true,
      amount: '980.4',
      quantity: null,
      rate: null,
      clientName: null,
      dueOn: null,
      facts: {
        fields: [
          { name: 'Billing milestone', text: 'true', number: null, yes: true },
          { name: 'Amount', text: '980.4', number: '980.4', yes: false },
        ],
        tags: [],
        statuses: ['Done'],
        doneByTool: true,
        doneAnyway: false,
        nativeMilestone: false,
      },
    });
  });

  test('configured Done list ids replace the name rule; a completed due date always counts; the Client text is read', async () => {
    trello.addCard({ ...trelloCard({ id: '65c0cc0000000000000000c2', name: 'In Done by name', boardId: BOARD, listId: done().id, billing: true }) });
    expect((await tool(['65ffffffffffffffffffffff']).fetchTask('65c0cc0000000000000000c2')).completed).toBe(false);
    expect((await tool([done().id]).fetchTask('65c0cc0000000000000000c2')).completed).toBe(true);
    const due = trelloCard({ id: '65c0cc0000000000000000c3', name: 'Due done', boardId: BOARD, listId: todo().id, dueComplete: true });
    trello.addCard({ ...due, customFieldItems: [{ id: 'i', idCustomField: TRELLO_FIELDS.client, value: { text: ' Acme Ltd ' } }] });
    expect(await tool().fetchTask('65c0cc0000000000000000c3')).toMatchObject({ completed: true, isBillingMilestone: false, clientName: 'Acme Ltd' });
  });

  test('errors name Trello and the status; the escalation card goes on top of the first list with the owner', async () => {
    await expect(tool().fetchTask('65c0cc00000000000000dead')).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/^Trello GET \/cards\/65c0cc00000000000000dead answered 404/),
    });
    await expect(
      createTrelloTool({ apiKey: 'k', token: 'wrong', appSecret: 's', callbackUrl: CALLBACK, doneListIds: [], apiUrl: trello.url }).fetchTask('x'),
    ).rejects.toMatchObject({ code: 'auth' });
    const created = await tool().createTask({ projectId: BOARD, title: 'Escalation', notes: 'Balance', assignee: '5f00bb0000000000000000bb', dueOn: null });
    expect(created.url).toMatch(/^https:\/\/trello\.com\/c\//);
    expect(trello.createdCards.at(-1)).toEqual({ idList: todo().id, name: 'Escalation', desc: 'Balance', pos: 'top', idMembers: ['5f00bb0000000000000000bb'] });
  });
});

describe('Trello webhook deliveries', () => {
  const receive = (payload: unknown, doneListIds: string[] = [], callback = CALLBACK) => {
    const d = trelloDelivery(trello.appSecret, callback, payload);
    return tool(doneListIds).webhook.receive({ method: 'POST', headers: d.headers, rawBody: Buffer.from(d.body) });
  };
  const card = { id: '65c0cc0000000000000000c1', name: 'M', boardId: BOARD };

  test('HEAD is answered 200 (Trello checks the callback URL before creating the webhook)', async () => {
    expect(await tool().webhook.receive({ method: 'HEAD', headers: {}, rawBody: Buffer.alloc(0) })).toEqual({ kind: 'reply', status: 200 });
  });

  test('a move into Done is one event keyed by the action id; other moves are ignored; configured ids win', async () => {
    const moved = cardMovedAction(card, todo(), done());
    expect(await receive(moved)).toEqual({ kind: 'events', ignored: 0, events: [{ externalId: (moved.action as { id: string }).id, taskId: card.id }] });
    expect(await receive(cardMovedAction(card, done(), todo()))).toEqual({ kind: 'events', events: [], ignored: 1 });
    expect(await receive(cardMovedAction(card, todo(), done()), [todo().id])).toMatchObject({ ignored: 1 });
  });

  test('a due date marked complete triggers; the signature covers the exact callback URL', async () => {
    const dueDone = {
      action: {
        id: 'a-due-1',
        type: 'updateCard',
        data: { card: { id: card.id, dueComplete: true }, old: { dueComplete: false } },
        display: { translationKey: 'action_marked_the_due_date_complete' },
      },
    };
    expect(await receive(dueDone)).toMatchObject({ events: [{ externalId: 'a-due-1', taskId: card.id }] });
    expect(await receive(dueDone, [], 'https://duebot.test/webhooks/trello')).toMatchObject({ kind: 'unauthorized' });
    expect(verifyTrelloSignature('s', CALLBACK, Buffer.from('{}'), undefined)).toBe(false);
  });
});

describe('Trello project tool: open cards for the forecast', () => {
  test("a board's open cards with their list, due date and custom fields", async () => {
    const board = '65a0ee0000000000000000ee';
    const [todo, done] = trello.lists(board) as [{ id: string; name: string }, { id: string; name: string }];
    trello.addCard(trelloCard({ id: '65c0ee0000000000000000e1', name: 'Phase 2', boardId: board, listId: todo.id, billing: true, amount: 640, dueOn: '2026-12-15' }));
    trello.addCard(trelloCard({ id: '65c0ee0000000000000000e2', name: 'Shipped', boardId: board, listId: done.id, billing: true, amount: 10 }));
    const tasks = await tool().listOpenTasks!([board]);
    expect(tasks.map((t) => ({ id: t.taskId, completed: t.completed, billing: t.isBillingMilestone, amount: t.amount, dueOn: t.dueOn, statuses: t.facts?.statuses }))).toEqual([
      { id: '65c0ee0000000000000000e1', completed: false, billing: true, amount: '640', dueOn: '2026-12-15', statuses: ['To do'] },
      { id: '65c0ee0000000000000000e2', completed: true, billing: true, amount: '10', dueOn: null, statuses: ['Done'] },
    ]);
  });
});

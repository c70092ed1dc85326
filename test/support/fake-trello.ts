import { randomBytes } from 'node:crypto';
import { hmacDigest } from '../../src/http/signatures.js';
import { startStub } from './http-stub.js';

/** Local stand-in for the Trello REST API, plus helpers that deliver webhooks like Trello does. */
export type TrelloCardJson = Record<string, unknown> & { id: string; idBoard: string };

export const TRELLO_FIELDS = { billing: '65f0000000000000000000b1', amount: '65f0000000000000000000a1', client: '65f0000000000000000000c1' };

export interface FakeTrello {
  url: string;
  apiKey: string;
  token: string;
  appSecret: string;
  cards: Map<string, TrelloCardJson>;
  /** Lists per board: the first is "To do", the second "Done". */
  lists(boardId: string): { id: string; name: string }[];
  createdCards: Record<string, unknown>[];
  addCard(card: TrelloCardJson): void;
  /** Gives a board's custom fields other names (a client mapping its own fields); the ids stay. */
  renameFields(boardId: string, names: Partial<Record<keyof typeof TRELLO_FIELDS, string>>): void;
  /** Webhooks created through POST /1/webhooks (each after its callback URL answered a HEAD with 200), by id. */
  webhooks: Map<string, { id: string; idModel: string; callbackURL: string }>;
  /** Ids deleted through DELETE /1/webhooks/{id}. */
  deletedWebhooks: string[];
  /** Where the HEAD check really goes: the callback URL's origin is replaced by this base (the bot's local URL). */
  routeTargetsTo(baseUrl: string): void;
  close(): Promise<void>;
}

const hex24 = (seed: string) => (seed + '0'.repeat(24)).slice(0, 24);

export async function startFakeTrello(): Promise<FakeTrello> {
  const apiKey = randomBytes(16).toString('hex');
  const token = `ATTA${randomBytes(16).toString('hex')}`;
  const cards = new Map<string, TrelloCardJson>();
  const createdCards: Record<string, unknown>[] = [];
  const fieldNames = new Map<string, Partial<Record<keyof typeof TRELLO_FIELDS, string>>>();
  const lists = (boardId: string) => [
    { id: hex24(`${boardId.slice(0, 10)}11`), name: 'To do' },
    { id: hex24(`${boardId.slice(0, 10)}dd`), name: 'Done' },
  ];
  let next = 1;
  const webhooks: FakeTrello['webhooks'] = new Map();
  const deletedWebhooks: string[] = [];
  let targetBase: string | null = null;
  /** As Trello does: a HEAD on the callback URL must answer 200 before the webhook exists. */
  async function createWebhook(body: string) {
    const params = JSON.parse(body || '{}') as { callbackURL?: unknown; idModel?: unknown; description?: unknown };
    if (typeof params.idModel !== 'string' || !/^[0-9a-f]{24}$/.test(params.idModel)) return { status: 400, body: 'invalid value for idModel' };
    if (typeof params.callbackURL !== 'string' || !/^https?:\/\//.test(params.callbackURL)) return { status: 400, body: 'invalid value for callbackURL' };
    const target = new URL(params.callbackURL);
    const reach = targetBase ? `${targetBase.replace(/\/+$/, '')}${target.pathname}${target.search}` : params.callbackURL;
    const status = await fetch(reach, { method: 'HEAD' })
      .then((r) => r.status)
      .catch(() => 0);
    if (status !== 200) return { status: 400, body: `URL (${params.callbackURL}) did not return 200 status code, got ${status}` };
    const id = hex24(`5eb00c${next++}`);
    webhooks.set(id, { id, idModel: params.idModel, callbackURL: params.callbackURL });
    return {
      status: 200,
      body: {
        id,
        description: params.description ?? '',
        idModel: params.idModel,
        callbackURL: params.callbackURL,
        active: true,
        consecutiveFailures: 0,
        firstConsecutiveFailDate: null,
      },
    };
  }
  const stub = await startStub((req) => {
    if (req.headers.authorization !== `OAuth oauth_consumer_key="${apiKey}", oauth_token="${token}"`) return { status: 401, body: 'invalid key' };
    if (req.method === 'POST' && req.path === '/1/webhooks') return createWebhook(req.body);
    const hook = /^\/1\/webhooks\/([^/]+)$/.exec(req.path);
    if (req.method === 'DELETE' && hook) {
      if (!webhooks.delete(hook[1]!)) return { status: 404, body: 'The requested resource was not found.' };
      deletedWebhooks.push(hook[1]!);
      return { status: 200, body: { _value: null } };
    }
    const card = /^\/1\/cards\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && card) {
      const found = cards.get(card[1]!);
      if (!found) return { status: 404, body: 'The requested resource was not found.' };
      const list = lists(found.idBoard).find((l) => l.id === found.idList);
      return { status: 200, body: { ...found, ...(req.query.get('list') === 'true' ? { list: { id: found.idList, name: list?.name ?? 'Other', closed: false } } : {}) } };
    }
    const fields = /^\/1\/boards\/([^/]+)\/customFields$/.exec(req.path);
    if (req.method === 'GET' && fields) {
      return {
        status: 200,
        body: [
          { id: TRELLO_FIELDS.billing, idModel: fields[1], modelType: 'board', name: fieldNames.get(fields[1]!)?.billing ?? 'Billing milestone', type: 'checkbox' },
          { id: TRELLO_FIELDS.amount, idModel: fields[1], modelType: 'board', name: fieldNames.get(fields[1]!)?.amount ?? 'Amount', type: 'number' },
          { id: TRELLO_FIELDS.client, idModel: fields[1], modelType: 'board', name: fieldNames.get(fields[1]!)?.client ?? 'Client', type: 'text' },
        ],
      };
    }
    const boardCards = /^\/1\/boards\/([^/]+)\/cards\/open$/.exec(req.path);
    if (req.method === 'GET' && boardCards) return { status: 200, body: [...cards.values()].filter((c) => c.idBoard === boardCards[1]) };
    const boardLists = /^\/1\/boards\/([^/]+)\/lists$/.exec(req.path);
    if (req.method === 'GET' && boardLists) return { status: 200, body: lists(boardLists[1]!).map((l) => ({ ...l, closed: false, idBoard: boardLists[1] })) };
    if (req.method === 'POST' && req.path === '/1/cards') {
      const body = JSON.parse(req.body || '{}') as Record<string, unknown>;
      if (typeof body.idList !== 'string') return { status: 400, body: 'invalid value for idList' };
      createdCards.push(body);
      const id = hex24(`c0ffee${next++}`);
      return {
        status: 200,
        body: {
          id,
          name: body.name,
          idList: body.idList,
          idMembers: body.idMembers ?? [],
          url: `https://trello.com/c/Esc${id.slice(-5)}/1-escalation`,
          shortUrl: `https://trello.com/c/Esc${id.slice(-5)}`,
        },
      };
    }
    return { status: 404, body: `Cannot ${req.method} ${req.path}` };
  });
  return {
    url: `http://127.0.0.1:${stub.port}/1`,
    apiKey,
    token,
    appSecret: randomBytes(32).toString('hex'),
    cards,
    lists,
    createdCards,
    addCard: (c) => void cards.set(c.id, c),
    renameFields: (boardId, names) => void fieldNames.set(boardId, names),
    webhooks,
    deletedWebhooks,
    routeTargetsTo(baseUrl) {
      targetBase = baseUrl;
    },
    close: stub.close,
  };
}

/** A card as `GET /cards/{id}?customFieldItems=true` returns it. */
export function trelloCard(spec: {
  id: string;
  name: string;
  boardId: string;
  listId: string;
  billing?: boolean;
  amount?: number;
  dueComplete?: boolean;
  dueOn?: string;
}): TrelloCardJson {
  return {
    id: spec.id,
    name: spec.name,
    idBoard: spec.boardId,
    idList: spec.listId,
    dueComplete: spec.dueComplete ?? false,
    due: spec.dueOn ? `${spec.dueOn}T16:00:00.000Z` : null,
    dateLastActivity: '2026-11-02T10:00:00.000Z',
    url: `https://trello.com/c/${spec.id.slice(-8)}/12-milestone`,
    customFieldItems: [
      ...(spec.billing ? [{ id: 'i1', idCustomField: TRELLO_FIELDS.billing, idModel: spec.id, modelType: 'card', value: { checked: 'true' } }] : []),
      ...(spec.amount === undefined ? [] : [{ id: 'i2', idCustomField: TRELLO_FIELDS.amount, idModel: spec.id, modelType: 'card', value: { number: String(spec.amount) } }]),
    ],
  };
}

let actionSeq = 0;
/** An `updateCard` action moving the card into a list; each call is a new action. */
export function cardMovedAction(
  card: { id: string; name: string; boardId: string },
  from: { id: string; name: string },
  to: { id: string; name: string },
): Record<string, unknown> {
  actionSeq += 1;
  return {
    action: {
      id: hex24(`6a10${actionSeq.toString(16)}ff`),
      idMemberCreator: '5f00bb0000000000000000bb',
      type: 'updateCard',
      date: '2026-11-02T10:00:00.000Z',
      data: {
        card: { id: card.id, name: card.name, idShort: 12, shortLink: 'AbCd1234', idList: to.id },
        old: { idList: from.id },
        listBefore: from,
        listAfter: to,
        board: { id: card.boardId, name: 'Client X' },
      },
      display: { translationKey: 'action_move_card_from_list_to_list' },
      memberCreator: { id: '5f00bb0000000000000000bb', username: 'jdoe' },
    },
    model: { id: card.boardId, name: 'Client X' },
  };
}

/** What Trello sends: the body, signed over body + callback URL with the app secret. */
export function trelloDelivery(appSecret: string, callbackUrl: string, payload: unknown): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(payload);
  return { body, headers: { 'content-type': 'application/json', 'x-trello-webhook': hmacDigest('sha1', appSecret, body + callbackUrl, 'base64') } };
}

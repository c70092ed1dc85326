import { z } from 'zod';
import { httpUrl } from '../../domain/web-url.js';
import { hmacDigest, safeEqual } from '../../http/signatures.js';
import { parseJson } from '../../http/raw-body.js';
import { deleteUnlessGone, header, jsonClient, ProjectToolError } from './http.js';
import { sameName, taskField, taskWithFacts } from './mapping.js';
import type { CallObserver } from '../call-observer.js';
import type { ProjectTask, WebhookOutcome, WebhookRegistrar, WebhookRequest, TaskWebhook, WritableProjectTool } from './tool.js';

/**
 * Trello through its REST API (`TRELLO_API_URL` overrides the base for tests). Boards are the containers.
 * A card moved into a Done list (the configured ids, or any list named "Done") or whose due date is marked
 * complete is read back and invoiced when its "Billing milestone" custom field says so.
 */
const DEFAULT_API = 'https://api.trello.com/1';
const CARD_FIELDS = 'name,idBoard,idList,due,dueComplete,labels,dateLastActivity,url';

export interface TrelloOptions {
  observe?: CallObserver;
  apiKey: string;
  token: string;
  appSecret: string;
  /** The exact callbackURL the webhook was registered with: part of the signed message. */
  callbackUrl: string;
  doneListIds: string[];
  /** List names clients' mappings call done (besides the done lists above). */
  doneStatuses?: string[];
  apiUrl?: string | null;
}

interface TrelloCard {
  id: string;
  name?: string;
  idBoard?: string;
  idList?: string;
  dueComplete?: boolean;
  due?: string | null;
  labels?: { name?: string }[];
  dateLastActivity?: string;
  url?: string;
  list?: { id: string; name?: string };
  customFieldItems?: { idCustomField: string; idValue?: string | null; value?: { text?: string; number?: string; checked?: string } | null }[];
}

interface TrelloFieldDefinition {
  id: string;
  name?: string;
  type?: string;
  options?: { id: string; value?: { text?: string } }[];
}

const action = z.object({
  action: z.object({
    id: z.string(),
    type: z.string(),
    data: z
      .object({
        card: z.object({ id: z.string(), dueComplete: z.boolean().optional() }).passthrough().optional(),
        old: z.record(z.string(), z.unknown()).optional(),
        listAfter: z.object({ id: z.string(), name: z.string().optional() }).optional(),
      })
      .passthrough()
      .default({}),
  }),
});

export function createTrelloTool(options: TrelloOptions): WritableProjectTool & { webhook: TaskWebhook; webhookRegistrar: WebhookRegistrar } {
  // Credentials in the header, not the query string, so they never land in access logs.
  const call = jsonClient({
    label: 'Trello',
    baseUrl: options.apiUrl || DEFAULT_API,
    headers: { Authorization: `OAuth oauth_consumer_key="${options.apiKey}", oauth_token="${options.token}"` },
    observe: options.observe,
  });
  const isDoneList = (list: { id: string; name?: string } | undefined) =>
    !!list && (options.doneListIds.length ? options.doneListIds.includes(list.id) : list.name?.trim().toLowerCase() === 'done');

  return {
    name: 'trello',
    async fetchTask(cardId) {
      const card = await call<TrelloCard>('GET', `/cards/${encodeURIComponent(cardId)}?fields=${CARD_FIELDS}&list=true&customFieldItems=true`);
      const definitions = card.idBoard ? await call<TrelloFieldDefinition[]>('GET', `/boards/${encodeURIComponent(card.idBoard)}/customFields`) : [];
      return toProjectTask(card, definitions, isDoneList(card.list));
    },
    async listOpenTasks(boardIds) {
      const tasks: ProjectTask[] = [];
      for (const board of boardIds.map(encodeURIComponent)) {
        const [cards, definitions, lists] = await Promise.all([
          call<TrelloCard[]>('GET', `/boards/${board}/cards/open?fields=${CARD_FIELDS}&customFieldItems=true`),
          call<TrelloFieldDefinition[]>('GET', `/boards/${board}/customFields`),
          call<{ id: string; name?: string }[]>('GET', `/boards/${board}/lists?filter=open`),
        ]);
        for (const card of cards) {
          const list = lists.find((l) => l.id === card.idList);
          tasks.push(toProjectTask({ ...card, ...(list ? { list } : {}) }, definitions, isDoneList(list)));
        }
      }
      return tasks;
    },
    async createTask(request) {
      // The escalation card goes to the top of the board's first open list.
      const lists = await call<{ id: string; name?: string }[]>('GET', `/boards/${encodeURIComponent(request.projectId)}/lists?filter=open`);
      const list = lists[0];
      if (!list) throw new ProjectToolError(`Trello board ${request.projectId} has no open list for the escalation card`, 'invalid', false);
      const created = await call<{ id: string; url?: string; shortUrl?: string }>('POST', '/cards', {
        idList: list.id,
        name: request.title,
        desc: request.notes,
        pos: 'top',
        ...(request.assignee ? { idMembers: [request.assignee] } : {}),
        ...(request.dueOn ? { due: `${request.dueOn}T12:00:00.000Z` } : {}),
      });
      return { taskId: created.id, url: httpUrl(created.shortUrl) ?? httpUrl(created.url) };
    },
    webhook: { receive: (request) => receive(options, isDoneList, request) },
    webhookRegistrar: {
      resourceLabel: 'board id',
      perWebhookSecret: false,
      async create(boardId, callbackUrl) {
        // Trello checks the URL with a HEAD before it answers; deliveries are then signed over this exact URL.
        const created = await call<{ id: string }>('POST', '/webhooks', { callbackURL: callbackUrl, idModel: boardId, description: 'duebot' });
        return { webhookId: created.id, secret: null };
      },
      remove: (webhookId) => deleteUnlessGone(call<unknown>('DELETE', `/webhooks/${encodeURIComponent(webhookId)}`)),
    },
  };
}

/** `X-Trello-Webhook` is the base64 HMAC-SHA1 of the raw body followed by the callback URL, keyed with the app secret. */
export function verifyTrelloSignature(appSecret: string, callbackUrl: string, rawBody: Buffer, signature: string | undefined): boolean {
  if (!signature) return false;
  return safeEqual(hmacDigest('sha1', appSecret, Buffer.concat([rawBody, Buffer.from(callbackUrl, 'utf8')]), 'base64'), signature.trim());
}

function receive(options: TrelloOptions, isDoneList: (list: { id: string; name?: string } | undefined) => boolean, request: WebhookRequest): WebhookOutcome {
  // Trello creates a webhook only after a HEAD on the callback URL answers 200.
  if (request.method === 'HEAD') return { kind: 'reply', status: 200 };
  const signature = header(request.headers, 'x-trello-webhook');
  // A registration duebot made is signed over its own callback URL (with ?hook=); a hand-made one over TRELLO_CALLBACK_URL.
  if (!verifyTrelloSignature(options.appSecret, request.registration?.targetUrl ?? options.callbackUrl, request.rawBody, signature)) {
    return { kind: 'unauthorized', reason: signature ? 'X-Trello-Webhook does not match (check TRELLO_APP_SECRET and TRELLO_CALLBACK_URL)' : 'missing X-Trello-Webhook' };
  }
  const json = parseJson(request.rawBody);
  const parsed = json.ok ? action.safeParse(json.value) : null;
  if (!json.ok || !parsed?.success) return { kind: 'malformed', reason: json.ok ? 'expected a Trello webhook delivery {action, model}' : json.reason };
  const { id, type, data } = parsed.data.action;
  const intoMappedDone = (options.doneStatuses ?? []).some((s) => sameName(s, data.listAfter?.name));
  const moved = !!data.old && 'idList' in data.old && (isDoneList(data.listAfter) || intoMappedDone);
  const dueCompleted = data.card?.dueComplete === true && data.old?.dueComplete === false;
  if (type !== 'updateCard' || !data.card || !(moved || dueCompleted)) return { kind: 'events', events: [], ignored: 1 };
  return { kind: 'events', events: [{ externalId: id, taskId: data.card.id }], ignored: 0 };
}

/** Reduces a card and its board's custom-field definitions to the facts a mapping reads; the list is the status. */
export function toProjectTask(card: TrelloCard, definitions: TrelloFieldDefinition[], inDoneList: boolean): ProjectTask {
  const fields = definitions.flatMap((definition) => {
    const item = card.customFieldItems?.find((i) => i.idCustomField === definition.id);
    if (!definition.name || !item) return [];
    const text = definition.type === 'list' ? definition.options?.find((o) => o.id === item.idValue)?.value?.text : (item.value?.checked ?? item.value?.number ?? item.value?.text);
    return [taskField(definition.name, text)];
  });
  const completed = card.dueComplete === true || inDoneList;
  return taskWithFacts(
    {
      taskId: card.id,
      name: card.name ?? `Card ${card.id}`,
      completedAt: completed && card.dateLastActivity ? new Date(card.dateLastActivity) : null,
      url: httpUrl(card.url),
      projectIds: card.idBoard ? [card.idBoard] : [],
      dueOn: card.due ? card.due.slice(0, 10) : null,
    },
    {
      fields,
      tags: (card.labels ?? []).flatMap((l) => (l.name ? [l.name] : [])),
      statuses: card.list?.name ? [card.list.name] : [],
      doneByTool: inDoneList,
      doneAnyway: card.dueComplete === true,
      nativeMilestone: false,
    },
  );
}

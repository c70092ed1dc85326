import { createHash } from 'node:crypto';
import { jwtVerify } from 'jose';
import { z } from 'zod';
import { httpUrl } from '../../domain/web-url.js';
import { parseJson } from '../../http/raw-body.js';
import { header, isYes, jsonClient, ProjectToolError } from './http.js';
import { sameName, taskField, taskWithFacts } from './mapping.js';
import type { CallObserver } from '../call-observer.js';
import type { ProjectTask, WebhookOutcome, WebhookRegistrar, WebhookRequest, TaskWebhook, WritableProjectTool } from './tool.js';

/**
 * monday.com through its GraphQL API (`MONDAY_API_URL` overrides the endpoint for tests). Boards are the
 * containers; columns are found by title ("Billing milestone", "Amount", "Quantity", "Rate", "Client").
 * A status column changing to the done label (default "Done") triggers a read-back of the item.
 */
const DEFAULT_API = 'https://api.monday.com/v2';
const API_VERSION = '2025-04';

export interface MondayOptions {
  observe?: CallObserver;
  apiToken: string;
  signingSecret: string;
  apiUrl?: string | null;
  doneLabel: string;
  /** Status labels clients' mappings call done (besides `doneLabel`). */
  doneStatuses?: string[];
  /** Our webhook URL: when set, the JWT's `aud` must be it. */
  audience?: string | null;
}

interface MondayColumnValue {
  id: string;
  type?: string;
  text?: string | null;
  value?: string | null;
  column?: { title?: string };
}

interface MondayTimeValue {
  duration?: number | null;
  history?: { started_user_id?: string | number | null; started_at?: string | null; ended_at?: string | null }[];
}

interface MondayTimedItem {
  id: string;
  name?: string;
  column_values?: MondayTimeValue[];
  subitems?: MondayTimedItem[] | null;
}

interface MondayItem {
  id: string;
  name?: string;
  url?: string;
  board?: { id: string };
  column_values?: MondayColumnValue[];
}

const ITEM_FIELDS = 'id name url board { id } column_values { id type text value column { title } }';
const ITEM_QUERY = `query ($ids: [ID!]) { items(ids: $ids) { ${ITEM_FIELDS} } }`;
const BOARD_ITEMS_QUERY = `query ($b: [ID!]) { boards(ids: $b) { items_page(limit: 100) { cursor items { ${ITEM_FIELDS} } } } }`;
const NEXT_ITEMS_QUERY = `query ($c: String!) { next_items_page(limit: 100, cursor: $c) { cursor items { ${ITEM_FIELDS} } } }`;

interface ItemsPage {
  cursor: string | null;
  items: MondayItem[];
}
const COLUMNS_QUERY = 'query ($b: [ID!]) { boards(ids: $b) { columns { id type } } }';
// The time tracking column: total seconds, and per session who started it and when it ran.
const TIME_VALUE = '... on TimeTrackingValue { duration history { started_user_id started_at ended_at } }';
const TIME_QUERY = `query ($ids: [ID!]) { items(ids: $ids) { id name column_values(types: [time_tracking]) { ${TIME_VALUE} } subitems { id name column_values(types: [time_tracking]) { ${TIME_VALUE} } } } }`;
const USERS_QUERY = 'query ($u: [ID!]) { users(ids: $u) { id name email } }';
const CREATE_ITEM = 'mutation ($b: ID!, $n: String!, $c: JSON) { create_item(board_id: $b, item_name: $n, column_values: $c) { id url } }';
const CREATE_UPDATE = 'mutation ($i: ID!, $body: String!) { create_update(item_id: $i, body: $body) { id } }';

const delivery = z.object({
  event: z
    .object({
      type: z.string(),
      pulseId: z.union([z.number(), z.string()]).optional(),
      boardId: z.union([z.number(), z.string()]).optional(),
      columnType: z.string().optional(),
      triggerUuid: z.string().nullish(),
      changedAt: z.unknown().optional(),
      value: z
        .object({ label: z.object({ text: z.string().nullish() }).passthrough().nullish() })
        .passthrough()
        .nullish(),
    })
    .passthrough(),
});

const CREATE_WEBHOOK = 'mutation ($board: ID!, $url: String!, $event: WebhookEventType!) { create_webhook(board_id: $board, url: $url, event: $event) { id board_id } }';
const DELETE_WEBHOOK = 'mutation ($id: ID!) { delete_webhook(id: $id) { id board_id } }';

export function createMondayTool(options: MondayOptions): WritableProjectTool & { webhook: TaskWebhook; webhookRegistrar: WebhookRegistrar } {
  const post = jsonClient({
    label: 'monday.com',
    baseUrl: options.apiUrl || DEFAULT_API,
    headers: { Authorization: options.apiToken, 'API-Version': API_VERSION },
    observe: options.observe,
  });
  // GraphQL reports errors with HTTP 200 too, so every answer is checked for them.
  async function graphql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const answer = await post<{ data?: T; errors?: { message?: string }[]; error_message?: string }>('POST', '', { query, variables });
    const problem = answer.errors?.map((e) => e.message).join('; ') || answer.error_message;
    if (problem || !answer.data) {
      const limited = /complexity|limit/i.test(problem ?? '');
      throw new ProjectToolError(`monday.com GraphQL answered with errors: ${problem ?? 'no data'}`, limited ? 'rate_limited' : 'invalid', limited);
    }
    return answer.data;
  }
  const doneLabel = options.doneLabel.trim().toLowerCase();

  return {
    name: 'monday',
    async fetchTask(itemId) {
      const data = await graphql<{ items: MondayItem[] }>(ITEM_QUERY, { ids: [itemId] });
      const item = data.items[0];
      if (!item) throw new ProjectToolError(`monday.com item ${itemId} not found`, 'not_found', false);
      return toProjectTask(item, doneLabel);
    },
    async listOpenTasks(boardIds) {
      // Every item of the boards, a page of 100 at a time; which are done is read per client from the status.
      const tasks: ProjectTask[] = [];
      for (const board of boardIds) {
        let page = (await graphql<{ boards: { items_page: ItemsPage }[] }>(BOARD_ITEMS_QUERY, { b: [board] })).boards[0]?.items_page;
        while (page) {
          tasks.push(...page.items.map((item) => toProjectTask(item, doneLabel)));
          page = page.cursor ? (await graphql<{ next_items_page: ItemsPage }>(NEXT_ITEMS_QUERY, { c: page.cursor })).next_items_page : undefined;
        }
      }
      return tasks;
    },
    async fetchTimeEntries(task) {
      const data = await graphql<{ items: MondayTimedItem[] }>(TIME_QUERY, { ids: [task.taskId] });
      const item = data.items[0];
      if (!item) throw new ProjectToolError(`monday.com item ${task.taskId} not found`, 'not_found', false);
      // Subitems' time counts under the subitem, as its own task.
      const sessions = [item, ...(item.subitems ?? [])].flatMap((i) =>
        (i.column_values ?? []).flatMap((v) => timeSessions(v).map((s) => ({ ...s, taskId: i.id, taskName: i.id === item.id ? task.name : (i.name ?? `Item ${i.id}`) }))),
      );
      const userIds = [...new Set(sessions.flatMap((s) => (s.userId ? [s.userId] : [])))];
      const users = userIds.length ? (await graphql<{ users: { id: string | number; name?: string; email?: string }[] }>(USERS_QUERY, { u: userIds })).users : [];
      return sessions.map((s) => {
        const user = users.find((u) => String(u.id) === s.userId);
        return { taskId: s.taskId, taskName: s.taskName, person: { id: s.userId, name: user?.name ?? null, email: user?.email ?? null }, durationMs: s.ms };
      });
    },
    async createTask(request) {
      let columnValues: Record<string, unknown> = {};
      if (request.assignee) {
        const boards = await graphql<{ boards: { columns: { id: string; type: string }[] }[] }>(COLUMNS_QUERY, { b: [request.projectId] });
        const people = boards.boards[0]?.columns.find((c) => c.type === 'people' || c.type === 'multiple-person');
        if (people) columnValues = { [people.id]: { personsAndTeams: [{ id: Number(request.assignee), kind: 'person' }] } };
      }
      const created = await graphql<{ create_item: { id: string; url?: string } }>(CREATE_ITEM, { b: request.projectId, n: request.title, c: JSON.stringify(columnValues) });
      // The notes go in as the item's first update, where the owner sees them.
      if (request.notes) await graphql(CREATE_UPDATE, { i: created.create_item.id, body: request.notes });
      return { taskId: created.create_item.id, url: httpUrl(created.create_item.url) };
    },
    webhook: { receive: (request) => receive(options, doneLabel, request) },
    webhookRegistrar: {
      resourceLabel: 'board id',
      perWebhookSecret: false,
      async create(boardId, url) {
        // monday POSTs a challenge to the URL (answered by the webhook route) before it answers this mutation.
        const data = await graphql<{ create_webhook: { id: string | number } }>(CREATE_WEBHOOK, { board: boardId, url, event: 'change_status_column_value' });
        return { webhookId: String(data.create_webhook.id), secret: null };
      },
      async remove(webhookId) {
        try {
          await graphql(DELETE_WEBHOOK, { id: webhookId });
        } catch (err) {
          // GraphQL answers a webhook that is gone with an error, not a 404.
          if (!(err instanceof ProjectToolError && /not found/i.test(err.message))) throw err;
        }
      },
    },
  };
}

/** Verifies monday's `Authorization` JWT (HS256, the app's Signing Secret, an `exp` so it cannot be replayed forever) and, when known, its audience. */
export async function verifyMondayJwt(signingSecret: string, token: string | undefined, audience?: string | null): Promise<boolean> {
  if (!token) return false;
  try {
    await jwtVerify(token.replace(/^Bearer\s+/i, ''), new TextEncoder().encode(signingSecret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
      ...(audience ? { audience } : {}),
    });
    return true;
  } catch {
    return false;
  }
}

async function receive(options: MondayOptions, doneLabel: string, request: WebhookRequest): Promise<WebhookOutcome> {
  if (request.method !== 'POST') return { kind: 'reply', status: 405, body: { error: 'POST only' } };
  const json = parseJson(request.rawBody);
  // The challenge while the webhook is created: echoing it reveals nothing and stores nothing.
  if (json.ok && json.value && typeof json.value === 'object' && typeof (json.value as { challenge?: unknown }).challenge === 'string') {
    return { kind: 'reply', status: 200, body: { challenge: (json.value as { challenge: string }).challenge } };
  }
  const token = header(request.headers, 'authorization');
  // The JWT's audience is the webhook's URL: a registration duebot made has its own (with ?hook=).
  if (!(await verifyMondayJwt(options.signingSecret, token, request.registration?.targetUrl ?? options.audience))) {
    return { kind: 'unauthorized', reason: token ? 'Authorization JWT is not valid for MONDAY_SIGNING_SECRET' : 'missing Authorization JWT' };
  }
  const parsed = json.ok ? delivery.safeParse(json.value) : null;
  if (!json.ok || !parsed?.success) return { kind: 'malformed', reason: json.ok ? 'expected a monday.com webhook {event: {...}}' : json.reason };
  const event = parsed.data.event;
  const label = event.value?.label?.text?.trim().toLowerCase();
  const statusChange = event.type === 'update_column_value' && (event.columnType === 'color' || event.columnType === 'status');
  const done = label === doneLabel || (options.doneStatuses ?? []).some((s) => sameName(s, label));
  if (!statusChange || !done || event.pulseId === undefined) return { kind: 'events', events: [], ignored: 1 };
  // Retries carry the same triggerUuid; without one, the event's own content identifies a repeat.
  const externalId =
    event.triggerUuid ||
    createHash('sha256')
      .update(JSON.stringify([event.boardId, event.pulseId, event.changedAt ?? null]))
      .digest('hex');
  return { kind: 'events', events: [{ externalId, taskId: String(event.pulseId) }], ignored: 0 };
}

/** Reduces an item to the facts a mapping reads: columns by title, read from their display text (checkboxes from their value). */
export function toProjectTask(item: MondayItem, doneLabel: string): ProjectTask {
  const columns = item.column_values ?? [];
  const fields = columns
    .filter((c) => c.column?.title)
    .map((c) => taskField(c.column!.title!, c.text, c.type === 'checkbox' ? { yes: checkboxChecked(c.value) || isYes(c.text) } : {}));
  const statuses = columns.filter((c) => c.type === 'status' && c.text?.trim()).map((c) => c.text!.trim());
  return taskWithFacts(
    {
      taskId: item.id,
      name: item.name ?? `Item ${item.id}`,
      completedAt: null,
      url: httpUrl(item.url),
      projectIds: item.board ? [item.board.id] : [],
      dueOn: columns.find((c) => c.type === 'date' && /^\d{4}-\d{2}-\d{2}/.test(c.text ?? ''))?.text?.slice(0, 10) ?? null,
    },
    {
      fields,
      tags: columns
        .filter((c) => c.type === 'tags' && c.text)
        .flatMap((c) =>
          c
            .text!.split(',')
            .map((t) => t.trim())
            .filter(Boolean),
        ),
      statuses,
      doneByTool: statuses.some((s) => s.toLowerCase() === doneLabel),
      nativeMilestone: false,
    },
  );
}

function checkboxChecked(value: string | null | undefined): boolean {
  try {
    return value ? isYes((JSON.parse(value) as { checked?: unknown }).checked) : false;
  } catch {
    return false;
  }
}

/**
 * One time tracking column as sessions per person: each finished history entry is ended − started; time the
 * history does not account for (entered by hand, or history trimmed by monday) stays unattributed, so the
 * total is always the column's `duration`.
 */
function timeSessions(value: MondayTimeValue): { userId: string | null; ms: number }[] {
  const total = (value.duration ?? 0) * 1000;
  if (!Number.isSafeInteger(total) || total <= 0) return [];
  const sessions = (value.history ?? []).flatMap((h) => {
    const ms = h.started_at && h.ended_at ? Date.parse(h.ended_at) - Date.parse(h.started_at) : NaN;
    return Number.isSafeInteger(ms) && ms > 0 ? [{ userId: h.started_user_id == null ? null : String(h.started_user_id), ms }] : [];
  });
  const counted = sessions.reduce((n, s) => n + s.ms, 0);
  if (counted > total) return [{ userId: null, ms: total }];
  return counted < total ? [...sessions, { userId: null, ms: total - counted }] : sessions;
}

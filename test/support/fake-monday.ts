import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { startStub } from './http-stub.js';

/** Local stand-in for monday.com's GraphQL API, plus helpers that deliver webhooks like monday does. */
export type MondayItemJson = Record<string, unknown> & { id: string };

export interface FakeMonday {
  url: string;
  token: string;
  signingSecret: string;
  items: Map<string, MondayItemJson>;
  createdItems: { boardId: string; name: string; columnValues: Record<string, unknown> }[];
  updates: { itemId: string; body: string }[];
  addItem(item: MondayItemJson): void;
  /** A subitem of `parentId` (answered under the parent's `subitems`). */
  addSubitem(parentId: string, subitem: { id: string; name: string }): void;
  /**
   * A session on the item's time tracking column: `seconds` long, started by `userId` (history entry), or,
   * with userId null, time added by hand (in `duration` but not in the history).
   */
  trackTime(itemId: string, seconds: number, userId: number | null): void;
  /** Users the `users(ids:)` query knows. */
  users: Map<string, { id: string; name: string; email: string }>;
  /** Webhooks made by `create_webhook` (each after its URL echoed the challenge), by id. */
  webhooks: Map<string, { id: string; boardId: string; url: string; event: string }>;
  /** Ids deleted by `delete_webhook`. */
  deletedWebhooks: string[];
  /** Where the challenge really goes: the URL's origin is replaced by this base (the bot's local URL). */
  routeTargetsTo(baseUrl: string): void;
  close(): Promise<void>;
}

export async function startFakeMonday(): Promise<FakeMonday> {
  const token = `eyJ${randomBytes(12).toString('hex')}`;
  const items = new Map<string, MondayItemJson>();
  const createdItems: FakeMonday['createdItems'] = [];
  const updates: FakeMonday['updates'] = [];
  let next = 9_000_000_001;
  const subitems = new Map<string, { id: string; name: string }[]>();
  const time = new Map<string, { duration: number; history: Record<string, unknown>[] }>();
  const users = new Map<string, { id: string; name: string; email: string }>();
  const timeValue = (id: string) => {
    const t = time.get(id);
    return t ? [{ id: 'time_tracking', type: 'time_tracking', duration: t.duration, running: false, history: t.history }] : [];
  };
  const webhooks: FakeMonday['webhooks'] = new Map();
  const deletedWebhooks: string[] = [];
  let targetBase: string | null = null;
  /** As monday does: POSTs {challenge} to the URL, which must echo it, before the webhook exists. */
  async function createWebhook(variables: Record<string, unknown>) {
    const url = String(variables.url ?? '');
    const target = new URL(url);
    const reach = targetBase ? `${targetBase.replace(/\/+$/, '')}${target.pathname}${target.search}` : url;
    const challenge = randomBytes(12).toString('hex');
    const echoed = await fetch(reach, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ challenge }) })
      .then(async (r) => r.status === 200 && ((await r.json()) as { challenge?: string }).challenge === challenge)
      .catch(() => false);
    if (!echoed) return { status: 200, body: { errors: [{ message: 'Failed to communicate with URL provided.', extensions: { code: 'InvalidWebhookUrlException' } }] } };
    const id = String(next++);
    webhooks.set(id, { id, boardId: String(variables.board), url, event: String(variables.event ?? '') });
    return { status: 200, body: { data: { create_webhook: { id, board_id: Number(variables.board) } } } };
  }
  const stub = await startStub(async (req) => {
    if (req.method !== 'POST' || req.path !== '/v2') return { status: 404, body: { error_message: 'Not Found' } };
    if (req.headers.authorization !== token) return { status: 401, body: { errors: [{ message: 'Not Authenticated', extensions: { code: 'UNAUTHENTICATED' } }] } };
    if (!req.headers['api-version']) return { status: 400, body: { errors: [{ message: 'API-Version header missing (this fake insists)' }] } };
    const { query, variables } = JSON.parse(req.body || '{}') as { query: string; variables: Record<string, unknown> };
    if (query.includes('create_webhook(')) return createWebhook(variables);
    if (query.includes('delete_webhook(')) {
      const id = String(variables.id);
      if (!webhooks.delete(id)) return { status: 200, body: { errors: [{ message: 'Webhook not found', extensions: { code: 'ResourceNotFoundException' } }] } };
      deletedWebhooks.push(id);
      return { status: 200, body: { data: { delete_webhook: { id, board_id: 0 } } } };
    }
    // GraphQL errors come back with HTTP 200, as monday does.
    if (query.includes('create_item(')) {
      const id = String(next++);
      createdItems.push({ boardId: String(variables.b), name: String(variables.n), columnValues: JSON.parse(String(variables.c ?? '{}')) as Record<string, unknown> });
      return { status: 200, body: { data: { create_item: { id, url: `https://pixel.monday.com/boards/${String(variables.b)}/pulses/${id}` } } } };
    }
    if (query.includes('create_update(')) {
      updates.push({ itemId: String(variables.i), body: String(variables.body) });
      return { status: 200, body: { data: { create_update: { id: String(next++) } } } };
    }
    if (query.includes('TimeTrackingValue')) {
      if (!/column_values\(types: \[time_tracking\]\)/.test(query))
        return { status: 200, body: { errors: [{ message: 'this fake answers time tracking only with column_values(types: [time_tracking])' }] } };
      const ids = (variables.ids as string[]).map(String);
      const found = ids
        .filter((id) => items.has(id))
        .map((id) => ({
          id,
          name: items.get(id)!.name,
          column_values: timeValue(id),
          subitems: (subitems.get(id) ?? []).map((s) => ({ ...s, column_values: timeValue(s.id) })),
        }));
      return { status: 200, body: { data: { items: found } } };
    }
    if (query.includes('users(')) {
      return { status: 200, body: { data: { users: (variables.u as string[]).map((u) => users.get(String(u))).filter(Boolean) } } };
    }
    if (query.includes('items(')) {
      const ids = (variables.ids as string[]).map(String);
      return { status: 200, body: { data: { items: ids.map((id) => items.get(id)).filter(Boolean) } } };
    }
    if (query.includes('items_page(')) {
      // Pages of 2 here, so the cursor is exercised; this fake's cursor is "<board>:<offset>".
      const next = query.includes('next_items_page(');
      const [board, start] = next ? (String(variables.c).split(':') as [string, string]) : [String((variables.b as string[])[0]), '0'];
      const onBoard = [...items.values()].filter((i) => (i.board as { id: string }).id === board);
      const from = Number(start);
      const answer = { cursor: from + 2 < onBoard.length ? `${board}:${from + 2}` : null, items: onBoard.slice(from, from + 2) };
      return { status: 200, body: { data: next ? { next_items_page: answer } : { boards: [{ items_page: answer }] } } };
    }
    if (query.includes('boards(')) {
      return {
        status: 200,
        body: {
          data: {
            boards: [
              {
                columns: [
                  { id: 'name', type: 'name' },
                  { id: 'person', type: 'people' },
                  { id: 'status', type: 'status' },
                ],
              },
            ],
          },
        },
      };
    }
    return { status: 200, body: { errors: [{ message: 'Unknown query in this fake' }] } };
  });
  return {
    url: `http://127.0.0.1:${stub.port}/v2`,
    token,
    signingSecret: randomBytes(16).toString('hex'),
    items,
    createdItems,
    updates,
    addItem: (i) => void items.set(i.id, i),
    addSubitem: (parentId, subitem) => void subitems.set(parentId, [...(subitems.get(parentId) ?? []), subitem]),
    trackTime(itemId, seconds, userId) {
      const t = time.get(itemId) ?? { duration: 0, history: [] };
      t.duration += seconds;
      if (userId !== null) {
        const start = Date.parse('2026-11-02T09:00:00.000Z') + t.history.length * 86_400_000;
        t.history.push({
          id: String(next++),
          status: 'stop',
          started_user_id: String(userId),
          ended_user_id: String(userId),
          started_at: new Date(start).toISOString(),
          ended_at: new Date(start + seconds * 1000).toISOString(),
          manually_entered_start_date: false,
        });
      }
      time.set(itemId, t);
    },
    users,
    webhooks,
    deletedWebhooks,
    routeTargetsTo(baseUrl) {
      targetBase = baseUrl;
    },
    close: stub.close,
  };
}

/** An item as the `items(ids:)` query returns it: status, checkbox "Billing milestone", numbers "Amount". */
export function mondayItem(spec: { id: string; name: string; boardId: string; status?: string; billing?: boolean; amount?: number; dueOn?: string }): MondayItemJson {
  const status = spec.status ?? 'Done';
  return {
    id: spec.id,
    name: spec.name,
    url: `https://pixel.monday.com/boards/${spec.boardId}/pulses/${spec.id}`,
    board: { id: spec.boardId },
    column_values: [
      { id: 'status', type: 'status', text: status, value: JSON.stringify({ index: 1, post_id: null, changed_at: '2026-11-02T10:00:00.000Z' }), column: { title: 'Status' } },
      {
        id: 'checkbox',
        type: 'checkbox',
        text: spec.billing ? 'v' : '',
        value: spec.billing ? JSON.stringify({ checked: 'true', changed_at: '2026-11-01T10:00:00.000Z' }) : null,
        column: { title: 'Billing milestone' },
      },
      ...(spec.dueOn
        ? [
            {
              id: 'date4',
              type: 'date',
              text: spec.dueOn,
              value: JSON.stringify({ date: spec.dueOn, icon: null, changed_at: '2026-11-01T10:00:00.000Z' }),
              column: { title: 'Due date' },
            },
          ]
        : []),
      {
        id: 'numbers',
        type: 'numbers',
        text: spec.amount === undefined ? '' : String(spec.amount),
        value: spec.amount === undefined ? null : JSON.stringify(String(spec.amount)),
        column: { title: 'Amount' },
      },
    ],
  };
}

/** A status-column change as monday delivers it; each call is a new trigger (a new triggerUuid). */
export function statusChangedEvent(spec: { itemId: string; boardId: string; label?: string }): Record<string, unknown> {
  return {
    event: {
      app: 'monday',
      type: 'update_column_value',
      triggerTime: '2026-11-02T10:00:00.000Z',
      subscriptionId: 73761176,
      userId: 9603417,
      originalTriggerUuid: null,
      boardId: Number(spec.boardId),
      groupId: 'topics',
      pulseId: Number(spec.itemId),
      pulseName: 'Milestone',
      columnId: 'status',
      columnType: 'color',
      columnTitle: 'Status',
      value: { label: { index: 1, text: spec.label ?? 'Done', style: { color: '#00c875' }, is_done: true }, post_id: null },
      previousValue: { label: { index: 0, text: 'Working on it' } },
      changedAt: 1793613600.12,
      isTopGroup: true,
      triggerUuid: randomUUID().replace(/-/g, ''),
    },
  };
}

/** A signed delivery: `Authorization` is an HS256 JWT with the app's signing secret and our URL as `aud`. */
export async function mondayDelivery(signingSecret: string, payload: unknown, audience: string): Promise<{ body: string; headers: Record<string, string> }> {
  const jwt = await new SignJWT({ accountId: 12345, userId: 9603417, aud: audience })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(signingSecret));
  return { body: JSON.stringify(payload), headers: { 'content-type': 'application/json', authorization: jwt } };
}

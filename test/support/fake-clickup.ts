import { randomBytes } from 'node:crypto';
import { hmacDigest } from '../../src/http/signatures.js';
import { startStub } from './http-stub.js';

/** Local stand-in for the ClickUp API v2, plus helpers that deliver webhooks like ClickUp does. */
export type ClickUpTaskJson = Record<string, unknown> & { id: string };

export interface FakeClickUp {
  url: string;
  token: string;
  webhookSecret: string;
  webhookId: string;
  tasks: Map<string, ClickUpTaskJson>;
  createdTasks: { listId: string; body: Record<string, unknown> }[];
  requests: { method: string; path: string; authorization: string | undefined }[];
  addTask(task: ClickUpTaskJson): void;
  /** Answers every later request only after `ms` (0: at once again), like an API having a bad day. */
  slowDown(ms: number): void;
  /** Makes `child` a subtask of `parent`: listed in the parent's `subtasks` when asked with include_subtasks=true. */
  addSubtask(parentId: string, child: ClickUpTaskJson): void;
  /** Tracks time on a task for a user, as an interval of `ms` milliseconds. */
  trackTime(taskId: string, ms: number, user: { id: number; username: string; email: string }): void;
  /** The Workspace the token reaches (GET /team), where webhooks are created. */
  teamId: string;
  /** Webhooks created through POST /team/{team_id}/webhook, by id, with the secret ClickUp answered. */
  webhooks: Map<string, { id: string; listId: string; endpoint: string; events: string[]; secret: string }>;
  /** Ids deleted through DELETE /webhook/{webhook_id}. */
  deletedWebhooks: string[];
  close(): Promise<void>;
}

export async function startFakeClickUp(): Promise<FakeClickUp> {
  const token = `pk_${randomBytes(6).toString('hex')}`;
  const tasks = new Map<string, ClickUpTaskJson>();
  const createdTasks: FakeClickUp['createdTasks'] = [];
  const requests: FakeClickUp['requests'] = [];
  let next = 1;
  const subtasks = new Map<string, string[]>();
  const tracked = new Map<string, { user: Record<string, unknown>; intervals: { id: string; start: string; end: string; time: string; source: string; date_added: string }[] }[]>();
  let delay = 0;
  const teamId = '9011200';
  const webhooks: FakeClickUp['webhooks'] = new Map();
  const deletedWebhooks: string[] = [];
  const stub = await startStub(async (req) => {
    if (delay) await new Promise((r) => setTimeout(r, delay));
    requests.push({ method: req.method, path: req.path, authorization: req.headers.authorization });
    if (req.headers.authorization !== token) return { status: 401, body: { err: 'Token invalid', ECODE: 'OAUTH_025' } };
    if (req.method === 'GET' && req.path === '/api/v2/team')
      return { status: 200, body: { teams: [{ id: teamId, name: 'Pixel & Co', color: '#536cfe', avatar: null, members: [] }] } };
    const teamHook = /^\/api\/v2\/team\/([^/]+)\/webhook$/.exec(req.path);
    if (req.method === 'POST' && teamHook) {
      if (teamHook[1] !== teamId) return { status: 401, body: { err: 'Team not authorized', ECODE: 'OAUTH_027' } };
      const body = JSON.parse(req.body || '{}') as { endpoint?: unknown; events?: unknown; list_id?: unknown };
      if (typeof body.endpoint !== 'string' || !/^https?:\/\//.test(body.endpoint)) return { status: 400, body: { err: 'Endpoint invalid', ECODE: 'WH_006' } };
      const events = Array.isArray(body.events) ? body.events.map(String) : ['*'];
      const id = `4b67ac88-${String(next++).padStart(4, '0')}-4000-8000-clickupwebhk`;
      const secret = randomBytes(24).toString('hex').toUpperCase();
      webhooks.set(id, { id, listId: String(body.list_id ?? ''), endpoint: body.endpoint, events, secret });
      return {
        status: 200,
        body: {
          id,
          webhook: {
            id,
            userid: 183,
            team_id: Number(teamId),
            endpoint: body.endpoint,
            client_id: 'CLIENTID',
            events,
            task_id: null,
            list_id: body.list_id ?? null,
            folder_id: null,
            space_id: null,
            health: { status: 'active', fail_count: 0 },
            secret,
          },
        },
      };
    }
    const hook = /^\/api\/v2\/webhook\/([^/]+)$/.exec(req.path);
    if (req.method === 'DELETE' && hook) {
      const id = decodeURIComponent(hook[1]!);
      if (!webhooks.delete(id)) return { status: 404, body: { err: 'Webhook not found', ECODE: 'WH_001' } };
      deletedWebhooks.push(id);
      return { status: 200, body: {} };
    }
    const task = /^\/api\/v2\/task\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && task) {
      const id = decodeURIComponent(task[1]!);
      const found = tasks.get(id);
      if (!found) return { status: 404, body: { err: 'Task not found', ECODE: 'ITEM_013' } };
      const children = (subtasks.get(id) ?? []).map((c) => tasks.get(c)!).map((c) => ({ id: c.id, name: c.name, parent: id, status: c.status, url: c.url }));
      return { status: 200, body: req.query.get('include_subtasks') === 'true' ? { ...found, subtasks: children } : found };
    }
    const time = /^\/api\/v2\/task\/([^/]+)\/time$/.exec(req.path);
    if (req.method === 'GET' && time) {
      const id = decodeURIComponent(time[1]!);
      if (!tasks.has(id)) return { status: 404, body: { err: 'Task not found', ECODE: 'ITEM_013' } };
      // The legacy "tracked time" answer: per user, the total `time` in ms (a string) and the intervals.
      return {
        status: 200,
        body: { data: (tracked.get(id) ?? []).map((u) => ({ user: u.user, time: String(u.intervals.reduce((n, i) => n + Number(i.time), 0)), intervals: u.intervals })) },
      };
    }
    const list = /^\/api\/v2\/list\/([^/]+)\/task$/.exec(req.path);
    if (req.method === 'GET' && list) {
      // Pages of 100, numbered from 0; closed tasks only with include_closed=true.
      const page = Number(req.query.get('page') ?? 0);
      const closed = req.query.get('include_closed') === 'true';
      const inList = [...tasks.values()].filter((t) => (t.list as { id: string }).id === list[1] && (closed || (t.status as { type: string }).type !== 'closed'));
      return { status: 200, body: { tasks: inList.slice(page * 100, page * 100 + 100), last_page: page * 100 + 100 >= inList.length } };
    }
    if (req.method === 'POST' && list) {
      const body = JSON.parse(req.body || '{}') as Record<string, unknown>;
      if (typeof body.name !== 'string' || !body.name) return { status: 400, body: { err: 'Task name invalid', ECODE: 'INPUT_005' } };
      const id = `86esc${next++}`;
      createdTasks.push({ listId: list[1]!, body });
      return {
        status: 200,
        body: {
          id,
          name: body.name,
          url: `https://app.clickup.com/t/${id}`,
          list: { id: list[1] },
          assignees: ((body.assignees as number[] | undefined) ?? []).map((a) => ({ id: a })),
        },
      };
    }
    return { status: 404, body: { err: `no route ${req.method} ${req.path}` } };
  });
  return {
    url: `http://127.0.0.1:${stub.port}/api/v2`,
    token,
    webhookSecret: randomBytes(16).toString('hex').toUpperCase(),
    webhookId: '7fa3ec74-0000-4000-8000-aaaaaaaaaaaa',
    tasks,
    createdTasks,
    requests,
    addTask: (t) => void tasks.set(t.id, t),
    slowDown: (ms) => void (delay = ms),
    addSubtask(parentId, child) {
      tasks.set(child.id, child);
      subtasks.set(parentId, [...(subtasks.get(parentId) ?? []), child.id]);
    },
    trackTime(taskId, ms, user) {
      const users = tracked.get(taskId) ?? [];
      let entry = users.find((u) => u.user.id === user.id);
      if (!entry) users.push((entry = { user: { ...user, color: '#7b68ee', initials: user.username.slice(0, 2).toUpperCase(), profilePicture: null }, intervals: [] }));
      const start = 1793600000000 + next * 3_600_000;
      entry.intervals.push({
        id: `${4200000000000000000n + BigInt(next++)}`,
        start: String(start),
        end: String(start + ms),
        time: String(ms),
        source: 'clickup',
        date_added: String(start + ms),
      });
      tracked.set(taskId, users);
    },
    teamId,
    webhooks,
    deletedWebhooks,
    close: stub.close,
  };
}

/** A task as `GET /task/{id}` returns it: checkbox "Billing milestone", currency "Amount", text "Client". */
export function clickupTask(spec: { id: string; name: string; listId: string; done?: boolean; billing?: boolean; amount?: number; dueOn?: string }): ClickUpTaskJson {
  const done = spec.done ?? true;
  return {
    id: spec.id,
    custom_id: null,
    custom_item_id: 0,
    name: spec.name,
    status: done ? { status: 'complete', color: '#6bc950', type: 'closed', orderindex: 3 } : { status: 'in progress', color: '#f9d900', type: 'custom', orderindex: 1 },
    date_created: '1793000000000',
    due_date: spec.dueOn ? String(Date.parse(`${spec.dueOn}T16:00:00Z`)) : null,
    date_closed: done ? '1793613600000' : null,
    date_done: done ? '1793613600000' : null,
    url: `https://app.clickup.com/t/${spec.id}`,
    list: { id: spec.listId, name: 'Client work', access: true },
    custom_fields: [
      { id: 'f-billing', name: 'Billing milestone', type: 'checkbox', type_config: {}, value: spec.billing ? 'true' : 'false' },
      ...(spec.amount === undefined ? [] : [{ id: 'f-amount', name: 'Amount', type: 'currency', type_config: { currency_type: 'USD', precision: 2 }, value: String(spec.amount) }]),
    ],
  };
}

let historyId = 2800787326392370000n;
/** A `taskStatusUpdated` delivery to a closed status; each call is a new history item (a new event). */
export function statusUpdatedEvent(taskId: string, webhookId: string): Record<string, unknown> {
  historyId += 1n;
  return {
    event: 'taskStatusUpdated',
    task_id: taskId,
    webhook_id: webhookId,
    history_items: [
      {
        id: String(historyId),
        type: 1,
        date: '1793613600000',
        field: 'status',
        parent_id: '901',
        data: { status_type: 'closed' },
        user: { id: 183, username: 'dana' },
        before: { status: 'in progress', color: '#f9d900', type: 'custom' },
        after: { status: 'complete', color: '#6bc950', type: 'closed' },
      },
    ],
  };
}

export function clickupDelivery(secret: string, payload: unknown): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(payload);
  return { body, headers: { 'content-type': 'application/json', 'x-signature': hmacDigest('sha256', secret, body, 'hex') } };
}

import { randomBytes } from 'node:crypto';
import { hmacDigest } from '../../src/http/signatures.js';
import { startStub } from './http-stub.js';
import type { Services } from '../../src/services.js';
import { connectProjectTool } from '../../src/usecases/connect-project-tool.js';

/** Local stand-in for the Asana REST API, plus helpers that act like Asana towards duebot. */
export interface AsanaTaskJson {
  gid: string;
  resource_type: 'task';
  name: string;
  completed: boolean;
  completed_at: string | null;
  due_on?: string | null;
  resource_subtype: string;
  permalink_url: string;
  projects: { gid: string; name: string; resource_type: 'project' }[];
  custom_fields: Record<string, unknown>[];
}

export interface FakeAsana {
  url: string;
  token: string;
  tasks: Map<string, AsanaTaskJson>;
  createdTasks: { data: Record<string, unknown> }[];
  /** Every request, including refused ones; `query` is the raw query string (e.g. the opt_fields asked for). */
  requests: { method: string; path: string; query: string; authorization: string | undefined; body: string }[];
  addTask(task: AsanaTaskJson): void;
  /** Makes `child` a subtask of `parent` (GET /tasks/{parent}/subtasks lists it). */
  addSubtask(parentGid: string, child: AsanaTaskJson): void;
  /** Logs time on a task as Asana's time tracking does: whole minutes, by a user. */
  logTime(taskGid: string, minutes: number, user: { gid: string; name: string }, enteredOn?: string): void;
  failNext(count: number, status: number, headers?: Record<string, string>): void;
  /** Webhooks created through POST /webhooks (each after a successful X-Hook-Secret handshake), by gid. */
  webhooks: Map<string, AsanaWebhook>;
  /** Gids of the webhooks deleted through DELETE /webhooks/{gid}. */
  deletedWebhooks: string[];
  /** Where handshakes really go: the target's origin is replaced by this base (the bot's local URL). */
  routeTargetsTo(baseUrl: string): void;
  /** Asana's OAuth 2.0 endpoints on the same host (`/-/oauth_authorize`, `/-/oauth_token`). */
  oauth: FakeAsanaOAuth;
  close(): Promise<void>;
}

/**
 * OAuth as Asana does it: the authorize page redirects to `redirect_uri` with `code` and `state`; the token
 * endpoint takes a form (`grant_type` authorization_code or refresh_token, client_id, client_secret,
 * redirect_uri) and answers `{access_token, token_type: "bearer", expires_in: 3600, refresh_token, data: {id,
 * gid, name, email}}`; a refresh answers a new access token and no new refresh token (refresh tokens are
 * long-lived). Errors: 401 `{"error":"invalid_client"}`, 400 `{"error":"invalid_grant"}`. Access tokens
 * are accepted by the API until they expire or are revoked, like the personal token.
 */
export interface FakeAsanaOAuth {
  /** ASANA_OAUTH_URL: the host's root. */
  url: string;
  clientId: string;
  clientSecret: string;
  user: { gid: string; name: string; email: string };
  /** Every token request's form (client_secret replaced by its check). */
  tokenRequests: Record<string, string>[];
  /** A code as the consent screen would hand out (the authorize redirect carries one too). */
  issueCode(): string;
  liveAccessTokens(): string[];
  expireAccessTokens(): void;
  revokeAccessTokens(): void;
  revokeRefreshTokens(): void;
}

export interface AsanaWebhook {
  gid: string;
  resource: string;
  target: string;
  /** The X-Hook-Secret this fake sent in the handshake: deliveries are signed with it. */
  secret: string;
  filters: unknown;
}

export async function startFakeAsana(options: { token?: string } = {}): Promise<FakeAsana> {
  const token = options.token ?? `asana-${randomBytes(4).toString('hex')}`;
  const tasks = new Map<string, AsanaTaskJson>();
  const createdTasks: { data: Record<string, unknown> }[] = [];
  const requests: FakeAsana['requests'] = [];
  let failures: { left: number; status: number; headers: Record<string, string> } = { left: 0, status: 500, headers: {} };
  let nextGid = 1_300_000_000;
  const subtasks = new Map<string, string[]>();
  const timeEntries = new Map<string, Record<string, unknown>[]>();
  const webhooks = new Map<string, AsanaWebhook>();
  const deletedWebhooks: string[] = [];
  let targetBase: string | null = null;
  /** As Asana does: the handshake reaches the target before POST /webhooks answers; no echo, no webhook. */
  async function createWebhook(body: string) {
    let data: Record<string, unknown> | undefined;
    try {
      data = (JSON.parse(body || '{}') as { data?: Record<string, unknown> }).data;
    } catch {
      return { status: 400, body: { errors: [{ message: 'Could not parse request data, invalid JSON' }] } };
    }
    if (typeof data?.resource !== 'string' || !data.resource) return { status: 400, body: { errors: [{ message: 'resource: Missing input' }] } };
    if (typeof data.target !== 'string' || !data.target.startsWith('https://')) return { status: 400, body: { errors: [{ message: 'target: Invalid URL, must be https' }] } };
    const secret = randomBytes(16).toString('hex');
    const target = new URL(data.target);
    const reach = targetBase ? `${targetBase.replace(/\/+$/, '')}${target.pathname}${target.search}` : data.target;
    const echoed = await fetch(reach, { method: 'POST', headers: { 'X-Hook-Secret': secret }, body: '' })
      .then((r) => (r.status === 200 || r.status === 204) && r.headers.get('x-hook-secret') === secret)
      .catch(() => false);
    if (!echoed) return { status: 400, body: { errors: [{ message: 'The remote server did not respond with the handshake secret.' }] } };
    const gid = String(nextGid++);
    webhooks.set(gid, { gid, resource: data.resource, target: data.target, secret, filters: data.filters ?? [] });
    return {
      status: 201,
      body: { data: { gid, resource_type: 'webhook', active: true, resource: { gid: data.resource, resource_type: 'project' }, target: data.target, filters: data.filters ?? [] } },
    };
  }
  /** A list answer paged like Asana's: `limit` (1..100) and an opaque `offset` token; `next_page` null on the last page. */
  const paged = (items: unknown[], query: URLSearchParams, path: string) => {
    const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 100)));
    const start = query.get('offset') ? Number(Buffer.from(query.get('offset')!, 'base64url').toString()) : 0;
    const end = start + limit;
    const offset = Buffer.from(String(end)).toString('base64url');
    return {
      status: 200,
      body: {
        data: items.slice(start, end),
        next_page: end < items.length ? { offset, path: `${path}?limit=${limit}&offset=${offset}`, uri: `https://app.asana.com/api/1.0${path}?offset=${offset}` } : null,
      },
    };
  };

  const oauthClientId = '1209000000000001';
  const oauthClientSecret = `asana-secret-${randomBytes(6).toString('hex')}`;
  const oauthUser = { gid: '1201111111111111', name: 'Dana Approver', email: 'dana@pixelco.example' };
  const codes = new Set<string>();
  const oauthAccess = new Map<string, number>();
  const oauthRefresh = new Set<string>();
  const tokenRequests: Record<string, string>[] = [];
  const issue = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;
  function oauthToken(body: string) {
    const form = Object.fromEntries(new URLSearchParams(body));
    tokenRequests.push({ ...form, client_secret: form.client_secret === oauthClientSecret ? '(right)' : '(wrong)' });
    if (form.client_id !== oauthClientId || form.client_secret !== oauthClientSecret)
      return { status: 401, body: { error: 'invalid_client', error_description: 'The client is not authorized.' } };
    if (!form.redirect_uri) return { status: 400, body: { error: 'invalid_request', error_description: 'redirect_uri is required' } };
    const access = issue('2/oauth-at-');
    oauthAccess.set(access, Date.now() + 3_600_000);
    if (form.grant_type === 'authorization_code' && form.code && codes.delete(form.code)) {
      const refresh = issue('2/oauth-rt-');
      oauthRefresh.add(refresh);
      return {
        status: 200,
        body: {
          access_token: access,
          token_type: 'bearer',
          expires_in: 3600,
          refresh_token: refresh,
          data: { id: Number(oauthUser.gid), gid: oauthUser.gid, name: oauthUser.name, email: oauthUser.email },
        },
      };
    }
    if (form.grant_type === 'refresh_token' && form.refresh_token && oauthRefresh.has(form.refresh_token)) {
      return {
        status: 200,
        body: {
          access_token: access,
          token_type: 'bearer',
          expires_in: 3600,
          data: { id: Number(oauthUser.gid), gid: oauthUser.gid, name: oauthUser.name, email: oauthUser.email },
        },
      };
    }
    oauthAccess.delete(access);
    return { status: 400, body: { error: 'invalid_grant', error_description: 'The code or refresh token is invalid, expired or revoked.' } };
  }
  const authorized = (header: string | undefined) => {
    if (header === `Bearer ${token}`) return true;
    const bearer = header?.startsWith('Bearer ') ? header.slice(7) : '';
    return (oauthAccess.get(bearer) ?? 0) > Date.now();
  };

  const stub = await startStub((req) => {
    requests.push({ method: req.method, path: req.path, query: req.query.toString(), authorization: req.headers.authorization, body: req.body });
    if (req.method === 'POST' && req.path === '/-/oauth_token') return oauthToken(req.body);
    if (req.method === 'GET' && req.path === '/-/oauth_authorize') {
      const redirect = req.query.get('redirect_uri');
      if (req.query.get('client_id') !== oauthClientId || !redirect || req.query.get('response_type') !== 'code') return { status: 400, body: { error: 'invalid_request' } };
      const code = issue('code-');
      codes.add(code);
      const back = new URL(redirect);
      back.searchParams.set('code', code);
      back.searchParams.set('state', req.query.get('state') ?? '');
      return { status: 302, headers: { location: back.toString() }, body: '' };
    }
    if (!authorized(req.headers.authorization)) return { status: 401, body: { errors: [{ message: 'Not Authorized' }] } };
    if (failures.left > 0) {
      failures.left -= 1;
      return { status: failures.status, headers: failures.headers, body: { errors: [{ message: `injected ${failures.status}` }] } };
    }
    if (req.method === 'POST' && req.path === '/api/1.0/webhooks') return createWebhook(req.body);
    const webhookMatch = /^\/api\/1\.0\/webhooks\/([^/]+)$/.exec(req.path);
    if (req.method === 'DELETE' && webhookMatch) {
      const gid = decodeURIComponent(webhookMatch[1]!);
      if (!webhooks.delete(gid)) return { status: 404, body: { errors: [{ message: 'webhook: Unknown object' }] } };
      deletedWebhooks.push(gid);
      return { status: 200, body: { data: {} } };
    }
    const listMatch = /^\/api\/1\.0\/tasks\/([^/]+)\/(subtasks|time_tracking_entries)$/.exec(req.path);
    if (req.method === 'GET' && listMatch) {
      const gid = decodeURIComponent(listMatch[1]!);
      if (!tasks.has(gid)) return { status: 404, body: { errors: [{ message: 'task: Unknown object' }] } };
      const items =
        listMatch[2] === 'subtasks'
          ? (subtasks.get(gid) ?? []).map((child) => ({ gid: child, resource_type: 'task', name: tasks.get(child)?.name, resource_subtype: 'default_task' }))
          : (timeEntries.get(gid) ?? []);
      return paged(items, req.query, req.path.replace('/api/1.0', ''));
    }
    const projectTasks = /^\/api\/1\.0\/projects\/([^/]+)\/tasks$/.exec(req.path);
    if (req.method === 'GET' && projectTasks) {
      // completed_since=now: only the incomplete tasks, as Asana answers it.
      const gid = decodeURIComponent(projectTasks[1]!);
      const open = req.query.get('completed_since') === 'now';
      return paged(
        [...tasks.values()].filter((t) => t.projects.some((p) => p.gid === gid) && (!open || !t.completed)),
        req.query,
        req.path.replace('/api/1.0', ''),
      );
    }
    const taskMatch = /^\/api\/1\.0\/tasks\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && taskMatch) {
      const task = tasks.get(decodeURIComponent(taskMatch[1]!));
      return task ? { status: 200, body: { data: task } } : { status: 404, body: { errors: [{ message: 'task: Unknown object' }] } };
    }
    if (req.method === 'POST' && req.path === '/api/1.0/tasks') {
      let parsed: { data?: Record<string, unknown> };
      try {
        parsed = JSON.parse(req.body || '{}') as { data?: Record<string, unknown> };
      } catch {
        return { status: 400, body: { errors: [{ message: 'Could not parse request data, invalid JSON' }] } };
      }
      const data = parsed.data;
      if (!data || typeof data.name !== 'string' || !data.name) return { status: 400, body: { errors: [{ message: 'name: Missing input' }] } };
      const projects = Array.isArray(data.projects) ? data.projects.map(String) : [];
      if (projects.length === 0 && !data.workspace) {
        return { status: 400, body: { errors: [{ message: 'You should specify one of workspace, parent, projects' }] } };
      }
      const gid = String(nextGid++);
      createdTasks.push({ data });
      const permalink = `https://app.asana.com/0/${projects[0] ?? '0'}/${gid}`;
      // Stored like any other task so a later GET (or a re-fetch by duebot) finds it.
      tasks.set(gid, {
        gid,
        resource_type: 'task',
        name: data.name,
        completed: false,
        completed_at: null,
        resource_subtype: 'default_task',
        permalink_url: permalink,
        projects: projects.map((p) => ({ gid: p, name: `Project ${p}`, resource_type: 'project' as const })),
        custom_fields: [],
      });
      const assignee = typeof data.assignee === 'string' ? { gid: /^\d+$/.test(data.assignee) ? data.assignee : '1100', resource_type: 'user' } : null;
      return {
        status: 201,
        body: {
          data: {
            gid,
            resource_type: 'task',
            name: data.name,
            notes: data.notes ?? '',
            completed: false,
            assignee,
            due_on: data.due_on ?? null,
            projects: projects.map((p) => ({ gid: p, resource_type: 'project' })),
            permalink_url: permalink,
          },
        },
      };
    }
    return { status: 404, body: { errors: [{ message: `no route ${req.method} ${req.path}` }] } };
  });

  return {
    url: `http://127.0.0.1:${stub.port}/api/1.0`,
    token,
    oauth: {
      url: `http://127.0.0.1:${stub.port}`,
      clientId: oauthClientId,
      clientSecret: oauthClientSecret,
      user: oauthUser,
      tokenRequests,
      issueCode() {
        const code = issue('code-');
        codes.add(code);
        return code;
      },
      liveAccessTokens: () => [...oauthAccess].filter(([, until]) => until > Date.now()).map(([t]) => t),
      expireAccessTokens() {
        for (const t of oauthAccess.keys()) oauthAccess.set(t, 0);
      },
      revokeAccessTokens: () => oauthAccess.clear(),
      revokeRefreshTokens: () => oauthRefresh.clear(),
    },
    tasks,
    createdTasks,
    requests,
    addTask: (task) => void tasks.set(task.gid, task),
    addSubtask(parentGid, child) {
      tasks.set(child.gid, child);
      subtasks.set(parentGid, [...(subtasks.get(parentGid) ?? []), child.gid]);
    },
    logTime(taskGid, minutes, user, enteredOn = '2026-11-02') {
      const entry = {
        gid: String(nextGid++),
        resource_type: 'time_tracking_entry',
        duration_minutes: minutes,
        entered_on: enteredOn,
        created_by: { gid: user.gid, resource_type: 'user', name: user.name },
      };
      timeEntries.set(taskGid, [...(timeEntries.get(taskGid) ?? []), entry]);
    },
    failNext(count, status, headers = {}) {
      failures = { left: count, status, headers };
    },
    webhooks,
    deletedWebhooks,
    routeTargetsTo(baseUrl) {
      targetBase = baseUrl;
    },
    close: stub.close,
  };
}

export interface TaskSpec {
  gid: string;
  name: string;
  completed?: boolean;
  /**
   * true: enum "Billing milestone" = Yes; false: = No; 'checkbox-text' (alias 'text'): a text field set to "✓"
   * as teams do without an enum; undefined: no such field.
   */
  billing?: boolean | 'checkbox-text' | 'text';
  /** A number field; a string makes "Amount" a text field holding it (e.g. "1,500.00"). */
  amount?: number | string;
  quantity?: number;
  rate?: number;
  client?: string;
  projectGid: string;
  projectName?: string;
  /** YYYY-MM-DD. */
  dueOn?: string;
  /** Asana's task type; 'milestone' is its native milestone. */
  subtype?: 'default_task' | 'milestone' | 'approval';
}

/** A task as Asana's API returns it with the opt_fields duebot asks for. */
export function asanaTask(spec: TaskSpec): AsanaTaskJson {
  const fields: Record<string, unknown>[] = [];
  if (spec.billing === 'checkbox-text' || spec.billing === 'text') {
    fields.push({ gid: '9001', name: 'Billing milestone', resource_subtype: 'text', text_value: '✓', display_value: '✓' });
  } else if (spec.billing !== undefined) {
    const option = spec.billing ? { gid: '9101', name: 'Yes' } : { gid: '9102', name: 'No' };
    fields.push({
      gid: '9001',
      name: 'Billing milestone',
      resource_subtype: 'enum',
      display_value: option.name,
      enum_value: { ...option, resource_type: 'enum_option', enabled: true, color: spec.billing ? 'green' : 'none' },
    });
  }
  const number = (gid: string, name: string, value: number | undefined) =>
    fields.push({ gid, name, resource_subtype: 'number', number_value: value ?? null, display_value: value === undefined ? null : String(value) });
  if (typeof spec.amount === 'string') fields.push({ gid: '9002', name: 'Amount', resource_subtype: 'text', text_value: spec.amount, display_value: spec.amount });
  else number('9002', 'Amount', spec.amount);
  if (spec.quantity !== undefined) number('9003', 'Quantity', spec.quantity);
  if (spec.rate !== undefined) number('9004', 'Rate', spec.rate);
  if (spec.client !== undefined) fields.push({ gid: '9005', name: 'Client', resource_subtype: 'text', text_value: spec.client, display_value: spec.client });
  return {
    gid: spec.gid,
    resource_type: 'task',
    name: spec.name,
    completed: spec.completed ?? true,
    completed_at: spec.completed === false ? null : new Date().toISOString(),
    due_on: spec.dueOn ?? null,
    resource_subtype: spec.subtype ?? 'default_task',
    permalink_url: `https://app.asana.com/0/${spec.projectGid}/${spec.gid}`,
    projects: [{ gid: spec.projectGid, name: spec.projectName ?? `Project ${spec.projectGid}`, resource_type: 'project' }],
    custom_fields: fields.map((f) => ({ resource_type: 'custom_field', ...f })),
  };
}

/**
 * Registers duebot's Asana webhook on a project the real way (an approver's `/invoices connect asana <gid>`,
 * through the use case): the fake makes the handshake during the create call. Returns the secret deliveries
 * are signed with and the path they go to (`/webhooks/asana?hook=…`).
 */
export async function connectAsanaWebhook(services: Services, asana: FakeAsana, projectGid: string, approver: string): Promise<{ secret: string; path: string; answer: string }> {
  const answer = await connectProjectTool(services, { tool: 'asana', resource: projectGid, slackUserId: approver });
  const webhook = [...asana.webhooks.values()].find((w) => w.resource === projectGid);
  if (!webhook) throw new Error(`the Asana webhook was not registered: ${answer}`);
  const target = new URL(webhook.target);
  return { secret: webhook.secret, path: `${target.pathname}${target.search}`, answer };
}

/** A handshake nobody asked for: a POST with X-Hook-Secret and an empty body, as an attacker would send it. */
export async function unsolicitedHandshake(targetUrl: string, secret = randomBytes(16).toString('hex')): Promise<Response> {
  return fetch(targetUrl, { method: 'POST', headers: { 'X-Hook-Secret': secret }, body: '' });
}

/** A signed delivery as Asana sends it. */
export function asanaDelivery(secret: string, events: unknown[]): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({ events });
  return { body, headers: { 'content-type': 'application/json', 'x-hook-signature': hmacDigest('sha256', secret, body, 'hex') } };
}

let eventClock = Date.parse('2026-11-02T10:00:00.000Z');
/** A "task completed" change event; each call is a distinct event (a new created_at). */
export function completedEvent(taskGid: string): Record<string, unknown> {
  eventClock += 1000;
  return {
    user: { gid: '1100', resource_type: 'user' },
    created_at: new Date(eventClock).toISOString(),
    action: 'changed',
    resource: { gid: taskGid, resource_type: 'task', resource_subtype: 'default_task' },
    parent: null,
    change: { field: 'completed', action: 'changed' },
  };
}

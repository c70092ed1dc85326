import { z } from 'zod';
import { httpUrl } from '../../domain/web-url.js';
import { hmacDigest, safeEqual } from '../../http/signatures.js';
import { parseJson } from '../../http/raw-body.js';
import { deleteUnlessGone, header, isYes, jsonClient, ProjectToolError } from './http.js';
import { sameName, taskField, taskWithFacts } from './mapping.js';
import type { CallObserver } from '../call-observer.js';
import type { ProjectTask, TimeEntry, WebhookOutcome, WebhookRegistrar, WebhookRequest, TaskWebhook, WritableProjectTool } from './tool.js';

/**
 * ClickUp through its REST API v2 (`CLICKUP_API_URL` overrides the base for tests). Webhook deliveries
 * (`taskStatusUpdated`) are verified with the webhook's secret; a task moved to a closed/done status is
 * read back and invoiced when its "Billing milestone" custom field says so. Lists are the containers.
 */
const DEFAULT_API = 'https://api.clickup.com/api/v2';
const DONE_TYPES = new Set(['closed', 'done']);

interface ClickUpField {
  id: string;
  name?: string;
  type?: string;
  type_config?: { options?: { id?: string; name?: string; label?: string; orderindex?: number | string }[] };
  value?: unknown;
}

interface ClickUpTask {
  id: string;
  name?: string;
  url?: string;
  status?: { status?: string; type?: string };
  date_done?: string | null;
  date_closed?: string | null;
  custom_item_id?: number | null;
  list?: { id: string };
  custom_fields?: ClickUpField[];
  tags?: { name?: string }[];
  due_date?: string | null;
  subtasks?: { id: string; name?: string }[];
}

/** One user's time on a task, as GET /task/{task_id}/time answers: `time` in milliseconds (a string). */
interface ClickUpTrackedTime {
  user?: { id?: number | string; username?: string; email?: string };
  time?: string | number;
}

const delivery = z.object({
  event: z.string(),
  task_id: z.string().optional(),
  webhook_id: z.string(),
  history_items: z.array(z.object({ id: z.string(), field: z.string().optional(), after: z.unknown().optional() }).passthrough()).default([]),
});

export function createClickUpTool(options: {
  apiToken: string;
  webhookSecret: string;
  apiUrl?: string | null;
  doneStatuses?: string[];
  observe?: CallObserver;
}): WritableProjectTool & { webhook: TaskWebhook; webhookRegistrar: WebhookRegistrar } {
  const call = jsonClient({
    label: 'ClickUp',
    baseUrl: options.apiUrl || DEFAULT_API,
    // A personal token (pk_...) goes in as is; OAuth tokens would need "Bearer".
    headers: { Authorization: options.apiToken },
    observe: options.observe,
    describeError: (body) => {
      try {
        const parsed = JSON.parse(body) as { err?: string; ECODE?: string };
        return [parsed.err, parsed.ECODE].filter(Boolean).join(' ') || body.slice(0, 200);
      } catch {
        return body.slice(0, 200) || '(no body)';
      }
    },
  });

  return {
    name: 'clickup',
    async fetchTask(taskId) {
      return toProjectTask(await call<ClickUpTask>('GET', `/task/${encodeURIComponent(taskId)}`));
    },
    async listOpenTasks(listIds) {
      const tasks: ProjectTask[] = [];
      for (const listId of listIds) {
        // Pages of up to 100 tasks, numbered from 0, until ClickUp says it was the last.
        for (let page = 0; ; page += 1) {
          const answer = await call<{ tasks?: ClickUpTask[]; last_page?: boolean }>(
            'GET',
            `/list/${encodeURIComponent(listId)}/task?include_closed=false&subtasks=false&page=${page}`,
          );
          tasks.push(...(answer.tasks ?? []).map(toProjectTask));
          if (answer.last_page !== false || !answer.tasks?.length) break;
        }
      }
      return tasks;
    },
    async fetchTimeEntries(task) {
      // The milestone and its subtasks (one level, as ClickUp nests them), each with its tracked time per user.
      const parent = await call<ClickUpTask>('GET', `/task/${encodeURIComponent(task.taskId)}?include_subtasks=true`);
      const tasks = [{ id: task.taskId, name: task.name }, ...(parent.subtasks ?? []).map((t) => ({ id: t.id, name: t.name ?? `Task ${t.id}` }))];
      const entries: TimeEntry[] = [];
      for (const t of tasks) {
        const tracked = await call<{ data?: ClickUpTrackedTime[] }>('GET', `/task/${encodeURIComponent(t.id)}/time`);
        for (const per of tracked.data ?? []) {
          const ms = Number(per.time);
          // A running timer shows as a negative duration: only stopped time is billed.
          if (!Number.isSafeInteger(ms) || ms <= 0) continue;
          const user = per.user ?? {};
          entries.push({
            taskId: t.id,
            taskName: t.name,
            person: { id: user.id === undefined ? null : String(user.id), name: user.username ?? null, email: user.email ?? null },
            durationMs: ms,
          });
        }
      }
      return entries;
    },
    async createTask(request) {
      const created = await call<{ id: string; url?: string }>('POST', `/list/${encodeURIComponent(request.projectId)}/task`, {
        name: request.title,
        description: request.notes,
        ...(request.assignee ? { assignees: [Number(request.assignee)] } : {}),
        ...(request.dueOn ? { due_date: Date.parse(`${request.dueOn}T12:00:00Z`) } : {}),
      });
      return { taskId: created.id, url: httpUrl(created.url) };
    },
    webhook: {
      // A registration duebot made carries its own secret; a webhook made by hand uses CLICKUP_WEBHOOK_SECRET.
      receive: (request) => receive(request.registration?.secret ?? options.webhookSecret, options.doneStatuses ?? [], request),
    },
    webhookRegistrar: {
      resourceLabel: 'list id',
      perWebhookSecret: true,
      async create(listId, targetUrl) {
        // Webhooks live in a Workspace ("team"); the token's only one is used (several: named in the error).
        const { teams = [] } = await call<{ teams?: { id: string; name?: string }[] }>('GET', '/team');
        if (teams.length !== 1) {
          throw new ProjectToolError(
            `the ClickUp token reaches ${teams.length} Workspaces (${teams.map((t) => t.name ?? t.id).join(', ')}); use a token of the one holding the list`,
            'invalid',
            false,
          );
        }
        const created = await call<{ id: string; webhook?: { id?: string; secret?: string } }>('POST', `/team/${encodeURIComponent(teams[0]!.id)}/webhook`, {
          endpoint: targetUrl,
          events: ['taskStatusUpdated'],
          list_id: /^\d+$/.test(listId) ? Number(listId) : listId,
        });
        const secret = created.webhook?.secret;
        if (!secret) throw new ProjectToolError('ClickUp created the webhook without a secret', 'unavailable', true);
        return { webhookId: created.webhook?.id ?? created.id, secret };
      },
      remove: (webhookId) => deleteUnlessGone(call<unknown>('DELETE', `/webhook/${encodeURIComponent(webhookId)}`)),
    },
  };
}

/** `X-Signature` is the hex HMAC-SHA256 of the raw body with the webhook's secret. */
export function verifyClickUpSignature(secret: string, rawBody: Buffer, signature: string | undefined): boolean {
  return !!signature && safeEqual(hmacDigest('sha256', secret, rawBody, 'hex'), signature.trim().toLowerCase());
}

function receive(secret: string, doneStatuses: string[], request: WebhookRequest): WebhookOutcome {
  if (request.method !== 'POST') return { kind: 'reply', status: 405, body: { error: 'POST only' } };
  const signature = header(request.headers, 'x-signature');
  if (!verifyClickUpSignature(secret, request.rawBody, signature)) {
    return { kind: 'unauthorized', reason: signature ? 'X-Signature does not match the ClickUp webhook secret' : 'missing X-Signature' };
  }
  const json = parseJson(request.rawBody);
  const parsed = json.ok ? delivery.safeParse(json.value) : null;
  if (!json.ok || !parsed?.success) return { kind: 'malformed', reason: json.ok ? 'expected a ClickUp webhook event {event, webhook_id, task_id, history_items}' : json.reason };
  const event = parsed.data;
  const status = event.history_items.find((h) => h.field === 'status');
  const after = status?.after as { type?: string; status?: string } | undefined;
  const done = DONE_TYPES.has(String(after?.type)) || doneStatuses.some((s) => sameName(s, after?.status));
  if (event.event !== 'taskStatusUpdated' || !event.task_id || !status || !done) return { kind: 'events', events: [], ignored: 1 };
  // ClickUp's suggested dedupe key: the webhook plus the history item.
  return { kind: 'events', events: [{ externalId: `${event.webhook_id}:${status.id}`, taskId: event.task_id }], ignored: 0 };
}

/** Reduces ClickUp's task JSON to the facts a mapping reads; drop-down and label fields read as their option names. */
export function toProjectTask(task: ClickUpTask): ProjectTask {
  const optionNames = (f: ClickUpField): string[] => {
    const options = f.type_config?.options ?? [];
    const values = Array.isArray(f.value) ? f.value : f.value === undefined || f.value === null ? [] : [f.value];
    // A drop_down value is the option's orderindex (or its id, in some payloads); labels are option ids.
    return values.map((v) => options.find((o) => o.id === v || String(o.orderindex) === String(v))).map((o) => o?.name ?? o?.label ?? '');
  };
  const fields = (task.custom_fields ?? [])
    .filter((f) => f.name)
    .map((f) => {
      if (f.type === 'drop_down' || f.type === 'labels') {
        const names = optionNames(f).filter(Boolean);
        return taskField(f.name!, names.join(', '), { yes: names.some(isYes) });
      }
      return taskField(f.name!, typeof f.value === 'string' || typeof f.value === 'number' ? String(f.value) : null, { number: f.value, yes: isYes(f.value) });
    });
  const done = task.date_done ?? task.date_closed;
  return taskWithFacts(
    {
      taskId: task.id,
      name: task.name ?? `Task ${task.id}`,
      completedAt: done ? new Date(Number(done)) : null,
      url: httpUrl(task.url),
      projectIds: task.list ? [task.list.id] : [],
      dueOn: task.due_date ? new Date(Number(task.due_date)).toISOString().slice(0, 10) : null,
    },
    {
      fields,
      tags: (task.tags ?? []).flatMap((t) => (t.name ? [t.name] : [])),
      statuses: task.status?.status ? [task.status.status] : [],
      doneByTool: DONE_TYPES.has(String(task.status?.type)),
      nativeMilestone: task.custom_item_id === 1, // ClickUp's own "Milestone" task type
    },
  );
}

import { httpUrl } from '../../domain/web-url.js';
import { deleteUnlessGone, type HttpMethod, isYes, jsonClient, type JsonCall, ProjectToolError } from './http.js';
import { taskField, taskWithFacts } from './mapping.js';
import type { CallObserver } from '../call-observer.js';
import type { CreateTaskRequest, ProjectTask, TimeEntry, WebhookRegistrar, WritableProjectTool } from './tool.js';

export { ProjectToolError, type ProjectToolErrorCode } from './http.js';

const DEFAULT_API = 'https://app.asana.com/api/1.0';
const TASK_FIELDS = [
  'name',
  'completed',
  'completed_at',
  'due_on',
  'resource_subtype',
  'tags.name',
  'permalink_url',
  'projects.gid',
  'projects.name',
  'custom_fields.gid',
  'custom_fields.name',
  'custom_fields.resource_subtype',
  'custom_fields.display_value',
  'custom_fields.enum_value.name',
  'custom_fields.multi_enum_values.name',
  'custom_fields.number_value',
  'custom_fields.text_value',
].join(',');

interface AsanaCustomField {
  gid?: string;
  name?: string;
  resource_subtype?: string;
  display_value?: string | null;
  enum_value?: { name?: string } | null;
  multi_enum_values?: { name?: string }[] | null;
  number_value?: number | null;
  text_value?: string | null;
}

const TIME_FIELDS = 'duration_minutes,entered_on,created_by.name,created_by.email';

/** GET /tasks/{task_gid}/time_tracking_entries: whole minutes per entry, by the user who logged them. */
interface AsanaTimeEntry {
  gid: string;
  duration_minutes?: number;
  entered_on?: string;
  created_by?: { gid?: string; name?: string; email?: string } | null;
}

interface AsanaTask {
  gid: string;
  name?: string;
  completed?: boolean;
  completed_at?: string | null;
  resource_subtype?: string;
  permalink_url?: string | null;
  due_on?: string | null;
  tags?: { name?: string }[];
  projects?: { gid: string }[];
  custom_fields?: AsanaCustomField[];
}

/**
 * Where the Asana tool's bearer token comes from: a personal access token, or an OAuth connection
 * (src/providers/projects/asana-oauth.ts) whose access token expires within the hour.
 */
export interface AsanaAuth {
  /** The token for the next call; throws a ProjectToolError ('auth') when there is none. */
  token(): Promise<string>;
  /** A call with `token` answered 401: a fresh token to retry once with, or null (nothing to refresh). */
  refused(token: string): Promise<string | null>;
  /** The retry with the fresh token answered 401 too. */
  broken?(token: string, reason: string): Promise<void>;
  succeeded?(token: string): Promise<void>;
}

/** A personal access token: nothing to refresh. */
export const personalAccessToken = (token: string): AsanaAuth => ({ token: () => Promise.resolve(token), refused: () => Promise.resolve(null) });

/** Asana through its REST API (`ASANA_API_URL` overrides the base for tests). */
export function createAsanaTool(options: {
  accessToken?: string | null;
  auth?: AsanaAuth;
  apiUrl?: string | null;
  observe?: CallObserver;
}): WritableProjectTool & { webhookRegistrar: WebhookRegistrar } {
  const base = (options.apiUrl || DEFAULT_API).replace(/\/+$/, '');
  const auth = options.auth ?? personalAccessToken(options.accessToken ?? '');
  const clientFor = (token: string) =>
    jsonClient({ label: 'Asana', baseUrl: base, headers: { Authorization: `Bearer ${token}` }, describeError: errorMessage, observe: options.observe });
  /** Every call with the current token; a 401 gets one fresh token (OAuth) and one retry. */
  const json: JsonCall = async <T>(method: HttpMethod, path: string, body?: unknown): Promise<T> => {
    let token = await auth.token();
    for (let attempt = 0; ; attempt += 1) {
      try {
        const result = await clientFor(token)<T>(method, path, body);
        await auth.succeeded?.(token);
        return result;
      } catch (err) {
        if (!(err instanceof ProjectToolError && err.status === 401)) throw err;
        const fresh = attempt === 0 ? await auth.refused(token) : null;
        if (fresh) {
          token = fresh;
          continue;
        }
        if (attempt > 0) await auth.broken?.(token, 'Asana answered 401 after a token refresh');
        throw err;
      }
    }
  };
  /** Asana wraps every answer in `data`; lists page with `next_page.offset`. */
  async function page<T>(method: HttpMethod, path: string, body?: unknown): Promise<{ data: T; next: string | null }> {
    const parsed = await json<{ data?: T; next_page?: { offset?: string } | null }>(method, path, body);
    if (parsed?.data === undefined) throw new ProjectToolError(`Asana ${method} ${path.split('?')[0]} answered without a data object`, 'unavailable', true);
    return { data: parsed.data, next: parsed.next_page?.offset ?? null };
  }
  const call = async <T>(method: HttpMethod, path: string, body?: unknown): Promise<T> => (await page<T>(method, path, body)).data;
  async function all<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let offset: string | null = null;
    do {
      const answer: { data: T[]; next: string | null } = await page<T[]>('GET', `${path}&limit=100${offset ? `&offset=${encodeURIComponent(offset)}` : ''}`);
      items.push(...answer.data);
      offset = answer.next;
    } while (offset);
    return items;
  }

  return {
    name: 'asana',
    async fetchTask(taskId) {
      const task = await call<AsanaTask>('GET', `/tasks/${encodeURIComponent(taskId)}?opt_fields=${TASK_FIELDS}`);
      return toProjectTask(task);
    },
    async listOpenTasks(projectIds) {
      // completed_since=now: Asana's way of asking for the incomplete tasks only.
      const lists = await Promise.all(projectIds.map((gid) => all<AsanaTask>(`/projects/${encodeURIComponent(gid)}/tasks?completed_since=now&opt_fields=${TASK_FIELDS}`)));
      return lists.flat().map(toProjectTask);
    },
    async fetchTimeEntries(task) {
      // The milestone's own entries, then each subtask's, counted under the subtask.
      const subtasks = await all<{ gid: string; name?: string }>(`/tasks/${encodeURIComponent(task.taskId)}/subtasks?opt_fields=name`);
      const tasks = [{ gid: task.taskId, name: task.name }, ...subtasks.map((s) => ({ gid: s.gid, name: s.name ?? `Task ${s.gid}` }))];
      const entries: TimeEntry[] = [];
      for (const t of tasks) {
        const tracked = await all<AsanaTimeEntry>(`/tasks/${encodeURIComponent(t.gid)}/time_tracking_entries?opt_fields=${TIME_FIELDS}`);
        for (const e of tracked) {
          if (typeof e.duration_minutes !== 'number' || e.duration_minutes <= 0) continue;
          const by = e.created_by;
          entries.push({
            taskId: t.gid,
            taskName: t.name,
            person: { id: by?.gid ?? null, name: by?.name ?? null, email: by?.email ?? null },
            durationMs: e.duration_minutes * 60_000,
          });
        }
      }
      return entries;
    },
    async createTask(request: CreateTaskRequest) {
      const created = await call<{ gid: string; permalink_url?: string | null }>('POST', '/tasks', {
        data: {
          name: request.title,
          notes: request.notes,
          projects: [request.projectId],
          ...(request.assignee ? { assignee: request.assignee } : {}),
          ...(request.dueOn ? { due_on: request.dueOn } : {}),
        },
      });
      return { taskId: created.gid, url: httpUrl(created.permalink_url) };
    },
    webhookRegistrar: {
      resourceLabel: 'project gid',
      perWebhookSecret: true,
      async create(resource, targetUrl) {
        // Asana makes its X-Hook-Secret handshake against the target before it answers this call.
        const created = await call<{ gid: string }>('POST', '/webhooks', {
          data: { resource, target: targetUrl, filters: [{ resource_type: 'task', action: 'changed', fields: ['completed'] }] },
        });
        return { webhookId: created.gid, secret: null };
      },
      remove: (webhookId) => deleteUnlessGone(call<unknown>('DELETE', `/webhooks/${encodeURIComponent(webhookId)}`)),
    },
  };
}

/**
 * Reduces Asana's task JSON to the facts a mapping reads (src/providers/projects/mapping.ts). Enum, multi-enum,
 * text and number fields all count; without a billing field Asana's own milestone task type counts.
 */
export function toProjectTask(task: AsanaTask): ProjectTask {
  const fields = (task.custom_fields ?? [])
    .filter((f) => f.name)
    .map((f) =>
      taskField(f.name!, f.text_value ?? f.enum_value?.name ?? f.display_value, {
        number: typeof f.number_value === 'number' ? f.number_value : undefined,
        yes: [f.enum_value?.name, ...(f.multi_enum_values ?? []).map((v) => v.name), f.text_value, f.display_value].some(isYes),
      }),
    );
  return taskWithFacts(
    {
      taskId: task.gid,
      name: task.name ?? `Task ${task.gid}`,
      completedAt: task.completed_at ? new Date(task.completed_at) : null,
      url: httpUrl(task.permalink_url),
      projectIds: (task.projects ?? []).map((p) => p.gid),
      dueOn: task.due_on ?? null,
    },
    {
      fields,
      tags: (task.tags ?? []).flatMap((t) => (t.name ? [t.name] : [])),
      statuses: [],
      doneByTool: task.completed === true,
      nativeMilestone: task.resource_subtype === 'milestone',
    },
  );
}

function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: { message?: string }[] };
    return (
      parsed.errors
        ?.map((e) => e.message)
        .filter(Boolean)
        .join('; ') || body.slice(0, 200)
    );
  } catch {
    return body.slice(0, 200) || '(no body)';
  }
}

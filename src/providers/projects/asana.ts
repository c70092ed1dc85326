import { isYes, ProjectToolError } from './http.js';
import { taskField, taskWithFacts } from './mapping.js';
import type { CreateTaskRequest, ProjectTask, WritableProjectTool } from './tool.js';

export { ProjectToolError, type ProjectToolErrorCode } from './http.js';

const DEFAULT_API = 'https://app.asana.com/api/1.0';
const TASK_FIELDS = [
  'name', 'completed', 'completed_at', 'due_on', 'resource_subtype', 'tags.name', 'permalink_url', 'projects.gid', 'projects.name',
  'custom_fields.gid', 'custom_fields.name', 'custom_fields.resource_subtype', 'custom_fields.display_value',
  'custom_fields.enum_value.name', 'custom_fields.multi_enum_values.name', 'custom_fields.number_value', 'custom_fields.text_value',
].join(',');
const MAX_RETRIES = 3;
const MAX_WAIT_MS = 10_000;
const DEFAULT_WAIT_MS = 1_000;

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

/** Asana through its REST API (`ASANA_API_URL` overrides the base for tests). */
export function createAsanaTool(options: { accessToken: string; apiUrl?: string | null }): WritableProjectTool {
  const base = (options.apiUrl || DEFAULT_API).replace(/\/+$/, '');

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, {
          method,
          headers: { Authorization: `Bearer ${options.accessToken}`, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(15_000),
        });
      } catch (err) {
        throw new ProjectToolError(`Asana unreachable: ${err instanceof Error ? err.message : String(err)}`, 'unavailable', true);
      }
      if (res.ok) {
        const parsed = (await res.json().catch(() => undefined)) as { data?: T } | undefined;
        if (parsed?.data === undefined) throw new ProjectToolError(`Asana ${method} ${path.split('?')[0]} answered ${res.status} without a data object`, 'unavailable', true);
        return parsed.data;
      }
      const detail = await res.text().catch(() => '');
      if (res.status === 429 && attempt < MAX_RETRIES) {
        await new Promise((r) => setTimeout(r, retryAfterMs(res.headers.get('retry-after'))));
        continue;
      }
      const message = `Asana ${method} ${path.split('?')[0]} answered ${res.status}: ${errorMessage(detail)}`;
      if (res.status === 404) throw new ProjectToolError(message, 'not_found', false);
      if (res.status === 401 || res.status === 403) throw new ProjectToolError(message, 'auth', false);
      if (res.status === 429) throw new ProjectToolError(message, 'rate_limited', true);
      if (res.status >= 500) throw new ProjectToolError(message, 'unavailable', true);
      throw new ProjectToolError(message, 'invalid', false);
    }
  }

  return {
    name: 'asana',
    async fetchTask(taskId) {
      const task = await call<AsanaTask>('GET', `/tasks/${encodeURIComponent(taskId)}?opt_fields=${TASK_FIELDS}`);
      return toProjectTask(task);
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
      return { taskId: created.gid, url: created.permalink_url ?? null };
    },
  };
}

/** `Retry-After` is seconds (Asana) or an HTTP date (proxies); capped so a webhook job never stalls for minutes. */
function retryAfterMs(header: string | null): number {
  if (header === null || header.trim() === '') return DEFAULT_WAIT_MS;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.min(MAX_WAIT_MS, Math.max(0, seconds * 1000));
  const at = Date.parse(header);
  return Number.isNaN(at) ? DEFAULT_WAIT_MS : Math.min(MAX_WAIT_MS, Math.max(0, at - Date.now()));
}

/**
 * Reduces Asana's task JSON to the facts a mapping reads (src/providers/projects/mapping.ts). Enum, multi-enum,
 * text and number fields all count; without a billing field Asana's own milestone task type counts.
 */
export function toProjectTask(task: AsanaTask): ProjectTask {
  const fields = (task.custom_fields ?? []).filter((f) => f.name).map((f) =>
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
      url: task.permalink_url ?? null,
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
    return parsed.errors?.map((e) => e.message).filter(Boolean).join('; ') || body.slice(0, 200);
  } catch {
    return body.slice(0, 200) || '(no body)';
  }
}

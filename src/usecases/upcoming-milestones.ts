import { addDays } from '../domain/calendar.js';
import { TimeoutError, withTimeout } from './time-budget.js';
import { DEFAULT_FORECAST_MILESTONES_CACHE_MS, type ForecastInvoice } from '../domain/forecast.js';
import { totalOf } from '../domain/invoice.js';
import { remapTask } from '../providers/projects/mapping.js';
import type { ProjectTask, ProjectTool } from '../providers/projects/tool.js';
import { listClients, type StoredClient } from '../store/clients.js';
import { invoicedSourceRefs } from '../store/invoices.js';
import type { Services } from '../services.js';
import { linesFromTask } from './draft-from-milestone.js';

/**
 * Upcoming billing milestones as expected inflows: the not-yet-done milestones of each client (read through
 * the client's mapping) that have a due date and an amount, as invoices issued on their due date (tomorrow at
 * the earliest) with the client's terms. The forecast then expects them paid after the client's lateness.
 *
 * `/invoices forecast` answers after Slack's ack, so the tools get one shared time budget: a tool that fails
 * or is slower is left out, and the forecast says so.
 *
 * A forecast asks each client's projects once, so the lists are reused for FORECAST_MILESTONES_CACHE (a
 * minute by default; see openTasks): a few forecasts a minute stay within the tools' rate limits, and a
 * forecast does not wait for hundreds of calls each time.
 */
export const UPCOMING_TIMEOUT_MS = 2000;
/** Past the cache time and up to this age, the last list answers while a fresh one is read behind it. */
export const OPEN_TASKS_STALE_LIMIT_MS = 15 * 60_000;

export interface UpcomingInflows {
  rows: ForecastInvoice[];
  /** What is not included and why, one sentence per tool. */
  notes: string[];
}

export async function upcomingMilestoneInflows(services: Services, asOf: string, timeoutMs = UPCOMING_TIMEOUT_MS): Promise<UpcomingInflows> {
  const clients = await listClients(services.db.pool);
  const tomorrow = addDays(asOf, 1);
  const perTool = await Promise.all(
    Object.values(services.projectTools).map(async (tool): Promise<UpcomingInflows> => {
      const owners = clients.flatMap((client) => {
        const containers = tool.name === 'asana' ? client.asanaProjectGids : (client.toolContainers?.[tool.name] ?? []);
        return containers.length ? [{ client, containers }] : [];
      });
      if (!owners.length) return { rows: [], notes: [] };
      if (!tool.listOpenTasks) return { rows: [], notes: [`${tool.name} cannot list upcoming milestones; they are not included.`] };
      try {
        const lists = await withTimeout(Promise.all(owners.map(async (o) => ({ ...o, tasks: await openTasks(services, tool, o.containers) }))), timeoutMs);
        const found = lists.flatMap((o) => o.tasks.flatMap((task) => milestoneRow(task, o.client, tomorrow).map((row) => ({ taskId: task.taskId, row }))));
        // A milestone re-opened after it was invoiced is already in the forecast as that invoice.
        const invoiced = new Set(
          await invoicedSourceRefs(
            services.db.pool,
            tool.name,
            found.map((f) => f.taskId),
          ),
        );
        return { rows: found.filter((f) => !invoiced.has(f.taskId)).map((f) => ({ ...f.row, number: `${tool.name}:${f.taskId}` })), notes: [] };
      } catch (err) {
        services.log.warn({ tool: tool.name, err: (err as Error).message }, 'upcoming milestones not read for the forecast');
        return {
          rows: [],
          notes: [`${tool.name} ${err instanceof TimeoutError ? `did not answer within ${timeoutMs / 1000} s` : 'could not be read'}: its upcoming milestones are not included.`],
        };
      }
    }),
  );
  return { rows: perTool.flatMap((t) => t.rows), notes: perTool.flatMap((t) => t.notes) };
}

interface ReadTasks {
  tasks: ProjectTask[];
  /** When the read started (business clock, ms). */
  readAt: number;
  refreshing: boolean;
}
/** Per tool (so per process and configuration), per list of containers. */
const openTaskCache = new WeakMap<ProjectTool, Map<string, ReadTasks>>();

/**
 * The open tasks of one client's containers: read from the tool at most once per cache time. An older
 * list (up to OPEN_TASKS_STALE_LIMIT_MS) answers at once while one refresh runs behind it, so a slow or
 * rate-limited tool does not hold up the forecast; with none, or an older one, the tool is waited for.
 * Milestones invoiced since are still left out: that check reads the database every time.
 */
function openTasks(services: Services, tool: ProjectTool, containers: string[]): ProjectTask[] | Promise<ProjectTask[]> {
  const cacheMs = services.settings.forecastMilestonesCacheMs ?? DEFAULT_FORECAST_MILESTONES_CACHE_MS;
  if (cacheMs <= 0) return tool.listOpenTasks!(containers);
  let lists = openTaskCache.get(tool);
  if (!lists) openTaskCache.set(tool, (lists = new Map()));
  const key = containers.join('\n');
  const now = services.clock.now().getTime();
  const read = async () => {
    const tasks = await tool.listOpenTasks!(containers);
    lists.set(key, { tasks, readAt: now, refreshing: false });
    return tasks;
  };
  const last = lists.get(key);
  const age = last ? now - last.readAt : Infinity;
  if (!last || age < 0 || age >= Math.max(cacheMs, OPEN_TASKS_STALE_LIMIT_MS)) return read();
  if (age >= cacheMs && !last.refreshing) {
    last.refreshing = true;
    read().catch((err: Error) => {
      last.refreshing = false;
      services.log.warn({ tool: tool.name, err: err.message }, 'open tasks not refreshed for the forecast; the last list is used');
    });
  }
  return last.tasks;
}

/** One upcoming milestone as a scheduled invoice, or nothing when it is done, not a milestone, undated or without an amount. */
function milestoneRow(fetched: ProjectTask, client: StoredClient, tomorrow: string): ForecastInvoice[] {
  const task = remapTask(fetched, client.mapping);
  if (task.completed || !task.isBillingMilestone || !task.dueOn) return [];
  let amount: number;
  try {
    amount = totalOf(linesFromTask(task, client.currency, client.mapping), client.currency);
  } catch {
    return []; // no amount yet (e.g. billed from time still to be tracked): nothing to expect
  }
  const issued = task.dueOn > tomorrow ? task.dueOn : tomorrow;
  return [{ customer: client.name, number: task.name, currency: client.currency, invoiceDate: issued, dueDate: addDays(issued, client.paymentTermsDays), amount, paidDate: null }];
}

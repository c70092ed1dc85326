import { addDays } from '../domain/calendar.js';
import { TimeoutError, withTimeout } from './time-budget.js';
import type { ForecastInvoice } from '../domain/forecast.js';
import { totalOf } from '../domain/invoice.js';
import { remapTask } from '../providers/projects/mapping.js';
import type { ProjectTask } from '../providers/projects/tool.js';
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
 */
export const UPCOMING_TIMEOUT_MS = 2000;

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
        const lists = await withTimeout(Promise.all(owners.map(async (o) => ({ ...o, tasks: await tool.listOpenTasks!(o.containers) }))), timeoutMs);
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

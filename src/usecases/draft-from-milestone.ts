import { clip, esc, link, truncate } from '../../blocks/format.js';
import { addDays, localDate } from '../domain/calendar.js';
import { formatInvoiceNumber, line, totalOf } from '../domain/invoice.js';
import { MoneyError, parseMajor, parseQuantity } from '../domain/money.js';
import { linesFromTime } from '../domain/time-lines.js';
import type { InvoiceLine, MilestoneMapping } from '../domain/types.js';
import { ProjectToolError } from '../providers/projects/http.js';
import { clientFieldValue, DEFAULT_MAPPING, remapTask, sameName } from '../providers/projects/mapping.js';
import type { ProjectTask, ProjectTool, TimeEntry } from '../providers/projects/tool.js';
import { audit } from '../store/audit.js';
import { findClientForTask, listClients, type StoredClient } from '../store/clients.js';
import { withTransaction, type Queryable } from '../store/db.js';
import { claimEffect } from '../store/effects.js';
import { insertDraft, type InvoiceRecord } from '../store/invoices.js';
import type { Services } from '../services.js';
import { publishInvoiceMessage } from './invoice-messages.js';
import { approveInvoice } from './approve-and-send.js';
import { ensureSalesTax } from './sales-tax.js';

export type DraftOutcome =
  { outcome: 'drafted'; invoice: InvoiceRecord } | { outcome: 'duplicate' } | { outcome: 'ignored'; reason: string } | { outcome: 'needs_setup'; reason: string };

/**
 * A project-tool task changed: read it back from the tool and, when it is a completed billing
 * milestone of a known client, store a draft (one per task, ever) and post it for approval.
 */
export async function draftFromMilestone(services: Services, taskId: string, sourceEvent: string, toolName = 'asana', snapshot?: ProjectTask): Promise<DraftOutcome> {
  const tool = services.projectTools[toolName];
  // A tool switched off after its event was stored: fail so the sweep retries once it is configured again.
  if (!tool) throw new Error(`project tool ${toolName} is not configured`);
  const fetched = snapshot ?? (await tool.fetchTask(taskId));
  const client = await findClientOfTask(services, tool.name, fetched);
  // Read through the client's own mapping; a task of no known client is judged by the default names.
  const task = client ? remapTask(fetched, client.mapping) : fetched;
  if (!task.completed) return ignored(services, task, 'task is not completed');
  if (!task.isBillingMilestone) return ignored(services, task, 'task is not a billing milestone');
  if (!client) {
    return needsSetup(services, tool.name, task, `no client in the clients file owns project ${task.projectIds.join(', ') || '(none)'} or is named "${task.clientName ?? ''}"`);
  }
  if (task.currency && task.currency !== client.currency) {
    return needsSetup(services, tool.name, task, `the milestone is in ${task.currency} but client "${client.name}" is invoiced in ${client.currency}`);
  }
  let lines: InvoiceLine[];
  try {
    const tracked = client.timeBilling ? await timeEntriesOf(tool, task) : [];
    const fromTime = client.timeBilling && tracked.length ? linesFromTime(tracked, client.timeBilling, client.currency, task.name) : [];
    lines = fromTime.length ? fromTime : linesFromTask(task, client.currency, client.mapping);
    totalOf(lines, client.currency); // a total beyond what duebot can carry is a set-up problem too
  } catch (err) {
    if (err instanceof ProjectToolError) throw err; // the tool failed to answer: retried, not a set-up problem
    return needsSetup(services, tool.name, task, err instanceof Error ? err.message : String(err));
  }

  const now = services.clock.now();
  const invoice = await withTransaction(services.db.pool, async (tx) => {
    const created = await insertClientDraft(tx, services, client, { source: tool.name, sourceRef: task.taskId, sourceUrl: task.url, milestone: task.name, lines }, now);
    if (created) {
      await audit(
        tx,
        { invoiceId: created.id, actor: tool.name, action: 'drafted', details: { task: task.taskId, total: created.total, currency: created.currency }, sourceEvent },
        now,
      );
    }
    return created;
  });
  if (!invoice) {
    services.log.info({ task: task.taskId }, 'milestone already invoiced; ignoring the repeat');
    return { outcome: 'duplicate' };
  }
  services.log.info({ invoice: invoice.number, client: client.id }, 'draft created');
  return { outcome: 'drafted', invoice: await postOrAutoSend(services, invoice, client) };
}

/**
 * A new draft goes to the billing channel for approval; an auto-send client's is approved at once
 * (its first message already says "Sending…", so nobody sees an Approve button that means nothing).
 * A draft over its ceiling is not approved: approveInvoice holds it and posts it for a person instead.
 */
export async function postOrAutoSend(services: Services, invoice: InvoiceRecord, client: Pick<StoredClient, 'autoSend'>): Promise<InvoiceRecord> {
  // With a tax service, the draft's sales tax first (computed, or pending while the service is down).
  await ensureSalesTax(services, invoice);
  if (!client.autoSend) return publishInvoiceMessage(services, invoice);
  const result = await approveInvoice(services, invoice.id, { actor: 'auto-send', slackUserId: null });
  return result.invoice ?? invoice;
}

/**
 * The client a task belongs to: by container, then by the default "Client" field, then by the client
 * field a client's own mapping names (the task must name that client there).
 */
async function findClientOfTask(services: Services, toolName: string, task: ProjectTask): Promise<StoredClient | null> {
  const found = await findClientForTask(services.db.pool, task.projectIds, task.clientName, toolName);
  if (found || !task.facts) return found;
  const named = (await listClients(services.db.pool)).filter((c) => c.mapping && !sameName(c.mapping.clientField, DEFAULT_MAPPING.clientField));
  return named.find((c) => [c.id, c.name].some((n) => sameName(n, clientFieldValue(task, c.mapping!.clientField)))) ?? null;
}

/** Time entries sent with the milestone, or read from the tool (with its subtasks); none when the tool has no time tracking. */
async function timeEntriesOf(tool: ProjectTool, task: ProjectTask): Promise<TimeEntry[]> {
  if (task.timeEntries) return task.timeEntries;
  return tool.fetchTimeEntries ? tool.fetchTimeEntries(task) : [];
}

/**
 * Lines from the task's fields: Quantity × Rate when both are set, otherwise one line of Amount. Every
 * number is parsed exactly; a quantity, price or line that is not above zero, or an amount beyond what
 * duebot can carry, is refused (MoneyError) with the field it came from.
 */
export function linesFromTask(task: ProjectTask, currency: string, mapping: MilestoneMapping = DEFAULT_MAPPING): InvoiceLine[] {
  const present = (v: unknown) => v !== null && v !== undefined && String(v).trim() !== '';
  const lineOf = (description: string, quantity: string | number, unitAmount: string | number, fields: string): InvoiceLine => {
    try {
      return line(description, parseQuantity(quantity), parseMajor(unitAmount, currency).amount, currency);
    } catch (err) {
      if (err instanceof MoneyError) throw new MoneyError(`milestone "${task.name}": ${fields}: ${err.message}`);
      throw err;
    }
  };
  if (task.lines?.length) return task.lines.map((l, i) => lineOf(l.description, l.quantity, l.unitAmount, `line ${i + 1}`));
  if (present(task.quantity) && present(task.rate)) return [lineOf(task.name, task.quantity!, task.rate!, `${mapping.quantityField} × ${mapping.rateField}`)];
  if (present(task.amount)) return [lineOf(task.name, '1', task.amount!, mapping.amountField)];
  throw new MoneyError(`milestone "${task.name}" has no "${mapping.amountField}" (or "${mapping.quantityField}" and "${mapping.rateField}") set`);
}

function ignored(services: Services, task: ProjectTask, reason: string): DraftOutcome {
  services.log.debug({ task: task.taskId, reason }, 'task ignored');
  return { outcome: 'ignored', reason };
}

/** A billing milestone duebot cannot invoice: said once in the billing channel, so nobody waits in vain. */
async function needsSetup(services: Services, toolName: string, task: ProjectTask, reason: string): Promise<DraftOutcome> {
  const first = await claimEffect(
    services.db.pool,
    { key: `needs-setup:${toolName}:${task.taskId}`, invoiceId: null, kind: 'needs-setup', claimedBy: services.instanceId, details: { reason } },
    services.clock.now(),
  );
  if (first) {
    const name = truncate(task.name, 300);
    await services.slack.post(services.settings.billingChannelId, {
      text: clip(`:warning: Billing milestone ${esc(name)} was completed but cannot be invoiced: ${esc(reason)}. Fix it and re-complete the task.`, 3000),
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: clip(
              `:warning: Billing milestone *${link(task.url, name)}* was completed but cannot be invoiced yet:\n${esc(reason)}\nFix the clients file or the task's fields, then mark the task incomplete and complete again.`,
              3000,
            ),
          },
        },
      ],
    });
  }
  services.log.warn({ task: task.taskId, reason }, 'billing milestone needs set-up');
  return { outcome: 'needs_setup', reason };
}

/**
 * Stores a draft for a client: due after the client's terms in the business time zone (or on the date given), to its billing
 * contacts, on its back-end, with the next gap-free number. Null when this (source, sourceRef) was
 * invoiced before (one invoice per milestone or retainer period, ever).
 */
export async function insertClientDraft(
  tx: Queryable,
  services: Services,
  client: StoredClient,
  what: { source: string; sourceRef: string; sourceUrl: string | null; milestone: string; lines: InvoiceLine[]; dueDate?: string },
  now: Date,
): Promise<InvoiceRecord | null> {
  const { timezone, invoiceNumberPrefix } = services.settings;
  return insertDraft(
    tx,
    {
      clientId: client.id,
      ...what,
      currency: client.currency,
      total: totalOf(what.lines, client.currency),
      dueDate: what.dueDate ?? addDays(localDate(now, timezone), client.paymentTermsDays),
      recipients: client.emails,
      provider: client.provider,
    },
    { scope: 'default', format: (seq) => formatInvoiceNumber(invoiceNumberPrefix, seq) },
    now,
  );
}

import { audit } from '../store/audit.js';
import { getClient } from '../store/clients.js';
import { withTransaction } from '../store/db.js';
import { pausePendingReminders, setDisputed } from '../store/disputes.js';
import { claimEffect, completeEffect } from '../store/effects.js';
import { getInvoice, type InvoiceRecord } from '../store/invoices.js';
import { formatMoney, money } from '../domain/money.js';
import { disputeDm, disputedNote } from '../../blocks/dispute.js';
import type { Services } from '../services.js';
import { postInThread, publishInvoiceMessage } from './invoice-messages.js';
import { ownerTaskTarget } from './owner-task.js';

export interface DisputeRequest {
  /** "slack:U123" or "email". */
  actor: string;
  /** Who shows in Slack: a user id or a name. */
  by: string;
  /** Reason in words ("amount", "marked in Slack"). */
  reason: string;
  /** The client's words, for the owner's DM and task. */
  excerpt: string;
  sourceEvent?: string | null;
}

export type DisputeOutcome = { outcome: 'disputed'; invoice: InvoiceRecord; pausedSteps: number } | { outcome: 'unchanged'; invoice: InvoiceRecord | null };

/**
 * Flags the invoice disputed and pauses (never cancels) its pending reminder steps, in one
 * transaction; then the owner gets a review task in the project tool and a DM, each at most once per
 * dispute (claimed in the effects ledger), and the Slack message and thread say so.
 */
export async function markDisputed(services: Services, invoiceId: string, request: DisputeRequest): Promise<DisputeOutcome> {
  const now = services.clock.now();
  const result = await withTransaction(services.db.pool, async (tx) => {
    if (!(await setDisputed(tx, invoiceId, true, now))) return null;
    const pausedSteps = await pausePendingReminders(tx, invoiceId, 'paused: invoice disputed');
    await audit(tx, { invoiceId, actor: request.actor, action: 'disputed', details: { reason: request.reason, pausedSteps }, sourceEvent: request.sourceEvent ?? null }, now);
    return { pausedSteps };
  });
  const invoice = await getInvoice(services.db.pool, invoiceId);
  if (!result || !invoice) return { outcome: 'unchanged', invoice };

  await publishInvoiceMessage(services, invoice);
  const taskUrl = await reviewTask(services, invoice, request);
  await ownerDm(services, invoice, request, taskUrl);
  await postInThread(
    services,
    invoice,
    disputedNote({ by: request.by, reason: request.reason, pausedSteps: result.pausedSteps, taskUrl, ownerUserId: services.settings.ownerSlackUserId }),
  );
  services.log.info({ invoice: invoice.number, reason: request.reason, pausedSteps: result.pausedSteps }, 'invoice disputed');
  return { outcome: 'disputed', invoice, pausedSteps: result.pausedSteps };
}

/** One key per dispute: a later dispute of the same invoice (after a resolution) gets its own task. */
const disputeKey = (kind: string, invoice: InvoiceRecord) => `${kind}:${invoice.id}:${invoice.disputedAt?.toISOString() ?? 'unknown'}`;

async function reviewTask(services: Services, invoice: InvoiceRecord, request: DisputeRequest): Promise<string | null> {
  const pool = services.db.pool;
  const client = await getClient(pool, invoice.clientId);
  const target = client ? ownerTaskTarget(services, invoice, client) : null;
  const key = disputeKey('dispute-task', invoice);
  if (!client || !target || !(await claimEffect(pool, { key, invoiceId: invoice.id, kind: 'dispute-task', claimedBy: services.instanceId }, services.clock.now()))) return null;
  const task = await target.tool.createTask({
    ...target.request,
    title: `Review dispute: Invoice #${invoice.number} (${request.reason})`,
    notes: [
      `${client.name} disputes invoice #${invoice.number} (${invoice.milestone}), ${formatMoney(money(invoice.total - invoice.amountPaid, invoice.currency))} open.`,
      `Reminders are paused. In Slack: "Resolve: amount stands" resumes them.`,
      '',
      request.excerpt,
    ].join('\n'),
    dueOn: null,
  });
  await completeEffect(pool, key, { taskId: task.taskId, url: task.url }, services.clock.now());
  await audit(pool, { invoiceId: invoice.id, actor: 'system', action: 'dispute_task_created', details: { taskId: task.taskId, url: task.url } }, services.clock.now());
  return task.url;
}

async function ownerDm(services: Services, invoice: InvoiceRecord, request: DisputeRequest, taskUrl: string | null): Promise<void> {
  const pool = services.db.pool;
  const key = disputeKey('dispute-dm', invoice);
  if (!(await claimEffect(pool, { key, invoiceId: invoice.id, kind: 'dispute-dm', claimedBy: services.instanceId }, services.clock.now()))) return;
  const client = await getClient(pool, invoice.clientId);
  const ts = await services.slack.directMessage(
    services.settings.ownerSlackUserId,
    disputeDm({ number: invoice.number, clientName: client?.name ?? invoice.clientId, reason: request.reason, excerpt: request.excerpt, taskUrl }),
  );
  await completeEffect(pool, key, { ts }, services.clock.now());
  await audit(
    pool,
    { invoiceId: invoice.id, actor: 'system', action: 'owner_notified', details: { user: services.settings.ownerSlackUserId, about: 'dispute' } },
    services.clock.now(),
  );
}

import { elapsedDays } from '../domain/calendar.js';
import { formatMoney, money } from '../domain/money.js';
import { audit } from '../store/audit.js';
import type { StoredClient } from '../store/clients.js';
import { claimEffect, completeEffect } from '../store/effects.js';
import type { InvoiceRecord } from '../store/invoices.js';
import { escalationNote, finalNoticePauseNote, ownerEscalationDm } from '../../blocks/thread.js';
import type { Services } from '../services.js';
import { postInThread } from './invoice-messages.js';
import { ownerTaskTarget } from './owner-task.js';

/**
 * Final notice in "pause" mode: a task for the owner in the client's project (in the tool the invoice
 * came from, when duebot can write to it) and a Slack DM, each
 * claimed in the effects ledger so neither is ever made twice.
 */
export async function escalate(services: Services, invoice: InvoiceRecord, client: StoredClient): Promise<void> {
  const pool = services.db.pool;
  const now = services.clock.now();
  const days = invoice.sentAt ? elapsedDays(invoice.sentAt, now) : 0;
  const balance = invoice.total - invoice.amountPaid;
  await postInThread(services, invoice, finalNoticePauseNote());

  let taskUrl: string | null = null;
  const target = ownerTaskTarget(services, invoice, client);
  const taskKey = `escalation-task:${invoice.id}`;
  if (target && (await claimEffect(pool, { key: taskKey, invoiceId: invoice.id, kind: 'escalation-task', claimedBy: services.instanceId }, now))) {
    const task = await target.tool.createTask({
      ...target.request,
      title: `Escalation: Invoice #${invoice.number} unpaid ${days} days`,
      notes: [
        `${client.name} has not paid invoice #${invoice.number} (${invoice.milestone}).`,
        `Balance: ${formatMoney(money(balance, invoice.currency))}, due ${invoice.dueDate}.`,
        'The final notice went out and says work is paused until payment.',
        invoice.paymentUrl ? `Payment link: ${invoice.paymentUrl}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
      dueOn: null,
    });
    taskUrl = task.url;
    await completeEffect(pool, taskKey, { taskId: task.taskId, url: task.url }, services.clock.now());
    await audit(pool, { invoiceId: invoice.id, actor: 'scheduler', action: 'escalation_task_created', details: { taskId: task.taskId, url: task.url } }, services.clock.now());
  }

  const dmKey = `escalation-dm:${invoice.id}`;
  if (await claimEffect(pool, { key: dmKey, invoiceId: invoice.id, kind: 'escalation-dm', claimedBy: services.instanceId }, services.clock.now())) {
    const ts = await services.slack.directMessage(
      services.settings.ownerSlackUserId,
      ownerEscalationDm({ number: invoice.number, clientName: client.name, balance, currency: invoice.currency, daysSinceSent: days, permalinkText: taskUrl }),
    );
    await completeEffect(pool, dmKey, { ts }, services.clock.now());
    await audit(pool, { invoiceId: invoice.id, actor: 'scheduler', action: 'owner_notified', details: { user: services.settings.ownerSlackUserId } }, services.clock.now());
  }
  await postInThread(services, invoice, escalationNote({ taskUrl, ownerUserId: services.settings.ownerSlackUserId }));
}

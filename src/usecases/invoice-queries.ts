import { localDate } from '../domain/calendar.js';
import type { InvoiceStatus } from '../domain/types.js';
import { auditTrail } from '../store/audit.js';
import { findClientByIdOrName, getClient, listClients } from '../store/clients.js';
import { findInvoiceByNumber, listInvoices, type InvoiceListFilter } from '../store/invoices.js';
import { remindersOf } from '../store/reminders.js';
import type { InvoiceList } from '../../blocks/invoice-list.js';
import type { HistoryLine, ReminderLine } from '../../blocks/invoice-detail.js';
import type { InvoiceView } from '../domain/types.js';
import type { Services } from '../services.js';
import { toInvoiceView } from './invoice-messages.js';

/** Invoices shown by `/invoices list`; Slack messages stay small and scannable. */
export const LIST_LIMIT = 30;
const OPEN: readonly InvoiceStatus[] = ['draft', 'approved', 'sent', 'partially_paid'];
const OUTSTANDING: readonly InvoiceStatus[] = ['sent', 'partially_paid'];

export type ListAnswer = { ok: true; list: InvoiceList } | { ok: false; message: string };

/**
 * `/invoices list [client|overdue|disputed]`: no argument lists what is open; `overdue` the sent
 * invoices past their due date; `disputed` the disputed ones; anything else names a client.
 */
export async function listForCommand(services: Services, argument: string): Promise<ListAnswer> {
  const pool = services.db.pool;
  const arg = argument.trim();
  const today = localDate(services.clock.now(), services.settings.timezone);
  let title: string;
  let filter: Omit<InvoiceListFilter, 'limit'>;
  if (!arg || /^open$/i.test(arg)) {
    title = 'Open invoices';
    filter = { statuses: OPEN };
  } else if (/^overdue$/i.test(arg)) {
    title = 'Overdue invoices';
    filter = { statuses: OUTSTANDING, dueBefore: today };
  } else if (/^disputed$/i.test(arg)) {
    title = 'Disputed invoices';
    filter = { statuses: OPEN, disputed: true };
  } else {
    const client = await findClientByIdOrName(pool, arg);
    if (!client) {
      const known = (await listClients(pool)).map((c) => c.id);
      return {
        ok: false,
        message: `No client called "${arg}". Try \`/invoices list overdue\`, \`/invoices list disputed\` or a client: ${known.join(', ') || 'none configured yet'}.`,
      };
    }
    title = `Invoices of ${client.name}`;
    filter = { clientId: client.id };
  }
  const rows = await listInvoices(pool, { ...filter, limit: LIST_LIMIT + 1 });
  const names = new Map((await listClients(pool)).map((c) => [c.id, c.name]));
  const invoices: InvoiceView[] = rows.slice(0, LIST_LIMIT).map((r) => toInvoiceView(r, names.get(r.clientId) ?? r.clientId));
  return { ok: true, list: { title, invoices, more: rows.length > LIST_LIMIT } };
}

export interface InvoiceDetails {
  view: InvoiceView;
  reminders: ReminderLine[];
  history: HistoryLine[];
}

/** `/invoices show <number>`: one invoice with its reminder plan and audit history. */
export async function detailsForCommand(services: Services, number: string): Promise<InvoiceDetails | null> {
  const pool = services.db.pool;
  const invoice = await findInvoiceByNumber(pool, number);
  if (!invoice) return null;
  const client = await getClient(pool, invoice.clientId);
  const [reminders, trail] = await Promise.all([remindersOf(pool, invoice.id), auditTrail(pool, invoice.id)]);
  return {
    view: toInvoiceView(invoice, client?.name ?? invoice.clientId),
    reminders: reminders.map((r) => ({ tone: r.tone, dueAt: r.dueAt, status: r.status, note: r.note })),
    history: trail.map((a) => ({ at: a.at, actor: a.actor, action: a.action })),
  };
}

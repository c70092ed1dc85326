import { addDays, localDate } from '../domain/calendar.js';
import type { InvoiceLine } from '../domain/types.js';
import { audit } from '../store/audit.js';
import { getClient, listClients } from '../store/clients.js';
import { withTransaction } from '../store/db.js';
import type { InvoiceRecord } from '../store/invoices.js';
import type { Services } from '../services.js';
import { insertClientDraft, postOrAutoSend } from './draft-from-milestone.js';

/** The source of one-off invoices made in Slack; `sourceRef` is the form's own id, so one form makes one draft. */
export const ONE_OFF_SOURCE = 'slack';

export type OneOffAnswer = { outcome: 'drafted'; invoice: InvoiceRecord } | { outcome: 'duplicate' } | { outcome: 'not_found' };

/** Clients a one-off invoice can be for: those with billing emails (imported history clients have none). */
export async function oneOffClients(services: Services): Promise<{ id: string; name: string; currency: string }[]> {
  return (await listClients(services.db.pool)).filter((c) => c.emails.length).map((c) => ({ id: c.id, name: c.name, currency: c.currency }));
}

/**
 * `/invoices new`: a draft made exactly as a milestone's (insertClientDraft: gap-free number, the
 * client's contacts and back-end, audited, sales tax) and posted with Approve & send: it is an
 * approver's own invoice, so even an auto-send client's waits for the click.
 */
export async function draftOneOff(
  services: Services,
  o: { clientId: string; lines: InvoiceLine[]; dueDate: string | null; termsDays: number | null; ref: string },
  by: { actor: string },
): Promise<OneOffAnswer> {
  const client = await getClient(services.db.pool, o.clientId);
  if (!client?.emails.length) return { outcome: 'not_found' };
  const now = services.clock.now();
  const dueDate = o.dueDate ?? addDays(localDate(now, services.settings.timezone), o.termsDays ?? client.paymentTermsDays);
  const milestone = o.lines.length === 1 ? o.lines[0]!.description : `${o.lines[0]!.description} and ${o.lines.length - 1} more`;
  const invoice = await withTransaction(services.db.pool, async (tx) => {
    const created = await insertClientDraft(tx, services, client, { source: ONE_OFF_SOURCE, sourceRef: o.ref, sourceUrl: null, milestone, lines: o.lines, dueDate }, now);
    if (created) await audit(tx, { invoiceId: created.id, actor: by.actor, action: 'drafted', details: { oneOff: true, total: created.total, currency: created.currency } }, now);
    return created;
  });
  if (!invoice) return { outcome: 'duplicate' };
  services.log.info({ invoice: invoice.number, client: client.id, by: by.actor }, 'one-off draft created');
  return { outcome: 'drafted', invoice: await postOrAutoSend(services, invoice, { autoSend: false }) };
}

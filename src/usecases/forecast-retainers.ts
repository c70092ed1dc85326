import type { RetainerOutlook } from '../domain/forecast-retainers.js';
import { listRetainerClients } from '../store/clients.js';
import type { Queryable } from '../store/db.js';
import { RETAINER_SOURCE } from './retainers.js';

/** Every retainer with the periods already invoiced (source_ref `<clientId>:<YYYY-MM>`), for the forecast. */
export async function retainerOutlooks(db: Queryable, today: string): Promise<RetainerOutlook[]> {
  const clients = await listRetainerClients(db);
  if (clients.length === 0) return [];
  const { rows } = await db.query<{ client_id: string; source_ref: string }>('SELECT client_id, source_ref FROM invoices WHERE source = $1', [RETAINER_SOURCE]);
  return clients.map((c) => ({
    clientId: c.id,
    clientName: c.name,
    currency: c.currency.trim(),
    amount: c.retainer.amount,
    dayOfMonth: c.retainer.dayOfMonth,
    paymentTermsDays: c.paymentTermsDays,
    // Not seen by the retainer job yet: it will record today as the first day.
    startsOn: c.retainer.startsOn ?? c.retainerSince ?? today,
    invoiced: new Set(rows.filter((r) => r.client_id === c.id && r.source_ref.startsWith(`${c.id}:`)).map((r) => r.source_ref.slice(c.id.length + 1))),
  }));
}

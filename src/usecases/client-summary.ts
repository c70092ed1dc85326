import { localDate } from '../domain/calendar.js';
import { clientStats, type ClientStats } from '../domain/client-stats.js';
import { findClientByIdOrName, type StoredClient } from '../store/clients.js';
import { clientInvoiceFacts } from '../store/client-invoices.js';
import type { Services } from '../services.js';

/** `/invoices client <id or name>`: the client's setup and its receivables as of today. */
export async function clientSummary(services: Services, text: string): Promise<{ client: StoredClient; stats: ClientStats } | null> {
  const client = text.trim() ? await findClientByIdOrName(services.db.pool, text) : null;
  if (!client) return null;
  const today = localDate(services.clock.now(), services.settings.timezone);
  return { client, stats: clientStats(await clientInvoiceFacts(services.db.pool, client.id), today) };
}

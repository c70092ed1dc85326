import { searchAudit, type AuditSearchRecord } from '../store/audit.js';
import { findClientByIdOrName } from '../store/clients.js';
import { findInvoiceByNumber } from '../store/invoices.js';
import type { Services } from '../services.js';

/** Entries per page of `/invoices history`. */
export const HISTORY_PAGE_SIZE = 15;

export interface HistoryPage {
  /** What was found: an invoice number or a client name (outside text: escape for display). */
  subject: { kind: 'invoice' | 'client'; label: string; query: string };
  entries: AuditSearchRecord[];
  page: number;
  more: boolean;
}

/** `history acme page 2` → the query and the page (1 when none). */
export function historyQuery(words: string): { query: string; page: number } {
  const m = /^(.*?)\s+page\s+(\d{1,4})$/i.exec(words.trim());
  return m ? { query: m[1]!.trim(), page: Math.max(1, Number(m[2])) } : { query: words.trim(), page: 1 };
}

/**
 * `/invoices history <number|client> [page N]`: the audit trail of an invoice (by its number) or of
 * a client (its invoices and its own changes), newest first. Null: neither is known.
 */
export async function auditHistory(services: Services, words: string, pageSize = HISTORY_PAGE_SIZE): Promise<HistoryPage | null> {
  const { query, page } = historyQuery(words);
  if (!query) return null;
  const pool = services.db.pool;
  const invoice = await findInvoiceByNumber(pool, query);
  const client = invoice ? null : await findClientByIdOrName(pool, query);
  if (!invoice && !client) return null;
  const about = invoice ? { invoiceId: invoice.id } : { clientId: client!.id };
  // One more than a page tells whether there is a next page without counting the whole trail.
  const found = await searchAudit(pool, about, { limit: pageSize + 1, offset: (page - 1) * pageSize });
  return {
    subject: invoice ? { kind: 'invoice', label: invoice.number, query } : { kind: 'client', label: client!.name, query },
    entries: found.slice(0, pageSize),
    page,
    more: found.length > pageSize,
  };
}

import { localDate, DAY_MS } from '../domain/calendar.js';
import { DSO_WINDOW_DAYS, daysSalesOutstanding } from '../domain/dso.js';
import type { AgingReport } from '../domain/types.js';
import { listClients } from '../store/clients.js';
import { invoicedBetween, invoicesNeedingAttention, nextRemindersDue, receivablesByClient, type AttentionRow, type UpcomingReminder } from '../store/receivables.js';
import type { Services } from '../services.js';
import { agingNow } from './aging.js';

/** Shown on the Home tab; the lists are capped so the view stays within Slack's 100 blocks. */
export const ATTENTION_SHOWN = 10;
export const REMINDERS_SHOWN = 8;

export interface CurrencyFigures {
  currency: string;
  openCount: number;
  outstanding: number;
  overdueCount: number;
  overdue: number;
  /** Whole days (src/domain/dso.ts); null when nothing was invoiced in the window. */
  dso: number | null;
}

export interface ClientLine {
  id: string;
  name: string;
  /** Open balance per currency the client is invoiced in (normally one). */
  open: { currency: string; outstanding: number; openCount: number; overdueCount: number }[];
}

export interface HomeDashboard {
  asOf: Date;
  dsoWindowDays: number;
  currencies: CurrencyFigures[];
  aging: AgingReport;
  attention: { rows: AttentionRow[]; total: number };
  nextReminders: UpcomingReminder[];
  clients: ClientLine[];
}

/** Everything the Home tab shows, aggregated in SQL (one query per panel), as of the business clock. */
export async function homeDashboard(services: Services): Promise<HomeDashboard> {
  const pool = services.db.pool;
  const now = services.clock.now();
  const today = localDate(now, services.settings.timezone);
  const byClient = await receivablesByClient(pool, today);
  const invoiced = await invoicedBetween(pool, new Date(now.getTime() - DSO_WINDOW_DAYS * DAY_MS), now);
  const aging = await agingNow(services);
  const attention = await invoicesNeedingAttention(pool, ATTENTION_SHOWN);
  const nextReminders = await nextRemindersDue(pool, REMINDERS_SHOWN);
  const clients = await listClients(pool);

  const totals = new Map<string, Omit<CurrencyFigures, 'dso'>>();
  for (const r of byClient) {
    const t = totals.get(r.currency) ?? { currency: r.currency, openCount: 0, outstanding: 0, overdueCount: 0, overdue: 0 };
    t.openCount += r.openCount;
    t.outstanding += r.outstanding;
    t.overdueCount += r.overdueCount;
    t.overdue += r.overdue;
    totals.set(r.currency, t);
  }
  const currencies = [...totals.values()]
    .sort((a, b) => a.currency.localeCompare(b.currency))
    .map((t) => ({ ...t, dso: daysSalesOutstanding(t.outstanding, invoiced.get(t.currency) ?? 0) }));

  const openOf = new Map<string, ClientLine['open']>();
  for (const r of byClient)
    openOf.set(r.clientId, [...(openOf.get(r.clientId) ?? []), { currency: r.currency, outstanding: r.outstanding, openCount: r.openCount, overdueCount: r.overdueCount }]);
  return {
    asOf: now,
    dsoWindowDays: DSO_WINDOW_DAYS,
    currencies,
    aging,
    attention,
    nextReminders,
    clients: clients.map((c) => ({ id: c.id, name: c.name, open: openOf.get(c.id) ?? [] })),
  };
}

import type { BackendInvoice } from '../providers/invoicing/backend.js';
import { BackendError } from '../providers/invoicing/errors.js';
import { createRateLimiter, type RateLimiter, type RateLimiterOptions } from '../providers/invoicing/rate-limiter.js';
import { getInvoice, openInvoicesPage, type InvoiceRecord } from '../store/invoices.js';
import type { Services } from '../services.js';
import { applyBackendState } from './record-payment.js';

/**
 * Read pace per back-end for the poll, below each provider's published limit so a poll never earns a
 * 429 on its own: Stripe allows 25 reads a second in test mode (100 live; the poll cannot tell the two
 * apart, so it keeps to the lower), QuickBooks 10 concurrent and 500 a minute per company (its adapter
 * enforces that too), FreshBooks publishes no figure and answers 429 when pushed: kept gentle.
 */
export const POLL_LIMITS: Record<string, RateLimiterOptions> = {
  stripe: { concurrency: 10, perWindow: 25, windowMs: 1000 },
  quickbooks: { concurrency: 10, perWindow: 500, windowMs: 60_000 },
  freshbooks: { concurrency: 4, perWindow: 10, windowMs: 1000 },
  // Xero allows 60 a minute per organisation (its adapter enforces that): the poll keeps to 40, leaving room for issuing.
  xero: { concurrency: 2, perWindow: 40, windowMs: 60_000 },
  // Zoho: 100 requests a minute per organization (Books/Inventory figure); the poll keeps 40 for issuing.
  zoho: { concurrency: 4, perWindow: 60, windowMs: 60_000 },
  // Wave publishes no limit; about 60 a minute per token is reported (unconfirmed). Its adapter paces too.
  wave: { concurrency: 2, perWindow: 60, windowMs: 60_000 },
};
const DEFAULT_LIMIT: RateLimiterOptions = { concurrency: 4, perWindow: 10, windowMs: 1000 };

export interface PollOptions {
  /** Open invoices read from the database per page (keyset by id). */
  pageSize?: number;
  /** Per back-end pace, by back-end key; defaults to POLL_LIMITS. */
  limits?: Record<string, RateLimiterOptions>;
  /** Called after each page (a progress hook; the scheduler keeps its job lock with a heartbeat instead). */
  onPage?: () => Promise<void>;
}

export interface PollReport {
  /** Invoices whose state changed (payment, void, …). */
  changed: number;
  /** Open invoices read back from their back-end in this run, per back-end key. */
  checked: Record<string, number>;
  /** Back-ends that answered 429 in this run: their remaining invoices wait for the next run. */
  rateLimited: string[];
  /** Invoices left for the next run because their back-end answered 429 (that one included), per back-end key. */
  deferred: Record<string, number>;
  /** Reads that failed for another reason (logged, retried next run). */
  failed: number;
}

/**
 * Fallback for lost payment webhooks: asks the back-end about every open invoice, page by page (no cap
 * on their number), each back-end at its own pace; where the back-end lists its open invoices (Stripe),
 * that listing answers for the unchanged ones and only the others are read one by one. A 429 stops that back-end for this run; the others
 * go on. Two processes may poll at once: applyBackendState locks the invoice row and only moves it
 * forward, so the second reader of the same state changes nothing.
 */
export async function pollOpenInvoices(services: Services, options: PollOptions = {}): Promise<PollReport> {
  const pageSize = options.pageSize ?? 500;
  const limits = options.limits ?? POLL_LIMITS;
  const report: PollReport = { changed: 0, checked: {}, rateLimited: [], deferred: {}, failed: 0 };
  const stopped = new Set<string>();
  const limiters = new Map<string, RateLimiter>();
  const limiterFor = (provider: string) => {
    let limiter = limiters.get(provider);
    if (!limiter) limiters.set(provider, (limiter = createRateLimiter(limits[provider] ?? DEFAULT_LIMIT)));
    return limiter;
  };
  const stop = (provider: string, err: unknown) => {
    if (stopped.has(provider)) return;
    stopped.add(provider);
    report.rateLimited.push(provider);
    services.log.warn({ provider, err: String(err) }, 'payment poll rate-limited; the rest of this back-end waits for the next run');
  };

  // Back-ends with a change feed name what changed; the others get every open invoice checked.
  const changedBy = new Map<string, Set<string> | null>();
  for (const [provider, backend] of Object.entries(services.backends)) {
    if (!backend.changedSinceLastPoll) continue;
    changedBy.set(provider, await backend.changedSinceLastPoll().catch((err: unknown) => (isRateLimited(err) ? (stop(provider, err), null) : null)));
  }

  // Back-ends that list by status answer for all their open invoices in a few pages.
  const listedOpen = new Map<string, Map<string, BackendInvoice>>();
  for (const [provider, backend] of Object.entries(services.backends)) {
    if (!backend.listOpenInvoices || stopped.has(provider)) continue;
    try {
      const open = await backend.listOpenInvoices();
      listedOpen.set(provider, new Map(open.map((inv) => [inv.providerInvoiceId, inv])));
    } catch (err) {
      if (isRateLimited(err)) stop(provider, err);
      else services.log.warn({ provider, err: String(err) }, 'listing open invoices failed; reading them one by one');
    }
  }

  const pollOne = async (invoice: InvoiceRecord): Promise<void> => {
    const provider = invoice.provider;
    const backend = services.backends[provider];
    if (!backend || !invoice.providerInvoiceId) return;
    if (changedBy.get(provider)?.has(invoice.providerInvoiceId) === false) return;
    const listed = listedOpen.get(provider)?.get(invoice.providerInvoiceId);
    if (listed && unchanged(invoice, listed)) {
      report.checked[provider] = (report.checked[provider] ?? 0) + 1;
      return;
    }
    await limiterFor(provider)(async () => {
      if (stopped.has(provider)) {
        report.deferred[provider] = (report.deferred[provider] ?? 0) + 1;
        return;
      }
      try {
        const live = await backend.fetchInvoice(invoice.providerInvoiceId!);
        report.checked[provider] = (report.checked[provider] ?? 0) + 1;
        if (unchanged(invoice, live)) return; // the common case: no transaction for an invoice still open as stored
        const fresh = (await getInvoice(services.db.pool, invoice.id)) ?? invoice;
        const sourceEvent = `poll:${invoice.id}:${live.status}:${live.amountPaid}`;
        if (await applyBackendState(services, fresh, live, { sourceEvent, actor: `${backend.name} (poll)`, occurredAt: services.clock.now() })) report.changed += 1;
      } catch (err) {
        if (isRateLimited(err)) {
          report.deferred[provider] = (report.deferred[provider] ?? 0) + 1;
          stop(provider, err);
          return;
        }
        report.failed += 1;
        services.log.warn({ invoice: invoice.number, err: String(err) }, 'payment poll failed for one invoice');
      }
    });
  };

  for (let after: string | null = null; ;) {
    const page = await openInvoicesPage(services.db.pool, after, pageSize);
    if (page.length === 0) break;
    await Promise.all(page.map(pollOne));
    await options.onPage?.();
    after = page[page.length - 1]!.id;
    if (page.length < pageSize) break;
  }
  return report;
}

/**
 * Still open with nothing more paid or credited than stored: applyBackendState would change nothing.
 * (It makes the final decision under a row lock whenever this says otherwise.)
 */
function unchanged(stored: InvoiceRecord, live: BackendInvoice): boolean {
  return live.status === 'open' && live.amountPaid <= stored.amountPaid && live.amountRemaining >= stored.total - stored.amountPaid;
}

function isRateLimited(err: unknown): boolean {
  return err instanceof BackendError && err.code === 'rate_limited';
}

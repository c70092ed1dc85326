import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { InvoiceStatus } from './domain/types.js';
import type { CallObserver, CallObservers } from './providers/call-observer.js';
import { EMAIL_KINDS, type EmailKind, type Mailer } from './providers/mail/mailer.js';

/** Every invoice state, so each is exported (as 0 when none) and a dashboard never loses a series. */
const INVOICE_STATUSES: readonly InvoiceStatus[] = ['draft', 'approved', 'sent', 'partially_paid', 'paid', 'void', 'uncollectible', 'discarded'];

/** The database-derived state, read at each scrape (src/usecases/operational-state.ts). */
export interface StateSnapshot {
  /** Null when the database could not be read. */
  database: {
    inbox: { waiting: number; deadLetters: number };
    invoicesByStatus: Partial<Record<InvoiceStatus, number>>;
    backends: { provider: string; connected: boolean }[];
    /** End of the last successful sweep of any process (business clock), null before the first. */
    lastSweepAt: Date | null;
  } | null;
}

/**
 * duebot's Prometheus metrics (docs/operations.md lists them). One registry per app instance, never
 * prom-client's global one: tests run several bots in one process, each with its own numbers.
 * Counters and histograms are recorded where things happen; gauges are set from a snapshot of the
 * database taken at each scrape, so two processes on one database report the same backlog.
 */
export class Metrics implements CallObservers {
  readonly registry = new Registry();
  /** The gauges read from the database: left out of a scrape when it does not answer (a stale 0 would look current). */
  private readonly stored = new Registry();
  readonly contentType = this.registry.contentType;

  private readonly emails = new Counter({
    name: 'duebot_emails_total',
    help: 'Emails handed to SMTP, by kind and outcome (sent, failed).',
    labelNames: ['kind', 'outcome'],
    registers: [this.registry],
  });
  private readonly reminderLag = new Histogram({
    name: 'duebot_reminder_lag_seconds',
    help: 'From a reminder step falling due to its email being sent.',
    labelNames: ['tone'],
    // A sweep every 30 s sends most within a minute; quiet hours and outages push some out by hours or days.
    buckets: [1, 10, 30, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 86_400, 3 * 86_400],
    registers: [this.registry],
  });
  private readonly providerCalls = new Counter({
    name: 'duebot_provider_calls_total',
    help: 'Calls to invoicing back-ends and project tools, by provider, operation and status (ok or the error code).',
    labelNames: ['provider', 'operation', 'status'],
    registers: [this.registry],
  });
  private readonly providerDuration = new Histogram({
    name: 'duebot_provider_call_duration_seconds',
    help: 'Duration of calls to invoicing back-ends and project tools.',
    labelNames: ['provider'],
    registers: [this.registry],
  });
  private readonly rateLimitWaits = new Counter({
    name: 'duebot_rate_limit_waits_total',
    help: "Requests held back for a rate limit (own window or the provider's Retry-After).",
    labelNames: ['provider'],
    registers: [this.registry],
  });
  private readonly rateLimitSeconds = new Counter({
    name: 'duebot_rate_limit_wait_seconds_total',
    help: 'Time spent waiting for rate limits.',
    labelNames: ['provider'],
    registers: [this.registry],
  });
  private readonly sweepDuration = new Histogram({
    name: 'duebot_sweep_duration_seconds',
    help: 'Duration of the periodic sweep (due work), by outcome (ok, error).',
    labelNames: ['outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });

  private readonly databaseUp = new Gauge({ name: 'duebot_database_up', help: '1 when the database answered this scrape, else 0.', registers: [this.registry] });
  private readonly inboxBacklog = new Gauge({ name: 'duebot_inbox_backlog', help: 'Stored webhook events not yet processed that will be tried again.', registers: [this.stored] });
  private readonly deadLetters = new Gauge({
    name: 'duebot_inbox_dead_letters',
    help: 'Stored webhook events given up on (dead letters), not yet retried.',
    registers: [this.stored],
  });
  private readonly invoices = new Gauge({ name: 'duebot_invoices', help: 'Invoices by state (imported history excluded).', labelNames: ['state'], registers: [this.stored] });
  private readonly backendUp = new Gauge({
    name: 'duebot_backend_connection_up',
    help: '1 when the invoicing back-end can be called (API key set, or OAuth connection active), else 0.',
    labelNames: ['provider'],
    registers: [this.stored],
  });
  private readonly lastSweep = new Gauge({
    name: 'duebot_sweep_last_success_timestamp_seconds',
    help: 'When the last successful sweep of any process finished (Unix time; 0 before the first).',
    registers: [this.stored],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    // Standard names (process_*, nodejs_*), so the usual Node.js dashboards work unchanged.
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    // Every email series exists from the start at 0, so increase() sees the first failure too.
    for (const kind of EMAIL_KINDS) for (const outcome of ['sent', 'failed']) this.emails.inc({ kind, outcome }, 0);
  }

  emailSent(kind: EmailKind): void {
    this.emails.inc({ kind, outcome: 'sent' });
  }

  emailFailed(kind: EmailKind): void {
    this.emails.inc({ kind, outcome: 'failed' });
  }

  reminderSent(tone: string, dueAt: Date, sentAt: Date): void {
    this.reminderLag.observe({ tone }, Math.max(0, (sentAt.getTime() - dueAt.getTime()) / 1000));
  }

  sweepFinished(outcome: 'ok' | 'error', seconds: number): void {
    this.sweepDuration.observe({ outcome }, seconds);
  }

  for(provider: string): CallObserver {
    return {
      call: (operation, status, seconds) => {
        this.providerCalls.inc({ provider, operation, status });
        this.providerDuration.observe({ provider }, seconds);
      },
      rateLimitWait: (seconds) => {
        this.rateLimitWaits.inc({ provider });
        this.rateLimitSeconds.inc({ provider }, seconds);
      },
    };
  }

  /** The exposition text, the gauges set from `state` first. */
  async render(state: StateSnapshot): Promise<string> {
    // Every gauge is set before the first await, so a scrape renders one snapshot even beside another.
    this.databaseUp.set(state.database ? 1 : 0);
    const db = state.database;
    if (db) {
      this.lastSweep.set(db.lastSweepAt ? db.lastSweepAt.getTime() / 1000 : 0);
      this.inboxBacklog.set(db.inbox.waiting);
      this.deadLetters.set(db.inbox.deadLetters);
      for (const s of INVOICE_STATUSES) this.invoices.set({ state: s }, db.invoicesByStatus[s] ?? 0);
      this.backendUp.reset();
      for (const b of db.backends) this.backendUp.set({ provider: b.provider }, b.connected ? 1 : 0);
    }
    const [own, stored] = await Promise.all([this.registry.metrics(), db ? this.stored.metrics() : '']);
    return `${own}${stored}`;
  }
}

/** Counts every email the mailer sends or fails to send, by its kind. */
export function countingMailer(mailer: Mailer, metrics: Metrics): Mailer {
  return {
    async send(email) {
      try {
        const sent = await mailer.send(email);
        metrics.emailSent(email.kind);
        return sent;
      } catch (err) {
        metrics.emailFailed(email.kind);
        throw err;
      }
    },
    close: () => mailer.close(),
    ...(mailer.verify ? { verify: () => mailer.verify!() } : {}),
    ...(mailer.describe !== undefined ? { describe: mailer.describe } : {}),
  };
}

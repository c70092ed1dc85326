import { decideReadiness, type Readiness, type ReadinessCheck } from '../domain/readiness.js';
import type { StateSnapshot } from '../metrics.js';
import type { Services } from '../services.js';
import { connectionStates, type ConnectionState } from '../store/connections.js';
import { ping } from '../store/db.js';
import { inboxBacklog } from '../store/inbox.js';
import { countInvoicesByStatus } from '../store/invoices.js';
import { lastSweepFinished } from '../store/sweep-heartbeat.js';

/** What the scheduler of this process says about itself (jobs/define.ts). */
export interface SchedulerState {
  running: boolean;
  startedAt: Date;
  lastDueWorkAt: Date | null;
  lastError: string | null;
}

/** A probe or a scrape never waits longer than this on the database. */
const DATABASE_WAIT_MS = 3_000;

/** The database-derived gauges of GET /metrics; everything read is null when the database does not answer. */
export async function metricsSnapshot(services: Services): Promise<StateSnapshot> {
  try {
    const pool = services.db.pool;
    const [inbox, invoicesByStatus, connections, lastSweepAt] = await withinDeadline(
      Promise.all([inboxBacklog(pool, 0), countInvoicesByStatus(pool), connectionStates(pool), lastSweepFinished(pool)]),
    );
    return { database: { inbox: { waiting: inbox.waiting, deadLetters: inbox.deadLetters }, invoicesByStatus, backends: backendStates(services, connections), lastSweepAt } };
  } catch (err) {
    services.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'metrics: the database could not be read');
    return { database: null };
  }
}

/** Whether the database answers a `SELECT 1` within the deadline (GET /healthz tells, never fails on it). */
export function databaseAnswers(services: Services): Promise<boolean> {
  return withinDeadline(ping(services.db.pool)).catch(() => false);
}

/** GET /readyz: the database, the sweep of this process and the OAuth connections (src/domain/readiness.ts). */
export async function readiness(services: Services, scheduler: SchedulerState | null, intervalMs: number, exclude: readonly ReadinessCheck[]): Promise<Readiness> {
  const pool = services.db.pool;
  const databaseReachable = await databaseAnswers(services);
  const stored = databaseReachable ? await withinDeadline(Promise.all([connectionStates(pool), lastSweepFinished(pool)])).catch(() => null) : null;
  const oauth = Object.keys(services.oauth.connectors).sort();
  const byProvider = new Map((stored?.[0] ?? []).map((c) => [c.provider, c.status]));
  // Any process's sweep counts (the database's stamp); this process's own one when the database is not read.
  const lastSweepAt = stored ? stored[1] : (scheduler?.lastDueWorkAt ?? null);
  return decideReadiness({
    now: services.clock.now(),
    databaseReachable: stored !== null,
    scheduler: scheduler ? { running: scheduler.running, startedAt: scheduler.startedAt, lastSweepAt, intervalMs } : null,
    connections: oauth.map((provider) => ({ provider, status: byProvider.get(provider) ?? null })),
    exclude,
  });
}

/** Back-ends with an API key can always be called; an OAuth one only while its connection is active. */
function backendStates(services: Services, connections: ConnectionState[]): { provider: string; connected: boolean }[] {
  const status = new Map(connections.map((c) => [c.provider, c.status]));
  return Object.keys(services.backends)
    .sort()
    .map((provider) => ({ provider, connected: Object.hasOwn(services.oauth.connectors, provider) ? status.get(provider) === 'active' : true }));
}

async function withinDeadline<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${DATABASE_WAIT_MS / 1000} s`)), DATABASE_WAIT_MS))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

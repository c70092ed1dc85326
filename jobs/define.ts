import { Agenda } from 'agenda';
import { PostgresBackend } from '@agendajs/postgres-backend';
import type { Services } from '../src/services.js';
import { pollOpenInvoices } from '../src/usecases/poll-payments.js';
import { runDueWork } from '../src/usecases/sweep.js';
import { withHeartbeat } from './heartbeat.js';
import { recordSweepFinished } from '../src/store/sweep-heartbeat.js';

/** Agenda job names. Jobs are thin: they call a use case and log; no business rule lives here. */
export const JOBS = {
  dueWork: 'dispatch-due-work',
  pollPayments: 'poll-payments',
} as const;

/** How long stopping waits for a running sweep to finish (and release its lock). */
const DRAIN_TIMEOUT_MS = 30 * 1000;

export interface SchedulerOptions {
  /** JOBS_PROCESS_EVERY: how often due work is looked for; a due reminder goes out within it. */
  processEveryMs: number;
  /** Fallback payment polling for lost webhooks. */
  pollPaymentsEveryMs: number;
  /**
   * JOBS_LOCK_LIFETIME: how long a job lock lasts unless refreshed, so how long a process that died
   * mid-sweep holds the others back. Short on purpose: a live process keeps its lock with a heartbeat
   * (jobs/heartbeat.ts), and every piece of due work is claimed row by row, so two sweeps overlapping
   * would be safe anyway.
   */
  lockLifetimeMs: number;
}

export interface Scheduler {
  readonly agenda: Agenda;
  /** `startedAt` and `lastDueWorkAt` (the end of the last successful sweep) are business-clock times. */
  readonly state: () => { running: boolean; startedAt: Date; lastDueWorkAt: Date | null; lastError: string | null };
  stop(): Promise<void>;
}

export async function startScheduler(services: Services, options: SchedulerOptions): Promise<Scheduler> {
  const agendaPool = countQueriesInFlight(services.db.pool);
  const backend = new PostgresBackend({
    pool: agendaPool.pool,
    // PGlite serves one session through a multiplexer; LISTEN/NOTIFY there buys nothing.
    disableNotifications: services.db.kind === 'pglite',
  });
  // The LISTEN connection re-emits server disconnects (restart, failover) as "error" and reconnects by
  // itself; unlistened, that event would crash the process.
  const channel = backend.notificationChannel as unknown as { on?: (event: 'error', listener: (err: Error) => void) => void } | undefined;
  channel?.on?.('error', (err) => services.log.warn({ err: err.message }, 'scheduler notification channel lost its connection; reconnecting'));
  const agenda = new Agenda({ backend, name: services.instanceId, processEvery: options.processEveryMs, defaultLockLifetime: options.lockLifetimeMs });
  let running = false;
  let lastDueWorkAt: Date | null = null;
  let lastError: string | null = null;
  let jobsRunning = 0;
  agenda.on('start', () => void (jobsRunning += 1));
  agenda.on('complete', () => void (jobsRunning -= 1));
  agenda.on('error', (err: Error) => {
    lastError = err.message;
    services.log.error({ err: err.message }, 'scheduler error');
  });

  const beatFailed = (name: string) => (err: unknown) =>
    services.log.warn({ job: name, err: err instanceof Error ? err.message : String(err) }, 'could not refresh the job lock; another process may take the job over');

  agenda.define(
    JOBS.dueWork,
    async (job) => {
      const started = performance.now();
      const report = await withHeartbeat(job, options.lockLifetimeMs, beatFailed(JOBS.dueWork), () => runDueWork(services)).catch((err: unknown) => {
        services.metrics.sweepFinished('error', (performance.now() - started) / 1000);
        throw err;
      });
      services.metrics.sweepFinished('ok', (performance.now() - started) / 1000);
      lastDueWorkAt = services.clock.now();
      // Shared by every process (only one runs each sweep): GET /readyz reads it.
      await recordSweepFinished(services.db.pool, lastDueWorkAt, services.instanceId).catch((err: unknown) =>
        services.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'sweep heartbeat not stored'),
      );
      if (report.reminders.length || report.delivered || report.retriedEvents || report.flaggedUnknown || report.postedDrafts) {
        services.log.info({ ...report, reminders: report.reminders.length }, 'due work done');
      }
    },
    { concurrency: 1, lockLifetime: options.lockLifetimeMs },
  );

  agenda.define(
    JOBS.pollPayments,
    async (job) => {
      const report = await withHeartbeat(job, options.lockLifetimeMs, beatFailed(JOBS.pollPayments), () => pollOpenInvoices(services));
      if (report.changed || report.rateLimited.length || report.failed) services.log.info(report, 'payment poll done');
    },
    { concurrency: 1, lockLifetime: options.lockLifetimeMs },
  );

  const startedAt = services.clock.now();
  await agenda.start();
  await agenda.every(options.processEveryMs, JOBS.dueWork);
  await agenda.every(options.pollPaymentsEveryMs, JOBS.pollPayments, undefined, { skipImmediate: true });
  running = true;

  return {
    agenda,
    state: () => ({ running, startedAt, lastDueWorkAt, lastError }),
    async stop() {
      running = false;
      // Agenda locks due jobs ahead of running them. stop() unlocks those (drain() would leave them
      // locked for the whole lock lifetime, so the next process could not sweep for minutes), while a
      // job already running keeps its lock until it completes and saves itself unlocked: wait for that
      // before the caller closes the database.
      await agenda.stop(false);
      // Also wait for Agenda's queries already sent: a lock being taken when stop() was called lands
      // after it (on PostgreSQL possibly after the release below, on another connection), and a job
      // whose run was starting saves itself locked before it counts as running.
      const deadline = Date.now() + DRAIN_TIMEOUT_MS;
      while ((jobsRunning > 0 || agendaPool.inFlight() > 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      if (jobsRunning > 0) return;
      // Such a lock is not in the list stop() unlocked, and would block the next process for the lock
      // lifetime. Nothing of ours runs or queries any more, so any lock still stamped with our name is a leftover.
      await services.db.pool
        .query('UPDATE agenda_jobs SET locked_at = NULL WHERE locked_at IS NOT NULL AND last_modified_by = $1', [services.instanceId])
        .catch((err: unknown) => services.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not release leftover scheduler locks'));
    },
  };
}

/** The pool as Agenda sees it, counting its queries still awaiting an answer. */
function countQueriesInFlight(pool: Services['db']['pool']): { pool: Services['db']['pool']; inFlight: () => number } {
  let inFlight = 0;
  const counted = new Proxy(pool, {
    get(target, property, receiver) {
      if (property !== 'query') return Reflect.get(target, property, receiver);
      return (...args: unknown[]) => {
        const result = (target.query as (...a: unknown[]) => unknown)(...args);
        if (!(result instanceof Promise)) return result;
        inFlight += 1;
        const done = () => void (inFlight -= 1);
        result.then(done, done);
        return result;
      };
    },
  });
  return { pool: counted, inFlight: () => inFlight };
}

import { Agenda } from 'agenda';
import { PostgresBackend } from '@agendajs/postgres-backend';
import type { Services } from '../src/services.js';
import { pollOpenInvoices } from '../src/usecases/poll-payments.js';
import { runDueWork } from '../src/usecases/sweep.js';

/** Agenda job names. Jobs are thin: they call a use case and log; no business rule lives here. */
export const JOBS = {
  dueWork: 'dispatch-due-work',
  pollPayments: 'poll-payments',
} as const;

/**
 * How long a crashed process's job lock blocks the others. Short on purpose: every piece of due work
 * is claimed row by row in the database, so two sweeps overlapping is safe, while a long lock would
 * hold reminders back after a crash.
 */
const LOCK_LIFETIME_MS = 2 * 60 * 1000;
/** How long stopping waits for a running sweep to finish (and release its lock). */
const DRAIN_TIMEOUT_MS = 30 * 1000;

export interface SchedulerOptions {
  /** JOBS_PROCESS_EVERY: how often due work is looked for; a due reminder goes out within it. */
  processEveryMs: number;
  /** Fallback payment polling for lost webhooks. */
  pollPaymentsEveryMs: number;
}

export interface Scheduler {
  readonly agenda: Agenda;
  readonly state: () => { running: boolean; lastDueWorkAt: Date | null; lastError: string | null };
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
  const agenda = new Agenda({ backend, name: services.instanceId, processEvery: options.processEveryMs, defaultLockLifetime: LOCK_LIFETIME_MS });
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

  agenda.define(JOBS.dueWork, async () => {
    const report = await runDueWork(services);
    lastDueWorkAt = services.clock.now();
    if (report.reminders.length || report.delivered || report.retriedEvents || report.flaggedUnknown || report.postedDrafts) {
      services.log.info({ ...report, reminders: report.reminders.length }, 'due work done');
    }
  }, { concurrency: 1, lockLifetime: LOCK_LIFETIME_MS });

  agenda.define(JOBS.pollPayments, async (job) => {
    const report = await pollOpenInvoices(services, { onPage: () => job.touch() });
    if (report.changed || report.rateLimited.length || report.failed) services.log.info(report, 'payment poll done');
  }, { concurrency: 1 });

  await agenda.start();
  await agenda.every(options.processEveryMs, JOBS.dueWork);
  await agenda.every(options.pollPaymentsEveryMs, JOBS.pollPayments, undefined, { skipImmediate: true });
  running = true;

  return {
    agenda,
    state: () => ({ running, lastDueWorkAt, lastError }),
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

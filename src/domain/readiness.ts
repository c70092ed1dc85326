/** The checks behind GET /readyz (docs/operations.md). */
export const READINESS_CHECKS = ['database', 'sweep', 'connections'] as const;
export type ReadinessCheck = (typeof READINESS_CHECKS)[number];

/** A sweep is late once this many intervals (JOBS_PROCESS_EVERY) passed without one finishing. */
export const STALE_AFTER_INTERVALS = 3;

export interface ReadinessFacts {
  now: Date;
  databaseReachable: boolean;
  /**
   * This process's scheduler, and when the last sweep of any process finished (one process runs each).
   * Null: this process runs no scheduler (another one sweeps), so there is nothing to check.
   */
  scheduler: { running: boolean; startedAt: Date; lastSweepAt: Date | null; intervalMs: number } | null;
  /** OAuth back-ends configured here and their stored connection (null: never connected). */
  connections: { provider: string; status: 'active' | 'broken' | null }[];
  /** Checks the caller asked to leave out (`/readyz?exclude=connections`). */
  exclude?: readonly ReadinessCheck[];
}

export interface CheckResult {
  ok: boolean;
  /** Why not, in words safe to show anyone (no secrets, no stack traces). */
  reason?: string;
}

export interface Readiness {
  ready: boolean;
  checks: Partial<Record<ReadinessCheck, CheckResult | { ok: true; skipped: true }>>;
}

/**
 * Ready when the database answers, a sweep finished within 3 intervals and no back-end connection is
 * broken. The sweep counts from its start when none finished since: a process that just started is
 * ready at once (even after a long outage) and turns unready only if no sweep ends within 3 intervals.
 */
export function decideReadiness(facts: ReadinessFacts): Readiness {
  const excluded = new Set(facts.exclude ?? []);
  const checks: Readiness['checks'] = {};
  const run = (name: ReadinessCheck, check: () => CheckResult) => {
    checks[name] = excluded.has(name) ? { ok: true, skipped: true } : check();
  };
  run('database', () => (facts.databaseReachable ? { ok: true } : { ok: false, reason: 'the database does not answer' }));
  run('sweep', () => sweepCheck(facts.now, facts.scheduler));
  run('connections', () => {
    const broken = facts.connections.filter((c) => c.status === 'broken').map((c) => c.provider);
    return broken.length ? { ok: false, reason: `broken connection: ${broken.join(', ')} (reconnect with /invoices connect)` } : { ok: true };
  });
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}

function sweepCheck(now: Date, scheduler: ReadinessFacts['scheduler']): CheckResult {
  if (!scheduler) return { ok: true };
  if (!scheduler.running) return { ok: false, reason: 'the scheduler is stopped' };
  const sweptSinceStart = scheduler.lastSweepAt !== null && scheduler.lastSweepAt >= scheduler.startedAt;
  const since = sweptSinceStart ? scheduler.lastSweepAt! : scheduler.startedAt;
  const limitMs = STALE_AFTER_INTERVALS * scheduler.intervalMs;
  const ageMs = now.getTime() - since.getTime();
  if (ageMs <= limitMs) return { ok: true };
  const what = sweptSinceStart ? `the last sweep finished ${seconds(ageMs)} ago` : `no sweep finished in the ${seconds(ageMs)} since start`;
  return { ok: false, reason: `${what}; expected within ${seconds(limitMs)} (3 × JOBS_PROCESS_EVERY)` };
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/** Reads `?exclude=a,b`; null when a name is not a check (answered with 400). */
export function parseExclude(value: unknown): ReadinessCheck[] | null {
  if (value === undefined || value === '') return [];
  if (typeof value !== 'string') return null;
  const names = value.split(',').map((n) => n.trim());
  return names.every((n): n is ReadinessCheck => (READINESS_CHECKS as readonly string[]).includes(n)) ? names : null;
}

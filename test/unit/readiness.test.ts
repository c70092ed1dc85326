import { decideReadiness, parseExclude, type ReadinessFacts } from '../../src/domain/readiness.js';

const T0 = new Date('2026-03-02T09:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const facts = (over: Partial<ReadinessFacts> = {}): ReadinessFacts => ({
  now: at(0),
  databaseReachable: true,
  scheduler: { running: true, startedAt: at(-600), lastSweepAt: at(-10), intervalMs: 30_000 },
  connections: [],
  ...over,
});
const sweep = (now: number, lastSweep: number | null, startedAt = -600) =>
  decideReadiness(facts({ now: at(now), scheduler: { running: true, startedAt: at(startedAt), lastSweepAt: lastSweep === null ? null : at(lastSweep), intervalMs: 30_000 } }));

test('ready when the database answers, the sweep is recent and no connection is broken', () => {
  expect(decideReadiness(facts())).toEqual({ ready: true, checks: { database: { ok: true }, sweep: { ok: true }, connections: { ok: true } } });
});

test('the sweep may be up to 3 intervals old, not a second more', () => {
  expect(sweep(0, -90).ready).toBe(true);
  const late = sweep(0, -91);
  expect(late.ready).toBe(false);
  expect(late.checks.sweep).toEqual({ ok: false, reason: 'the last sweep finished 91 s ago; expected within 90 s (3 × JOBS_PROCESS_EVERY)' });
});

test('before its first sweep a process counts from its start: ready at once, unready once 3 intervals pass', () => {
  expect(sweep(0, null, 0).ready).toBe(true);
  expect(sweep(90, null, 0).ready).toBe(true);
  expect(sweep(91, null, 0).checks.sweep).toEqual({ ok: false, reason: 'no sweep finished in the 91 s since start; expected within 90 s (3 × JOBS_PROCESS_EVERY)' });
});

test('after an outage, a sweep older than the start does not count: the start gives the grace', () => {
  expect(sweep(10, -86_400, 0).ready).toBe(true);
  expect(sweep(91, -86_400, 0).checks.sweep).toEqual({ ok: false, reason: 'no sweep finished in the 91 s since start; expected within 90 s (3 × JOBS_PROCESS_EVERY)' });
  expect(sweep(200, 150, 0).ready).toBe(true);
});

test('a stopped scheduler is unready; a process without one has no sweep to check', () => {
  const stopped = decideReadiness(facts({ scheduler: { running: false, startedAt: at(-600), lastSweepAt: at(-1), intervalMs: 30_000 } }));
  expect(stopped.checks.sweep).toEqual({ ok: false, reason: 'the scheduler is stopped' });
  expect(decideReadiness(facts({ scheduler: null })).ready).toBe(true);
});

test('an unreachable database and a broken connection each fail their own check', () => {
  const result = decideReadiness(
    facts({
      databaseReachable: false,
      connections: [
        { provider: 'quickbooks', status: 'broken' },
        { provider: 'freshbooks', status: 'active' },
      ],
    }),
  );
  expect(result.ready).toBe(false);
  expect(result.checks.database).toEqual({ ok: false, reason: 'the database does not answer' });
  expect(result.checks.connections).toEqual({ ok: false, reason: 'broken connection: quickbooks (reconnect with /invoices connect)' });
  expect(result.checks.sweep).toEqual({ ok: true });
});

test('a back-end never connected is not broken', () => {
  expect(decideReadiness(facts({ connections: [{ provider: 'quickbooks', status: null }] })).ready).toBe(true);
});

test('excluded checks are skipped, and only those', () => {
  const result = decideReadiness(facts({ databaseReachable: false, connections: [{ provider: 'quickbooks', status: 'broken' }], exclude: ['connections'] }));
  expect(result.checks.connections).toEqual({ ok: true, skipped: true });
  expect(result.ready).toBe(false);
  expect(decideReadiness(facts({ databaseReachable: false, exclude: ['database'] })).ready).toBe(true);
});

test('?exclude= takes known check names only', () => {
  expect(parseExclude(undefined)).toEqual([]);
  expect(parseExclude('')).toEqual([]);
  expect(parseExclude('sweep, connections')).toEqual(['sweep', 'connections']);
  expect(parseExclude('sweep,everything')).toBeNull();
  expect(parseExclude(['sweep'])).toBeNull();
});

import { openDatabase, migrate, type Database } from '../../src/store/db.js';
import { createTestDatabaseUrl } from '../support/database.js';
import { pgliteTemplateBlob } from '../support/pglite-template.js';
import {
  claimDueInboxEvents,
  claimNewInboxEvent,
  getInboxEvent,
  inboxBacklog,
  markInboxDead,
  markInboxProcessed,
  requeueDeadLetter,
  rescheduleInboxEvent,
  storeInboxEvent,
  unannouncedDeadLetters,
  type InboxEvent,
} from '../../src/store/inbox.js';
import { claimEffect } from '../../src/store/effects.js';

/**
 * The inbox's claims on the database: two claimers (on PostgreSQL two pools, as two bot processes
 * have) never take the same event, outcomes of an attempt that lost its claim are not recorded, and a
 * dead letter is re-queued by exactly one Retry.
 */
const onServer = Boolean(process.env.TEST_DATABASE_URL);
const t0 = new Date('2026-11-02T10:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const MINUTE = 60_000;

let target: Awaited<ReturnType<typeof createTestDatabaseUrl>>;
let first: Database;
let second: Database;
beforeAll(async () => {
  target = await createTestDatabaseUrl();
  first = await openDatabase({ url: target.url, dataDir: 'memory://', loadDataDir: target.url ? undefined : await pgliteTemplateBlob() });
  // PGlite is one in-process database: the second "process" shares its pool (claims still race as promises).
  second = onServer ? await openDatabase({ url: target.url, dataDir: 'memory://' }) : first;
});
afterAll(async () => {
  if (second !== first) await second.close();
  await first.close();
  await target.drop();
});
beforeEach(async () => {
  await first.pool.query('DELETE FROM inbox_events');
  await first.pool.query(`DELETE FROM effects WHERE key LIKE 'dead-letter:%'`);
});

const store = async (n: number, receivedAt = t0): Promise<InboxEvent[]> => {
  const events: InboxEvent[] = [];
  for (let i = 0; i < n; i += 1)
    events.push(
      (await storeInboxEvent(first.pool, { source: 'asana', externalId: `evt-${receivedAt.getTime()}-${i}`, kind: 'task_changed', payload: { taskId: String(i) } }, receivedAt))!,
    );
  return events;
};
const claimWith = (db: Database, now: Date, limit = 5) => claimDueInboxEvents(db.pool, { now, receivedBefore: now, leaseUntil: at(5 * MINUTE), limit });

describe(`inbox claims (${onServer ? 'PostgreSQL, two pools' : 'PGlite'})`, () => {
  test('two concurrent claimers take every due event exactly once, each counted as one attempt', async () => {
    const stored = await store(60);
    const taken: Record<string, number[]> = { a: [], b: [] };
    const drain = async (name: 'a' | 'b', db: Database) => {
      for (;;) {
        const batch = await claimWith(db, at(MINUTE));
        expect(batch.length).toBeLessThanOrEqual(5);
        if (batch.length === 0) return;
        taken[name]!.push(...batch.map((e) => e.id));
        expect(batch.map((e) => e.attempts)).toEqual(batch.map(() => 1));
      }
    };
    await Promise.all([drain('a', first), drain('b', second), drain('a', first), drain('b', second)]);
    const all = [...taken.a!, ...taken.b!].sort((x, y) => x - y);
    expect(all).toEqual(stored.map((e) => e.id));
    const { rows } = await first.pool.query<{ attempts: number }>('SELECT DISTINCT attempts FROM inbox_events');
    expect(rows).toEqual([{ attempts: 1 }]);
  });

  (onServer ? test : test.skip)('a claim in flight is skipped, not waited for: the other process takes the next events', async () => {
    const stored = await store(8);
    const client = await first.pool.connect();
    try {
      await client.query('BEGIN');
      const held = await claimDueInboxEvents(client, { now: at(MINUTE), receivedBefore: at(MINUTE), leaseUntil: at(5 * MINUTE), limit: 5 });
      // The first claim is not committed yet: its rows are locked, the second process gets the rest at once.
      const other = await claimWith(second, at(MINUTE));
      expect(held.map((e) => e.id)).toEqual(stored.slice(0, 5).map((e) => e.id));
      expect(other.map((e) => e.id)).toEqual(stored.slice(5).map((e) => e.id));
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await claimWith(second, at(MINUTE))).toEqual([]);
  });

  test('a leased event is not due until its lease ends; the fast path cannot take what the sweep took', async () => {
    const [event] = await store(1);
    expect(await claimWith(first, at(MINUTE))).toHaveLength(1);
    expect(await claimWith(second, at(4 * MINUTE))).toEqual([]);
    expect(await claimNewInboxEvent(second.pool, event!.id, at(10 * MINUTE))).toBeNull();
    // The claimer died: after the lease the event is due again, and the attempt count shows both tries.
    expect((await claimWith(second, at(5 * MINUTE))).map((e) => e.attempts)).toEqual([2]);
  });

  test('events younger than the grace are left to the fast path, which claims them once', async () => {
    const [event] = await store(1, at(MINUTE));
    expect(await claimDueInboxEvents(first.pool, { now: at(MINUTE), receivedBefore: at(MINUTE - 10_000), leaseUntil: at(6 * MINUTE), limit: 5 })).toEqual([]);
    const [a, b] = await Promise.all([claimNewInboxEvent(first.pool, event!.id, at(6 * MINUTE)), claimNewInboxEvent(second.pool, event!.id, at(6 * MINUTE))]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
  });

  test('an attempt that lost its claim records nothing; the current claim decides', async () => {
    const [event] = await store(1);
    const [stale] = await claimWith(first, at(MINUTE));
    const [current] = await claimWith(second, at(6 * MINUTE));
    await rescheduleInboxEvent(first.pool, stale!, 'stale failure', at(7 * MINUTE));
    expect(await markInboxDead(first.pool, stale!, 'stale give-up', at(7 * MINUTE))).toBeNull();
    expect(await getInboxEvent(first.pool, event!.id)).toMatchObject({ attempts: 2, lastError: null, deadAt: null, nextAttemptAt: at(5 * MINUTE) });
    await rescheduleInboxEvent(second.pool, current!, 'Asana answered 503', at(9 * MINUTE));
    expect(await getInboxEvent(first.pool, event!.id)).toMatchObject({ lastError: 'Asana answered 503', nextAttemptAt: at(9 * MINUTE) });
    expect(await claimWith(first, at(8 * MINUTE))).toEqual([]);
  });

  test('a dead letter is re-queued by exactly one of two concurrent Retries, with a fresh window', async () => {
    const [event] = await store(1);
    const [claimed] = await claimWith(first, at(MINUTE));
    const dead = await markInboxDead(first.pool, claimed!, 'gave up', at(2 * MINUTE));
    expect(dead).toMatchObject({ deadAt: at(2 * MINUTE), attempts: 1 });
    expect(await claimWith(first, at(60 * MINUTE))).toEqual([]);
    const retry = (db: Database, by: string) => requeueDeadLetter(db.pool, event!.id, { by, now: at(60 * MINUTE), leaseUntil: at(65 * MINUTE) });
    const winners = (await Promise.all([retry(first, 'UAPPROVER1'), retry(second, 'UAPPROVER2')])).filter(Boolean);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ deadAt: null, attempts: 2, windowAttempts: 1, retryWindowStart: at(60 * MINUTE), nextAttemptAt: at(65 * MINUTE) });
    await markInboxProcessed(first.pool, event!.id, at(61 * MINUTE));
    expect(await retry(first, 'UAPPROVER1')).toBeNull();
  });

  test('unannounced dead letters exclude the ones whose announcement was claimed; the backlog counts both kinds', async () => {
    const events = await store(3);
    const claimed = await claimWith(first, at(MINUTE));
    await markInboxDead(first.pool, claimed[0]!, 'one', at(2 * MINUTE));
    await markInboxDead(first.pool, claimed[1]!, 'two', at(3 * MINUTE));
    await rescheduleInboxEvent(first.pool, claimed[2]!, 'three', at(30 * MINUTE));
    expect(await claimEffect(first.pool, { key: `dead-letter:${events[0]!.id}`, invoiceId: null, kind: 'dead-letter', claimedBy: 'p1' }, at(2 * MINUTE))).toBe(true);
    expect((await unannouncedDeadLetters(first.pool, 'dead-letter:', 10)).map((e) => e.id)).toEqual([events[1]!.id]);
    const backlog = await inboxBacklog(first.pool, 1);
    expect(backlog).toMatchObject({ waiting: 1, oldestWaitingSince: t0, nextAttemptAt: at(30 * MINUTE), deadLetters: 2 });
    expect(backlog.newestDead.map((e) => e.id)).toEqual([events[1]!.id]);
  });

  test('migration 170 backfills: waiting rows keep their place, rows the old sweep dropped become dead letters', async () => {
    await first.pool.query(`
      ALTER TABLE inbox_events DROP COLUMN next_attempt_at, DROP COLUMN retry_window_start, DROP COLUMN window_attempts,
        DROP COLUMN dead_at, DROP COLUMN retried_by, DROP COLUMN dead_letter_channel, DROP COLUMN dead_letter_ts;
      CREATE INDEX inbox_unprocessed ON inbox_events (id) WHERE processed_at IS NULL;
      DELETE FROM schema_migrations WHERE version = 170;`);
    const insert = (id: string, attempts: number, processed: Date | null) =>
      first.pool.query(
        `INSERT INTO inbox_events (source, external_id, kind, payload, received_at, processed_at, attempts) VALUES ('stripe', $1, 'backend_event', '{}', $2, $3, $4)`,
        [id, t0, processed, attempts],
      );
    await insert('waiting', 3, null);
    await insert('dropped', 20, null);
    await insert('done', 1, t0);
    expect(await migrate(first.pool)).toEqual([170]);
    const { rows } = await first.pool.query<{ external_id: string; next_attempt_at: Date; dead_at: Date | null; window_attempts: number }>(
      'SELECT external_id, next_attempt_at, dead_at, window_attempts FROM inbox_events ORDER BY id',
    );
    expect(rows).toEqual([
      { external_id: 'waiting', next_attempt_at: t0, dead_at: null, window_attempts: 3 },
      { external_id: 'dropped', next_attempt_at: t0, dead_at: t0, window_attempts: 20 },
      { external_id: 'done', next_attempt_at: t0, dead_at: null, window_attempts: 1 },
    ]);
  });
});

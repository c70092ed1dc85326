import pg from 'pg';
import { connectEmbedded, type Database } from '../../src/store/db.js';
import { pgliteTemplate } from './pglite-template.js';

/** Provided by test/support/environment.js: the Jest worker's PGlite, started from `tarballPath` on first use, stopped with the worker. */
declare global {
  var duebotSharedPglite: ((tarballPath: string) => Promise<{ folder: string }>) | undefined;
}

/** Holds what the migrations left in the database (rows and sequence positions), to put back on each reset. */
const SEED = 'duebot_test_seed';

export interface SharedTestDatabase {
  /** A new connection to it, for one bot start (the bot closes it on stop; the server keeps running). */
  connect(): Promise<Database>;
}

/**
 * The worker's shared embedded database, emptied back to the freshly migrated state, or null on real
 * PostgreSQL (TEST_DATABASE_URL) and outside the duebot test environment. Whoever calls this owns the
 * database until the next call (a file's bots run one after another).
 */
export async function sharedTestDatabase(): Promise<SharedTestDatabase | null> {
  if (process.env.TEST_DATABASE_URL || !globalThis.duebotSharedPglite) return null;
  const { folder } = await globalThis.duebotSharedPglite((await pgliteTemplate()).tarball);
  await resetToMigrated(folder);
  return { connect: () => connectEmbedded(folder, 'the test worker’s shared PGlite') };
}

async function resetToMigrated(folder: string): Promise<void> {
  const client = new pg.Client({ host: folder, port: 5432, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    // PGlite has a single session that every connection shares: end a transaction a stopped bot left
    // open and drop its session state (prepared statements, locks, settings).
    await client.query('ROLLBACK');
    await client.query('DISCARD ALL');
    if (!(await client.query(`SELECT 1 FROM pg_namespace WHERE nspname = '${SEED}'`)).rowCount) await snapshot(client);
    await restore(client);
  } finally {
    await client.end();
  }
}

const publicTables = async (client: pg.Client) =>
  (
    await client.query<{ name: string }>(`SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY 1`)
  ).rows.map((r) => r.name);

/** Run once, on the database as the template left it: copies of the non-empty tables, every sequence's position. */
async function snapshot(client: pg.Client): Promise<void> {
  await client.query('BEGIN');
  await client.query(`CREATE SCHEMA ${SEED}`);
  await client.query(
    `CREATE TABLE ${SEED}.sequences AS SELECT quote_ident(sequencename) AS name, coalesce(last_value, start_value) AS value, last_value IS NOT NULL AS called FROM pg_sequences WHERE schemaname = 'public'`,
  );
  await client.query(`CREATE TABLE ${SEED}.tables (name text PRIMARY KEY)`);
  for (const table of await publicTables(client)) {
    if (!(await client.query(`SELECT 1 FROM public.${table} LIMIT 1`)).rowCount) continue;
    await client.query(`CREATE TABLE ${SEED}.${table} AS SELECT * FROM public.${table}`);
    await client.query(`INSERT INTO ${SEED}.tables (name) VALUES ($1)`, [table]);
  }
  await client.query('COMMIT');
}

/** Every table emptied, the seeded rows put back, every sequence where it started. */
async function restore(client: pg.Client): Promise<void> {
  const tables = await publicTables(client);
  await client.query('BEGIN');
  if (tables.length) await client.query(`TRUNCATE ${tables.map((t) => `public.${t}`).join(', ')} RESTART IDENTITY CASCADE`);
  for (const { name } of (await client.query<{ name: string }>(`SELECT name FROM ${SEED}.tables`)).rows) {
    await client.query(`INSERT INTO public.${name} OVERRIDING SYSTEM VALUE SELECT * FROM ${SEED}.${name}`);
  }
  await client.query(`SELECT setval(format('public.%s', name), value, called) FROM ${SEED}.sequences`);
  await client.query('COMMIT');
}

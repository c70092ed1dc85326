import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/store/db.js';
import { pgliteTemplateBlob } from './pglite-template.js';

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database for one test: a new database on the real server named by TEST_DATABASE_URL
 * (dropped afterwards), or null (= embedded PGlite) when it is unset.
 */
export async function createTestDatabaseUrl(): Promise<{ url: string | null; drop(): Promise<void> }> {
  return createScratchDatabase(process.env.TEST_DATABASE_URL ?? null, 'duebot_test');
}

/** A new, empty database on `serverUrl` (null: embedded PGlite, nothing to create). */
export async function createScratchDatabase(serverUrl: string | null, prefix: string): Promise<{ url: string | null; drop(): Promise<void> }> {
  if (!serverUrl) return { url: null, drop: async () => undefined };
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** A fresh, migrated database: real PostgreSQL with TEST_DATABASE_URL, in-memory PGlite without. */
export async function openTestDatabase(): Promise<Database> {
  const target = await createTestDatabaseUrl();
  const db = await openDatabase({ url: target.url, dataDir: 'memory://', loadDataDir: target.url ? undefined : await pgliteTemplateBlob() });
  return {
    pool: db.pool,
    kind: db.kind,
    location: db.location,
    async close() {
      await db.close();
      await target.drop();
    },
  };
}

import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
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
  const serverUrl = process.env.TEST_DATABASE_URL ?? null;
  return createScratchDatabase(serverUrl, 'duebot_test', serverUrl ? await migratedTemplate(serverUrl) : undefined);
}

/** A new database on `serverUrl`, empty or a copy of `template` (null: embedded PGlite, nothing to create). */
export async function createScratchDatabase(serverUrl: string | null, prefix: string, template?: string): Promise<{ url: string | null; drop(): Promise<void> }> {
  if (!serverUrl) return { url: null, drop: async () => undefined };
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin(serverUrl, `CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

let template: Promise<string> | null = null;

/**
 * A database on the server with every migration applied, which test databases are copied from
 * (CREATE DATABASE … TEMPLATE: a file copy, no migrations to run). Named after the migrations it
 * holds, so branches with other migrations on the same server each get their own; built under a
 * scratch name and renamed when complete, so racing workers never copy a half-built one.
 */
function migratedTemplate(serverUrl: string): Promise<string> {
  template ??= findOrBuildTemplate(serverUrl);
  return template;
}

async function findOrBuildTemplate(serverUrl: string): Promise<string> {
  const hash = createHash('sha256');
  for (const m of MIGRATIONS) hash.update(`\0${m.version}\0${m.sql}`);
  const name = `duebot_template_${hash.digest('hex').slice(0, 16)}`;
  if (await databaseExists(serverUrl, name)) return name;
  const build = await createScratchDatabase(serverUrl, 'duebot_template_build');
  try {
    const db = await openDatabase({ url: build.url, dataDir: 'memory://', maxConnections: 1 });
    await db.close();
    await renameWhenIdle(serverUrl, new URL(build.url!).pathname.slice(1), name);
  } catch (err) {
    await build.drop();
    // Another worker renamed its copy into place first: use that one.
    if (!(await databaseExists(serverUrl, name))) throw err;
  }
  return name;
}

/** The server may still be ending the session just closed; renaming needs none left (error 55006). */
async function renameWhenIdle(serverUrl: string, from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin(serverUrl, `ALTER DATABASE ${from} RENAME TO ${to}`);
    } catch (err) {
      if ((err as { code?: string }).code !== '55006' || attempt === 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function databaseExists(serverUrl: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await client.end();
  }
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

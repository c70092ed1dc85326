import { chmod, lstat, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { MIGRATIONS } from './migrations.js';
import type { Logger } from '../log.js';

/**
 * PostgreSQL access. With DATABASE_URL we talk to a real server; without it an embedded PGlite
 * database in DATA_DIR is served over a Unix socket so that `pg` (and Agenda's backend, which uses the
 * same pool) take the very same code path either way.
 *
 * The embedded server has no passwords (pglite-socket does no authentication), so who may connect is
 * decided by the file system alone: the socket lives in a folder only this process's user can enter
 * (0700): DATA_DIR itself, which also keeps the database files private, or for `memory://` a fresh
 * temporary folder. Nothing listens on TCP.
 */
export interface Database {
  readonly pool: pg.Pool;
  readonly kind: 'postgres' | 'pglite';
  /** Where the data lives (server URL without password, or the PGlite folder). */
  readonly location: string;
  close(): Promise<void>;
}

export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

const INT8_OID = 20;
const DATE_OID = 1082;

/** bigint columns hold minor units far below 2^53; dates stay YYYY-MM-DD strings (no time-zone shift). */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (value: string) => Number(value);
    if (oid === DATE_OID) return (value: string) => value;
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;

export interface OpenDatabaseOptions {
  /** postgres:// URL, or null for embedded PGlite. */
  url: string | null;
  /** PGlite data folder; `memory://` keeps everything in memory (tests). */
  dataDir: string;
  maxConnections?: number;
  /** Where a dropped connection is reported (pool `error` events); without it they pass silently. */
  log?: Pick<Logger, 'warn'>;
  /** PGlite only: a new database starts as this data-folder tarball instead of an empty one (tests start from a migrated copy). */
  loadDataDir?: Blob;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const max = options.maxConnections ?? 10;
  if (options.url) {
    // JIT compiling costs more than it saves on queries of this size (1.2 s of a 2 s aggregate over
    // 100,000 invoices, measured with npm run bench:commands), so sessions run without it.
    const pool = new pg.Pool({ connectionString: options.url, max, types, options: '-c jit=off' });
    keepServerDisconnectsFromCrashing(pool, options.log);
    const db: Database = { pool, kind: 'postgres', location: redactUrl(options.url), close: () => pool.end() };
    await migrate(db.pool);
    return db;
  }
  return openEmbedded(options.dataDir, options.log, options.loadDataDir);
}

async function openEmbedded(dataDir: string, log: Pick<Logger, 'warn'> | undefined, loadDataDir: Blob | undefined): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) await ensurePrivateFolder(dataDir);
  const socket = await socketLocation(inMemory ? null : resolve(dataDir));
  // A socket left by a crash would make listen fail; no other process can be serving this folder
  // (PGlite is single-process, and the folder is ours alone).
  await rm(socket.path, { force: true });
  const lite = await PGlite.create({ dataDir, loadDataDir });
  // PGlite is single-session: the socket multiplexer can interleave two clients' extended-protocol
  // messages (Parse of one, Bind of the other), so every query goes through one connection. Code
  // inside a transaction only ever uses the transaction's client, so this cannot deadlock.
  const server = new PGLiteSocketServer({ db: lite, path: socket.path, maxConnections: 4 });
  await server.start();
  await chmod(socket.path, 0o600);
  const pool = embeddedPool(socket.folder, log);
  const db: Database = {
    pool,
    kind: 'pglite',
    location: dataDir,
    async close() {
      await pool.end();
      await server.stop();
      await lite.close();
      await rm(socket.path, { force: true });
      if (socket.temporary) await rm(socket.folder, { recursive: true, force: true });
    },
  };
  await migrate(pool);
  return db;
}

/**
 * The pool every embedded database is used through: one connection (see above) to the PGlite socket in
 * `socketFolder`. pg reaches a Unix socket as host = its folder, port = the number in ".s.PGSQL.<port>".
 */
function embeddedPool(socketFolder: string, log: Pick<Logger, 'warn'> | undefined): pg.Pool {
  const pool = new pg.Pool({ host: socketFolder, port: SOCKET_PORT, user: 'postgres', database: 'postgres', max: 1, types });
  keepServerDisconnectsFromCrashing(pool, log);
  return pool;
}

/**
 * An embedded database that another owner serves on a socket in `socketFolder` (the test suite keeps one
 * PGlite per test worker): used exactly as openDatabase's own; closing it leaves the server running.
 */
export async function connectEmbedded(socketFolder: string, location: string, log?: Pick<Logger, 'warn'>): Promise<Database> {
  const pool = embeddedPool(socketFolder, log);
  await migrate(pool);
  return { pool, kind: 'pglite', location, close: () => pool.end() };
}

const SOCKET_PORT = 5432;
const SOCKET_NAME = `.s.PGSQL.${SOCKET_PORT}`;
/** sun_path holds 108 bytes on Linux (104 on macOS) including the final NUL. */
const MAX_SOCKET_PATH = 103;

/**
 * DATA_DIR, created if need be, made 0700 and refused when another user owns it (a folder planted by
 * someone else would let them in). Its database files and the socket are then reachable by us alone.
 */
export async function ensurePrivateFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const info = await lstat(folder);
  if (!info.isDirectory()) throw new Error(`DATA_DIR ${folder} is not a folder (a symbolic link or file is not accepted)`);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) throw new Error(`DATA_DIR ${folder} belongs to user ${info.uid}, not to this process's user ${uid}; refusing to keep the books there`);
  await chmod(folder, 0o700);
}

/**
 * Where the socket goes: in the (private) data folder, or in a fresh private temporary folder for
 * `memory://` and for a data folder whose path is too long for a socket address.
 */
async function socketLocation(dataFolder: string | null): Promise<{ folder: string; path: string; temporary: boolean }> {
  if (dataFolder && Buffer.byteLength(join(dataFolder, SOCKET_NAME)) <= MAX_SOCKET_PATH) {
    return { folder: dataFolder, path: join(dataFolder, SOCKET_NAME), temporary: false };
  }
  const folder = await mkdtemp(join(tmpdir(), 'duebot-db-')); // created 0700
  return { folder, path: join(folder, SOCKET_NAME), temporary: true };
}

/**
 * A server restart, failover or an administrator ending sessions makes pg emit "error" on the clients:
 * on idle ones through the pool, on busy ones on the client itself. Unlistened, either event would
 * crash the process; listened, the query in flight fails (and is retried by whoever owns it) and the
 * pool replaces the dead client. Each event is logged (message and SQLSTATE only: never the connection
 * settings), so an outage shows in the log even when no request was running.
 */
function keepServerDisconnectsFromCrashing(pool: pg.Pool, log: Pick<Logger, 'warn'> | undefined): void {
  // An idle client's error reaches both listeners; it is logged once, by the client's own.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', (err: Error) => log?.warn({ err: err.message, ...sqlState(err) }, 'database connection lost')));
}

function sqlState(err: Error): { code?: string } {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? { code } : {};
}

export async function migrate(pool: pg.Pool): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(7303620)');
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date()]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Runs `work` in one transaction; rolls back on any error. */
export async function withTransaction<T>(pool: pg.Pool, work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

export async function ping(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres (unparseable URL)';
  }
}

import { spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/store/db.js';

/**
 * The embedded database accepts only this process's user: it is served on a Unix socket in a 0700
 * folder (DATA_DIR, or a fresh temporary folder for memory://), never on TCP. Another local user is
 * shown to be refused by running a client as `nobody` (possible when the tests run as root).
 */
const SOCKET = '.s.PGSQL.5432';
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** Opens the socket from a separate process, optionally as another user: "connected" or the error code. */
function connectFrom(socketPath: string, uid?: number): string {
  const script = `const s = require('net').connect(${JSON.stringify(socketPath)}); s.on('connect', () => { console.log('connected'); s.destroy(); }); s.on('error', (e) => console.log(e.code));`;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: '/', encoding: 'utf8', timeout: 20_000, ...(uid === undefined ? {} : { uid, gid: uid }) });
  return (run.stdout || run.stderr).trim();
}

const modeOf = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);
const hostOf = (db: Database) => (db.pool as unknown as { options: { host?: string; port?: number } }).options;

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'duebot-dbaccess-'));
});
afterAll(async () => rm(base, { recursive: true, force: true }));

test('a data folder: made 0700 (even if it existed wider open), the socket inside it, no TCP; it survives a restart with a stale socket left by a crash', async () => {
  const dataDir = join(base, 'data');
  await mkdir(dataDir, { mode: 0o755 });
  let db = await openDatabase({ url: null, dataDir });
  try {
    expect(await modeOf(dataDir)).toBe('700');
    expect(hostOf(db)).toMatchObject({ host: dataDir, port: 5432 });
    expect((await stat(join(dataDir, SOCKET))).isSocket()).toBe(true);
    await db.pool.query('CREATE TABLE books (total bigint)');
    await db.pool.query('INSERT INTO books VALUES (150000)');
    expect(connectFrom(join(dataDir, SOCKET))).toBe('connected'); // the same user may (the control)
    if (asRoot) expect(connectFrom(join(dataDir, SOCKET), NOBODY)).toBe('EACCES');
  } finally {
    await db.close();
  }
  await writeFile(join(dataDir, SOCKET), 'left behind by a crash');
  db = await openDatabase({ url: null, dataDir });
  try {
    expect((await db.pool.query<{ total: number }>('SELECT total FROM books')).rows).toEqual([{ total: 150000 }]);
    expect((await stat(join(dataDir, SOCKET))).isSocket()).toBe(true);
  } finally {
    await db.close();
  }
});

test('memory://: a fresh private folder per start, removed on close', async () => {
  const db = await openDatabase({ url: null, dataDir: 'memory://' });
  const folder = hostOf(db).host!;
  try {
    expect(folder.startsWith(tmpdir())).toBe(true);
    expect(await modeOf(folder)).toBe('700');
    expect((await db.pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect(connectFrom(join(folder, SOCKET))).toBe('connected');
    if (asRoot) expect(connectFrom(join(folder, SOCKET), NOBODY)).toBe('EACCES');
  } finally {
    await db.close();
  }
  await expect(stat(folder)).rejects.toMatchObject({ code: 'ENOENT' });
});

test('a data folder that belongs to another user is refused (someone could have planted it)', async () => {
  if (!asRoot) return; // only root can make a folder that belongs to someone else
  const planted = join(base, 'planted');
  await mkdir(planted);
  await chmod(planted, 0o777);
  await chown(planted, NOBODY, NOBODY);
  await expect(openDatabase({ url: null, dataDir: planted })).rejects.toThrow(/belongs to user 65534, not to this process's user 0/);
  expect(await modeOf(planted)).toBe('777'); // nothing was changed
});

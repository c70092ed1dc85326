import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { cp, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations.js';

/**
 * One migrated PGlite database that every embedded test database starts from. PGlite 0.5 runs initdb
 * for each new database (about 2 s of CPU, most of the suite's time), loading a finished data folder
 * takes a quarter of that and skips the migrations as well.
 *
 * Built once per set of migrations and PGlite version (both are in the folder's name), then kept in the
 * temporary folder for later runs; workers that race to build it each build their own and the first
 * rename wins. The bot still runs its own migrate() on open: it finds every version applied.
 */
export interface PgliteTemplate {
  /** A closed PGlite data folder: copied into a test's DATA_DIR before the bot opens it. */
  dir: string;
  /** The same database as a tarball, for in-memory databases (`loadDataDir`). */
  tarball: string;
}

let template: Promise<PgliteTemplate> | null = null;

export function pgliteTemplate(): Promise<PgliteTemplate> {
  template ??= findOrBuild();
  return template;
}

/** Fills `dataDir` (absent or empty) with a copy of the migrated template. */
export async function copyPgliteTemplate(dataDir: string): Promise<void> {
  const { dir } = await pgliteTemplate();
  // A copy-on-write clone where the file system has them, a plain copy elsewhere.
  await cp(dir, dataDir, { recursive: true, mode: constants.COPYFILE_FICLONE });
}

export async function pgliteTemplateBlob(): Promise<Blob> {
  const { tarball } = await pgliteTemplate();
  return new Blob([await readFile(tarball)]);
}

async function findOrBuild(): Promise<PgliteTemplate> {
  const root = join(tmpdir(), `duebot-pglite-template-${await templateKey()}`);
  const found = { dir: join(root, 'data'), tarball: join(root, 'data.tar') };
  if (await exists(found.tarball)) return found;
  const build = await mkdtemp(join(tmpdir(), 'duebot-pglite-template-build-'));
  try {
    const db = await openDatabase({ url: null, dataDir: join(build, 'data') });
    await db.close();
    const lite = await PGlite.create(join(build, 'data'));
    const dump = await lite.dumpDataDir('none');
    await lite.close();
    // Written last: its presence is what marks a finished template.
    await writeFile(join(build, 'data.tar'), Buffer.from(await dump.arrayBuffer()));
    await rename(build, root);
  } catch (err) {
    await rm(build, { recursive: true, force: true });
    // Another worker renamed its build into place first: use that one.
    if (!(await exists(found.tarball))) throw err;
  }
  return found;
}

async function templateKey(): Promise<string> {
  const here = dirname(fileURLToPath(import.meta.url));
  const pglite = JSON.parse(await readFile(join(here, '../../node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string };
  const hash = createHash('sha256').update(pglite.version);
  for (const m of MIGRATIONS) hash.update(`\0${m.version}\0${m.sql}`);
  return hash.digest('hex').slice(0, 16);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

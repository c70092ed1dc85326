import { Blob } from 'node:buffer';
import { TestEnvironment } from 'jest-environment-node';
import { clearTimeout } from 'node:timers';
import { promisify } from 'node:util';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One embedded PostgreSQL (PGlite) per Jest worker, shared by every bot of every file the worker runs.
 * Starting PGlite costs about 1 s of CPU (WASM compile, loading the migrated template); paid per bot
 * start, and then per file, it was a large part of the suite's time. Started on first use
 * (test/support/shared-pglite.ts empties it back to the migrated state for each bot). It lives in
 * this module, which Node loads once per worker outside the files' module registries, so neither a
 * bot's restart nor a new file touches it; bots reach it over a Unix socket, as they reach their own.
 */
async function startSharedPglite(tarballPath) {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const folder = await mkdtemp(join(tmpdir(), 'duebot-shared-db-'));
  const lite = await PGlite.create({ dataDir: 'memory://', loadDataDir: new Blob([await readFile(tarballPath)]) });
  const server = new PGLiteSocketServer({ db: lite, path: join(folder, '.s.PGSQL.5432'), maxConnections: 4 });
  await server.start();
  return {
    tarballPath,
    folder,
    async stop() {
      await server.stop();
      // PGlite keeps a repeating timer (PostgreSQL's statistics timer) until it is closed.
      await lite.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/** The worker's PGlite, or null before first use. */
let workerPglite = null;

function sharedPglite(tarballPath) {
  const current = workerPglite;
  if (current && current.tarballPath === tarballPath) return current.started;
  // Another template (the migrations changed between two files of one run): a fresh database.
  const started = (current ? current.started.then((db) => db.stop()) : Promise.resolve()).then(() => startSharedPglite(tarballPath));
  workerPglite = { tarballPath, started };
  return started;
}

async function stopSharedPglite() {
  const current = workerPglite;
  workerPglite = null;
  if (current) await (await current.started).stop();
}

/**
 * In a Jest worker process the database outlives each file and is stopped when Jest ends the worker
 * (its "end" message, jest-worker's CHILD_MESSAGE_END = 2). Run in band (no IPC channel), it stops
 * with each file.
 */
const inWorkerProcess = typeof process.send === 'function';
if (inWorkerProcess) {
  process.on('message', function onWorkerEnd(message) {
    if (!Array.isArray(message) || message[0] !== 2) return;
    process.removeListener('message', onWorkerEnd);
    stopSharedPglite()
      .catch((err) => process.stderr.write(`shared PGlite did not stop: ${err}\n`))
      // Exit now rather than by the event loop running dry: a natural exit also frees the worker's heap
      // (large after many files), which can outlast Jest's 500 ms grace period and get the
      // worker killed and reported as "failed to exit gracefully". Jest has every result by now.
      .finally(() => process.exit(0));
  });
}

export default class TestEnvironmentClearingTimers extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.duebotSharedPglite = sharedPglite;
    this.pendingTimers = new Set();
    const pending = this.pendingTimers;
    for (const [set, clear] of [
      ['setTimeout', 'clearTimeout'],
      ['setInterval', 'clearInterval'],
    ]) {
      const realSet = this.global[set];
      const realClear = this.global[clear];
      const tracked = function (callback, ...rest) {
        if (typeof callback !== 'function') return realSet(callback, ...rest);
        const timer = realSet(
          function (...args) {
            if (set === 'setTimeout') pending.delete(timer);
            return callback.apply(this, args);
          },
          ...rest,
        );
        pending.add(timer);
        return timer;
      };
      // util.promisify(setTimeout) keeps working (it uses this symbol).
      if (realSet[promisify.custom]) tracked[promisify.custom] = realSet[promisify.custom];
      this.global[set] = tracked;
      this.global[clear] = (timer) => {
        pending.delete(timer);
        return realClear(timer);
      };
    }
  }

  async teardown() {
    for (const timer of this.pendingTimers) clearTimeout(timer);
    this.pendingTimers.clear();
    if (!inWorkerProcess) await stopSharedPglite();
    await super.teardown();
  }
}

import { Blob } from 'node:buffer';
import { TestEnvironment } from 'jest-environment-node';
import { clearTimeout } from 'node:timers';
import { promisify } from 'node:util';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One embedded PostgreSQL (PGlite) per test file, shared by every bot the file starts. Starting PGlite
 * costs about 1 s of CPU; paid per bot start (disputes starts 15), it was a large part of the suite's
 * time. Started on first use (test/support/shared-pglite.ts empties it for each bot) and stopped
 * with the file. It lives here, outside the file's module registry, so the bots' restarts never
 * touch it; they reach it over a Unix socket, as they reach their own.
 */
async function startSharedPglite(tarballPath) {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const folder = await mkdtemp(join(tmpdir(), 'duebot-shared-db-'));
  const lite = await PGlite.create({ dataDir: 'memory://', loadDataDir: new Blob([await readFile(tarballPath)]) });
  const server = new PGLiteSocketServer({ db: lite, path: join(folder, '.s.PGSQL.5432'), maxConnections: 4 });
  await server.start();
  return {
    folder,
    async stop() {
      await server.stop();
      await lite.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

export default class TestEnvironmentClearingTimers extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.sharedPglite = null;
    this.global.duebotSharedPglite = (tarballPath) => {
      this.sharedPglite ??= startSharedPglite(tarballPath);
      return this.sharedPglite;
    };
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
    if (this.sharedPglite) await (await this.sharedPglite).stop();
    await super.teardown();
  }
}

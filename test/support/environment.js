import { TestEnvironment } from 'jest-environment-node';
import { clearTimeout } from 'node:timers';
import { promisify } from 'node:util';

/**
 * Node's test environment, plus: the timers a test file leaves pending are cleared when the file ends.
 * Agenda's job-liveness check leaves a timer of lockLifetime / 2 behind every job run
 * (agenda/dist/JobProcessor.js, checkIfJobIsStillAlive): with a sweep every 200 ms, hundreds of them
 * kept each worker alive for a minute after its last file ("A worker process has failed to exit
 * gracefully"). Servers, sockets and databases are still each suite's to close.
 */
export default class TestEnvironmentClearingTimers extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
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
    await super.teardown();
  }
}

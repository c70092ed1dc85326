/**
 * The real bot as a child process, for tests and benchmarks that kill it with SIGKILL: `startDuebot`
 * with the configuration in its environment and a shifted business clock whose offset the parent
 * sets at spawn (BOT_CLOCK_OFFSET_MS) and moves over IPC ({ advanceMs }), as libfaketime would from
 * outside. Tells the parent its URL once listening ({ ready, url, instanceId }) and acknowledges
 * every clock move ({ advanced }).
 */
import { ShiftedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { startDuebot } from '../../src/app.js';
import { createLogger } from '../../src/log.js';

export type ToBot = { advanceMs: number };
export type FromBot = { ready: true; url: string; instanceId: string } | { advanced: number };

const send = (message: FromBot) => process.send?.(message);

const clock = new ShiftedClock();
clock.advance(Number(process.env.BOT_CLOCK_OFFSET_MS ?? 0));
const config = loadConfig(process.env);
const bot = await startDuebot(config, { clock, logger: createLogger(config.logLevel) });
process.on('message', (message: ToBot) => {
  clock.advance(message.advanceMs);
  send({ advanced: message.advanceMs });
});
// The parent going away (a finished test) stops this process too; SIGKILL is the point of the exercise.
process.on('disconnect', () => void bot.stop().finally(() => process.exit(0)));
send({ ready: true, url: bot.url, instanceId: bot.services.instanceId });

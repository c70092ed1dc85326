import { ConfigError, loadConfig } from './config.js';
import { startDuebot, type Duebot } from './app.js';
import { loadEnvFile } from './env-file.js';
import { createLogger } from './log.js';

/** `npm start`: read .env and the environment, start the bot, stop cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config;
  let envFile: string | null = null;
  try {
    envFile = loadEnvFile();
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      const where = envFile ? `in ${envFile} or the environment` : 'in the environment (no .env file here: `npm run setup` writes one)';
      console.error(`duebot cannot start; fix these settings ${where} (see .env.example):`);
      for (const problem of err.problems) console.error(`  ${problem}`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  // Listening before the signal handlers exist would let a SIGTERM during start-up (health is already
  // green while the scheduler starts) kill the process mid-way; a signal now waits for the start.
  let stopSignal: string | null = null;
  let bot: Duebot | null = null;
  const shutdown = async (signal: string) => {
    if (stopSignal) return;
    stopSignal = signal;
    log.info({ signal }, 'shutting down');
    if (bot) await stopAndExit(bot);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  try {
    bot = await startDuebot(config, { logger: log });
  } catch (err) {
    log.fatal(`duebot cannot start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  if (stopSignal) await stopAndExit(bot);
}

async function stopAndExit(bot: Duebot): Promise<never> {
  await bot.stop();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(`duebot failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

import { ConfigError, loadConfig } from './config.js';
import { startDuebot } from './app.js';
import { createLogger } from './log.js';

/** `npm start`: read the environment, start the bot, stop cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error('duebot cannot start; fix these settings (see .env.example):');
      for (const problem of err.problems) console.error(`  ${problem}`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const bot = await startDuebot(config, { logger: log });
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await bot.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`duebot failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

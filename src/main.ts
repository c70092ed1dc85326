import { ConfigError, loadConfig } from './config.js';
import { startDuebot } from './app.js';
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
  let bot;
  try {
    bot = await startDuebot(config, { logger: log });
  } catch (err) {
    log.fatal(`duebot cannot start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
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

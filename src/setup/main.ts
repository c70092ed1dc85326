import { randomBytes } from 'node:crypto';
import { copyFile, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { parseEnv } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { fillEnvTemplate, templateKeys, UnwritableValue } from './env-text.js';
import { QUESTIONS } from './questions.js';

const USAGE = `npm run setup [-- --non-interactive | --interactive] [--force]
Writes .env (or ENV_FILE) from .env.example: asks the required settings, generates ENCRYPTION_KEY and
copies clients.example.yml to the clients file if it is missing. Any variable of .env.example already
set in the environment is used (as the offered answer when interactive). --non-interactive (implied
when stdin is not a terminal) takes every answer from the environment and writes nothing if a
setting is missing or wrong; --interactive asks even when stdin is not a terminal (answers piped in,
one per line). --force replaces an existing .env.`;

/** `npm run setup`: runs in the project folder (npm's working directory). */
async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) return (console.log(USAGE), 0);
  const unknown = argv.filter((a) => !['--non-interactive', '--interactive', '--force'].includes(a));
  if (unknown.length) return (console.error(`unknown option ${unknown[0]}\n\n${USAGE}`), 2);
  const interactive = argv.includes('--interactive') || (!argv.includes('--non-interactive') && process.stdin.isTTY === true);
  const target = process.env.ENV_FILE?.trim() || '.env';
  if (existsSync(target) && !argv.includes('--force')) return (console.error(`${target} exists; edit it, or run again with --force to replace it`), 1);

  const template = await readFile('.env.example', 'utf8');
  const keys = templateKeys(template);
  // Variables of the example that the environment sets go in as they are (PORT, DATA_DIR, SLACK_API_URL...).
  const values: Record<string, string> = Object.fromEntries(keys.flatMap((k) => (process.env[k] !== undefined ? [[k, process.env[k]!]] : [])));
  // A question never keeps the example's placeholder (xoxb-your-bot-token): unanswered means empty.
  for (const q of QUESTIONS) values[q.key] ??= '';
  values.ENCRYPTION_KEY ||= randomBytes(32).toString('base64');

  const prompt = interactive ? answers() : null;
  try {
    let asking = QUESTIONS.map((q) => q.key);
    for (;;) {
      if (prompt) {
        for (const q of QUESTIONS) {
          if (!asking.includes(q.key) || (q.when && !q.when(values))) continue;
          const offered = values[q.key] || q.suggest?.(values) || '';
          const answer = (await prompt.question(`${q.ask}${offered ? ` [${offered}]` : ''}: `)).trim();
          values[q.key] = answer || offered;
        }
      } else {
        for (const q of QUESTIONS) if (!values[q.key] && q.suggest) values[q.key] = q.suggest(values);
      }
      let text: string;
      try {
        text = fillEnvTemplate(template, values);
      } catch (err) {
        if (!(err instanceof UnwritableValue) || !prompt) throw err;
        console.log(`\nPlease correct:\n  ${err.message}\n`);
        asking = [err.key];
        continue;
      }
      const problems = configProblems(text);
      const askAgain = QUESTIONS.map((q) => q.key).filter((k) => problems.some((p) => p.startsWith(`${k}:`)));
      if (problems.length && prompt && askAgain.length) {
        console.log(`\nPlease correct:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
        asking = askAgain;
        continue;
      }
      if (problems.length && !prompt) {
        console.error(`${target} not written; fix these settings (set them in the environment):\n${problems.map((p) => `  ${p}`).join('\n')}`);
        return 1;
      }
      await writePrivate(target, text);
      console.log(`wrote ${target}${problems.length ? `; before npm start, fix there:\n${problems.map((p) => `  ${p}`).join('\n')}` : ''}`);
      break;
    }
  } catch (err) {
    if (err instanceof UnwritableValue) return (console.error(err.message), 1);
    throw err;
  } finally {
    prompt?.close();
  }

  const clientsFile = values.CLIENTS_FILE || parseEnv(template).CLIENTS_FILE || './clients.yml';
  if (!existsSync(clientsFile)) {
    await copyFile('clients.example.yml', clientsFile);
    console.log(`copied clients.example.yml to ${clientsFile}: replace its example clients with yours`);
  }
  return 0;
}

/**
 * One answer per line. Lines are queued as they come (typed ahead or piped with --interactive), and the
 * end of input is an error rather than a silent empty answer.
 */
function answers(): { question(text: string): Promise<string>; close(): void } {
  const rl = createInterface({ input: process.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  return {
    async question(text) {
      process.stdout.write(text);
      const next = await lines.next();
      if (next.done) throw new Error('input ended before every question was answered');
      return next.value;
    },
    close: () => rl.close(),
  };
}

/** What `npm start` would refuse in this file (the file alone, as on a machine without these variables). */
function configProblems(text: string): string[] {
  try {
    loadConfig(parseEnv(text));
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

/** The file holds secrets: owner-only from the first byte, and never half-written. */
async function writePrivate(path: string, text: string): Promise<void> {
  const partial = `${path}.partial-${process.pid}`;
  await writeFile(partial, text, { mode: 0o600 });
  await rename(partial, path);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`setup failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);

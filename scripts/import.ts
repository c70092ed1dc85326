/**
 * `npm run import -- --csv <file>` or `npm run import -- --backend stripe|quickbooks|freshbooks|zoho [--since YYYY-MM-DD]`
 *
 * Backfills past invoices and payments into duebot's database as history for the forecast, aging and
 * client stats (nothing is ever sent for them). Reads the same environment as the bot (`.env`): the
 * database, BUSINESS_TIMEZONE, CLIENTS_FILE (loaded first, so customers match their clients) and the
 * back-end's credentials. With embedded PGlite (no DATABASE_URL) stop the bot first, or use
 * `/invoices import` in Slack. Safe to run again: nothing is duplicated, new payments are taken over.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { systemClock } from '../src/clock.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { isCalendarDate } from '../src/forecast/history-csv.js';
import { createLogger } from '../src/log.js';
import { loadClients } from '../src/app.js';
import { buildInvoicingBackends } from '../src/providers/invoicing/build-backends.js';
import { openDatabase } from '../src/store/db.js';
import { describeImport, importFromBackend, importFromCsv, type ImportReport } from '../src/usecases/import-history.js';

const USAGE = 'usage: npm run import -- --csv <file> | --backend stripe|quickbooks|freshbooks|zoho [--since YYYY-MM-DD]';

/** Runs one import and returns the report; throws with a one-line reason on bad input or settings. */
export async function runImportCli(argv: string[], env: Record<string, string | undefined>): Promise<ImportReport> {
  const { values } = parseArgs({ args: argv, options: { csv: { type: 'string' }, backend: { type: 'string' }, since: { type: 'string' } }, strict: true });
  if (Boolean(values.csv) === Boolean(values.backend)) throw new Error(USAGE);
  if (values.since !== undefined && !isCalendarDate(values.since)) throw new Error(`--since "${values.since}" is not a YYYY-MM-DD date`);
  if (values.since !== undefined && values.csv) throw new Error('--since goes with --backend (a CSV is imported whole)');
  const csv = values.csv ? await readFile(values.csv, 'utf8') : null;

  const config = loadConfig(env);
  const log = createLogger(config.logLevel);
  const db = await openDatabase({ url: config.database.url, dataDir: config.database.dataDir });
  try {
    await loadClients(config, db, systemClock, log);
    const deps = { db, clock: systemClock, timezone: config.business.timezone, actor: 'cli' };
    if (csv !== null) return await importFromCsv(deps, csv);
    const { backends } = await buildInvoicingBackends(config, db.pool, systemClock, (provider, reason) => log.error({ provider, reason }, 'back-end connection broken'));
    return await importFromBackend({ ...deps, backends }, values.backend!, values.since ?? null);
  } finally {
    await db.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runImportCli(process.argv.slice(2), process.env).then(
    (report) => console.log(describeImport(report, Number.POSITIVE_INFINITY)),
    (err: Error) => {
      const lines = err instanceof ConfigError ? err.problems : [err.message];
      for (const line of lines) console.error(`import: ${line}`);
      process.exit(1);
    },
  );
}

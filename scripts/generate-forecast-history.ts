/**
 * `npx tsx scripts/generate-forecast-history.ts <out.csv> [--seed N] [--clients N]` writes the
 * SYNTHETIC payment history of src/forecast/synthetic-history.ts (described in docs/forecast.md) as a
 * history CSV. Deterministic: the same seed writes the same bytes. `npm run forecast:eval` without
 * `--history` evaluates on the same history in memory.
 *
 * test/fixtures/forecast/history.csv was written by the earlier, simpler generator (12 clients with
 * steady habits; see git history) and is kept as it is: the tests and the docs measure on it too.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_SYNTHETIC, historyCsv, syntheticHistory } from '../src/forecast/synthetic-history.js';

const { values, positionals } = parseArgs({ options: { seed: { type: 'string' }, clients: { type: 'string' } }, allowPositionals: true });
const out = positionals[0];
if (!out) {
  console.error('usage: npx tsx scripts/generate-forecast-history.ts <out.csv> [--seed N] [--clients N]');
  process.exit(1);
}
const rows = syntheticHistory({
  ...DEFAULT_SYNTHETIC,
  ...(values.seed ? { seed: Number(values.seed) } : {}),
  ...(values.clients ? { clients: Number(values.clients) } : {}),
});
await writeFile(out, historyCsv(rows));
console.log(`wrote ${rows.length} rows (${new Set(rows.map((r) => r.customer)).size} clients) to ${out}`);

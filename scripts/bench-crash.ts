/**
 * `npm run bench:crash [trials]`: the crash benchmark. Each trial runs the real bot as a child process
 * on a fresh PostgreSQL database against local fake Slack, Stripe and SMTP servers, takes one invoice
 * through approve → send → remind → pay, kills the child with SIGKILL at a random moment of a random
 * phase, lets a fresh child finish, and checks at the fakes that nothing went out twice and nothing
 * was lost (test/support/crash-trial.ts). Prints kills per phase, duplicates, lost, outcomes flagged
 * for a human, and the time from the kill until the fresh process had finished the interrupted work.
 *
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres): the server the trials' databases
 * are created on. CRASH_TRIALS (or the first argument, default 50), CRASH_LOCK_LIFETIME
 * (JOBS_LOCK_LIFETIME of the bot processes, default the bot's), CRASH_SEED (repeatable draws).
 * Then CRASH_TAKEOVERS (default 3) takeover measurements: two processes, one killed mid-sweep, the
 * time until the other sends a reminder that fell due (test/support/crash-trial.ts measureTakeover).
 */
import { measureTakeover, PHASES, randomKill, runCrashTrial, type TrialResult } from '../test/support/crash-trial.js';
import { latencySummary, seededRandom } from './bench-support.js';

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const trials = Number(process.argv[2] ?? process.env.CRASH_TRIALS ?? 50);
const takeovers = Number(process.env.CRASH_TAKEOVERS ?? 3);
const lockLifetime = process.env.CRASH_LOCK_LIFETIME;
const waitMs = 180_000;

const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
const random = seededRandom(seed);

console.log(`crash benchmark: ${trials} trials, seed ${seed}, JOBS_LOCK_LIFETIME ${lockLifetime ?? 'default'}, on ${new URL(serverUrl).host}`);
const clean = await runCrashTrial({ serverUrl, kill: null, lockLifetime, waitMs });
console.log(
  `clean run: approve ${clean.phaseMs.approve} ms, send ${clean.phaseMs.send} ms, remind ${clean.phaseMs.remind} ms, pay ${clean.phaseMs.pay} ms (from each trigger); problems: ${[...clean.duplicates, ...clean.lost].join(', ') || 'none'}`,
);

const results: TrialResult[] = [];
for (let i = 0; i < trials; i += 1) {
  const kill = randomKill(clean.phaseMs, random);
  const result = await runCrashTrial({ serverUrl, kill, lockLifetime, waitMs });
  results.push(result);
  const problems = [...result.duplicates.map((d) => `DUPLICATE ${d}`), ...result.lost.map((l) => `LOST ${l}`)];
  console.log(
    `#${String(i + 1).padStart(2)} kill in ${kill.phase.padEnd(7)} at ${String(kill.afterMs).padStart(4)} ms ${result.interrupted ? '(mid-work)    ' : '(after it was done)'}` +
      ` → up again in ${result.restartMs} ms, done ${result.finishMs} ms later${result.ackedClickLost ? ', acked click lost (clicked again)' : ''}${result.flagged.length ? `, flagged: ${result.flagged.join(', ')}` : ''}${problems.length ? `, ${problems.join(', ')}` : ''}`,
  );
}

const count = (p: (r: TrialResult) => boolean) => results.filter(p).length;
if (results.length) {
  console.log('\nphase    kills  mid-work  flagged-unknown  finished after restart p50 / p95 / max');
  for (const phase of PHASES) {
    const of = results.filter((r) => r.kill?.phase === phase);
    const rec = latencySummary(of.map((r) => r.finishMs ?? NaN));
    console.log(
      `${phase.padEnd(8)} ${String(of.length).padStart(5)}  ${String(of.filter((r) => r.interrupted).length).padStart(8)}  ${String(of.filter((r) => r.flagged.length).length).padStart(15)}  ${(rec.p50 / 1000).toFixed(1)} / ${(rec.p95 / 1000).toFixed(1)} / ${(rec.max / 1000).toFixed(1)} s`,
    );
  }
  const all = latencySummary(results.map((r) => r.finishMs ?? NaN));
  const midWork = latencySummary(results.filter((r) => r.interrupted).map((r) => r.finishMs ?? NaN));
  const restart = latencySummary(results.map((r) => r.restartMs ?? NaN));
  const flaggedKinds = new Map<string, number>();
  for (const r of results) for (const f of r.flagged) flaggedKinds.set(f, (flaggedKinds.get(f) ?? 0) + 1);
  console.log(`approvals acknowledged to Slack but not stored before the kill (the approver clicked again): ${count((r) => r.ackedClickLost)}`);
  console.log(
    `\ntrials ${results.length}, duplicates ${count((r) => r.duplicates.length > 0)}, lost ${count((r) => r.lost.length > 0)}, flagged for a human ${count((r) => r.flagged.length > 0)}` +
      `${flaggedKinds.size ? ` (${[...flaggedKinds].map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`,
  );
  const figures = (s: { p50: number; p95: number; max: number }) => `p50 ${(s.p50 / 1000).toFixed(1)} s, p95 ${(s.p95 / 1000).toFixed(1)} s, max ${(s.max / 1000).toFixed(1)} s`;
  console.log(`fresh process up after the kill (start-up): ${figures(restart)}`);
  console.log(`work finished after the restart, all trials: ${figures(all)}; kills mid-work: ${figures(midWork)}`);
}
if (takeovers > 0) {
  const samples: number[] = [];
  for (let i = 0; i < takeovers; i += 1) samples.push((await measureTakeover({ serverUrl, lockLifetime, waitMs })).takeoverMs);
  console.log(`takeover (two processes, one killed mid-sweep, until the other sends the due reminder): ${samples.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}`);
}
process.exitCode = count((r) => r.duplicates.length > 0 || r.lost.length > 0) ? 1 : 0;

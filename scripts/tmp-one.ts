import { runCrashTrial, type Phase } from '../test/support/crash-trial.js';
const r = await runCrashTrial({ serverUrl: 'postgres://postgres@127.0.0.1:5432/postgres', lockLifetime: '5 s', waitMs: 30000, kill: { phase: process.argv[2] as Phase, afterMs: Number(process.argv[3]) } });
console.log(JSON.stringify(r));

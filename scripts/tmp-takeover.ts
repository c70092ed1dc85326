import { measureTakeover } from '../test/support/crash-trial.js';
const n = Number(process.argv[2] ?? 1);
for (let i = 0; i < n; i++) console.log(JSON.stringify(await measureTakeover({ serverUrl: 'postgres://postgres@127.0.0.1:5432/postgres', lockLifetime: process.env.LL, waitMs: 200_000 })));

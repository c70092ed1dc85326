/** Jest runs the TypeScript sources as native ESM (agenda 6 is ESM-only). */
export default {
  preset: 'ts-jest/presets/default-esm',
  // Node's environment, clearing the timers a file leaves pending (see the file for why).
  testEnvironment: '<rootDir>/test/support/environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: { ignoreCodes: [151002] } }],
  },
  testTimeout: 60000,
  // More workers than the 2 cores: bot tests spend much of their time waiting (sweeps, sockets, child
  // processes), so extra workers fill those gaps (docs/benchmarks.md, test suite). PostgreSQL keeps 4:
  // each worker's bots hold server connections.
  maxWorkers: process.env.TEST_DATABASE_URL ? 4 : 6,
  // A worker exits within about 30 ms of Jest's "end" (test/support/environment.js), but the kernel then
  // takes 0.5-0.8 s more to free its memory (700 MB+ after many files; strace: exit_group to exited)
  // before Jest hears of it. Jest's default 500 ms grace then reported it as "failed to exit gracefully".
  workerGracefulExitTimeout: 3000,
};

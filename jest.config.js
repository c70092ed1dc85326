/** Jest runs the TypeScript sources as native ESM (agenda 6 is ESM-only). */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: { ignoreCodes: [151002] } }],
  },
  testTimeout: 60000,
  maxWorkers: 2,
  // Agenda's job-liveness check leaves a ref'd timer of lockLifetime/2 behind every job it runs
  // (agenda/dist/JobProcessor.js, checkIfJobIsStillAlive); it would hold Jest open for a minute after
  // the last test. Every suite closes its own servers and databases in afterEach/afterAll.
  forceExit: true,
};

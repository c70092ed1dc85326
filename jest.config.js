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
  maxWorkers: 2,
};

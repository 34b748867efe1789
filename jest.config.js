/** Tests run from TypeScript sources; `npm test` type-checks everything (tsc) before jest starts. */
const common = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // No synth daemon started by a CLI run of a test (test/support/no-daemon.ts).
  setupFiles: ['<rootDir>/test/support/no-daemon.ts'],
  // Stops the render worker a test file's synths kept (test/support/after-file.ts).
  setupFilesAfterEnv: ['<rootDir>/test/support/after-file.ts'],
};

/**
 * Two groups. `npm test` (scripts/test.js) runs `parallel` with two jest workers, then `serial` alone, one file at a
 * time. The end-to-end suites (test/e2e) run real Prometheus servers on compressed time (5m windows become 10 s): a
 * second jest worker on the 2-core machine delayed remote write enough to halve a compressed rate() (two red CI runs),
 * so nothing runs beside them. The other files mostly wait on child processes and servers, so two at a time use the
 * second core: measured 359 s for them against 546 s one at a time.
 * `npx jest` alone runs both groups one file at a time (maxWorkers below).
 */
module.exports = {
  testTimeout: 60000,
  maxWorkers: 1,
  projects: [
    { ...common, displayName: 'parallel', roots: ['<rootDir>/test'], testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/'] },
    { ...common, displayName: 'serial', roots: ['<rootDir>/test/e2e'] },
  ],
};

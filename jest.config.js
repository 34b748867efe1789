/** Tests run from TypeScript sources; `npm test` type-checks everything (tsc) before jest starts. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 60000,
  // Stops the render worker a test file's synths kept (test/support/after-file.ts).
  setupFilesAfterEnv: ['<rootDir>/test/support/after-file.ts'],
  // One test file at a time: the end-to-end suites (test/e2e) run real Prometheus servers on compressed time
  // (5m windows become 10 s), and a second jest worker on the 2-core machine (the live CLI tests spawn a node
  // process a second) delayed remote write enough to halve a compressed rate() (two red CI runs). Serial is
  // about as fast here: the two workers mostly waited on each other.
  maxWorkers: 1,
};

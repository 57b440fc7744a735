/** Jest runs the TypeScript sources through SWC (TypeScript 7 has no JS compiler API for ts-jest). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['@swc/jest'],
  },
  snapshotSerializers: ['<rootDir>/test/support/snapshot-serializer.ts'],
  // Every configuration of the gate matrix synthesized once, shared by all files (docs/testing.md).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  setupFiles: ['<rootDir>/test/support/environment.ts'],
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
  // Two workers on a two-core machine: most of the work is CPU in this process
  // (synthesis), so the second core halves the wall time (bench/results.md).
  maxWorkers: 2,
  // A synthesis takes well under a second with the Control Tower cache and no
  // bundling; a test slower than this is a regression to look at, not to wait for.
  testTimeout: 30000,
};

/** Jest runs the TypeScript sources through SWC (TypeScript 7 has no JS compiler API for ts-jest). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['@swc/jest'],
  },
  snapshotSerializers: ['<rootDir>/test/support/snapshot-serializer.ts'],
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
  // Synthesizing with six compliance plugins takes seconds per app.
  testTimeout: 120000,
};

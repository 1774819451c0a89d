/** Real PostgreSQL, Redis and Temporal dev server: see test/support/global-setup.ts. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Pages are JSX (preact-render-to-string): the automatic runtime, as tsconfig.json says.
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      { jsc: { target: 'es2022', transform: { react: { runtime: 'automatic', importSource: 'preact' } } } },
    ],
  },
  // ESM-only packages (jose 6; slonik 49 with its @slonik/* parts, p-queue, p-timeout, serialize-error and
  // @standard-schema/spec; openid-client 6 and oauth4webapi; oidc-provider 9 in tests): jest's module loader needs
  // them transformed.
  transformIgnorePatterns: [
    '/node_modules/(?!(slonik|@slonik|p-queue|p-timeout|serialize-error|@standard-schema|jose|openid-client|oauth4webapi|oidc-provider|postgrator)/)',
  ],
  setupFiles: ['<rootDir>/test/support/quiet-runtime.ts'],
  // Every answer of the API a test receives is checked against the OpenAPI document.
  setupFilesAfterEnv: ['<rootDir>/test/support/api-contract-setup.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};

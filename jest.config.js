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
  // ESM-only packages (jose 6; p-limit 6 under slonik 47; openid-client 6 and oauth4webapi; oidc-provider 9 in
  // tests): jest's module loader needs them transformed.
  transformIgnorePatterns: [
    '/node_modules/(?!(p-limit|yocto-queue|jose|openid-client|oauth4webapi|oidc-provider|postgrator)/)',
  ],
  // The SDK's runtime logs through pino and is shut down after each file (quiet-runtime.ts); every answer of the API a
  // test receives is checked against the OpenAPI document.
  setupFilesAfterEnv: ['<rootDir>/test/support/quiet-runtime.ts', '<rootDir>/test/support/api-contract-setup.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};

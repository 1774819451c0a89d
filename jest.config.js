/**
 * Five tiers, each a jest project (`npx jest --selectProjects <name>`, or its npm script):
 * - unit: pure code, no server and no bundle (seconds);
 * - workflows: workflow loops on a real worker with mocked activities;
 * - replay: the recorded histories (test/replay/histories/) against today's workflow code;
 * - system: HTTP -> Temporal -> PostgreSQL/Redis, the whole system (test/system/);
 * - chaos: the chaos harness with killed processes and cut connections (test/chaos/).
 * Every tier but unit shares one Temporal dev server and one workflow bundle (test/support/global-setup.ts).
 */
const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
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
  // The SDK's runtime logs through pino and is shut down after each file (quiet-runtime.ts); every answer of the API a
  // test receives is checked against the OpenAPI document.
  setupFilesAfterEnv: ['<rootDir>/test/support/quiet-runtime.ts', '<rootDir>/test/support/api-contract-setup.ts'],
};

const withTemporal = {
  ...common,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

const tier = (name, dir, base) => ({ ...base, displayName: name, testMatch: [`<rootDir>/test/${dir}/**/*.test.ts`] });

module.exports = {
  projects: [
    tier('unit', 'unit', common),
    tier('workflows', 'workflows', withTemporal),
    tier('replay', 'replay', withTemporal),
    tier('system', 'system', withTemporal),
    tier('chaos', 'chaos', withTemporal),
  ],
  testTimeout: 60000,
  maxWorkers: 2,
};

/**
 * Six tiers, each a jest project (`npx jest --selectProjects <name>`, or its npm script):
 * - unit: pure code, no server and no bundle (seconds); property tests try a sample of their cases;
 * - properties: the property tests of test/unit/ (*-properties.test.ts) at their full number of runs, seeded;
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
  setupFiles: ['<rootDir>/test/support/quiet-logs.ts'],
};

const withTemporal = {
  ...common,
  // The SDK's runtime logs through pino and is shut down after each file (quiet-runtime.ts); every answer of the API a
  // test receives is checked against the OpenAPI document. The unit tier loads neither: it runs no SDK and no API.
  setupFilesAfterEnv: ['<rootDir>/test/support/quiet-runtime.ts', '<rootDir>/test/support/api-contract-setup.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

const tier = (name, dir, base) => ({ ...base, displayName: name, testMatch: [`<rootDir>/test/${dir}/**/*.test.ts`] });

module.exports = {
  projects: [
    tier('unit', 'unit', common),
    {
      ...tier('properties', 'unit', common),
      testMatch: ['<rootDir>/test/unit/**/*-properties.test.ts'],
      setupFiles: [...common.setupFiles, '<rootDir>/test/support/full-property-runs.ts'],
    },
    tier('workflows', 'workflows', withTemporal),
    tier('replay', 'replay', withTemporal),
    tier('system', 'system', withTemporal),
    tier('chaos', 'chaos', withTemporal),
  ],
  testTimeout: 60000,
  maxWorkers: 2,
};

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startDevServer } from '../../bench/support/dev-server';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../infra/workflow-bundle';

const root = path.resolve(__dirname, '..', '..');

/**
 * One real Temporal dev server (the CLI built by scripts/setup-temporal.sh) and one workflow bundle per test run,
 * shared by every tier that needs them: the first tier's setup starts them, the others find them running.
 */
export default async function globalSetup(): Promise<void> {
  if ((globalThis as { __TEMPORAL_ENV__?: TestWorkflowEnvironment }).__TEMPORAL_ENV__) return;
  // The server starts while the workflows bundle: neither waits for the other.
  const [env, { code }] = await Promise.all([
    startDevServer(),
    bundleWorkflowCode({
      ...WORKFLOW_BUNDLE_OPTIONS,
      workflowsPath: path.join(root, 'workflows'),
      logger: quietLogger,
    }),
  ]);
  (globalThis as { __TEMPORAL_ENV__?: TestWorkflowEnvironment }).__TEMPORAL_ENV__ = env;
  process.env.TEMPORAL_TEST_ADDRESS = env.address;

  const dir = path.join(root, '.run', 'test');
  mkdirSync(dir, { recursive: true });
  const bundlePath = path.join(dir, `workflow-bundle-${process.pid}.js`);
  writeFileSync(bundlePath, code);
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };

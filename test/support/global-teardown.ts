import { rmSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

export default async function globalTeardown(): Promise<void> {
  // Every tier's teardown comes here; the first stops the shared server, the others find it gone.
  const shared = globalThis as { __TEMPORAL_ENV__?: TestWorkflowEnvironment };
  const env = shared.__TEMPORAL_ENV__;
  shared.__TEMPORAL_ENV__ = undefined;
  await env?.teardown();
  if (process.env.TEST_WORKFLOW_BUNDLE) rmSync(process.env.TEST_WORKFLOW_BUNDLE, { force: true });
}

/**
 * Builds the workflow bundle once (the image does this at build time), so the worker loads it
 * (WORKFLOW_BUNDLE_PATH) instead of running webpack at every start.
 *   npm run build:workflow-bundle -- dist/workflow-bundle.js
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_OPTIONS } from '../infra/workflow-bundle';

async function main(): Promise<void> {
  const target = path.resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  const { code } = await bundleWorkflowCode({
    ...WORKFLOW_BUNDLE_OPTIONS,
    workflowsPath: require.resolve('../workflows'),
  });
  await writeFile(target, code);
  console.log(`workflow bundle: ${target} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

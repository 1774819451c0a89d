import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** Replays a recorded history (test/fixtures/histories/) against a workflow bundle (the suite's), in a tsx subprocess. */
export function replayHistory(file: string, workflowId: string, bundlePath = process.env.TEST_WORKFLOW_BUNDLE!) {
  return spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules/tsx/dist/cli.mjs'),
      path.join(__dirname, 'replay-history.ts'),
      bundlePath,
      path.join(root, 'test', 'fixtures', 'histories', file),
      workflowId,
    ],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
}

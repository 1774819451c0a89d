import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** Replays a recorded history (test/fixtures/histories/) against the suite's workflow bundle, in a tsx subprocess. */
export const replayHistory = (file: string, workflowId: string) =>
  replayHistoryFile(path.join(root, 'test', 'fixtures', 'histories', file), workflowId);

/** Replays a history file (binary protobuf) at any path against the suite's workflow bundle. */
export function replayHistoryFile(file: string, workflowId: string) {
  return spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules/tsx/dist/cli.mjs'),
      path.join(__dirname, 'replay-history.ts'),
      process.env.TEST_WORKFLOW_BUNDLE!,
      file,
      workflowId,
    ],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
}

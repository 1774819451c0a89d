import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const fixture = (file: string) => path.join(root, 'test', 'replay', 'histories', file);

/** Runs test/support/replay-history.ts with these arguments in a tsx subprocess. */
const runReplayScript = (args: string[], timeout: number) =>
  spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(__dirname, 'replay-history.ts'), ...args],
    { cwd: root, encoding: 'utf8', timeout },
  );

/** Replays a recorded history (test/replay/histories/) against a workflow bundle (the suite's), in a tsx subprocess. */
export const replayHistory = (file: string, workflowId: string, bundlePath = process.env.TEST_WORKFLOW_BUNDLE!) =>
  replayHistoryFile(fixture(file), workflowId, bundlePath);

/** Replays a history file (binary protobuf) at any path against a workflow bundle (the suite's). */
export function replayHistoryFile(file: string, workflowId: string, bundlePath = process.env.TEST_WORKFLOW_BUNDLE!) {
  return runReplayScript([bundlePath, file, workflowId], 60_000);
}

/** The replay's verdict: no error output, every event of the history replayed, exit 0. */
export function expectReplayed(run: ReturnType<typeof replayHistoryFile>, events: number): void {
  expect(run.stderr).toBe('');
  expect(run.stdout.trim()).toBe(`replayed ${events} events`);
  expect(run.status).toBe(0);
}

/**
 * Replays several recorded histories (test/replay/histories/) with one replay worker, in one tsx subprocess:
 * each workflow id's verdict (`replayed <n> events` or its error) and anything the run wrote to stderr.
 */
export function replayHistories(
  histories: Array<{ file: string; workflowId: string }>,
  bundlePath = process.env.TEST_WORKFLOW_BUNDLE!,
): { verdicts: Map<string, string>; stderr: string } {
  const run = runReplayScript(
    [bundlePath, '--each', ...histories.flatMap((h) => [fixture(h.file), h.workflowId])],
    120_000,
  );
  const verdicts = new Map<string, string>();
  for (const line of run.stdout.split('\n')) {
    const at = line.indexOf(': ');
    if (at > 0) verdicts.set(line.slice(0, at), line.slice(at + 2));
  }
  return { verdicts, stderr: run.stderr };
}

import { spawnSync } from 'node:child_process';
import path from 'node:path';

// Recorded with the conversation workflow as it was before the weekly report hand-off: messages, an assignment and an
// order_placed resolution. Today's code must replay it unchanged: the hand-off to the weekly report is behind
// patched('weekly-report-handoff'), so old histories (no marker) take the old path; without the patch this replay
// fails with a nondeterminism error (a StartChildWorkflowExecution command the history does not have).
const root = path.resolve(__dirname, '..');
const HISTORY = 'conversation-resolved-before-weekly-report.pb';

const replay = (history: string, workflowId: string, guard = 'per-call') =>
  spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules/tsx/dist/cli.mjs'),
      path.join(__dirname, 'support', 'replay-history.ts'),
      process.env.TEST_WORKFLOW_BUNDLE!,
      path.join(__dirname, 'fixtures', 'histories', history),
      workflowId,
    ],
    { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, TEMPORAL_SANDBOX_DEADLOCK_GUARD: guard } },
  );

test('a conversation resolved before the weekly-report hand-off existed replays with the current workflow code', () => {
  const run = replay(HISTORY, 'conversation-replay-before-weekly-report');
  expect(run.stderr).toBe('');
  expect(run.stdout.trim()).toBe('replayed 24 events');
  expect(run.status).toBe(0);
});

// Recorded before queued events were applied in one local activity: a first message on its own, then two messages
// arriving together (two local activities one after the other), then an assignment; the run still open. Behind patched('events-in-one-step') old runs replay their one-activity-per-event path; without the
// patch this replay fails with a nondeterminism error (one local-activity marker where the history has two).
test.each(['per-call', 'per-thread'])(
  'a conversation recorded before events were applied in one step replays (deadlock guard %s)',
  (guard) => {
    const run = replay('conversation-before-events-in-one-step.pb', 'conversation-before-events-in-one-step', guard);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('replayed 30 events');
    expect(run.status).toBe(0);
  },
);

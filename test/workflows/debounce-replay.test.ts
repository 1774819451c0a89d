import { expectReplayed, replayHistory } from '../support/replay';

// Both histories were recorded before the loops shared one debounce (workflows/loop-control.ts): a coalesced burst,
// then signals that never paused (so the maximum delay decided), then the idle end.

test('a context sync run recorded with its own debounce replays with the current workflow code', () => {
  // Its timers differ from the shared debounce's (a maximum-delay timer of its own, cancelled after each quiet
  // period): without patched('context-sync-one-debounce') this replay fails with a nondeterminism error.
  const run = replayHistory('context-sync-before-one-debounce.pb', 'context-sync-replay-before-one-debounce');
  expectReplayed(run, 145);
});

test('a weekly report run recorded with its own debounce replays unchanged (the shared one sets the same timers)', () => {
  const run = replayHistory('weekly-report-before-one-debounce.pb', 'weekly-report-replay-before-one-debounce');
  expectReplayed(run, 221);
});

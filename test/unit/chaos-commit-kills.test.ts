import { commitBoundaryFaults } from '../../bench/chaos/commit-boundary-faults';

// The chaos run's kill after a commit must happen in a short run even when the step it falls on fails first.

const STEPS = new Set(['conversationStep', 'resolveIncidenceUser']);
const attempt = (type: string) => ({ type, args: [], attempt: 1, isLocal: false });

test('a due kill stays due past a step that failed before its commit, and other activities never draw it', () => {
  // random() = 0.99 puts the first kill at the 4th step (1 + floor(0.99 * 2 / 0.5)).
  const rule = commitBoundaryFaults({ steps: STEPS, loseShare: 0, killShare: 0.5, killsLeft: 1, random: () => 0.99 });
  const drawn = ['conversationStep', 'syncUserContext', 'resolveIncidenceUser', 'conversationStep'].map((t) =>
    rule(attempt(t)),
  );
  expect(drawn).toEqual([undefined, undefined, undefined, undefined]);
  // The 4th step draws the kill; Freshchat refuses its lookup, so it never commits and the process lives on.
  expect(rule(attempt('resolveIncidenceUser'))).toEqual({ kind: 'kill-after-commit' });
  expect(rule(attempt('conversationStep'))).toEqual({ kind: 'kill-after-commit' });
  expect(rule(attempt('syncUserContext'))).toBeUndefined();
});

test('no kill is drawn once the run has used its kills, and lost results follow their share', () => {
  const rule = commitBoundaryFaults({ steps: STEPS, loseShare: 0.5, killShare: 0.5, killsLeft: 0, random: () => 0.25 });
  expect(Array.from({ length: 10 }, () => rule(attempt('conversationStep')))).toEqual(
    Array.from({ length: 10 }, () => ({ kind: 'lose-result' })),
  );
});

import type { IncidenceChange } from '../../domain/conversation/incidence-snapshot';
import { at } from './conversation-fakes';

/**
 * What the store saw for the out-of-order conversation of the ordering tests (message 2, resolution 10, reopen 5,
 * message 12, message 0): each event in arrival order, the stale reopen changing nothing, and the late first message
 * moving the start back, whether events are stored one at a time or in one step.
 */
export function expectOutOfOrderEventsFolded(changes: Array<{ eventKey: string; change: IncidenceChange }>): void {
  expect(changes.map((c) => c.eventKey)).toEqual(['message:2', 'resolution:10', 'reopen:5', 'message:12', 'message:0']);
  const [, resolution, reopen, , late] = changes.map((c) => c.change);
  expect(resolution!.close).toMatchObject({ outcome: 'CONVERTED', issueCategory: 'menu', timeToResolveSeconds: 480 });
  expect(reopen!.reopen).toBeUndefined();
  expect(late).toMatchObject({ firstEventAt: at(0), timeToResolveSeconds: 600 });
}

import { at, conversationSettings, deliver, events, fakeIncidences, stateOf } from '../support/conversation-fakes';
import { expectOutOfOrderEventsFolded } from '../support/out-of-order-events';
import { testRunId } from '../support/database';
import { eventually } from '../support/eventually';
import { useWorkflowHarness } from '../support/workflow-worker';

const harness = useWorkflowHarness();

// Events signalled before any worker polls reach the run's first activation together: a burst.

test('a burst is stored in one step per batch and folds as one at a time: order, state changes, duplicates', async () => {
  const store = fakeIncidences();
  const id = `batching-${Date.now()}`;
  const taskQueue = `wf-${testRunId()}`;
  const settings = conversationSettings();
  for (const event of [
    events.message(id, 'message:2', at(2)),
    events.resolution(id, 'resolution:10', at(10), ['order_placed', 'menu']),
    events.message(id, 'message:2', at(2)), // a redelivery: the batch ends before it, then it is skipped
    events.reopen(id, 'reopen:5', at(5)), // older than the resolution: recorded, not applied
    events.message(id, 'message:12', at(12)),
    events.message(id, 'message:0', at(0)), // the real first message, delivered last
  ])
    await deliver(harness.client, taskQueue, event, settings);

  await harness.withWorker(
    store.activities,
    async () => {
      const state = await eventually(async () => {
        const s = await stateOf(harness.client, id);
        expect(s.eventsApplied + s.duplicatesSkipped).toBe(6);
        return s;
      });
      expect(state).toMatchObject({
        outcome: 'CONVERTED',
        reopenCount: 0,
        firstEventAt: at(0),
        resolvedAt: at(10),
        lastStateChangeAt: at(10),
        eventsApplied: 5,
        duplicatesSkipped: 1,
        pendingEvents: 0,
      });
      // The resolution hands its week off to the report, as one at a time.
      await eventually(async () => expect(store.reportedWeeks.length).toBeGreaterThan(0));
    },
    taskQueue,
  );
  expect(store.calls.filter((c) => c.startsWith('conversationStep'))).toEqual([
    'conversationStep 2',
    'conversationStep 3',
  ]);
  expectOutOfOrderEventsFolded(store.changes);
});

test('one refused event in a batch is dead-lettered alone: the others apply, and its replay applies later', async () => {
  const refused = new Set(['message:bad']);
  const store = fakeIncidences({ refuse: (key) => refused.has(key) });
  const id = `batching-refused-${Date.now()}`;
  const taskQueue = `wf-${testRunId()}`;
  const settings = conversationSettings();
  for (const event of [
    events.message(id, 'message:1', at(1)),
    events.message(id, 'message:bad', at(2)),
    events.resolution(id, 'resolution:3', at(3), ['order_placed']),
  ])
    await deliver(harness.client, taskQueue, event, settings);

  await harness.withWorker(
    store.activities,
    async () => {
      await eventually(async () => expect(await stateOf(harness.client, id)).toMatchObject({ outcome: 'CONVERTED' }));
      expect(store.deadLetters).toEqual(['message:bad']);
      expect(store.timeline(id).map((e) => e.eventKey)).toEqual(['message:1', 'resolution:3']);
      expect(await stateOf(harness.client, id)).toMatchObject({ eventsApplied: 2, duplicatesSkipped: 0 });

      // A dead-lettered event is not remembered as seen: its replay reaches the store.
      refused.clear();
      await deliver(harness.client, taskQueue, events.message(id, 'message:bad', at(2)), settings);
      await eventually(async () => expect(await stateOf(harness.client, id)).toMatchObject({ eventsApplied: 3 }));
    },
    taskQueue,
  );
  expect(store.calls.filter((c) => c.startsWith('conversationStep'))).toEqual([
    'conversationStep 3',
    'conversationStep 1',
  ]);
  expect(store.timeline(id).map((e) => e.eventKey)).toEqual(['message:1', 'resolution:3', 'message:bad']);
});

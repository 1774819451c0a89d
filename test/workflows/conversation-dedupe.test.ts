import { conversationSettings, deliver, events, fakeIncidences, at, stateOf } from '../support/conversation-fakes';
import { eventually } from '../support/eventually';
import { useWorkflowHarness } from '../support/workflow-worker';

const harness = useWorkflowHarness();

test('a redelivered event is skipped by the run without reaching the store', async () => {
  const store = fakeIncidences();
  const id = `dedupe-${Date.now()}`;
  const settings = conversationSettings();
  await harness.withWorker(store.activities, async (taskQueue) => {
    for (const event of [
      events.message(id, 'message:1', at(0)),
      events.message(id, 'message:1', at(0)),
      events.message(id, 'message:2', at(1)),
    ])
      await deliver(harness.client, taskQueue, event, settings);

    const state = await eventually(async () => {
      const s = await stateOf(harness.client, id);
      expect(s.eventsApplied + s.duplicatesSkipped).toBe(3);
      return s;
    });
    expect(state).toMatchObject({ eventsApplied: 2, duplicatesSkipped: 1, pendingEvents: 0 });
  });
  expect(store.changes.map((c) => c.eventKey)).toEqual(['message:1', 'message:2']);
  expect(store.timeline(id).map((e) => e.eventKey)).toEqual(['message:1', 'message:2']);
});

test('a redelivery the run no longer remembers is caught by the store and counted as skipped', async () => {
  const store = fakeIncidences();
  const id = `dedupe-store-${Date.now()}`;
  // A run that completes soon after its resolution: the redelivery then reaches a new run with no recent keys.
  const settings = conversationSettings({ reopenWindowMs: 200 });
  await harness.withWorker(store.activities, async (taskQueue) => {
    await deliver(harness.client, taskQueue, events.message(id, 'message:1', at(0)), settings);
    await deliver(harness.client, taskQueue, events.resolution(id, 'resolution:1', at(5)), settings);
    const first = harness.client.workflow.getHandle(`conversation-${id}`);
    await first.result();

    await deliver(harness.client, taskQueue, events.message(id, 'message:1', at(0)), settings);
    const state = await eventually(async () => {
      const s = await stateOf(harness.client, id);
      expect(s.duplicatesSkipped).toBe(1);
      return s;
    });
    expect(state).toMatchObject({ eventsApplied: 0, outcome: 'RESOLVED' });
  });
  expect(store.changes.map((c) => [c.eventKey, c.stored])).toEqual([
    ['message:1', true],
    ['resolution:1', true],
    ['message:1', false],
  ]);
  expect(store.timeline(id)).toHaveLength(2);
});

import { at, conversationSettings, deliver, events, fakeIncidences, stateOf } from '../support/conversation-fakes';
import { expectOutOfOrderEventsFolded } from '../support/out-of-order-events';
import { eventually } from '../support/eventually';
import { useWorkflowHarness } from '../support/workflow-worker';

const harness = useWorkflowHarness();

test('events apply in arrival order; state changes by payload time; a late first message moves the start earlier', async () => {
  const store = fakeIncidences();
  const id = `ordering-${Date.now()}`;
  const settings = conversationSettings();
  await harness.withWorker(store.activities, async (taskQueue) => {
    for (const event of [
      events.message(id, 'message:2', at(2)),
      events.resolution(id, 'resolution:10', at(10), ['order_placed', 'menu']),
      events.reopen(id, 'reopen:5', at(5)), // older than the resolution: recorded, not applied
      events.message(id, 'message:12', at(12)), // after the resolution: recorded, does not reopen
      events.message(id, 'message:0', at(0)), // the conversation's real first message, delivered last
    ])
      await deliver(harness.client, taskQueue, event, settings);

    const state = await eventually(async () => {
      const s = await stateOf(harness.client, id);
      expect(s.eventsApplied).toBe(5);
      return s;
    });
    expect(state).toMatchObject({
      outcome: 'CONVERTED',
      reopenCount: 0,
      firstEventAt: at(0),
      resolvedAt: at(10),
      lastStateChangeAt: at(10),
    });
  });
  expectOutOfOrderEventsFolded(store.changes);
});

import { isoWeekOf } from '../../domain/reports/iso-week';
import { conversationWorkflowId } from '../../domain/conversation/conversation-event';
import { at, conversationSettings, deliver, events, fakeIncidences } from '../support/conversation-fakes';
import { eventually } from '../support/eventually';
import { useWorkflowHarness } from '../support/workflow-worker';

const harness = useWorkflowHarness();

test('a silent conversation is closed as DROPPED / WENT_SILENT without a time to resolve, and reported', async () => {
  const store = fakeIncidences();
  const id = `silence-${Date.now()}`;
  const settings = conversationSettings({ silenceTimeoutMs: 300, reopenWindowMs: 300 });
  await harness.withWorker(store.activities, async (taskQueue) => {
    await deliver(harness.client, taskQueue, events.message(id, 'message:1', at(0)), settings);
    const ended = await harness.client.workflow.getHandle(conversationWorkflowId(id)).result();
    expect(ended).toMatchObject({ outcome: 'DROPPED', eventsApplied: 2 });
    // The close hands off to its week's report (a child run, computed with the mocked activity).
    await eventually(async () => expect(store.reportedWeeks).toEqual([isoWeekOf(ended.resolvedAt!)]));
  });
  // Keyed on the state it closes (none yet: the first event), and guarded in the store (test/system/record-guarantee.test.ts).
  expect(store.changes[1]).toMatchObject({ eventKey: `went_silent:${at(0)}`, stored: true });
  expect(store.calls).toContain('closeForSilence');
  expect(store.incidence(id)).toMatchObject({ outcome: 'DROPPED' });
  expect(store.timeline(id).map((e) => e.eventType)).toEqual(['MESSAGE', 'WENT_SILENT']);
});

test('an event within the silence timeout keeps the conversation open', async () => {
  const store = fakeIncidences();
  const id = `silence-kept-${Date.now()}`;
  // Long enough for the second delivery to land inside it even on a loaded machine.
  const settings = conversationSettings({ silenceTimeoutMs: 30_000 });
  await harness.withWorker(store.activities, async (taskQueue) => {
    await deliver(harness.client, taskQueue, events.message(id, 'message:1', at(0)), settings);
    await deliver(harness.client, taskQueue, events.message(id, 'message:2', at(1)), settings);
    await eventually(async () => expect(store.changes).toHaveLength(2));
  });
  expect(store.changes.map((c) => c.change.close)).toEqual([undefined, undefined]);
});

import { conversationWorkflowId } from '../../domain/conversation/conversation-event';
import { at, conversationSettings, deliver, events, fakeIncidences, stateOf } from '../support/conversation-fakes';
import { eventually } from '../support/eventually';
import { useWorkflowHarness } from '../support/workflow-worker';

const harness = useWorkflowHarness();

test('a reopen within the window reopens the incidence in the same run', async () => {
  const store = fakeIncidences();
  const id = `reopen-${Date.now()}`;
  const settings = conversationSettings();
  await harness.withWorker(store.activities, async (taskQueue) => {
    await deliver(harness.client, taskQueue, events.message(id, 'message:1', at(0)), settings);
    await deliver(harness.client, taskQueue, events.resolution(id, 'resolution:1', at(5), ['dropped']), settings);
    await eventually(async () => expect((await stateOf(harness.client, id)).outcome).toBe('DROPPED'));
    const { runId } = await harness.client.workflow.getHandle(conversationWorkflowId(id)).describe();

    await deliver(harness.client, taskQueue, events.reopen(id, 'reopen:1', at(9)), settings);
    const state = await eventually(async () => {
      const s = await stateOf(harness.client, id);
      expect(s.eventsApplied).toBe(3);
      return s;
    });
    expect(state).toMatchObject({ outcome: 'IN_PROGRESS', reopenCount: 1, resolvedAt: null });
    expect((await harness.client.workflow.getHandle(conversationWorkflowId(id)).describe()).runId).toBe(runId);
  });
});

test('after the window the run completes; a later event starts a new run that continues the incidence', async () => {
  const store = fakeIncidences();
  const id = `reopen-after-${Date.now()}`;
  const settings = conversationSettings({ reopenWindowMs: 300 });
  await harness.withWorker(store.activities, async (taskQueue) => {
    await deliver(harness.client, taskQueue, events.message(id, 'message:1', at(0)), settings);
    await deliver(harness.client, taskQueue, events.resolution(id, 'resolution:1', at(5)), settings);
    const first = harness.client.workflow.getHandle(conversationWorkflowId(id));
    const ended = await first.result();
    expect(ended).toMatchObject({ outcome: 'RESOLVED', eventsApplied: 2 });
    const { runId } = await first.describe();

    await deliver(harness.client, taskQueue, events.reopen(id, 'reopen:1', at(60 * 24 * 10)), settings);
    const state = await eventually(async () => {
      const s = await stateOf(harness.client, id);
      expect(s.eventsApplied).toBe(1);
      return s;
    });
    expect(state).toMatchObject({ incidenceId: ended.incidenceId, outcome: 'IN_PROGRESS', reopenCount: 1 });
    const second = await harness.client.workflow.getHandle(conversationWorkflowId(id)).describe();
    expect(second.runId).not.toBe(runId);
  });
  expect(store.incidence(id)).toMatchObject({ outcome: 'IN_PROGRESS', reopenCount: 1 });
});

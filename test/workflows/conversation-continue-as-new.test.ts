import { conversationWorkflowId } from '../../domain/conversation/conversation-event';
import { at, conversationSettings, deliver, events, fakeIncidences, stateOf } from '../support/conversation-fakes';
import { eventually } from '../support/eventually';
import { useWorkflowHarness } from '../support/workflow-worker';

const harness = useWorkflowHarness();

test('past the history limit a run continues as new with its state and recent event keys', async () => {
  const store = fakeIncidences();
  const id = `continue-${Date.now()}`;
  const settings = conversationSettings({ historyLimit: 20 });
  const workflowId = conversationWorkflowId(id);
  await harness.withWorker(store.activities, async (taskQueue) => {
    for (let i = 0; i < 10; i++)
      await deliver(harness.client, taskQueue, events.message(id, `message:${i}`, at(i)), settings);
    await eventually(async () => expect((await stateOf(harness.client, id)).eventsApplied).toBe(10));

    // Visibility is eventually consistent: the earlier run can take a moment to be listed.
    await eventually(async () => {
      const runs: string[] = [];
      for await (const run of harness.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
        runs.push(run.runId);
      expect(runs.length).toBeGreaterThan(1);
    });

    // Redelivered to a later run: its recent keys came along, so the store never sees it again.
    await deliver(harness.client, taskQueue, events.message(id, 'message:0', at(0)), settings);
    const state = await eventually(async () => {
      const s = await stateOf(harness.client, id);
      expect(s.duplicatesSkipped).toBe(1);
      return s;
    });
    expect(state).toMatchObject({ eventsApplied: 10, firstEventAt: at(0), incidenceId: 'incidence-1' });
  });
  expect(store.calls.filter((c) => c === 'ensureIncidence')).toHaveLength(1);
  expect(store.changes.map((c) => c.eventKey)).toEqual(Array.from({ length: 10 }, (_, i) => `message:${i}`));
});

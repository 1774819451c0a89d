import { conversationWorkflowId } from '../../domain/conversation/conversation-event';
import { conversationSettings, deliver, events, fakeIncidences, stateOf } from '../support/conversation-fakes';
import { eventually } from '../support/eventually';
import { useWorkflowHarness } from '../support/workflow-worker';

const harness = useWorkflowHarness();
const FIRST_RESPONSE_SECONDS = 20;

test('a run that continued as new with a running SLA target records its breach when due and keeps applying events', async () => {
  const policy = {
    name: 'quick',
    thresholds: { FIRST_RESPONSE: FIRST_RESPONSE_SECONDS },
    hours: 'calendar' as const,
    escalation: { action: 'NONE' as const },
  };
  const store = fakeIncidences({ policy });
  const activities = store.activities;
  const id = `sla-continue-${Date.now()}`;
  const settings = conversationSettings({ historyLimit: 8 });
  const workflowId = conversationWorkflowId(id);
  const breaches = () => store.slaProgress.flatMap((p) => p.breaches.map((b) => b.content));
  await harness.withWorker(activities, async (taskQueue) => {
    // Unanswered customer messages, now: one first-response target runs, due in a few seconds.
    for (let i = 0; i < 8; i++)
      await deliver(harness.client, taskQueue, events.message(id, `message:${i}`, new Date().toISOString()), settings);
    await eventually(async () => {
      const runs: string[] = [];
      for await (const run of harness.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
        runs.push(run.runId);
      expect(runs.length).toBeGreaterThan(1);
    });
    // The target was carried into the later run: its breach is that run's to record.
    expect(breaches()).toEqual([]);

    await eventually(async () => expect(breaches()).toEqual(['FIRST_RESPONSE']), 30_000);
    await deliver(harness.client, taskQueue, events.message(id, 'message:after', new Date().toISOString()), settings);
    await eventually(async () => expect((await stateOf(harness.client, id)).eventsApplied).toBe(9));
  });
  expect(store.timeline(id).map((e) => e.eventKey)).toContain('message:after');
}, 90_000);

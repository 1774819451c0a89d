import { conversationWorkflowId } from '../../domain/conversation/conversation-event';
import { conversationSettings, deliver, events, fakeIncidences, stateOf } from '../support/conversation-fakes';
import { eventually } from '../support/eventually';
import { useWorkflowHarness } from '../support/workflow-worker';

const harness = useWorkflowHarness();
const FIRST_RESPONSE_SECONDS = 20;
/** "When due": no earlier than the due time, and within a tenth of the target after it. */
const TOLERANCE_MS = (FIRST_RESPONSE_SECONDS * 1000) / 10;

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
  const breaches = () => store.slaProgress.filter((p) => p.breaches.length > 0);
  await harness.withWorker(activities, async (taskQueue) => {
    // Unanswered customer messages, now: one first-response target runs, due at a known time.
    const sentAt = new Date().toISOString();
    const dueAt = Date.parse(sentAt) + FIRST_RESPONSE_SECONDS * 1000;
    for (let i = 0; i < 8; i++)
      await deliver(harness.client, taskQueue, events.message(id, `message:${i}`, sentAt), settings);
    // The later run started (as Temporal recorded it) before the target fell due: the target was carried into it,
    // and its breach is that run's to record. Not a race: the times say which run was running at the due time.
    const laterRunStart = await eventually(async () => {
      const starts: number[] = [];
      for await (const run of harness.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
        starts.push(run.startTime.getTime());
      expect(starts.length).toBeGreaterThan(1);
      return Math.max(...starts);
    });
    expect(laterRunStart).toBeLessThan(dueAt);

    await eventually(async () => expect(breaches()).toHaveLength(1), dueAt + TOLERANCE_MS + 10_000 - Date.now());
    const [breach] = breaches();
    expect(breach!.breaches.map((b) => [b.content, b.metadata.due_at])).toEqual([
      ['FIRST_RESPONSE', new Date(dueAt).toISOString()],
    ]);
    // Recorded when due (the worker's wall clock when it stored the breach), not at the next event.
    expect(breach!.storedAt).toBeGreaterThanOrEqual(dueAt);
    expect(breach!.storedAt - dueAt).toBeLessThan(TOLERANCE_MS);

    await deliver(harness.client, taskQueue, events.message(id, 'message:after', new Date().toISOString()), settings);
    await eventually(async () => expect((await stateOf(harness.client, id)).eventsApplied).toBe(9));
  });
  expect(store.timeline(id).map((e) => e.eventKey)).toContain('message:after');
  expect(breaches()).toHaveLength(1);
}, 90_000);

import type { WorkflowHandle } from '@temporalio/client';
import { ALWAYS_OPEN } from '../../domain/business-hours';
import { conversationWorkflowId } from '../../domain/conversation-event';
import { conversationSettings, deliver, events, fakeIncidences } from '../support/conversation-fakes';
import { eventually } from '../support/eventually';
import { pause, useWorkflowHarness } from '../support/workflow-worker';

const harness = useWorkflowHarness();

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];
const kind = (e: HistoryEvent) => Object.keys(e).find((k) => k.endsWith('EventAttributes'))!;
const seconds = (e: HistoryEvent) => Number(e.timerStartedEventAttributes?.startToFireTimeout?.seconds ?? 0);

// A workflow's clock stands at the start of its workflow task. A new conversation's first task runs its local
// activities (here a slow SLA plan, as on a busy worker), so a timer aimed from it at the due time would end late
// by their duration; the wait is aimed again from a task of its own a few seconds before the due time.
test('the timer that records a breach is aimed from a workflow task with no steps before it', async () => {
  const store = fakeIncidences();
  const policy = {
    name: 'quick',
    thresholds: { FIRST_RESPONSE: 8 },
    hours: 'calendar' as const,
    escalation: { action: 'NONE' as const },
  };
  const activities = {
    ...store.activities,
    planSla: async () => {
      await pause(1_500);
      return { policy, hours: ALWAYS_OPEN, outbound: false };
    },
  };
  const id = `sla-aim-${Date.now()}`;
  const breaches = () => store.slaProgress.flatMap((p) => p.breaches.map((b) => b.content));
  const history = await harness.withWorker(activities, async (taskQueue) => {
    await deliver(
      harness.client,
      taskQueue,
      events.message(id, 'message:1', new Date().toISOString()),
      conversationSettings(),
    );
    await eventually(async () => expect(breaches()).toEqual(['FIRST_RESPONSE']), 30_000);
    return (await harness.client.workflow.getHandle(conversationWorkflowId(id)).fetchHistory()).events!;
  });

  // The SLA timers (the silence window's is a minute): one aimed from the first task, one aimed again.
  const slaTimers = history.filter((e) => e.timerStartedEventAttributes && seconds(e) < 30);
  expect(slaTimers).toHaveLength(2);
  const last = history.indexOf(slaTimers[1]!);
  const lastOf = (before: number, found: (e: HistoryEvent) => unknown) =>
    history.slice(0, before).reduce((at, e, i) => (found(e) ? i : at), -1);
  const taskStarted = lastOf(last, (e) => e.workflowTaskStartedEventAttributes);
  // Nothing ran in that task before the timer was started, and the task was the first timer's firing.
  expect(history.slice(taskStarted + 1, last).map(kind)).toEqual(['workflowTaskCompletedEventAttributes']);
  const firedBefore = history[lastOf(taskStarted, (e) => e.timerFiredEventAttributes)];
  expect(String(firedBefore?.timerFiredEventAttributes?.startedEventId)).toBe(String(slaTimers[0]!.eventId));
}, 60_000);

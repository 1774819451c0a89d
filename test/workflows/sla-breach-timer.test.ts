import { conversationSettings, deliver, events, fakeIncidences } from '../support/conversation-fakes';
import { eventually } from '../support/eventually';
import { useWorkflowHarness } from '../support/workflow-worker';
import { conversationWorkflowId } from '../../domain/conversation/conversation-event';

const msOf = (d: { seconds?: { toString(): string } | null; nanos?: number | null } | null | undefined) =>
  Number(d?.seconds?.toString() ?? 0) * 1000 + Math.round((d?.nanos ?? 0) / 1e6);

const harness = useWorkflowHarness();

// A workflow's clock stands at the start of its workflow task, and a timer starts when the task completes. A new
// conversation's step here takes STEP_MS (a busy worker): a timer aimed from the task's clock would fire that much
// late. The step returns the time it finished and the timer is aimed from that, so the breach lands at its due time.
const STEP_MS = 3_000;

test('the timer that records a breach is aimed from the step’s own clock, not the workflow task’s', async () => {
  const policy = {
    name: 'quick',
    thresholds: { FIRST_RESPONSE: 6 },
    hours: 'calendar' as const,
    escalation: { action: 'NONE' as const },
  };
  const store = fakeIncidences({ policy, stepDelayMs: STEP_MS });
  const id = `sla-aim-${Date.now()}`;
  const breach = () => store.slaProgress.find((p) => p.breaches.length > 0);
  let timerMs = 0;
  await harness.withWorker(store.activities, async (taskQueue) => {
    const sent = new Date().toISOString();
    await deliver(harness.client, taskQueue, events.message(id, 'message:1', sent), conversationSettings());
    await eventually(async () => expect(breach()).toBeDefined(), 30_000);
    const { events: history } = await harness.client.workflow.getHandle(conversationWorkflowId(id)).fetchHistory();
    timerMs = msOf(
      history!.find((e) => e.timerStartedEventAttributes)!.timerStartedEventAttributes!.startToFireTimeout,
    );
  });
  const recorded = breach()!;
  const dueAt = Date.parse(recorded.changed[0]!.dueAt);
  expect(recorded.changed[0]).toMatchObject({ target: 'FIRST_RESPONSE', status: 'MISSED' });
  // The timer, as the history recorded it, ran from the step's own clock to the due time, not from the task's (which
  // stood before the step and would ask for up to the step's time more). Read from the history: no load changes it.
  const [stepFinishedAt] = store.stepsFinishedAt;
  expect(timerMs).toBeLessThanOrEqual(Math.ceil(dueAt - stepFinishedAt!));
  // And the breach is stored when due: never early, late by less than the step's own time (a loaded machine adds
  // its own scheduling delay, which the step's time leaves room for).
  expect(recorded.storedAt).toBeGreaterThanOrEqual(dueAt);
  expect(recorded.storedAt - dueAt).toBeLessThan(STEP_MS);
  // One timer, no early wake to aim again.
  expect(store.calls.filter((c) => c === 'recordDueBreaches')).toEqual(['recordDueBreaches']);
}, 60_000);

import { ApplicationFailure } from '@temporalio/common';
import { conversationWorkflowId } from '../../domain/conversation/conversation-event';
import { conversationSettings, deliver, events, fakeIncidences, stateOf } from '../support/conversation-fakes';
import { eventually } from '../support/eventually';
import { useWorkflowHarness } from '../support/workflow-worker';

const harness = useWorkflowHarness();

// Follow-ups run beside the loop (a user Freshchat could not name yet, a resolution's tags): they hand their results
// to the loop, which alone issues commands. They are carried across continue-as-new, and the loop keeps applying
// events while they wait.
test('a user lookup outlives continue-as-new and the reopen window; events are applied while it waits', async () => {
  const store = fakeIncidences();
  let freshchatDown = true;
  const lookups: string[] = [];
  const activities = {
    ...store.activities,
    async resolveIncidenceUser(conversationId: string) {
      lookups.push(freshchatDown ? 'failed' : 'named');
      if (freshchatDown) throw ApplicationFailure.retryable('Freshchat unavailable (503)', 'FreshchatUnavailable');
      const named = { ...store.incidence(conversationId)!, userId: 'usr_named' };
      return named;
    },
  };
  const id = `follow-ups-${Date.now()}`;
  const workflowId = conversationWorkflowId(id);
  // A history limit this low continues the run as new right after its first step, with the lookup still failing.
  const settings = conversationSettings({ historyLimit: 3, reopenWindowMs: 500 });
  const unnamed = { ...events.message(id, 'message:1', new Date().toISOString()), userProperties: null };
  await harness.withWorker(activities, async (taskQueue) => {
    await deliver(harness.client, taskQueue, { ...unnamed, freshchatUserId: 'fc-user' }, settings);
    await eventually(async () => {
      const runs: string[] = [];
      for await (const run of harness.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
        runs.push(run.runId);
      expect(runs.length).toBeGreaterThan(1);
    }, 20_000);
    // Resolved, and past the reopen window: the run waits for its follow-up but still takes a reopen at once.
    await deliver(
      harness.client,
      taskQueue,
      events.resolution(id, 'resolution:2', new Date().toISOString(), ['order_placed']),
      settings,
    );
    await eventually(async () => expect((await stateOf(harness.client, id)).outcome).toBe('CONVERTED'));
    await new Promise((r) => setTimeout(r, 1_000));
    await deliver(harness.client, taskQueue, events.reopen(id, 'reopen:3', new Date().toISOString()), settings);
    await eventually(async () => expect((await stateOf(harness.client, id)).outcome).toBe('IN_PROGRESS'), 5_000);
    expect(lookups).not.toContain('named');

    freshchatDown = false;
    await eventually(async () => expect((await stateOf(harness.client, id)).userId).toBe('usr_named'), 30_000);
  });
  expect(lookups.filter((l) => l === 'named')).toHaveLength(1);
}, 90_000);

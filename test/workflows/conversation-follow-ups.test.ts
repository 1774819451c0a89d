import { ApplicationFailure } from '@temporalio/common';
import { conversationWorkflowId, type ConversationEvent } from '../../domain/conversation/conversation-event';
import { conversationSettings, deliver, events, fakeIncidences, stateOf } from '../support/conversation-fakes';
import { eventually } from '../support/eventually';
import { testRunId } from '../support/database';
import { useWorkflowHarness } from '../support/workflow-worker';
import { reopenWindowAfterTagRead, tagReadAnsweredLater, timerFired } from '../support/window-end';

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

// The lookup's answer reaches the run whenever Freshchat gives it: here after a reopen the run has already stored,
// carrying the incidence as it was read before that reopen (resolved, never reopened).
test('a user named from an incidence read before a reopen leaves the reopen standing: the run closes for silence', async () => {
  const store = fakeIncidences();
  const id = `stale-lookup-${Date.now()}`;
  const settings = conversationSettings({ reopenWindowMs: 500, silenceTimeoutMs: 1_500 });
  const unnamed = { userProperties: null, freshchatUserId: null };
  const activities = {
    ...store.activities,
    async resolveIncidenceUser(conversationId: string) {
      await eventually(async () => expect(store.incidence(conversationId)?.outcome).toBe('CONVERTED'), 20_000);
      store.incidence(conversationId)!.userId = 'usr_named'; // stored, as the real lookup does
      const readBeforeReopen = { ...store.incidence(conversationId)! };
      await eventually(async () => expect((await stateOf(harness.client, id)).reopenCount).toBe(1), 20_000);
      return readBeforeReopen;
    },
  };
  const state = await harness.withWorker(activities, async (taskQueue) => {
    const send = (event: ConversationEvent) => deliver(harness.client, taskQueue, event, settings);
    await send({
      ...events.message(id, 'message:1', new Date().toISOString()),
      ...unnamed,
      freshchatUserId: 'fc-user',
    });
    await send({ ...events.resolution(id, 'resolution:2', new Date().toISOString(), ['order_placed']), ...unnamed });
    await eventually(async () => expect((await stateOf(harness.client, id)).outcome).toBe('CONVERTED'));
    await send({ ...events.reopen(id, 'reopen:3', new Date().toISOString()), ...unnamed });
    return harness.client.workflow.getHandle(conversationWorkflowId(id)).result();
  });
  // Before, the stale snapshot put the run back to CONVERTED: it ended after the reopen window, the incidence left
  // IN_PROGRESS in the store for good.
  expect(state).toMatchObject({ userId: 'usr_named', outcome: 'DROPPED', reopenCount: 1 });
  expect(store.calls).toContain('closeForSilence');
  expect(store.incidence(id)).toMatchObject({ outcome: 'DROPPED', reopenCount: 1 });
}, 60_000);

// A follow-up's result and the end of the reopen window can reach the run in one workflow task (a busy worker, a
// worker restart): the window's timer then times the wait out although a result is waiting. The run must take it.
test('tags read back in the task where the reopen window ends are applied before the run ends', async () => {
  const store = fakeIncidences();
  const id = `tags-at-window-end-${Date.now()}`;
  const workflowId = conversationWorkflowId(id);
  const settings = conversationSettings({ reopenWindowMs: 1_000 });
  const applied: Array<string[] | null> = [];
  const tagRead = tagReadAnsweredLater(harness.client);
  const activities = {
    ...store.activities,
    // Freshchat answers after this worker has stopped: the read is completed from outside, later.
    fetchResolutionTags: tagRead.fetchResolutionTags,
    async applyResolutionTags(input: { tags: string[] | null }) {
      applied.push(input.tags);
      return store.activities.applyResolutionTags(input as never);
    },
  };
  const taskQueue = `wf-${testRunId()}`;
  await harness.withWorker(
    activities,
    async () => {
      await deliver(harness.client, taskQueue, events.message(id, 'message:1', new Date().toISOString()), settings);
      await deliver(
        harness.client,
        taskQueue,
        events.resolution(id, 'resolution:2', new Date().toISOString(), null),
        settings,
      );
      await tagRead.started();
      await reopenWindowAfterTagRead(harness.client, id);
    },
    taskQueue,
  );
  // No worker runs: the reopen window's timer fires, then the tags arrive; one workflow task will carry both.
  await timerFired(harness.client, id);
  await tagRead.answer(['order_placed']);
  await harness.withWorker(
    activities,
    async () => {
      await harness.client.workflow.getHandle(workflowId).result();
    },
    taskQueue,
  );
  expect(applied).toEqual([['order_placed']]);
}, 90_000);

import { ApplicationFailure } from '@temporalio/common';
import type { ConversationActivities } from '../../activities/conversation-activities';
import { at, conversationSettings, deliver, events, fakeIncidences } from '../support/conversation-fakes';
import { eventually } from '../support/eventually';
import { useWorkflowHarness } from '../support/workflow-worker';

const harness = useWorkflowHarness();

test('tags Freshchat never gives are read a bounded number of times, then the resolution stands without them', async () => {
  const store = fakeIncidences();
  const id = `tags-never-${Date.now()}`;
  let reads = 0;
  const given: Array<string[] | null> = [];
  const activities = {
    ...store.activities,
    async fetchResolutionTags(): Promise<string[] | null> {
      reads++;
      // An outage without end, asking for a short wait so the bound is reached in a test's time.
      throw ApplicationFailure.create({
        message: 'Freshchat answered 503',
        type: 'FreshchatUnavailable',
        nextRetryDelay: '20 milliseconds',
      });
    },
    async applyResolutionTags(input: Parameters<ConversationActivities['applyResolutionTags']>[0]) {
      given.push(input.tags);
      return null;
    },
  };
  await harness.withWorker(activities, async (taskQueue) => {
    await deliver(harness.client, taskQueue, events.message(id, 'message:1', at(0)), conversationSettings());
    // A real-format resolution: its tags live in Freshchat (null here).
    await deliver(
      harness.client,
      taskQueue,
      events.resolution(id, 'resolution:1', at(1), null),
      conversationSettings(),
    );
    await eventually(async () => expect(given).toEqual([null]), 30_000);
  });
  expect(reads).toBe(8);
  expect(store.incidence(id)).toMatchObject({ outcome: 'RESOLVED' });
});

import { contextSyncWorkflowId } from '../../domain/app-context/context-sync-settings';
import { contextChanged, contextSyncSettings, fakeContextSync, syncStateOf } from '../support/context-sync-fakes';
import { eventually } from '../support/eventually';
import { useWorkflowHarness } from '../support/workflow-worker';

const harness = useWorkflowHarness();

test('past the history limit a sync run continues as new with what it last synced and its counts', async () => {
  const sync = fakeContextSync();
  const userId = `continue-${Date.now()}`;
  const settings = contextSyncSettings({ quietPeriodMs: 100, historyLimit: 5 });
  const workflowId = contextSyncWorkflowId(userId);
  await harness.withWorker(sync.activities, async (taskQueue) => {
    // The first run's id comes from the start: by the time the sync is seen, the run may already have continued.
    const runId = await contextChanged(harness.client, taskQueue, userId, settings);
    await eventually(async () => expect(sync.calls).toHaveLength(1));
    await eventually(async () =>
      expect((await harness.client.workflow.getHandle(workflowId).describe()).runId).not.toBe(runId),
    );

    await contextChanged(harness.client, taskQueue, userId, settings);
    await eventually(async () => expect(await syncStateOf(harness.client, userId)).toMatchObject({ syncs: 2 }));
  });
  expect(sync.calls.map((c) => c.lastSynced)).toEqual([null, { target: 'fc-user', properties: { sync: '1' } }]);
});

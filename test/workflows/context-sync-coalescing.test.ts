import { contextSyncWorkflowId } from '../../domain/app-context/context-sync-settings';
import { contextChanged, contextSyncSettings, fakeContextSync, syncStateOf } from '../support/context-sync-fakes';
import { eventually } from '../support/eventually';
import { waitsOf } from '../support/timing';
import { pause, useWorkflowHarness } from '../support/workflow-worker';

const harness = useWorkflowHarness();

test('a burst of changes makes one sync, after the quiet period; the run ends when idle', async () => {
  const sync = fakeContextSync();
  const userId = `burst-${Date.now()}`;
  const settings = contextSyncSettings({ quietPeriodMs: 1_500, idleTimeoutMs: 1_000 });
  await harness.withWorker(sync.activities, async (taskQueue) => {
    for (let i = 0; i < 10; i++) await contextChanged(harness.client, taskQueue, userId, settings);
    const result = await harness.client.workflow.getHandle(contextSyncWorkflowId(userId)).result();
    expect(result).toMatchObject({ syncs: 1, failedSyncs: 0, pendingChanges: false });
    expect(result.lastSynced).toEqual({ target: 'fc-user', properties: { sync: '1' } });
  });
  expect(sync.calls).toHaveLength(1);
});

test('changes that never pause are synced by the maximum delay', async () => {
  const sync = fakeContextSync();
  const userId = `steady-${Date.now()}`;
  const settings = contextSyncSettings({ quietPeriodMs: 600, maxDelayMs: 1_200 });
  const changes: number[] = [];
  await harness.withWorker(sync.activities, async (taskQueue) => {
    const until = Date.now() + 4_000;
    while (Date.now() < until) {
      changes.push(Date.now());
      await contextChanged(harness.client, taskQueue, userId, settings);
      await pause(100);
    }
    // A query can be answered before the last signal's workflow task has run: the last sync is waited for too.
    await eventually(async () => {
      expect(sync.calls.at(-1)!.at).toBeGreaterThanOrEqual(changes.at(-1)!);
      expect(await syncStateOf(harness.client, userId)).toMatchObject({ pendingChanges: false });
    });
  });
  const syncs = sync.calls.map((c) => c.at);
  // Never quiet for 600 ms: the first sync waited for the maximum delay, not for quiet...
  expect(syncs[0]! - changes[0]!).toBeGreaterThanOrEqual(settings.maxDelayMs - 50);
  // ...and no change, the last ones included, waited more than twice it (a tolerance of the delay's own size).
  expect(Math.max(...waitsOf(changes, syncs))).toBeLessThan(settings.maxDelayMs * 2);
  expect(syncs.length).toBeGreaterThanOrEqual(3);
});

test('a refused sync is counted and the next change tries again with what was last synced', async () => {
  const sync = fakeContextSync({ refuseFirst: 1 });
  const userId = `refused-${Date.now()}`;
  const settings = contextSyncSettings({ quietPeriodMs: 100 });
  await harness.withWorker(sync.activities, async (taskQueue) => {
    await contextChanged(harness.client, taskQueue, userId, settings);
    await eventually(async () => expect(await syncStateOf(harness.client, userId)).toMatchObject({ failedSyncs: 1 }));
    await contextChanged(harness.client, taskQueue, userId, settings);
    await eventually(async () =>
      expect(await syncStateOf(harness.client, userId)).toMatchObject({ syncs: 1, failedSyncs: 1 }),
    );
  });
  expect(sync.calls.map((c) => c.lastSynced)).toEqual([null, null]);
});

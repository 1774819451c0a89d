import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ContextSyncActivities } from '../../activities/context-sync-activities';
import type { SyncedContext } from '../../domain/app-context/context-changes';
import { contextSyncWorkflowId, type ContextSyncSettings } from '../../domain/app-context/context-sync-settings';
import type { contextSyncWorkflow } from '../../workflows/context-sync-workflow';
import { contextChangedSignal, contextSyncStateQuery } from '../../workflows/signals';

/** The sync activity, mocked: each call "sends" a new version of the context, or refuses when told to. */
export function fakeContextSync(options: { refuseFirst?: number } = {}) {
  const calls: Array<{ lastSynced: SyncedContext | null; at: number }> = [];
  const activities: ContextSyncActivities = {
    async syncUserContext({ lastSynced }) {
      calls.push({ lastSynced, at: Date.now() });
      if (calls.length <= (options.refuseFirst ?? 0))
        throw ApplicationFailure.nonRetryable('refused', 'FreshchatRejected');
      return { target: 'fc-user', properties: { sync: String(calls.length) } };
    },
  };
  return { activities, calls };
}

export const contextSyncSettings = (overrides: Partial<ContextSyncSettings> = {}): ContextSyncSettings => ({
  quietPeriodMs: 1_000,
  maxDelayMs: 10_000,
  idleTimeoutMs: 60_000,
  historyLimit: 2_000,
  ...overrides,
});

/** What the API does when agent-visible fields change: signal the user's sync, starting it when idle. */
/** Signals (starting if need be) the user's sync; resolves to the id of the run that got the signal. */
export async function contextChanged(client: Client, taskQueue: string, userId: string, settings: ContextSyncSettings) {
  const handle = await client.workflow.signalWithStart<typeof contextSyncWorkflow, []>('contextSyncWorkflow', {
    workflowId: contextSyncWorkflowId(userId),
    taskQueue,
    args: [{ userId, settings }],
    signal: contextChangedSignal,
    signalArgs: [],
  });
  return handle.signaledRunId;
}

export const syncStateOf = (client: Client, userId: string) =>
  client.workflow.getHandle(contextSyncWorkflowId(userId)).query(contextSyncStateQuery);

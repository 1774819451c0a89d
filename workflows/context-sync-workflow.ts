import { allHandlersFinished, condition, continueAsNew, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ContextSyncActivities } from '../activities/context-sync-activities';
import type { SyncedContext } from '../domain/app-context/context-changes';
import type { ContextSyncSettings, ContextSyncState } from '../domain/app-context/context-sync-settings';
import { quietPeriod, shouldContinueAsNew } from './loop-control';
import { contextChangedSignal, contextSyncStateQuery } from './signals';

// 429 and 5xx are retried with backoff (Retry-After wins when Freshchat sends it); a rejected request is not.
const { syncUserContext } = proxyActivities<ContextSyncActivities>({
  startToCloseTimeout: '15 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 12,
    nonRetryableErrorTypes: ['FreshchatRejected'],
  },
});

export interface ContextSyncInput {
  userId: string;
  settings: ContextSyncSettings;
  carried?: { lastSynced: SyncedContext | null; pending: boolean; syncs: number; failedSyncs: number };
}

/**
 * One workflow per user (`context-sync-<userId>`). Change signals are coalesced: the sync waits for a quiet
 * period, bounded by a maximum delay, then one activity sends the latest agent-visible context to Freshchat.
 */
export async function contextSyncWorkflow(input: ContextSyncInput): Promise<ContextSyncState> {
  const { userId, settings } = input;
  let changes = input.carried?.pending ? 1 : 0;
  let handled = 0;
  let lastSynced = input.carried?.lastSynced ?? null;
  let syncs = input.carried?.syncs ?? 0;
  let failedSyncs = input.carried?.failedSyncs ?? 0;
  const state = (): ContextSyncState => ({
    userId,
    syncs,
    failedSyncs,
    pendingChanges: changes !== handled,
    lastSynced,
  });

  setHandler(contextChangedSignal, () => void changes++);
  setHandler(contextSyncStateQuery, state);

  for (;;) {
    if (changes === handled && !(await condition(() => changes !== handled, settings.idleTimeoutMs))) return state();
    await quietPeriod({ quietMs: settings.quietPeriodMs, maxMs: settings.maxDelayMs }, () => changes);
    handled = changes;
    try {
      lastSynced = await syncUserContext({ userId, lastSynced });
      syncs++;
    } catch (error) {
      // Retries are exhausted or Freshchat refused: the next change tries again with the then-latest context.
      failedSyncs++;
      log.warn('context sync failed', { userId, error: (error as Error).message });
    }
    if (shouldContinueAsNew(settings.historyLimit)) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof contextSyncWorkflow>({
        userId,
        settings,
        carried: { lastSynced, pending: changes !== handled, syncs, failedSyncs },
      });
    }
  }
}

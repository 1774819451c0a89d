import type { SyncedContext } from './context-changes';

/** Tunables of a user's Freshchat context sync (workflows cannot read the environment). */
export interface ContextSyncSettings {
  /** Sync once changes have been quiet this long… */
  quietPeriodMs: number;
  /** …but never later than this after the first pending change. */
  maxDelayMs: number;
  /** The workflow ends after this long without changes; the next change starts a new one. */
  idleTimeoutMs: number;
  /** History length past which a run continues as new. */
  historyLimit: number;
}

export interface ContextSyncState {
  userId: string;
  /** Syncs that reached Freshchat (or found nothing new to send). */
  syncs: number;
  failedSyncs: number;
  pendingChanges: boolean;
  lastSynced: SyncedContext | null;
}

export const contextSyncWorkflowId = (userId: string): string => `context-sync-${userId}`;

import type { Redis } from 'ioredis';
import { agentProperties, needsSync, syncTarget, type SyncedContext } from '../domain/context-changes';
import type { Logger } from '../infra/logger';
import type { RedisKeys } from '../infra/redis-keys';
import type { FreshchatClient } from '../clients/freshchat-client';

export interface ContextSyncDeps {
  redis: Redis;
  keys: RedisKeys;
  freshchat: FreshchatClient;
  logger: Logger;
}

/** Activities of the context sync workflow. */
export function createContextSyncActivities(deps: ContextSyncDeps) {
  return {
    /**
     * Sends the user's latest agent-visible context (read now, so every retry sends the newest values) to
     * Freshchat's user properties; returns what Freshchat now holds. 429/5xx throw (Temporal retries).
     */
    async syncUserContext(input: { userId: string; lastSynced: SyncedContext | null }): Promise<SyncedContext | null> {
      const stored = await deps.redis.hgetall(deps.keys.userContext(input.userId));
      if (Object.keys(stored).length === 0 || !deps.freshchat.configured) return input.lastSynced;
      const next: SyncedContext = {
        target: syncTarget(input.userId, stored),
        properties: agentProperties(input.userId, stored),
      };
      if (!needsSync(input.lastSynced, next)) return input.lastSynced;
      const updated = await deps.freshchat.updateUserProperties(next.target, next.properties);
      if (!updated) {
        deps.logger.warn(
          { userId: input.userId, freshchatUserId: next.target },
          'Freshchat does not know this user; context not synced',
        );
        return input.lastSynced;
      }
      return next;
    },
  };
}

export type ContextSyncActivities = ReturnType<typeof createContextSyncActivities>;

import type { Redis } from 'ioredis';
import { agentProperties, needsSync, type SyncedContext } from '../domain/app-context/context-changes';
import { createFreshchatIdentityStore } from '../stores/freshchat-identity-store';
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
  const identities = createFreshchatIdentityStore(deps.redis, deps.keys);

  /** The Freshchat user to write to: learned earlier, else looked up by reference_id (and remembered). */
  async function freshchatUserOf(userId: string): Promise<string | null> {
    const known = await identities.known(userId);
    if (known) return known;
    const found = await deps.freshchat.findUserByReference(userId);
    if (found) await identities.remember(userId, found.id);
    return found?.id ?? null;
  }

  return {
    /**
     * Sends the user's latest agent-visible context (read now, so every retry sends the newest values) to
     * Freshchat's user properties; returns what Freshchat now holds. 429/5xx throw (Temporal retries).
     */
    async syncUserContext(input: { userId: string; lastSynced: SyncedContext | null }): Promise<SyncedContext | null> {
      const stored = await deps.redis.hgetall(deps.keys.userContext(input.userId));
      if (Object.keys(stored).length === 0 || !deps.freshchat.configured) return input.lastSynced;
      const target = await freshchatUserOf(input.userId);
      if (!target) {
        deps.logger.info({ userId: input.userId }, 'no Freshchat user has this reference_id yet; context not synced');
        return input.lastSynced;
      }
      const next: SyncedContext = { target, properties: agentProperties(stored) };
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

import type { Redis } from 'ioredis';
import type { RedisKeys } from '../infra/redis-keys';

/** Re-learned from Freshchat after this long, so a user re-created there is found again. */
export const FRESHCHAT_IDENTITY_TTL_MS = 30 * 86_400_000;

/**
 * Which Freshchat user an app user is: learned server-side only (a webhook's Freshchat user whose reference_id is
 * the app user, or a lookup by reference_id), never from what the app sends.
 */
export function createFreshchatIdentityStore(redis: Redis, keys: RedisKeys) {
  return {
    known: (userId: string): Promise<string | null> => redis.get(keys.freshchatUser(userId)),
    async remember(userId: string, freshchatUserId: string): Promise<void> {
      await redis.set(keys.freshchatUser(userId), freshchatUserId, 'PX', FRESHCHAT_IDENTITY_TTL_MS);
    },
  };
}

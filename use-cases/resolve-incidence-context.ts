import type { Redis } from 'ioredis';
import type { ConversationEvent } from '../domain/conversation-event';
import type { IncidenceContext } from '../domain/incidence';
import { contextFromProperties, mergeContexts, type PartialContext } from '../domain/incidence-context';
import type { RedisKeys } from '../infra/redis-keys';
import type { Logger } from '../infra/logger';
import { propertyMap, type FreshchatClient } from '../clients/freshchat-client';

export interface ContextDeps {
  redis: Redis;
  keys: RedisKeys;
  freshchat: FreshchatClient;
  logger: Logger;
  /** HELP_OFFER_WINDOW: a conversation started this long after a help offer is SYSTEM_INITIATED. */
  helpOfferWindowMs: number;
}

/**
 * The context an incidence starts with. Sources, first wins per field: the webhook's own user
 * properties (simplified format), our Redis user context, then Freshchat's user properties (real format).
 * A Freshchat outage never blocks the incidence: it is created with what we have.
 */
export async function resolveIncidenceContext(
  deps: ContextDeps,
  conversationId: string,
  event: ConversationEvent,
): Promise<IncidenceContext> {
  const fromWebhook = contextFromProperties(event.userProperties);
  let freshchatUserId = event.freshchatUserId;
  let fromFreshchat: PartialContext = {};
  let appUserId = fromWebhook.userId ?? null;

  if (!appUserId) {
    try {
      freshchatUserId ??= (await deps.freshchat.getConversation(conversationId))?.user_id ?? null;
      if (freshchatUserId) {
        const user = await deps.freshchat.getUser(freshchatUserId);
        fromFreshchat = contextFromProperties(propertyMap(user?.properties));
        // docs/decisions.md #6: the app's user id is reference_id, else the user_id property, else Freshchat's id.
        appUserId = user?.reference_id || fromFreshchat.userId || freshchatUserId;
      }
    } catch (error) {
      deps.logger.warn(
        { conversationId, err: (error as Error).message },
        'Freshchat lookup failed; incidence keeps the context it has',
      );
      appUserId = freshchatUserId;
    }
  }

  const fromRedis = appUserId ? contextFromProperties(await deps.redis.hgetall(deps.keys.userContext(appUserId))) : {};
  const merged = mergeContexts({ ...fromWebhook, userId: appUserId ?? undefined }, fromRedis, fromFreshchat);
  const helpOffered = merged.userId ? await offeredHelpBefore(deps, merged.userId, event.occurredAt) : false;
  return { ...merged, freshchatUserId, trigger: helpOffered ? 'SYSTEM_INITIATED' : 'USER_INITIATED' };
}

/** Whether the API offered this user help within the window before the conversation's event (not before now). */
async function offeredHelpBefore(deps: ContextDeps, userId: string, occurredAt: string): Promise<boolean> {
  const at = Date.parse(occurredAt);
  const offers = await deps.redis.zrangebyscore(
    deps.keys.helpOffers(userId),
    at - deps.helpOfferWindowMs,
    at,
    'LIMIT',
    0,
    1,
  );
  return offers.length > 0;
}

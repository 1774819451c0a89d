import type { Redis } from 'ioredis';
import type { ConversationEvent } from '../domain/conversation/conversation-event';
import type { IncidenceContext } from '../domain/conversation/incidence';
import { contextFromProperties, mergeContexts, type PartialContext } from '../domain/conversation/incidence-context';
import type { RedisKeys } from '../infra/redis-keys';
import type { Logger } from '../infra/logger';
import { recordId } from '../domain/conversation/record-values';
import { propertyMap, type FreshchatClient } from '../clients/freshchat-client';
import { createFreshchatIdentityStore } from '../stores/freshchat-identity-store';
import { incidenceContextOf } from '../stores/user-context-store';

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
  options: { failOnLookupError?: boolean } = {},
): Promise<IncidenceContext> {
  const dropped: string[] = [];
  const fromWebhook = contextFromProperties(event.userProperties, dropped);
  let freshchatUserId = event.freshchatUserId;
  let fromFreshchat: PartialContext = {};
  let appUserId = fromWebhook.userId ?? null;

  if (!appUserId) {
    try {
      freshchatUserId ??= recordId((await deps.freshchat.getConversation(conversationId))?.user_id);
      if (freshchatUserId) {
        const user = await deps.freshchat.getUser(freshchatUserId);
        // docs/decisions.md #6: identity is reference_id only, never a property (the app sets those with setUserProperties).
        const { userId: _claimed, ...properties } = contextFromProperties(propertyMap(user?.properties), dropped);
        fromFreshchat = properties;
        const referenceId = recordId(user?.reference_id);
        appUserId = referenceId || freshchatUserId;
        if (referenceId) await learnIdentity(deps, referenceId, freshchatUserId);
      }
    } catch (error) {
      if (options.failOnLookupError) throw error;
      // The app user stays unknown (never Freshchat's id in its place); a retrying step looks it up later.
      deps.logger.warn(
        { conversationId, err: (error as Error).message },
        'Freshchat lookup failed; incidence keeps the context it has',
      );
    }
  }

  const stored = appUserId
    ? await incidenceContextOf(deps.redis, deps.keys, appUserId, Date.parse(event.occurredAt), deps.helpOfferWindowMs)
    : null;
  const fromRedis = stored ? contextFromProperties(stored.properties, dropped) : {};
  if (dropped.length)
    deps.logger.warn({ conversationId, fields: dropped }, 'context values too large for the record were left out');
  const merged = mergeContexts({ ...fromWebhook, userId: appUserId ?? undefined }, fromRedis, fromFreshchat);
  return { ...merged, freshchatUserId, trigger: stored?.helpOffered ? 'SYSTEM_INITIATED' : 'USER_INITIATED' };
}

/** Remembers which Freshchat user the app user is, for the context sync; a failure only costs a later lookup. */
async function learnIdentity(deps: ContextDeps, userId: string, freshchatUserId: string): Promise<void> {
  try {
    await createFreshchatIdentityStore(deps.redis, deps.keys).remember(userId, freshchatUserId);
  } catch (error) {
    deps.logger.warn({ err: (error as Error).message }, 'Freshchat identity not remembered');
  }
}

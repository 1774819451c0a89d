import type { DatabasePool } from 'slonik';
import type { ConversationEvent } from '../domain/conversation-event';
import type { IncidenceChange, IncidenceSnapshot, TimelineEntry } from '../domain/incidence-snapshot';
import { splitTags } from '../domain/resolution-rules';
import { resolveIncidenceContext, type ContextDeps } from './incidence-context';
import * as store from './incidence-store';

export interface ConversationActivityDeps extends ContextDeps {
  pool: DatabasePool;
  /** Conversation properties that hold the agent's tags (Freshchat decision 3). */
  tagProperties: string[];
}

/** Activities of the conversation workflow: all I/O of the spine, each idempotent. */
export function createConversationActivities(deps: ConversationActivityDeps) {
  return {
    async loadIncidence(conversationId: string): Promise<IncidenceSnapshot | null> {
      return store.loadIncidence(deps.pool, conversationId);
    },

    async ensureIncidence(input: { conversationId: string; event: ConversationEvent }): Promise<IncidenceSnapshot> {
      const context = await resolveIncidenceContext(deps, input.conversationId, input.event);
      return store.upsertIncidence(deps.pool, input.conversationId, context, input.event.occurredAt);
    },

    async applyIncidenceChange(input: { incidenceId: string; timeline: TimelineEntry; change: IncidenceChange }): Promise<boolean> {
      return store.applyIncidenceChange(deps.pool, input);
    },

    /** Tags of a real-format resolution, from the conversation's custom properties; null when unreadable. */
    async fetchResolutionTags(conversationId: string): Promise<string[] | null> {
      const conversation = await deps.freshchat.getConversation(conversationId);
      if (!conversation?.properties) return null;
      return deps.tagProperties.flatMap((name) => splitTags(conversation.properties?.[name]));
    },
  };
}

export type ConversationActivities = ReturnType<typeof createConversationActivities>;

import type { DatabasePool } from 'slonik';
import { carriesUser, type ConversationEvent } from '../domain/conversation-event';
import type { IncidenceChange, IncidenceSnapshot, TimelineEntry } from '../domain/incidence-snapshot';
import { splitTags } from '../domain/resolution-rules';
import { resolveIncidenceContext, type ContextDeps } from '../use-cases/resolve-incidence-context';
import * as store from '../stores/incidence-store';
import { linkAssistsOfIncidence } from '../stores/order-store';
import { countEventApplied } from '../infra/worker-metrics';

export interface ConversationActivityDeps extends ContextDeps {
  pool: DatabasePool;
  /** Conversation properties that hold the agent's tags (docs/decisions.md #8). */
  tagProperties: string[];
  /** ASSISTED_ORDER_WINDOW: orders placed this long after a resolution still count as assisted by it. */
  assistedOrderWindowMs: number;
}

/** Activities of the conversation workflow: all I/O of a conversation, each idempotent. */
export function createConversationActivities(deps: ConversationActivityDeps) {
  return {
    async loadIncidence(conversationId: string): Promise<IncidenceSnapshot | null> {
      return store.loadIncidence(deps.pool, conversationId);
    },

    /** The conversation's incidence: the stored one when it already knows what this event could add, else upserted. */
    async ensureIncidence(input: { conversationId: string; event: ConversationEvent }): Promise<IncidenceSnapshot> {
      const existing = await store.loadIncidence(deps.pool, input.conversationId);
      if (existing && (existing.userId !== null || !carriesUser(input.event))) return existing;
      const context = await resolveIncidenceContext(deps, input.conversationId, input.event);
      const snapshot = await store.upsertIncidence(deps.pool, input.conversationId, context, input.event.occurredAt);
      // An order reported before its incidence reached us (or named by it) is linked now.
      await linkAssistsOfIncidence(deps.pool, snapshot.incidenceId, deps.assistedOrderWindowMs);
      return snapshot;
    },

    async applyIncidenceChange(input: {
      incidenceId: string;
      timeline: TimelineEntry;
      change: IncidenceChange;
    }): Promise<boolean> {
      const stored = await store.applyIncidenceChange(deps.pool, input);
      if (stored) countEventApplied(input.timeline.eventType);
      // With its resolution time known, orders of the user already reported within the window get linked (for orders
      // that arrive later the feed links them). Also on a redelivery (stored = false): a retry after a failed link links.
      if (input.change.close) await linkAssistsOfIncidence(deps.pool, input.incidenceId, deps.assistedOrderWindowMs);
      return stored;
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

import type { DatabasePool } from 'slonik';
import { carriesUser, type ConversationEvent } from '../domain/conversation-event';
import type {
  IncidenceChange,
  IncidenceSnapshot,
  SilenceClose,
  StoredChange,
  TimelineEntry,
} from '../domain/incidence-snapshot';
import type { Outcome } from '../domain/incidence';
import { resolutionFromTags, splitTags } from '../domain/resolution-rules';
import { resolveIncidenceContext, type ContextDeps } from '../use-cases/resolve-incidence-context';
import * as store from '../stores/incidence-store';
import { linkAssistsOfIncidence } from '../stores/order-store';
import { recordDeadLetter } from '../stores/dead-letter-store';
import { refusingBadData } from './data-rejection';
import { countDeadLetter, countEventApplied } from '../infra/worker-metrics';
import { createRecordEvents, type RecordEvents } from '../use-cases/record-events';
import { ApplicationFailure } from '@temporalio/common';

export interface ConversationActivityDeps extends ContextDeps {
  pool: DatabasePool;
  /** Conversation properties that hold the agent's tags (docs/decisions.md #8). */
  tagProperties: string[];
  /** ASSISTED_ORDER_WINDOW: orders placed this long after a resolution still count as assisted by it. */
  assistedOrderWindowMs: number;
}

/** Activities of the conversation workflow: all I/O of a conversation, each idempotent. */
export function createConversationActivities(deps: ConversationActivityDeps) {
  const activities = singleStepActivities(deps);
  /** A conversation's queued events in one step (one workflow activation), each stored as its own step would. */
  const recordEvents: RecordEvents = createRecordEvents(activities).recordEvents;
  return { ...activities, recordEvents };
}

function singleStepActivities(deps: ConversationActivityDeps) {
  const assistedWindow = deps.assistedOrderWindowMs;
  return {
    async loadIncidence(conversationId: string): Promise<IncidenceSnapshot | null> {
      return store.loadIncidence(deps.pool, conversationId);
    },

    /** The conversation's incidence: the stored one when it already knows what this event could add, else upserted. */
    async ensureIncidence(input: { conversationId: string; event: ConversationEvent }): Promise<IncidenceSnapshot> {
      const existing = await store.loadIncidence(deps.pool, input.conversationId);
      if (existing && (existing.userId !== null || !carriesUser(input.event))) return existing;
      const context = await resolveIncidenceContext(deps, input.conversationId, input.event);
      return refusingBadData('ensureIncidence', async () => {
        const snapshot = await store.upsertIncidence(deps.pool, input.conversationId, context, input.event.occurredAt);
        // An order reported before its incidence reached us (or named by it) is linked now.
        await linkAssistsOfIncidence(deps.pool, snapshot.incidenceId, assistedWindow);
        return snapshot;
      });
    },

    /** Stores an event's timeline entry and change; returns the incidence as stored, whether the entry was new or not. */
    async applyIncidenceChange(input: {
      incidenceId: string;
      timeline: TimelineEntry;
      change: IncidenceChange;
    }): Promise<StoredChange> {
      const result = await refusingBadData('applyIncidenceChange', () =>
        store.applyIncidenceChange(deps.pool, input, assistedWindow),
      );
      if (result.stored) countEventApplied(input.timeline.eventType);
      return result;
    },

    /** Closes an open conversation for silence, unless a state change was stored since the one the workflow saw. */
    async closeForSilence(close: SilenceClose): Promise<StoredChange> {
      return refusingBadData('closeForSilence', () => store.closeForSilence(deps.pool, close, assistedWindow));
    },

    /**
     * Looks up the app user of an incidence created while Freshchat failed, retried (by Temporal) until Freshchat
     * answers; then the assist links and repeat friction are decided again. Null when there is nothing to look up.
     */
    async resolveIncidenceUser(conversationId: string): Promise<IncidenceSnapshot | null> {
      const existing = await store.loadIncidence(deps.pool, conversationId);
      if (!existing || existing.userId !== null || !existing.freshchatUserId) return existing;
      const lookup: ConversationEvent = {
        kind: 'message',
        eventKey: 'user-lookup',
        conversationId,
        occurredAt: existing.createdAt,
        format: 'real',
        actor: 'USER',
        actorId: null,
        freshchatUserId: existing.freshchatUserId,
        userProperties: null,
        messageId: null,
        text: null,
        messageType: 'normal',
      };
      const context = await resolveIncidenceContext(deps, conversationId, lookup, { failOnLookupError: true }).catch(
        badAnswerAsOutage,
      );
      return refusingBadData('resolveIncidenceUser', () =>
        store.fillInUser(deps.pool, existing.incidenceId, context, assistedWindow),
      );
    },

    /** Applies a stored resolution's tags once Freshchat gave them (null: it never did); the outcome stored, if any. */
    async applyResolutionTags(input: {
      incidenceId: string;
      eventKey: string;
      resolvedAt: string;
      tags: string[] | null;
    }): Promise<Outcome | null> {
      const resolution = input.tags ? resolutionFromTags(input.tags) : null;
      return refusingBadData('applyResolutionTags', () =>
        store.applyResolutionTags(deps.pool, { ...input, resolution }),
      );
    },

    /** Keeps an event the database refused, so the conversation can move on; replayed by `npm run dead-letters`. */
    async deadLetter(input: { event: ConversationEvent; step: string; error: string; sqlstate: string | null }) {
      await recordDeadLetter(deps.pool, {
        conversationId: input.event.conversationId,
        eventKey: input.event.eventKey,
        event: JSON.stringify(input.event),
        step: input.step,
        error: input.error,
        sqlstate: input.sqlstate,
      });
      countDeadLetter(input.step);
      deps.logger.error(
        { conversationId: input.event.conversationId, eventKey: input.event.eventKey, sqlstate: input.sqlstate },
        'event dead-lettered: PostgreSQL refused its data',
      );
    },

    /** Tags of a real-format resolution, from the conversation's custom properties; null when unreadable. */
    async fetchResolutionTags(conversationId: string): Promise<string[] | null> {
      const conversation = await deps.freshchat.getConversation(conversationId);
      if (!conversation?.properties) return null;
      return deps.tagProperties.flatMap((name) => splitTags(conversation.properties?.[name]));
    },
  };
}

/**
 * The user lookup waits for Freshchat to answer: an answer that is not JSON (a maintenance page served with 200) is
 * retried like an outage here, else the incidence would keep an unknown user for good.
 */
function badAnswerAsOutage(error: unknown): never {
  if (error instanceof ApplicationFailure && error.type === 'FreshchatBadAnswer')
    throw ApplicationFailure.retryable(error.message, error.type);
  throw error;
}

export type ConversationActivities = ReturnType<typeof createConversationActivities>;

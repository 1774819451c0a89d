import type { DatabasePool } from 'slonik';
import { ApplicationFailure } from '@temporalio/common';
import { carriesUser, type ConversationEvent } from '../domain/conversation/conversation-event';
import { namesAppUser } from '../domain/conversation/incidence-context';
import { initialConversationState, withSnapshot } from '../domain/conversation/conversation-state';
import { timelineEntryOf } from '../domain/conversation/conversation-changes';
import { conversationDetails } from '../domain/conversation/conversation-summary';
import type { IncidenceSnapshot, SilenceClose } from '../domain/conversation/incidence-snapshot';
import type { Outcome } from '../domain/conversation/incidence';
import { DATA_REJECTED } from '../domain/conversation/record-values';
import { resolutionFromTags, splitTags } from '../domain/conversation/resolution-rules';
import type { Delivery, SlaSummary } from '../domain/sla/sla-step';
import { resolveIncidenceContext, type ContextDeps } from './resolve-incidence-context';
import * as store from '../stores/incidence-store';
import {
  closeForSilence,
  recordDueBreaches,
  storeEvent,
  type RecordStep,
  type SlaRules,
} from '../stores/conversation-record';
import { createWithFirstEvent, freshRecord, readRecord, storeEventGuarded } from '../stores/guarded-event-write';
import { linkAssistsOfIncidence } from '../stores/order-store';
import { recordDeadLetter } from '../stores/dead-letter-store';
import type { SlaConfig } from '../infra/sla-config';
import { refusingBadData } from './data-rejection';
import { countDeadLetter, countEventApplied } from '../infra/worker-metrics';

export interface ConversationActivityDeps extends ContextDeps {
  pool: DatabasePool;
  /** Conversation properties that hold the agent's tags (docs/decisions.md #8). */
  tagProperties: string[];
  /** ASSISTED_ORDER_WINDOW: orders placed this long after a resolution still count as assisted by it. */
  assistedOrderWindowMs: number;
  /** SLA policies and business hours (SLA_POLICY_FILE, BUSINESS_HOURS_FILE). */
  slaConfig: SlaConfig;
  /** Whether signed outbound events are configured. */
  outbound: { configured: boolean };
}

/** Work a step leaves to be done beside the loop: naming an unknown app user, reading a resolution's tags back. */
export type FollowUp = { kind: 'user' } | { kind: 'tags'; incidenceId: string; eventKey: string; resolvedAt: string };

/** What one step of the conversation left: the record as stored, and what the workflow must deliver or follow up. */
export interface StepResult {
  /** Per event taken, in order (fewer than sent when the step ran out of time: the rest are taken next). */
  outcomes: Array<'stored' | 'duplicate' | 'refused'>;
  snapshot: IncidenceSnapshot | null;
  sla: SlaSummary | null;
  /** The Temporal UI's current details. */
  details: string | null;
  deliveries: Delivery[];
  /** Closes to hand off to their week's report. */
  handOffs: string[];
  followUps: FollowUp[];
  /** When the step finished (worker time): the workflow aims its SLA timer from it. */
  finishedAt: string;
}

/** A step stops taking new events after this long (a Freshchat lookup per event can be slow); the rest wait. */
const STEP_BUDGET_MS = 10_000;

const isRefusal = (error: unknown): error is ApplicationFailure =>
  error instanceof ApplicationFailure && error.type === DATA_REJECTED;

const unlessRefused = (error: unknown): void => {
  if (!isRefusal(error)) throw error;
};

/** Activities of the conversation workflow: all I/O of a conversation, each idempotent. */
export function createConversationActivities(deps: ConversationActivityDeps) {
  const assistedWindow = deps.assistedOrderWindowMs;
  const rulesOf = (slaTimers: boolean): SlaRules | null =>
    slaTimers ? { ...deps.slaConfig, outbound: deps.outbound.configured } : null;
  const now = () => new Date().toISOString();

  /**
   * The conversation's incidence: the stored one when it already knows what this event could add, else upserted
   * (`upserted`: its assist links are then to be stored, with the event's timeline row).
   */
  async function ensureIncidence(conversationId: string, event: ConversationEvent) {
    const existing = await store.loadIncidence(deps.pool, conversationId);
    if (existing && (existing.userId !== null || !carriesUser(event))) return { snapshot: existing, upserted: false };
    const context = await resolveIncidenceContext(deps, conversationId, event);
    const snapshot = await refusingBadData('ensureIncidence', () =>
      store.upsertIncidence(deps.pool, conversationId, context, event.occurredAt),
    );
    return { snapshot, upserted: true };
  }

  /**
   * A run's first event that names its app user, when the conversation has no incidence: the incidence is created
   * with the event stored against it in one statement (`step`). When that cannot be (an incidence exists, the event
   * closes or reopens, the database refuses the statement), the incidence is created alone (`created`, null: the
   * conversation has one) and the event is stored as any other.
   */
  async function createWithEvent(event: ConversationEvent, rules: SlaRules | null) {
    const context = await resolveIncidenceContext(deps, event.conversationId, event);
    const input = { conversationId: event.conversationId, event, context };
    const step = await refusingBadData('storeEvent', () =>
      createWithFirstEvent(deps.pool, input, rules, assistedWindow, now),
    ).catch((error: unknown) => (isRefusal(error) ? null : Promise.reject(error)));
    if (step) return { step, created: null };
    const created = await refusingBadData('ensureIncidence', () =>
      store.createIncidence(deps.pool, event.conversationId, context, event.occurredAt),
    );
    return { step: null, created };
  }

  /** An order reported before its incidence reached us (or named by it) is linked (when no event's step did it). */
  const linkAssists = (incidenceId: string) =>
    refusingBadData('ensureIncidence', () => linkAssistsOfIncidence(deps.pool, incidenceId, assistedWindow));

  /** Keeps an event the database refused, so the conversation can move on; replayed by `npm run dead-letters`. */
  async function deadLetter(event: ConversationEvent, failure: ApplicationFailure): Promise<void> {
    const details = (failure.details?.[0] ?? {}) as { step?: string; sqlstate?: string };
    const sqlstate = details.sqlstate ?? null;
    const step = details.step ?? 'unknown';
    try {
      await refusingBadData('deadLetter', () =>
        recordDeadLetter(deps.pool, {
          conversationId: event.conversationId,
          eventKey: event.eventKey,
          event: JSON.stringify(event),
          step,
          error: failure.message,
          sqlstate,
        }),
      );
      countDeadLetter(step);
      deps.logger.error(
        { conversationId: event.conversationId, eventKey: event.eventKey, sqlstate },
        'event dead-lettered: PostgreSQL refused its data',
      );
    } catch (error) {
      if (!isRefusal(error)) throw error;
      deps.logger.error({ eventKey: event.eventKey, sqlstate }, 'dead letter refused too; the event is lost');
    }
  }

  /** A step's result: the record as the last part of the step left it. */
  function resultOf(
    conversationId: string,
    steps: RecordStep[],
    partial: Omit<StepResult, 'snapshot' | 'sla' | 'details' | 'deliveries' | 'handOffs' | 'finishedAt'>,
  ): StepResult {
    const last = steps.at(-1);
    const snapshot = last?.snapshot ?? null;
    const clock = [...steps].reverse().find((s) => s.sla)?.sla?.clock ?? null;
    return {
      ...partial,
      snapshot,
      sla: last?.summary ?? null,
      details: snapshot
        ? conversationDetails(withSnapshot(initialConversationState(conversationId), snapshot), clock, last!.summary)
        : null,
      deliveries: steps.flatMap((s) => s.sla?.deliveries ?? []),
      handOffs: steps.flatMap((s) => (s.closedAt ? [s.closedAt] : [])),
      finishedAt: now(),
    };
  }

  return {
    /**
     * The conversation's queued events, stored in arrival order in one step: each in its own transaction (timeline
     * row, incidence change, SLA progress, computed from what is stored), with the breaches due. A refusal of one
     * event's data dead-letters that event only.
     */
    async conversationStep(input: {
      conversationId: string;
      known: { incidenceId: string | null; userId: string | null };
      events: ConversationEvent[];
      slaTimers: boolean;
    }): Promise<StepResult> {
      const started = Date.now();
      const { conversationId } = input;
      const rules = rulesOf(input.slaTimers);
      const outcomes: StepResult['outcomes'] = [];
      const followUps: FollowUp[] = [];
      const steps: RecordStep[] = [];
      let known = input.known;
      /** An incidence upserted by this step whose assist links are not stored yet. */
      let unlinked: string | null = null;
      const stored = (event: ConversationEvent, step: RecordStep) => {
        steps.push(step);
        known = step.snapshot;
        outcomes.push(step.stored ? 'stored' : 'duplicate');
        if (step.stored) countEventApplied(timelineEntryOf(event).eventType);
        if (step.tagsPending && step.closedAt) {
          const { incidenceId } = step.snapshot;
          followUps.push({ kind: 'tags', incidenceId, eventKey: event.eventKey, resolvedAt: step.closedAt });
        }
      };
      for (const event of input.events) {
        if (outcomes.length > 0 && Date.now() - started > STEP_BUDGET_MS) break;
        try {
          const first = known.incidenceId === null && namesAppUser(event) ? await createWithEvent(event, rules) : null;
          if (first?.step) {
            stored(event, first.step);
            continue;
          }
          const created = first?.created ?? null;
          if (created) unlinked = created.snapshot.incidenceId;
          if (!created && (known.incidenceId === null || (known.userId === null && carriesUser(event)))) {
            const { snapshot: ensured, upserted } = await ensureIncidence(conversationId, event);
            known = ensured;
            if (upserted) unlinked = ensured.incidenceId;
            if (ensured.userId === null && ensured.freshchatUserId && !followUps.some((f) => f.kind === 'user'))
              followUps.push({ kind: 'user' });
          }
          if (created) known = created.snapshot;
          const incidenceId = known.incidenceId!;
          const withLinks = unlinked === incidenceId;
          const step = await refusingBadData('storeEvent', async () => {
            const read = created ? freshRecord(created) : await readRecord(deps.pool, incidenceId, event.eventKey);
            const guarded = { conversationId, event, linkAssists: withLinks };
            return (
              (await storeEventGuarded(deps.pool, guarded, read, rules, assistedWindow, now)) ??
              storeEvent(deps.pool, { ...guarded, incidenceId }, rules, assistedWindow, now)
            );
          });
          if (withLinks) unlinked = null;
          stored(event, step);
        } catch (error) {
          if (isRefusal(error)) {
            // The event's statement did not commit: the links it carried are stored on their own.
            if (unlinked !== null) await linkAssists(unlinked).catch(unlessRefused);
            unlinked = null;
            await deadLetter(event, error);
            outcomes.push('refused');
            continue;
          }
          // An outage after some events were stored: those are reported, the rest are taken by the next step.
          if (outcomes.length > 0) break;
          throw error;
        }
      }
      return resultOf(conversationId, steps, { outcomes, followUps });
    },

    /** Records the SLA targets that fell due and are still running in the store. */
    async recordDueBreaches(input: { conversationId: string; incidenceId: string }): Promise<StepResult> {
      const step = await recordDueBreaches(deps.pool, input, rulesOf(true)!, now);
      return resultOf(input.conversationId, [step], { outcomes: [], followUps: [] });
    },

    /** Closes an open conversation for silence, unless a state change was stored since the one the workflow saw. */
    async closeForSilence(input: {
      conversationId: string;
      close: SilenceClose;
      slaTimers: boolean;
    }): Promise<StepResult> {
      const step = await refusingBadData('closeForSilence', () =>
        closeForSilence(deps.pool, input, rulesOf(input.slaTimers), assistedWindow),
      );
      return resultOf(input.conversationId, [step], { outcomes: step.stored ? ['stored'] : [], followUps: [] });
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

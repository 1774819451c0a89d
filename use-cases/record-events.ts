import { ApplicationFailure } from '@temporalio/common';
import { carriesUser, type ConversationEvent } from '../domain/conversation-event';
import { withSnapshot, type ConversationState } from '../domain/conversation-state';
import type { IncidenceChange, IncidenceSnapshot, StoredChange, TimelineEntry } from '../domain/incidence-snapshot';
import { DATA_REJECTED } from '../domain/record-values';
import { eventChangeOf, stateAfterStoring, timelineEntryOf } from '../workflows/conversation-changes';

/** The single-event steps a batch is made of (the conversation activities). */
export interface RecordSteps {
  ensureIncidence(input: { conversationId: string; event: ConversationEvent }): Promise<IncidenceSnapshot>;
  applyIncidenceChange(input: {
    incidenceId: string;
    timeline: TimelineEntry;
    change: IncidenceChange;
  }): Promise<StoredChange>;
}

/** Why PostgreSQL refused an event's data: the workflow dead-letters the event with it. */
export interface Refusal {
  step: string;
  error: string;
  sqlstate: string | null;
}

/** One event's outcome in a batch: what storing it left (as one at a time), or its refusal. */
export type RecordedEvent =
  | { refused: Refusal }
  | (StoredChange & {
      /** Set for every close the event carries, even one already stored (see the workflow's hand-offs). */
      closedAt: string | null;
      /** A real-format resolution stored without its tags: the workflow reads them beside the loop. */
      tagsPending: boolean;
      /** The incidence was ensured and Freshchat could not name its app user: the workflow looks it up later. */
      userUnknown: boolean;
    });

/** A batch stops taking new events after this long (a Freshchat lookup per event can be slow); the rest wait. */
const BATCH_BUDGET_MS = 10_000;

const isRefusal = (error: unknown): error is ApplicationFailure =>
  error instanceof ApplicationFailure && error.type === DATA_REJECTED;

/**
 * A conversation's queued events stored in arrival order in one step, each as the workflow stores one on its own:
 * the incidence ensured where the event could add to it, then its change in its own transaction. A refusal of one
 * event's data is that event's result only (the workflow dead-letters it, as the event it holds); the others are
 * stored. Results come in event order; fewer than the events when the time budget ran out.
 */
export function createRecordEvents(steps: RecordSteps, now: () => number = Date.now) {
  return {
    async recordEvents(input: { state: ConversationState; events: ConversationEvent[] }): Promise<RecordedEvent[]> {
      const started = now();
      const results: RecordedEvent[] = [];
      let state = input.state;
      for (const event of input.events) {
        if (results.length > 0 && now() - started > BATCH_BUDGET_MS) break;
        try {
          const recorded = await recordOne(steps, state, event);
          state = recorded.state;
          results.push(recorded.result);
        } catch (error) {
          if (!isRefusal(error)) throw error;
          const details = (error.details?.[0] ?? {}) as { step?: string; sqlstate?: string };
          results.push({
            refused: { step: details.step ?? 'unknown', error: error.message, sqlstate: details.sqlstate ?? null },
          });
        }
      }
      return results;
    },
  };
}

async function recordOne(steps: RecordSteps, state: ConversationState, event: ConversationEvent) {
  let userUnknown = false;
  if (state.incidenceId === null || (state.userId === null && carriesUser(event))) {
    const snapshot = await steps.ensureIncidence({ conversationId: state.conversationId, event });
    state = withSnapshot(state, snapshot);
    userUnknown = snapshot.userId === null && !!snapshot.freshchatUserId;
  }
  const { change, tagsPending } = eventChangeOf(state, event);
  const stored = await steps.applyIncidenceChange({
    incidenceId: state.incidenceId!,
    timeline: timelineEntryOf(event),
    change,
  });
  const closedAt = change.close?.resolvedAt ?? null;
  const result: RecordedEvent = { ...stored, closedAt, tagsPending, userUnknown };
  return { state: stateAfterStoring(state, stored), result };
}

export type RecordEvents = ReturnType<typeof createRecordEvents>['recordEvents'];

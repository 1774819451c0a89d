import { carriesUser, type ConversationEvent } from '../domain/conversation-event';
import { withSnapshot, type ConversationState } from '../domain/conversation-state';
import type { Resolution } from '../domain/incidence';
import { applyChange, incidenceChangeOf, timelineEntryOf } from '../workflows/conversation-changes';
import type { ConversationActivities } from './conversation-activities';

export interface EventToRecord {
  event: ConversationEvent;
  /** The outcome a resolution event's tags give (the workflow reads them first); null for other events. */
  resolution: Resolution | null;
}

export interface RecordedEvents {
  state: ConversationState;
  /** The close time of every close the events carried, even one already stored (see the workflow's hand-offs). */
  closedAt: string[];
}

/**
 * A conversation's queued events applied in arrival order in one local activity, so a new conversation or a burst
 * of events costs the worker one workflow activation more, not one per step: the incidence ensured where an event
 * could add to it, then each event's change stored. The same steps and pure rules as one event at a time.
 */
export function createRecordEvents(steps: Pick<ConversationActivities, 'ensureIncidence' | 'applyIncidenceChange'>) {
  return {
    async recordEvents(input: { state: ConversationState; events: EventToRecord[] }): Promise<RecordedEvents> {
      let state = input.state;
      const closedAt: string[] = [];
      for (const { event, resolution } of input.events) {
        if (state.incidenceId === null || (state.userId === null && carriesUser(event))) {
          state = withSnapshot(state, await steps.ensureIncidence({ conversationId: state.conversationId, event }));
        }
        const change = incidenceChangeOf(state, event, resolution);
        const stored = await steps.applyIncidenceChange({
          incidenceId: state.incidenceId!,
          timeline: timelineEntryOf(event),
          change,
        });
        if (change.close) closedAt.push(change.close.resolvedAt);
        state = stored ? applyChange(state, change) : { ...state, duplicatesSkipped: state.duplicatesSkipped + 1 };
      }
      return { state, closedAt };
    },
  };
}

export type RecordEventsActivity = ReturnType<typeof createRecordEvents>;

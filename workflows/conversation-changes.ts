import type { ConversationEvent } from '../domain/conversation-event';
import { isCurrentStateChange, withSnapshot, type ConversationState } from '../domain/conversation-state';
import type { Resolution } from '../domain/incidence';
import type { IncidenceChange, SilenceClose, StoredChange, TimelineEntry } from '../domain/incidence-snapshot';
import { resolutionFromTags, timeToResolveSeconds } from '../domain/resolution-rules';
import { TAGS_PENDING } from '../domain/record-values';

/** The timeline row an event becomes. */
export function timelineEntryOf(event: ConversationEvent): TimelineEntry {
  const base = { eventKey: event.eventKey, actor: event.actor, occurredAt: event.occurredAt };
  switch (event.kind) {
    case 'message':
      return {
        ...base,
        eventType: 'MESSAGE',
        content: event.text,
        metadata: {
          message_id: event.messageId,
          message_type: event.messageType,
          actor_id: event.actorId,
          format: event.format,
        },
      };
    case 'assignment':
      return {
        ...base,
        eventType: 'AGENT_ASSIGNED',
        content: event.agentId,
        metadata: {
          agent_id: event.agentId,
          group_id: event.groupId,
          from_agent_id: event.fromAgentId,
          assignor_id: event.actorId,
        },
      };
    case 'resolution':
      return {
        ...base,
        eventType: 'RESOLVED',
        content: null,
        metadata: { resolver_id: event.actorId, tags: event.tags },
      };
    case 'reopen':
      return {
        ...base,
        eventType: 'REOPENED',
        content: null,
        metadata: { reopener_id: event.actorId, interaction_id: event.interactionId },
      };
  }
}

/**
 * The incidence change an event implies, given what the conversation already knows.
 * Pure: the workflow feeds it event times from the payload, so replay gives the same answer.
 */
export function incidenceChangeOf(
  state: ConversationState,
  event: ConversationEvent,
  resolution: (Resolution & { resolutionType?: string | null }) | null,
): IncidenceChange {
  const firstEventAt =
    state.firstEventAt === null || Date.parse(event.occurredAt) < Date.parse(state.firstEventAt)
      ? event.occurredAt
      : state.firstEventAt;
  const change: IncidenceChange = { firstEventAt };
  if (state.resolvedAt && firstEventAt !== state.firstEventAt)
    change.timeToResolveSeconds = timeToResolveSeconds(firstEventAt, state.resolvedAt);
  if (event.kind === 'assignment') {
    change.agentId = event.agentId;
    change.assignment = { agentId: event.agentId, groupId: event.groupId, at: event.occurredAt };
  }
  if (event.kind === 'resolution' && resolution && isCurrentStateChange(state, event.occurredAt)) {
    change.close = {
      outcome: resolution.outcome,
      orderImpact: resolution.orderImpact,
      issueCategory: resolution.issueCategory,
      resolutionType: resolution.resolutionType ?? null,
      resolvedAt: event.occurredAt,
      timeToResolveSeconds: timeToResolveSeconds(firstEventAt, event.occurredAt),
    };
  }
  if (event.kind === 'reopen' && isCurrentStateChange(state, event.occurredAt))
    change.reopen = { at: event.occurredAt };
  return change;
}

/**
 * The change an event implies under the record guarantee. Real-format tags live in Freshchat: a resolution without
 * them is applied now as TAGS_PENDING (`tagsPending`), and its tags are filled in when Freshchat gives them.
 */
export function eventChangeOf(
  state: ConversationState,
  event: ConversationEvent,
): { change: IncidenceChange; tagsPending: boolean } {
  const tagsPending = event.kind === 'resolution' && event.tags === null;
  const resolution =
    event.kind !== 'resolution'
      ? null
      : tagsPending
        ? { ...resolutionFromTags([]), resolutionType: TAGS_PENDING }
        : resolutionFromTags(event.tags ?? []);
  return { change: incidenceChangeOf(state, event, resolution), tagsPending };
}

/** The workflow's state after a change has been stored. */
export function applyChange(state: ConversationState, change: IncidenceChange): ConversationState {
  const next: ConversationState = { ...state, eventsApplied: state.eventsApplied + 1 };
  if (change.firstEventAt) next.firstEventAt = change.firstEventAt;
  if (change.agentId !== undefined && change.agentId !== null) next.agentId = change.agentId;
  if (change.close) {
    next.outcome = change.close.outcome;
    next.resolvedAt = change.close.resolvedAt;
    next.lastStateChangeAt = change.close.resolvedAt;
  }
  if (change.reopen) {
    next.outcome = 'IN_PROGRESS';
    next.resolvedAt = null;
    next.reopenCount = state.reopenCount + 1;
    next.lastStateChangeAt = change.reopen.at;
  }
  return next;
}

/** The workflow's state after storing an event: what the database holds, duplicate or not. */
export function stateAfterStoring(state: ConversationState, result: StoredChange): ConversationState {
  const next = withSnapshot(state, result.snapshot);
  return result.stored
    ? { ...next, eventsApplied: state.eventsApplied + 1 }
    : { ...next, duplicatesSkipped: state.duplicatesSkipped + 1 };
}

/**
 * The close for silence of an open conversation: keyed on the last state change it saw (so a retry finds its own
 * row, not a new one), and applied only if the incidence is still open and unchanged since then.
 */
export function silenceCloseOf(state: ConversationState, at: string): SilenceClose {
  return {
    incidenceId: state.incidenceId!,
    lastStateChangeAt: state.lastStateChangeAt,
    timelineKey: `went_silent:${state.lastStateChangeAt ?? state.firstEventAt ?? at}`,
    at,
  };
}

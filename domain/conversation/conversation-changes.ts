import type { ConversationEvent } from './conversation-event';
import { isCurrentStateChange, type ConversationState } from './conversation-state';
import type { Resolution } from './incidence';
import type { IncidenceChange, IncidenceSnapshot, SilenceClose, TimelineEntry } from './incidence-snapshot';
import { resolutionFromTags, timeToResolveSeconds } from './resolution-rules';
import { TAGS_PENDING } from './record-values';

/**
 * Two records of one resolution this close together are the same close: Freshchat's webhook carries `action_time`,
 * a repair from the conversation's messages the marker message's `created_time`, milliseconds apart.
 */
export const SAME_STATE_CHANGE_MS = 5_000;

/** A resolution the stored incidence already holds: closed by a resolution within `SAME_STATE_CHANGE_MS` of it. */
const alreadyClosedAt = (state: ConversationState, at: string): boolean =>
  state.outcome !== 'IN_PROGRESS' &&
  state.lastStateChangeAt !== null &&
  Math.abs(Date.parse(state.lastStateChangeAt) - Date.parse(at)) <= SAME_STATE_CHANGE_MS;

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
 * The incidence change an event implies, given the incidence as stored. A state change is idempotent by state as well
 * as by key: a reopen of an open incidence, or a resolution of one already closed by (about) that resolution, goes to
 * the timeline only.
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
  if (
    event.kind === 'resolution' &&
    resolution &&
    isCurrentStateChange(state, event.occurredAt) &&
    !alreadyClosedAt(state, event.occurredAt)
  ) {
    change.close = {
      outcome: resolution.outcome,
      orderImpact: resolution.orderImpact,
      issueCategory: resolution.issueCategory,
      resolutionType: resolution.resolutionType ?? null,
      resolvedAt: event.occurredAt,
      timeToResolveSeconds: timeToResolveSeconds(firstEventAt, event.occurredAt),
    };
  }
  if (event.kind === 'reopen' && isCurrentStateChange(state, event.occurredAt)) {
    // A reopen of an open incidence changes no state; it still marks the latest state change, so a resolution older
    // than it that arrives later stays on the timeline.
    if (state.outcome === 'IN_PROGRESS') change.stateChangeAt = event.occurredAt;
    else change.reopen = { at: event.occurredAt };
  }
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

const iso = (at: string): string => new Date(at).toISOString();

/**
 * The incidence as an open change leaves it (one that neither closes, reopens nor re-times a resolution), computed
 * as the store's SET list computes it on the row as read (`assignedAt`: the row's latest assignment); null for the
 * other changes, which the store applies under its row lock.
 */
export function openChangeApplied(
  snapshot: IncidenceSnapshot,
  change: IncidenceChange,
  assignedAt: string | null,
): IncidenceSnapshot | null {
  if (change.close || change.reopen || change.timeToResolveSeconds !== undefined) return null;
  const after = { ...snapshot };
  if (change.firstEventAt && Date.parse(change.firstEventAt) < Date.parse(after.createdAt))
    after.createdAt = iso(change.firstEventAt);
  if (change.assignment) {
    if (assignedAt === null || Date.parse(assignedAt) <= Date.parse(change.assignment.at))
      after.agentId = change.assignment.agentId;
  } else if (change.agentId) after.agentId = change.agentId;
  const stateChangeAt = change.stateChangeAt;
  if (
    stateChangeAt &&
    (after.lastStateChangeAt === null || Date.parse(stateChangeAt) > Date.parse(after.lastStateChangeAt))
  )
    after.lastStateChangeAt = iso(stateChangeAt);
  return after;
}

import type { Actor, OrderImpact, Outcome, Stage, TimelineEventType } from './incidence';

/** An incidence row as the conversation workflow needs it. */
export interface IncidenceSnapshot {
  incidenceId: string;
  userId: string | null;
  stage: Stage;
  outcome: Outcome;
  agentId: string | null;
  cartValue: number | null;
  eventType: string | null;
  createdAt: string;
  resolvedAt: string | null;
  lastStateChangeAt: string | null;
  reopenCount: number;
  /** Freshchat's id of the user; with `userId` null, the app user is still to be looked up. */
  freshchatUserId?: string | null;
}

/** What storing an event left in the database: whether it was new, and the incidence as stored either way. */
export interface StoredChange {
  stored: boolean;
  snapshot: IncidenceSnapshot;
}

/** A close for silence, applied only while the incidence is still open and unchanged since `lastStateChangeAt`. */
export interface SilenceClose {
  incidenceId: string;
  /** The last resolution or reopen the workflow saw (null: none); the close is keyed on it. */
  lastStateChangeAt: string | null;
  timelineKey: string;
  at: string;
}

export interface TimelineEntry {
  eventKey: string;
  eventType: TimelineEventType;
  actor: Actor;
  content: string | null;
  metadata: Record<string, unknown>;
  occurredAt: string;
}

/** A change to the incidence row, applied only when its timeline entry is new. */
export interface IncidenceChange {
  firstEventAt?: string;
  agentId?: string | null;
  /** An assignment: agent and group follow the latest one by time (a null agent is a group queue). */
  assignment?: { agentId: string | null; groupId: string | null; at: string };
  close?: {
    outcome: Exclude<Outcome, 'IN_PROGRESS'>;
    orderImpact: OrderImpact;
    issueCategory: string | null;
    resolutionType: string | null;
    resolvedAt: string;
    /** Null when nobody resolved it (WENT_SILENT): 14 days of silence are not agent time, and would swamp the report. */
    timeToResolveSeconds: number | null;
  };
  reopen?: { at: string };
  /** A state change that changed no state (a reopen of an open incidence): only the latest state change's time. */
  stateChangeAt?: string;
  /** Recomputed when a late event moves the first event earlier on a resolved incidence. */
  timeToResolveSeconds?: number;
}

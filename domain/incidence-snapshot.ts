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
  /** Recomputed when a late event moves the first event earlier on a resolved incidence. */
  timeToResolveSeconds?: number;
}

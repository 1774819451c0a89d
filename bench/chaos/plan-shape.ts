import type { BusinessHours } from '../../domain/sla/business-hours';
import type { SlaPolicy } from '../../domain/sla/sla-policy';
import type { SlaEvent } from './expected-sla';

/** What the chaos run sends, and what PostgreSQL must hold afterwards. */
export interface ChaosPlan {
  /** The simplified format (HMAC), Freshchat's real one (RSA, which reconciliation can repair), or both. */
  format: 'simplified' | 'real' | 'mixed';
  deliveries: string[];
  conversations: Map<string, ExpectedConversation>;
  distinctEvents: number;
  /** Distinct events never delivered (reconciliation must bring them in). */
  droppedEvents: number;
  /** Everything Freshchat knows, delivered or not, with each conversation's custom properties. */
  freshchat?: {
    events: Array<{ body: Record<string, unknown>; properties: Record<string, string> }>;
    /** Freshchat's users, each with the app user as its reference_id. */
    users?: Array<{ id: string; reference_id: string; properties: Array<{ name: string; value: string }> }>;
  };
  /** Lifecycle plans: the SLA policy in force for the run (the worker's SLA_POLICY_FILE), and how it counts hours. */
  sla?: { file: unknown; policy: SlaPolicy; hours: BusinessHours };
}

export interface ExpectedConversation {
  eventKeys: Set<string>;
  /** A webhook key → the key a repair of that event carries instead (an assignment read from the REST API). */
  repairKeys?: Map<string, string>;
  outcome: 'CONVERTED' | 'DROPPED' | 'RESOLVED' | 'IN_PROGRESS';
  /**
   * Lifecycle plans: the rest of the final state. A conversation closed for silence has `silentAfter` (its last
   * event's time): its resolved_at is the close, some time after that, not known ahead; otherwise resolved_at is
   * exactly `resolvedAt` (null: never resolved).
   */
  final?: { resolvedAt: string | null; silentAfter?: string; reopenCount: number; resolutionType: string | null };
  /** Lifecycle plans: the app user the incidence must name (real format: found through Freshchat). */
  userId?: string;
  /** Lifecycle plans: what the events sent mean for SLA targets, and whether the conversation ends in silence. */
  sla?: { events: SlaEvent[]; silent: boolean };
}

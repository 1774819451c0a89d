import type { ConversationState } from '../conversation/conversation-state';
import type { TimelineEntry } from '../conversation/incidence-snapshot';
import { outboundEventOf, type OutboundEventType } from './outbound-event';
import { clockEventOf, initialResponseClock, tick, type ClockEffect, type ResponseClock } from './response-clock';
import {
  applyClockEffects,
  emptySlaBook,
  missedAt,
  nextDueAt,
  slaStatusOf,
  withPolicy,
  type SlaBook,
  type SlaPlan,
  type SlaStatus,
  type SlaTarget,
} from './sla';
import type { SlaEscalation, SlaTargetKind } from './sla-policy';

/**
 * SLA progress computed from what is stored: the conversation's response clock and every target it was given. Pure:
 * the store runs it inside the event's transaction, with the incidence row locked, so a new run, a retry after a lost
 * result or an event delivered late all continue the same record.
 */
export interface StoredSla {
  clock: ResponseClock | null;
  targets: SlaTarget[];
}

/** Something a conversation hands off so that it never waits for it: a signed outbound event or an escalation. */
export type SlaDelivery =
  | { kind: 'event'; delivery: { deliveryId: string; body: string } }
  | {
      kind: 'escalation';
      request: {
        conversationId: string;
        escalation: SlaEscalation;
        note: string;
        /** The breach escalated: checked again at delivery, which may come days later. */
        breach: { incidenceId: string; target: SlaTargetKind; startedAt: string };
      };
    };

/** A delivery and the id that makes it once only (its workflow's id). */
export interface Delivery {
  id: string;
  job: SlaDelivery;
}

export interface SlaSummary {
  policy: string | null;
  status: SlaStatus | null;
  nextDueAt: string | null;
}

/** What one SLA step stores and hands off. */
export interface SlaProgress {
  clock: ResponseClock | null;
  /** Targets started, re-timed or settled: upserted (a settled row is never changed again). */
  changed: SlaTarget[];
  /** SLA_BREACHED timeline rows. */
  breaches: TimelineEntry[];
  deliveries: Delivery[];
  /** The response times and care cycles are to be recomputed from the stored timeline. */
  recompute: boolean;
  summary: SlaSummary;
}

/** Changes that make a stored response time change: an answer, a close or a new care cycle. */
const RECOMPUTES: ReadonlySet<ClockEffect['type']> = new Set(['answered', 'resolved', 'went_silent', 'cycle_started']);
/** A breach found this long after its due time (a backlog, events replayed from the past) is recorded, not escalated. */
const LATE_ESCALATION_MS = 15 * 60_000;

/** The book of a conversation's stored targets under the policy that applies now. */
export function bookOf(targets: SlaTarget[], plan: SlaPlan): SlaBook {
  const book = { ...emptySlaBook(plan.hours), policy: plan.policy };
  for (const t of targets) {
    if (t.status === 'ACTIVE') book.active.push(t);
    else if (!book.settled[t.target] || Date.parse(book.settled[t.target]!) < Date.parse(t.startedAt))
      book.settled[t.target] = t.startedAt;
    if (t.status === 'MET') book.met++;
    if (t.status === 'MISSED') book.missed++;
  }
  return book;
}

/** A conversation whose incidence was closed before its clock was stored: what the clock knew when it closed. */
const closedClockOf = (state: ConversationState): ResponseClock => ({
  ...initialResponseClock(),
  startedAt: state.firstEventAt,
  cycleStartedAt: state.firstEventAt,
  cycle: Math.max(0, state.reopenCount - 1),
  open: false,
  answeredUpTo: state.lastStateChangeAt ?? state.resolvedAt,
});

/**
 * One stored timeline entry's SLA step: the policy applied (targets re-timed, or started from the clock), the clock
 * moved, targets started or settled (late is MISSED, at its due time), and what is announced. `before` is the
 * incidence as stored before the entry's change, `after` after it.
 */
export function slaStepOf(
  stored: StoredSla,
  before: ConversationState,
  after: ConversationState,
  entry: TimelineEntry,
  plan: SlaPlan,
  now: string,
): SlaProgress {
  const seeded = stored.clock ?? (before.outcome === 'IN_PROGRESS' ? initialResponseClock() : closedClockOf(before));
  const planned = withPolicy(bookOf(stored.targets, plan), plan.policy, plan.hours, seeded, now);
  const event = clockEventOf({ ...entry, messageType: entry.metadata.message_type });
  const { clock, effects } = tick(seeded, event);
  const moved = applyClockEffects(planned.book, effects);
  const changed = [...planned.changed, ...moved.changed];
  const announced: Announcement[] = [];
  if (stored.clock === null && seeded.startedAt === null)
    announced.push({ type: 'incidence.created', occurredAt: after.firstEventAt ?? entry.occurredAt });
  for (const effect of effects)
    if (effect.type === 'resolved') announced.push({ type: 'incidence.resolved', occurredAt: effect.resolvedAt });
  for (const t of moved.changed) {
    if (t.status === 'MET') announced.push({ type: 'sla.met', occurredAt: t.settledAt!, target: t });
    if (t.status === 'MISSED') announced.push({ type: 'sla.breached', occurredAt: t.settledAt!, target: t });
  }
  const late = seeded.answeredUpTo && Date.parse(entry.occurredAt) < Date.parse(seeded.answeredUpTo);
  return {
    clock,
    changed,
    breaches: moved.changed.filter((t) => t.status === 'MISSED').map(breachEntryOf),
    deliveries: plan.outbound ? announced.map((a) => announcementOf(a, after)) : [],
    recompute: effects.some((e) => RECOMPUTES.has(e.type)) || (event.kind !== 'other' && !!late),
    summary: summaryOf(moved.book),
  };
}

/**
 * The targets due at `now` recorded as breaches (MISSED at `now`), each escalated by the policy while the incidence is
 * open and the breach is found in time, and announced.
 */
export function slaBreachesAt(stored: StoredSla, state: ConversationState, plan: SlaPlan, now: string): SlaProgress {
  const step = missedAt(bookOf(stored.targets, plan), now);
  const deliveries: Delivery[] = [];
  for (const missed of step.changed) {
    const escalation = escalationOf(plan, state, missed);
    if (escalation) deliveries.push(escalation);
    if (plan.outbound)
      deliveries.push(announcementOf({ type: 'sla.breached', occurredAt: now, target: missed }, state));
  }
  return {
    clock: stored.clock,
    changed: step.changed,
    breaches: step.changed.map(breachEntryOf),
    deliveries,
    recompute: false,
    summary: summaryOf(step.book),
  };
}

export const summaryOf = (book: SlaBook): SlaSummary => ({
  policy: book.policy?.name ?? null,
  status: slaStatusOf(book),
  nextDueAt: nextDueAt(book),
});

interface Announcement {
  type: OutboundEventType;
  occurredAt: string;
  target?: SlaTarget;
}

function announcementOf(a: Announcement, state: ConversationState): Delivery {
  const event = outboundEventOf(a.type, state, a.occurredAt, a.target);
  return { id: event.id, job: { kind: 'event', delivery: { deliveryId: event.id, body: JSON.stringify(event) } } };
}

function escalationOf(plan: SlaPlan, state: ConversationState, missed: SlaTarget): Delivery | null {
  const escalation = plan.policy?.escalation;
  if (!escalation || escalation.action === 'NONE' || state.outcome !== 'IN_PROGRESS') return null;
  if (Date.parse(missed.settledAt!) - Date.parse(missed.dueAt) > LATE_ESCALATION_MS) return null;
  const note = `SLA breached: ${missed.target.toLowerCase().replace('_', ' ')} was due ${missed.dueAt} (policy ${missed.policy}).`;
  return {
    id: `escalation:${state.incidenceId}:${missed.target}:${iso(missed.startedAt)}`,
    job: {
      kind: 'escalation',
      request: {
        conversationId: state.conversationId,
        escalation,
        note,
        breach: { incidenceId: state.incidenceId!, target: missed.target, startedAt: iso(missed.startedAt) },
      },
    },
  };
}

const breachEntryOf = (missed: SlaTarget): TimelineEntry => ({
  eventKey: `sla_breached:${missed.target}:${iso(missed.startedAt)}`,
  eventType: 'SLA_BREACHED',
  actor: 'SYSTEM',
  content: missed.target,
  metadata: { policy: missed.policy, started_at: missed.startedAt, due_at: missed.dueAt },
  occurredAt: missed.settledAt!,
});

const iso = (at: string): string => new Date(at).toISOString();

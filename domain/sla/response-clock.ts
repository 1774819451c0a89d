/**
 * The response clock of one conversation, driven by its timeline one event at a time. Pure: the workflow runs it for
 * SLA timers, the store folds the stored timeline with it for the figures (docs/metrics.md, "Response times").
 */
export type ResponseKind = 'FIRST' | 'NEXT';

/** What the clock needs to know about a timeline entry. */
export interface ClockEvent {
  at: string;
  kind: 'customer_message' | 'agent_reply' | 'resolved' | 'reopened' | 'went_silent' | 'other';
}

export interface ResponseClock {
  /** The conversation's first event: care cycle 0 starts here. */
  startedAt: string | null;
  cycle: number;
  cycleStartedAt: string | null;
  open: boolean;
  /** The customer's oldest unanswered message (or the reopen), while nobody has answered it. */
  waitingSince: string | null;
  answeredInCycle: boolean;
  /**
   * The latest agent reply or state change seen: a customer message older than it (repaired late, replayed, delivered
   * out of order) was answered or closed by it and opens no wait. Absent in clocks stored before it was kept.
   */
  answeredUpTo?: string | null;
}

export type ClockEffect =
  | { type: 'cycle_started'; cycle: number; at: string }
  | { type: 'waiting'; kind: ResponseKind; cycle: number; since: string }
  | { type: 'answered'; kind: ResponseKind; cycle: number; waitingSince: string; answeredAt: string }
  | { type: 'resolved'; cycle: number; cycleStartedAt: string; resolvedAt: string }
  | { type: 'went_silent'; cycle: number; at: string };

export const initialResponseClock = (): ResponseClock => ({
  startedAt: null,
  cycle: 0,
  cycleStartedAt: null,
  open: true,
  waitingSince: null,
  answeredInCycle: false,
  answeredUpTo: null,
});

const later = (a: string | null | undefined, b: string): string => (a && Date.parse(a) >= Date.parse(b) ? a : b);
const before = (at: string, than: string | null | undefined): boolean => !!than && Date.parse(at) < Date.parse(than);

/** The clock after one event, and what the event started, answered or ended. */
export function tick(clock: ResponseClock, event: ClockEvent): { clock: ResponseClock; effects: ClockEffect[] } {
  const effects: ClockEffect[] = [];
  let next = clock;
  if (next.startedAt === null) {
    next = { ...next, startedAt: event.at, cycleStartedAt: event.at };
    effects.push({ type: 'cycle_started', cycle: 0, at: event.at });
  }
  switch (event.kind) {
    case 'customer_message':
      if (next.waitingSince !== null || before(event.at, next.answeredUpTo)) break;
      next = { ...next, waitingSince: event.at };
      if (next.open) effects.push(waiting(next, event.at));
      break;
    case 'agent_reply':
      next = { ...next, answeredUpTo: later(next.answeredUpTo, event.at) };
      // A reply older than the wait answered an earlier message, not this one.
      if (next.waitingSince === null || before(event.at, next.waitingSince)) break;
      effects.push({
        type: 'answered',
        kind: kindOf(next),
        cycle: next.cycle,
        waitingSince: next.waitingSince,
        answeredAt: event.at,
      });
      next = { ...next, waitingSince: null, answeredInCycle: true };
      break;
    case 'resolved':
    case 'went_silent':
      next = { ...next, answeredUpTo: later(next.answeredUpTo, event.at) };
      if (!next.open) break;
      effects.push(
        event.kind === 'resolved'
          ? { type: 'resolved', cycle: next.cycle, cycleStartedAt: next.cycleStartedAt!, resolvedAt: event.at }
          : { type: 'went_silent', cycle: next.cycle, at: event.at },
      );
      next = { ...next, open: false, waitingSince: null };
      break;
    case 'reopened': {
      next = { ...next, answeredUpTo: later(next.answeredUpTo, event.at) };
      if (next.open) break;
      // A customer message that arrived while closed keeps its place: the customer has waited since then.
      next = {
        ...next,
        open: true,
        cycle: next.cycle + 1,
        cycleStartedAt: event.at,
        answeredInCycle: false,
        waitingSince: next.waitingSince ?? event.at,
      };
      effects.push({ type: 'cycle_started', cycle: next.cycle, at: event.at }, waiting(next, next.waitingSince!));
      break;
    }
  }
  return { clock: next, effects };
}

const kindOf = (clock: ResponseClock): ResponseKind => (clock.answeredInCycle ? 'NEXT' : 'FIRST');
const waiting = (clock: ResponseClock, since: string): ClockEffect => ({
  type: 'waiting',
  kind: kindOf(clock),
  cycle: clock.cycle,
  since,
});

/** Timeline entries in time order (stable for equal times). */
export const inTimeOrder = <T extends { at: string }>(events: T[]): T[] =>
  events
    .map((e, i) => ({ e, i, t: Date.parse(e.at) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map(({ e }) => e);

/** A stored or new timeline entry as the clock sees it: only human agent replies to the customer stop it. */
export function clockEventOf(entry: {
  eventType: string;
  actor: string;
  messageType?: unknown;
  occurredAt: string;
}): ClockEvent {
  const at = entry.occurredAt;
  switch (entry.eventType) {
    case 'MESSAGE':
      if (entry.messageType === 'private' || entry.messageType === 'system') return { at, kind: 'other' };
      if (entry.actor === 'USER') return { at, kind: 'customer_message' };
      return { at, kind: entry.actor === 'AGENT' ? 'agent_reply' : 'other' };
    case 'RESOLVED':
      return { at, kind: 'resolved' };
    case 'REOPENED':
      return { at, kind: 'reopened' };
    case 'WENT_SILENT':
      return { at, kind: 'went_silent' };
    default:
      return { at, kind: 'other' };
  }
}

import { addBusinessSeconds, type BusinessHours } from './business-hours';
import type { ClockEffect, ResponseClock } from './response-clock';
import type { SlaPolicy, SlaTargetKind } from './sla-policy';

export type SlaTargetStatus = 'ACTIVE' | 'MET' | 'MISSED' | 'CANCELLED';
export type SlaStatus = 'ACTIVE' | 'MET' | 'MISSED';

/** One SLA target of a conversation (a row of sla_targets). */
export interface SlaTarget {
  target: SlaTargetKind;
  startedAt: string;
  policy: string;
  dueAt: string;
  status: SlaTargetStatus;
  settledAt: string | null;
}

/** The SLA side of one conversation: its policy, running targets and what became of the others. Pure data. */
export interface SlaBook {
  policy: SlaPolicy | null;
  hours: BusinessHours;
  active: SlaTarget[];
  met: number;
  missed: number;
  /** Start of the latest settled target of each kind, so a policy change never restarts it. */
  settled: Partial<Record<SlaTargetKind, string>>;
}

// Times compared as instants: a stored time reads back in another ISO spelling than an event's payload gave it.
const key = (t: Pick<SlaTarget, 'target' | 'startedAt'>): string => `${t.target}@${Date.parse(t.startedAt)}`;
const sameTime = (a: string | undefined, b: string): boolean => a !== undefined && Date.parse(a) === Date.parse(b);

export const emptySlaBook = (hours: BusinessHours): SlaBook => ({
  policy: null,
  hours,
  active: [],
  met: 0,
  missed: 0,
  settled: {},
});

/** When a target started at `startedAt` falls due under a policy; null when the policy sets no such target. */
export function dueAt(
  policy: SlaPolicy | null,
  hours: BusinessHours,
  target: SlaTargetKind,
  startedAt: string,
): string | null {
  const seconds = policy?.thresholds[target];
  if (seconds === undefined) return null;
  if (policy!.hours === 'calendar') return new Date(Date.parse(startedAt) + seconds * 1000).toISOString();
  return addBusinessSeconds(startedAt, seconds, hours);
}

export interface SlaStep {
  book: SlaBook;
  /** Targets started, re-timed or settled by the step: what to store. */
  changed: SlaTarget[];
}

/**
 * A target settled at `at`. Late is MISSED, settled at its due time: an answer or a close after the due time misses
 * the target however long its event waited in a queue before its step (a breach timer that had not run yet).
 */
const settledAs = (t: SlaTarget, status: Exclude<SlaTargetStatus, 'ACTIVE'>, at: string): SlaTarget =>
  status !== 'MISSED' && Date.parse(at) > Date.parse(t.dueAt)
    ? { ...t, status: 'MISSED', settledAt: t.dueAt }
    : { ...t, status, settledAt: at };

function settle(
  book: SlaBook,
  match: (t: SlaTarget) => boolean,
  status: Exclude<SlaTargetStatus, 'ACTIVE'>,
  at: string,
): SlaStep {
  const settledNow = book.active.filter(match).map((t) => settledAs(t, status, at));
  if (settledNow.length === 0) return { book, changed: [] };
  return {
    book: {
      ...book,
      active: book.active.filter((t) => !match(t)),
      met: book.met + settledNow.filter((t) => t.status === 'MET').length,
      missed: book.missed + settledNow.filter((t) => t.status === 'MISSED').length,
      settled: settledIn(book.settled, settledNow),
    },
    changed: settledNow,
  };
}

function start(book: SlaBook, target: SlaTargetKind, startedAt: string): SlaStep {
  const due = dueAt(book.policy, book.hours, target, startedAt);
  const k = key({ target, startedAt });
  if (due === null || sameTime(book.settled[target], startedAt) || book.active.some((t) => key(t) === k))
    return { book, changed: [] };
  const started: SlaTarget = {
    target,
    startedAt,
    policy: book.policy!.name,
    dueAt: due,
    status: 'ACTIVE',
    settledAt: null,
  };
  return { book: { ...book, active: [...book.active, started] }, changed: [started] };
}

const chain = (step: SlaStep, next: (book: SlaBook) => SlaStep): SlaStep => {
  const after = next(step.book);
  return { book: after.book, changed: [...step.changed, ...after.changed] };
};

const settledIn = (settled: SlaBook['settled'], targets: SlaTarget[]): SlaBook['settled'] =>
  targets.reduce((out, t) => ({ ...out, [t.target]: t.startedAt }), settled);

const RESPONSE_TARGET = { FIRST: 'FIRST_RESPONSE', NEXT: 'NEXT_RESPONSE' } as const;

/** The book after the response clock moved (targets start with a wait or a cycle, settle with an answer or a close). */
export function applyClockEffects(book: SlaBook, effects: ClockEffect[]): SlaStep {
  let step: SlaStep = { book, changed: [] };
  for (const effect of effects) {
    switch (effect.type) {
      case 'cycle_started':
        step = chain(step, (b) => start(b, 'RESOLUTION', effect.at));
        break;
      case 'waiting':
        step = chain(step, (b) => start(b, RESPONSE_TARGET[effect.kind], effect.since));
        break;
      case 'answered':
        step = chain(step, (b) =>
          settle(b, (t) => t.target === RESPONSE_TARGET[effect.kind], 'MET', effect.answeredAt),
        );
        break;
      case 'resolved':
        step = chain(step, (b) => settle(b, (t) => t.target === 'RESOLUTION', 'MET', effect.resolvedAt));
        step = chain(step, (b) => settle(b, () => true, 'CANCELLED', effect.resolvedAt));
        break;
      case 'went_silent':
        step = chain(step, (b) => settle(b, () => true, 'CANCELLED', effect.at));
        break;
    }
  }
  return step;
}

/**
 * The book under a (new) policy: running targets are re-timed (or cancelled when the policy has no such target),
 * and targets the clock implies but no policy ran yet are started from their original start.
 */
export function withPolicy(
  book: SlaBook,
  policy: SlaPolicy | null,
  hours: BusinessHours,
  clock: ResponseClock,
  now: string,
): SlaStep {
  const base: SlaBook = { ...book, policy, hours };
  const retimed: SlaTarget[] = [];
  const cancelled: SlaTarget[] = [];
  for (const t of book.active) {
    const due = dueAt(policy, hours, t.target, t.startedAt);
    if (due === null) cancelled.push({ ...t, status: 'CANCELLED', settledAt: now });
    else if (!sameTime(due, t.dueAt) || policy!.name !== t.policy)
      retimed.push({ ...t, policy: policy!.name, dueAt: due });
  }
  const active = book.active
    .filter((t) => !cancelled.some((c) => key(c) === key(t)))
    .map((t) => retimed.find((r) => key(r) === key(t)) ?? t);
  let step: SlaStep = {
    book: { ...base, active, settled: settledIn(base.settled, cancelled) },
    changed: [...retimed, ...cancelled],
  };
  if (clock.open && clock.cycleStartedAt) step = chain(step, (b) => start(b, 'RESOLUTION', clock.cycleStartedAt!));
  if (clock.open && clock.waitingSince) {
    const target = clock.answeredInCycle ? 'NEXT_RESPONSE' : 'FIRST_RESPONSE';
    step = chain(step, (b) => start(b, target, clock.waitingSince!));
  }
  return step;
}

/** Targets due at `now` become MISSED (breaches). */
export const missedAt = (book: SlaBook, now: string): SlaStep =>
  settle(book, (t) => Date.parse(t.dueAt) <= Date.parse(now), 'MISSED', now);

/** The earliest due time among running targets. */
export const nextDueAt = (book: SlaBook): string | null =>
  book.active.reduce<string | null>(
    (min, t) => (min === null || Date.parse(t.dueAt) < Date.parse(min) ? t.dueAt : min),
    null,
  );

/** The running target that falls due first (the one an idle conversation's timer is set for). */
export const nextDueTarget = (book: SlaBook): SlaTarget | undefined => {
  const due = nextDueAt(book);
  return book.active.find((t) => t.dueAt === due);
};

/** The incidence's overall SLA status: MISSED once any target was missed, else ACTIVE while one runs, else MET. */
export function slaStatusOf(book: SlaBook): SlaStatus | null {
  if (book.missed > 0) return 'MISSED';
  if (book.active.length > 0) return 'ACTIVE';
  return book.met > 0 ? 'MET' : null;
}

/** What the conversation workflow asks the worker for when a conversation starts or its context changes. */
export interface SlaPlan {
  policy: SlaPolicy | null;
  hours: BusinessHours;
  /** Whether signed outbound events are configured (OUTBOUND_EVENTS_URL). */
  outbound: boolean;
}

import { addBusinessSeconds, type BusinessHours } from '../../domain/sla/business-hours';
import type { SlaPolicy, SlaTargetKind } from '../../domain/sla/sla-policy';

/** What an event sent to a chaos conversation means for its SLA targets (definitions: docs/slas.md). */
export interface SlaEvent {
  at: string;
  kind: 'customer_message' | 'agent_reply' | 'resolved' | 'reopened';
}

export interface ExpectedTarget {
  target: SlaTargetKind;
  startedAt: string;
  dueAt: string;
  status: 'ACTIVE' | 'MET' | 'MISSED' | 'CANCELLED';
}

/** How a conversation's events end: left open, or closed for silence, as seen at `at` (when it is judged). */
export interface SlaEnd {
  at: string;
  silent: boolean;
}

/**
 * The SLA targets a conversation's events give under a policy, and what became of each, read from event times alone
 * (written apart from the worker's clock and book, so the chaos verdict checks them rather than repeats them): a
 * target is met by its answer or resolution at or before its due time, missed once its due time passes first, and
 * cancelled by a close before it falls due.
 */
export function expectedSlaTargets(
  policy: SlaPolicy | null,
  hours: BusinessHours,
  events: SlaEvent[],
  end: SlaEnd,
): ExpectedTarget[] {
  const done: ExpectedTarget[] = [];
  let running: ExpectedTarget[] = [];
  let open = true;
  let answeredInCycle = false;
  let waitingSince: string | null = null;
  const due = (target: SlaTargetKind, startedAt: string): string | null => {
    const seconds = policy?.thresholds[target];
    if (seconds === undefined) return null;
    if (policy!.hours === 'calendar') return new Date(Date.parse(startedAt) + seconds * 1000).toISOString();
    return addBusinessSeconds(startedAt, seconds, hours);
  };
  const start = (target: SlaTargetKind, startedAt: string) => {
    const dueAt = due(target, startedAt);
    if (dueAt !== null) running.push({ target, startedAt, dueAt, status: 'ACTIVE' });
  };
  const settle = (which: (t: ExpectedTarget) => boolean, at: string, inTime: 'MET' | 'CANCELLED') => {
    for (const t of running.filter(which))
      done.push({ ...t, status: Date.parse(at) <= Date.parse(t.dueAt) ? inTime : 'MISSED' });
    running = running.filter((t) => !which(t));
  };
  const responseTarget = (): SlaTargetKind => (answeredInCycle ? 'NEXT_RESPONSE' : 'FIRST_RESPONSE');
  const ordered = [...events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  ordered.forEach((event, i) => {
    if (i === 0) start('RESOLUTION', event.at);
    switch (event.kind) {
      case 'customer_message':
        if (waitingSince !== null) break;
        waitingSince = event.at;
        if (open) start(responseTarget(), event.at);
        break;
      case 'agent_reply':
        if (waitingSince === null) break;
        settle((t) => t.target !== 'RESOLUTION', event.at, 'MET');
        [waitingSince, answeredInCycle] = [null, true];
        break;
      case 'resolved':
        if (!open) break;
        settle((t) => t.target === 'RESOLUTION', event.at, 'MET');
        settle(() => true, event.at, 'CANCELLED');
        [open, waitingSince] = [false, null];
        break;
      case 'reopened':
        if (open) break;
        [open, answeredInCycle] = [true, false];
        waitingSince ??= event.at;
        start('RESOLUTION', event.at);
        start('FIRST_RESPONSE', waitingSince);
        break;
    }
  });
  if (open && end.silent) settle(() => true, end.at, 'CANCELLED');
  const judged = running.map((t) =>
    Date.parse(t.dueAt) <= Date.parse(end.at) ? { ...t, status: 'MISSED' as const } : t,
  );
  return [...done, ...judged];
}

/** The incidence's overall status the targets give: MISSED once one was missed, ACTIVE while one runs, else MET. */
export function expectedSlaStatus(targets: ExpectedTarget[]): 'ACTIVE' | 'MET' | 'MISSED' | null {
  if (targets.some((t) => t.status === 'MISSED')) return 'MISSED';
  if (targets.some((t) => t.status === 'ACTIVE')) return 'ACTIVE';
  return targets.some((t) => t.status === 'MET') ? 'MET' : null;
}

export interface StoredSlaTarget {
  target: string;
  started_at: string;
  status: string;
}

/** Targets stored with another status than expected, expected but not stored, or stored but never expected. */
export function wrongSlaTargets(expected: ExpectedTarget[], stored: StoredSlaTarget[]): string[] {
  const keyOf = (target: string, startedAt: string) => `${target}@${Date.parse(startedAt)}`;
  const storedBy = new Map(stored.map((s) => [keyOf(s.target, s.started_at), s.status]));
  const wrong: string[] = [];
  for (const t of expected) {
    const status = storedBy.get(keyOf(t.target, t.startedAt));
    if (status !== t.status) wrong.push(`${t.target} from ${t.startedAt}: ${status ?? 'not stored'}, not ${t.status}`);
  }
  const expectedKeys = new Set(expected.map((t) => keyOf(t.target, t.startedAt)));
  for (const s of stored)
    if (!expectedKeys.has(keyOf(s.target, s.started_at)))
      wrong.push(`${s.target} from ${s.started_at}: ${s.status}, never expected`);
  return wrong;
}

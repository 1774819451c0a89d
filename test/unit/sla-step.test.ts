import { ALWAYS_OPEN } from '../../domain/sla/business-hours';
import { initialConversationState, type ConversationState } from '../../domain/conversation/conversation-state';
import type { TimelineEntry } from '../../domain/conversation/incidence-snapshot';
import type { SlaPlan } from '../../domain/sla/sla';
import { slaBreachesAt, slaStepOf, type StoredSla } from '../../domain/sla/sla-step';

const at = (minutes: number) => new Date(Date.UTC(2026, 0, 20, 4, 0) + minutes * 60_000).toISOString();
const plan: SlaPlan = {
  policy: {
    name: 'quick',
    thresholds: { FIRST_RESPONSE: 120, NEXT_RESPONSE: 120, RESOLUTION: 3600 },
    hours: 'calendar',
    escalation: { action: 'REASSIGN', groupId: 'priority' },
  },
  hours: ALWAYS_OPEN,
  outbound: true,
};
const open: ConversationState = { ...initialConversationState('c1'), incidenceId: 'i1', firstEventAt: at(0) };
const entry = (actor: 'USER' | 'AGENT', minute: number): TimelineEntry => ({
  eventKey: `m:${minute}`,
  eventType: 'MESSAGE',
  actor,
  content: 'hi',
  metadata: { message_type: 'normal' },
  occurredAt: at(minute),
});

/** Steps each entry against what the previous step stored, as the store does. */
function stored(entries: TimelineEntry[], state = open, start: StoredSla = { clock: null, targets: [] }) {
  let record = start;
  const steps = [];
  for (const e of entries) {
    const step = slaStepOf(record, state, state, e, plan, e.occurredAt);
    const targets = new Map(record.targets.map((t) => [`${t.target}@${t.startedAt}`, t]));
    for (const t of step.changed) targets.set(`${t.target}@${t.startedAt}`, t);
    record = { clock: step.clock, targets: [...targets.values()] };
    steps.push(step);
  }
  return { record, steps };
}

test('an answer after the due time is MISSED, settled at the due time, however late its step ran', () => {
  const { record, steps } = stored([entry('USER', 0), entry('AGENT', 30)]);
  const first = record.targets.find((t) => t.target === 'FIRST_RESPONSE');
  expect(first).toMatchObject({ status: 'MISSED', settledAt: at(2) });
  expect(steps[1]!.summary.status).toBe('MISSED');
  // Recorded as a breach and announced, but nobody is paged: the customer has been answered.
  expect(steps[1]!.breaches.map((b) => b.content)).toEqual(['FIRST_RESPONSE']);
  expect(steps[1]!.deliveries.map((d) => d.job.kind)).toEqual(['event']);
});

test('a customer message older than the latest agent reply opens no wait', () => {
  const { record, steps } = stored([entry('USER', 0), entry('AGENT', 1), entry('USER', 0.5)]);
  expect(record.targets.filter((t) => t.status === 'ACTIVE').map((t) => t.target)).toEqual(['RESOLUTION']);
  expect(record.clock?.waitingSince).toBeNull();
  // The response times are recomputed from the time-ordered timeline all the same.
  expect(steps[2]!.recompute).toBe(true);
});

test('a new run of a closed conversation continues its stored clock: no new target, no second announcement', () => {
  const resolved: ConversationState = { ...open, outcome: 'RESOLVED', resolvedAt: at(10), lastStateChangeAt: at(10) };
  const before = stored([entry('USER', 0), { ...entry('AGENT', 10), eventType: 'RESOLVED', eventKey: 'r' }]);
  const later = slaStepOf(before.record, resolved, resolved, entry('AGENT', 100), plan, at(100));
  expect(later.changed).toEqual([]);
  expect(later.deliveries).toEqual([]);
  // Without a stored clock (an incidence closed before one was kept), the clock starts closed.
  const unclocked = slaStepOf({ clock: null, targets: [] }, resolved, resolved, entry('AGENT', 100), plan, at(100));
  expect(unclocked.changed).toEqual([]);
  expect(unclocked.deliveries).toEqual([]);
});

test('a breach is recorded only for a target still running in the store, and MISSED is never lowered', () => {
  const { record } = stored([entry('USER', 0)]);
  const breach = slaBreachesAt(record, open, plan, at(3));
  expect(breach.changed.map((t) => [t.target, t.status])).toEqual([['FIRST_RESPONSE', 'MISSED']]);
  expect(breach.deliveries.map((d) => d.job.kind)).toEqual(['escalation', 'event']);
  const settled = { ...record, targets: record.targets.map((t) => ({ ...t, status: 'MET' as const })) };
  expect(slaBreachesAt(settled, open, plan, at(3)).changed).toEqual([]);
  const missed = { clock: record.clock, targets: [...record.targets, ...breach.changed] };
  expect(slaBreachesAt(missed, open, plan, at(4)).summary.status).toBe('MISSED');
});

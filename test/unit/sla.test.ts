import { ALWAYS_OPEN, businessHoursFile } from '../../domain/sla/business-hours';
import { initialResponseClock, tick, type ClockEvent, type ResponseClock } from '../../domain/sla/response-clock';
import {
  applyClockEffects,
  emptySlaBook,
  missedAt,
  nextDueAt,
  nextDueTarget,
  slaStatusOf,
  withPolicy,
  type SlaBook,
} from '../../domain/sla/sla';
import { idleWait } from '../../workflows/loop-control';
import { policyFor, slaPolicyFile, type SlaPolicy } from '../../domain/sla/sla-policy';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const shipped = slaPolicyFile.parse(
  JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'config', 'sla-policies.json'), 'utf8')),
);
const at = (minute: number) => new Date(Date.UTC(2026, 0, 20, 4, 0) + minute * 60_000).toISOString();
const fast: SlaPolicy = {
  name: 'fast',
  thresholds: { FIRST_RESPONSE: 120, NEXT_RESPONSE: 300, RESOLUTION: 3600 },
  hours: 'calendar',
  escalation: { action: 'NONE' },
};

/** Drives clock and book together, as the conversation workflow does. */
function run(events: ClockEvent[], policy: SlaPolicy | null = fast) {
  let clock: ResponseClock = initialResponseClock();
  let book: SlaBook = { ...emptySlaBook(ALWAYS_OPEN), policy };
  const changed = [];
  for (const event of events) {
    const t = tick(clock, event);
    clock = t.clock;
    const step = applyClockEffects(book, t.effects);
    book = step.book;
    changed.push(...step.changed);
  }
  return { clock, book, changed };
}

test('policies are chosen by event type, cart value tier and channel, first fit wins', () => {
  const ctx = (cartValue: number | null, eventType: string | null, channel = 'IN_APP_CHAT') => ({
    cartValue,
    eventType,
    channel,
  });
  expect(policyFor(shipped, ctx(185_000, 'wedding'))).toMatchObject({
    name: 'wedding-high-value',
    thresholds: { FIRST_RESPONSE: 120 },
  });
  expect(policyFor(shipped, ctx(25_000, 'WEDDING'))?.name).toBe('standard');
  expect(policyFor(shipped, ctx(40_000, 'CORPORATE'))?.name).toBe('high-value');
  expect(policyFor(shipped, ctx(null, null))?.name).toBe('standard');
  const byChannel = slaPolicyFile.parse({
    policies: [{ name: 'calls', match: { channels: ['CALL'] }, firstResponse: '1m' }],
  });
  expect(policyFor(byChannel, ctx(1, null, 'IN_APP_CHAT'))).toBeNull();
  expect(policyFor(byChannel, ctx(1, null, 'CALL'))?.thresholds).toEqual({ FIRST_RESPONSE: 60 });
});

test('a policy file with mistakes is refused naming each one', () => {
  const parsed = slaPolicyFile.safeParse({
    policies: [
      { name: 'a', firstResponse: 'soon', hours: 'weekdays' },
      { name: 'a', escalation: { action: 'REASSIGN' } },
    ],
  });
  expect(parsed.success).toBe(false);
  const problems = parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
  expect(problems).toMatch(/policies.0.firstResponse: expected a duration/);
  expect(problems).toMatch(/policies.0.hours/);
  expect(problems).toMatch(/policies.1.escalation.groupId/);
});

test('first response: the target starts with the customer message and is met by the human reply', () => {
  const { book, changed } = run([
    { at: at(0), kind: 'customer_message' },
    { at: at(1), kind: 'agent_reply' },
  ]);
  expect(changed.map((t) => [t.target, t.status, t.dueAt])).toEqual([
    ['RESOLUTION', 'ACTIVE', at(60)],
    ['FIRST_RESPONSE', 'ACTIVE', at(2)],
    ['FIRST_RESPONSE', 'MET', at(2)],
  ]);
  expect(slaStatusOf(book)).toBe('ACTIVE');
  expect(nextDueAt(book)).toBe(at(60));
});

test('a target past its due time is missed once; later answers do not change it', () => {
  const { book } = run([{ at: at(0), kind: 'customer_message' }]);
  expect(missedAt(book, at(1)).changed).toEqual([]);
  const missed = missedAt(book, at(2));
  expect(missed.changed).toEqual([
    expect.objectContaining({ target: 'FIRST_RESPONSE', status: 'MISSED', settledAt: at(2) }),
  ]);
  expect(slaStatusOf(missed.book)).toBe('MISSED');
  const answered = applyClockEffects(missed.book, [
    { type: 'answered', kind: 'FIRST', cycle: 0, waitingSince: at(0), answeredAt: at(3) },
  ]);
  expect(answered.changed).toEqual([]);
});

test('resolution meets the resolution target and cancels a pending response target; a reopen starts new ones', () => {
  const { book, changed } = run([
    { at: at(0), kind: 'customer_message' },
    { at: at(1), kind: 'agent_reply' },
    { at: at(3), kind: 'customer_message' },
    { at: at(4), kind: 'resolved' },
    { at: at(50), kind: 'reopened' },
  ]);
  expect(changed.slice(3).map((t) => [t.target, t.status, t.startedAt])).toEqual([
    ['NEXT_RESPONSE', 'ACTIVE', at(3)],
    ['RESOLUTION', 'MET', at(0)],
    ['NEXT_RESPONSE', 'CANCELLED', at(3)],
    ['RESOLUTION', 'ACTIVE', at(50)],
    ['FIRST_RESPONSE', 'ACTIVE', at(50)],
  ]);
  expect(book.active).toHaveLength(2);
});

test('a new policy re-times running targets and starts those the clock implies, never restarting a settled one', () => {
  const slow: SlaPolicy = { ...fast, name: 'slow', thresholds: { FIRST_RESPONSE: 600, RESOLUTION: 7200 } };
  const noPolicy = run([{ at: at(0), kind: 'customer_message' }], null);
  expect(noPolicy.changed).toEqual([]);
  const started = withPolicy(noPolicy.book, fast, ALWAYS_OPEN, noPolicy.clock, at(1));
  expect(started.changed.map((t) => [t.target, t.dueAt])).toEqual([
    ['RESOLUTION', at(60)],
    ['FIRST_RESPONSE', at(2)],
  ]);
  const missed = missedAt(started.book, at(2));
  const retimed = withPolicy(missed.book, slow, ALWAYS_OPEN, noPolicy.clock, at(3));
  expect(retimed.changed.map((t) => [t.target, t.policy, t.status, t.dueAt])).toEqual([
    ['RESOLUTION', 'slow', 'ACTIVE', at(120)],
  ]);
  const dropped = withPolicy(
    retimed.book,
    { ...slow, thresholds: { FIRST_RESPONSE: 600 } },
    ALWAYS_OPEN,
    noPolicy.clock,
    at(4),
  );
  expect(dropped.changed.map((t) => [t.target, t.status])).toEqual([['RESOLUTION', 'CANCELLED']]);
});

test('business-hours thresholds fall due in opening hours', () => {
  const hours = businessHoursFile.parse({
    week: { tuesday: [{ start: '09:30', end: '10:00' }], wednesday: [{ start: '09:30', end: '18:00' }] },
  });
  const policy: SlaPolicy = { ...fast, hours: 'business', thresholds: { FIRST_RESPONSE: 3600 } };
  const step = withPolicy(
    emptySlaBook(hours),
    policy,
    hours,
    { ...initialResponseClock(), startedAt: at(0), cycleStartedAt: at(0), waitingSince: at(0) },
    at(0),
  );
  // Tuesday 09:30 IST: 30 minutes that day, 30 more from Wednesday 09:30.
  expect(step.changed[0]!.dueAt).toBe(at(24 * 60 + 30));
});

test('an idle conversation waits for the earliest due target only when it comes before the end of its window', () => {
  expect(idleWait(1_000, 61_000, null)).toEqual({ ms: 60_000, until: 'window' });
  expect(idleWait(1_000, 61_000, 11_000)).toEqual({ ms: 10_000, until: 'sla' });
  expect(idleWait(1_000, 61_000, 61_000)).toEqual({ ms: 60_000, until: 'window' });
  expect(idleWait(1_000, 61_000, 90_000)).toEqual({ ms: 60_000, until: 'window' });
  // A target already due is recorded now (the loop calls it with no event queued).
  expect(idleWait(1_000, 61_000, 1_000)).toEqual({ ms: 0, until: 'sla' });
  expect(idleWait(70_000, 61_000, 80_000)).toEqual({ ms: 0, until: 'window' });
});

test('the timer is set for the running target that falls due first', () => {
  const { book } = run([{ kind: 'customer_message', at: at(0) }]);
  expect(nextDueTarget(book)).toMatchObject({ target: 'FIRST_RESPONSE', dueAt: at(2) });
  expect(nextDueTarget({ ...book, active: [] })).toBeUndefined();
});

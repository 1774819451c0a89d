import { ALWAYS_OPEN, businessHoursFile } from '../../domain/sla/business-hours';
import type { ClockEvent } from '../../domain/sla/response-clock';
import { customerWaitingTime, responseTimesOf } from '../../domain/sla/response-times';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 20, 4, 0) + minute * 60_000).toISOString(); // 09:30 IST
const customer = (m: number): ClockEvent => ({ at: at(m), kind: 'customer_message' });
const agent = (m: number): ClockEvent => ({ at: at(m), kind: 'agent_reply' });
const bot = (m: number): ClockEvent => ({ at: at(m), kind: 'other' });
const resolved = (m: number): ClockEvent => ({ at: at(m), kind: 'resolved' });
const reopened = (m: number): ClockEvent => ({ at: at(m), kind: 'reopened' });

test('first response runs from the first customer message to the first human reply; bot messages do not stop it', () => {
  const times = responseTimesOf([customer(0), bot(1), customer(2), agent(5)], ALWAYS_OPEN);
  expect(times.firstResponse).toMatchObject({
    kind: 'FIRST',
    cycle: 0,
    waitingSince: at(0),
    answeredAt: at(5),
    seconds: 300,
  });
  expect(times.responses).toHaveLength(1);
});

test('every next response is measured from the oldest unanswered customer message', () => {
  const times = responseTimesOf(
    [customer(0), agent(1), customer(10), customer(12), agent(15), agent(16), customer(20)],
    ALWAYS_OPEN,
  );
  expect(times.responses.map((r) => [r.kind, r.seconds])).toEqual([
    ['FIRST', 60],
    ['NEXT', 300],
  ]);
  expect(times.waitingSince).toBe(at(20));
  expect(customerWaitingTime(times, at(23), ALWAYS_OPEN)).toEqual({ seconds: 180, businessSeconds: 180 });
});

test('a reopen starts a care cycle whose first response runs from the reopen; whole life spans the gap', () => {
  const times = responseTimesOf(
    [customer(0), agent(2), resolved(10), reopened(100), customer(101), agent(104), resolved(130)],
    ALWAYS_OPEN,
  );
  expect(times.reopenCount).toBe(1);
  expect(times.cycles.map((c) => [c.cycle, c.firstResponse?.seconds, c.timeToResolve?.seconds])).toEqual([
    [0, 120, 600],
    [1, 240, 1800],
  ]);
  expect(times.firstResponse).toMatchObject({ cycle: 1, waitingSince: at(100), seconds: 240 });
  expect(times.timeToResolve).toEqual({ seconds: 130 * 60, businessSeconds: 130 * 60 });
});

test('an unanswered reopen keeps the earlier first response; an open conversation has no time to resolve', () => {
  const times = responseTimesOf([customer(0), agent(3), resolved(10), reopened(20)], ALWAYS_OPEN);
  expect(times.firstResponse).toMatchObject({ cycle: 0, seconds: 180 });
  expect(times.timeToResolve).toBeNull();
  expect(times.waitingSince).toBe(at(20));
});

test('events are folded in time order whatever order they arrive in', () => {
  const ordered = responseTimesOf([customer(0), agent(4), customer(6), agent(7), resolved(9)], ALWAYS_OPEN);
  const shuffled = responseTimesOf([agent(7), resolved(9), customer(0), customer(6), agent(4)], ALWAYS_OPEN);
  expect(shuffled).toEqual(ordered);
});

test('a conversation closed for silence has no time to resolve', () => {
  expect(responseTimesOf([customer(0), { at: at(60), kind: 'went_silent' }], ALWAYS_OPEN).timeToResolve).toBeNull();
});

test('business-hours variants leave out the lunch break', () => {
  const hours = businessHoursFile.parse({
    week: {
      tuesday: [
        { start: '09:30', end: '13:30' },
        { start: '14:30', end: '20:00' },
      ],
    },
  });
  // 13:20 IST to 14:40 IST: 80 minutes on the clock, 20 in business hours.
  const times = responseTimesOf([customer(230), agent(310)], hours);
  expect(times.firstResponse).toMatchObject({ seconds: 80 * 60, businessSeconds: 20 * 60 });
});

test('an event seen twice in a row changes nothing the second time (a retried workflow task re-observes it)', () => {
  const once = responseTimesOf([customer(0), agent(2), resolved(5), reopened(9), customer(10)], ALWAYS_OPEN);
  const twice = responseTimesOf(
    [customer(0), customer(0), agent(2), agent(2), resolved(5), resolved(5), reopened(9), reopened(9), customer(10)],
    ALWAYS_OPEN,
  );
  expect(twice).toEqual(once);
});

import { businessSeconds, calendarSeconds, type BusinessHours } from './business-hours';
import {
  initialResponseClock,
  inTimeOrder,
  tick,
  type ClockEvent,
  type ResponseClock,
  type ResponseKind,
} from './response-clock';

/** A duration in calendar and in business seconds. */
export interface Duration {
  seconds: number;
  businessSeconds: number;
}

export interface Response extends Duration {
  kind: ResponseKind;
  cycle: number;
  waitingSince: string;
  answeredAt: string;
}

export interface CareCycle {
  cycle: number;
  startedAt: string;
  firstResponse: Response | null;
  resolvedAt: string | null;
  /** Cycle start (first event, or the reopen) to its resolution; null while open or when it went silent. */
  timeToResolve: Duration | null;
}

/** Every response-time figure of one conversation (definitions: docs/metrics.md, "Response times"). */
export interface ResponseTimes {
  responses: Response[];
  cycles: CareCycle[];
  /** The latest care cycle's first response that has happened (an unanswered reopen keeps the earlier one). */
  firstResponse: Response | null;
  /** First event to the latest resolution, reopen gaps included; null while open or when it went silent. */
  timeToResolve: Duration | null;
  /** The customer's oldest unanswered message, when one is waiting now. */
  waitingSince: string | null;
  reopenCount: number;
  clock: ResponseClock;
}

const duration = (from: string, to: string, hours: BusinessHours): Duration => ({
  seconds: calendarSeconds(from, to),
  businessSeconds: businessSeconds(from, to, hours),
});

/** Folds a conversation's timeline (any order; sorted by time here) into its response times. */
export function responseTimesOf(events: ClockEvent[], hours: BusinessHours): ResponseTimes {
  let clock = initialResponseClock();
  const responses: Response[] = [];
  const cycles: CareCycle[] = [];
  let resolvedAt: string | null = null;
  for (const event of inTimeOrder(events)) {
    const result = tick(clock, event);
    clock = result.clock;
    for (const effect of result.effects) {
      if (effect.type === 'cycle_started') {
        cycles.push({
          cycle: effect.cycle,
          startedAt: effect.at,
          firstResponse: null,
          resolvedAt: null,
          timeToResolve: null,
        });
        resolvedAt = null;
      } else if (effect.type === 'answered') {
        const response = {
          kind: effect.kind,
          cycle: effect.cycle,
          waitingSince: effect.waitingSince,
          answeredAt: effect.answeredAt,
          ...duration(effect.waitingSince, effect.answeredAt, hours),
        };
        responses.push(response);
        const cycle = cycles[cycles.length - 1]!;
        if (effect.kind === 'FIRST' && cycle.firstResponse === null) cycle.firstResponse = response;
      } else if (effect.type === 'resolved') {
        const cycle = cycles[cycles.length - 1]!;
        cycle.resolvedAt = effect.resolvedAt;
        cycle.timeToResolve = duration(effect.cycleStartedAt, effect.resolvedAt, hours);
        resolvedAt = effect.resolvedAt;
      }
    }
  }
  const answered = cycles.filter((c) => c.firstResponse !== null);
  return {
    responses,
    cycles,
    firstResponse: answered[answered.length - 1]?.firstResponse ?? null,
    timeToResolve: resolvedAt && clock.startedAt ? duration(clock.startedAt, resolvedAt, hours) : null,
    waitingSince: clock.waitingSince,
    reopenCount: Math.max(0, cycles.length - 1),
    clock,
  };
}

/** How long the customer has been waiting at `now` (zero when nobody is waiting). */
export const customerWaitingTime = (
  times: Pick<ResponseTimes, 'waitingSince'>,
  now: string,
  hours: BusinessHours,
): Duration => (times.waitingSince ? duration(times.waitingSince, now, hours) : { seconds: 0, businessSeconds: 0 });

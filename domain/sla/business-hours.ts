import { DateTime, type Zone } from 'luxon';
import { z } from 'zod';

/** Opening hours of the support team: a time zone, periods per weekday (split shifts allowed) and holidays. */
export interface BusinessHours {
  timeZone: string;
  /** Index 1 = Monday … 7 = Sunday (ISO weekday); each period in minutes from local midnight, [start, end). */
  week: Record<Weekday, Period[]>;
  /** Local dates (YYYY-MM-DD) on which the team is closed all day. */
  holidays: string[];
}
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;
export interface Period {
  start: number;
  end: number;
}

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
/** A calendar with no opening in this many days is treated as never open (a due time would never come). */
const SEARCH_DAYS = 400;

const clock = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected a time like 09:30 (24:00 ends a day)')
  .transform((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3)));

const periods = z
  .array(z.object({ start: clock, end: clock }).refine((p) => p.start < p.end, 'a period must end after it starts'))
  .default([])
  .transform((list) => [...list].sort((a, b) => a.start - b.start))
  .refine((list) => list.every((p, i) => i === 0 || list[i - 1]!.end <= p.start), 'periods of a day must not overlap');

/** The business-hours file as written: `{ "timeZone": "Asia/Kolkata", "week": { "monday": [{ "start": "09:30", "end": "13:00" }] }, "holidays": ["2026-01-26"] }`. */
export const businessHoursFile = z
  .object({
    timeZone: z
      .string()
      .default('Asia/Kolkata')
      .refine((zone) => DateTime.now().setZone(zone).isValid, 'unknown IANA time zone'),
    week: z
      .object(
        Object.fromEntries(WEEKDAYS.map((d) => [d, periods])) as Record<(typeof WEEKDAYS)[number], typeof periods>,
      )
      .strict(),
    holidays: z
      .array(
        z
          .string()
          .refine(
            (d) => DateTime.fromISO(d, { zone: 'UTC' }).isValid && /^\d{4}-\d{2}-\d{2}$/.test(d),
            'expected a date like 2026-01-26',
          ),
      )
      .default([]),
  })
  .strict()
  .transform((file): BusinessHours => ({
    timeZone: file.timeZone,
    week: Object.fromEntries(WEEKDAYS.map((d, i) => [i + 1, file.week[d]])) as BusinessHours['week'],
    holidays: [...new Set(file.holidays)].sort(),
  }))
  .refine(
    (hours) => Object.values(hours.week).some((list) => list.length > 0),
    'at least one weekday needs opening hours',
  );

/** Round the clock, every day: what "calendar hours" means in the same terms. */
export const ALWAYS_OPEN: BusinessHours = {
  timeZone: 'UTC',
  week: {
    1: [{ start: 0, end: 1440 }],
    2: [{ start: 0, end: 1440 }],
    3: [{ start: 0, end: 1440 }],
    4: [{ start: 0, end: 1440 }],
    5: [{ start: 0, end: 1440 }],
    6: [{ start: 0, end: 1440 }],
    7: [{ start: 0, end: 1440 }],
  },
  holidays: [],
};

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Offsets change at most once in this long (checked at each step, then found to the millisecond). */
const OFFSET_STEP_MS = 6 * 3_600_000;
/**
 * The open intervals are cut into stretches of at most this long: a due time is found in the first days after its
 * start, and a zone without offset changes would otherwise be probed across the whole search range first.
 */
const STRETCH_MS = DAY_MS;

const zones = new Map<string, Zone>();
/** The zone's offset from UTC at an instant, in ms, as the time-zone database says (an Intl call: slow). */
function zoneOffset(timeZone: string, ms: number): number {
  let zone = zones.get(timeZone);
  if (!zone) zones.set(timeZone, (zone = DateTime.fromMillis(0, { zone: timeZone }).zone));
  return zone.offset(ms) * MINUTE_MS;
}

const HOUR_MS = 3_600_000;
const HOURS_KEPT = 10_000;
/**
 * Per zone and UTC hour, the zone's offset through that hour, or null when it changes within it. A zone changes its
 * offset at most once in an hour, so the same offset at both ends of an hour holds throughout it.
 */
const hourOffsets = new Map<string, Map<number, number | null>>();

/** The zone's offset from UTC at an instant, in ms. */
function offsetAt(timeZone: string, ms: number): number {
  let hours = hourOffsets.get(timeZone);
  if (!hours) hourOffsets.set(timeZone, (hours = new Map()));
  const hour = Math.floor(ms / HOUR_MS);
  let offset = hours.get(hour);
  if (offset === undefined) {
    const first = zoneOffset(timeZone, hour * HOUR_MS);
    offset = first === zoneOffset(timeZone, (hour + 1) * HOUR_MS - 1) ? first : null;
    if (hours.size >= HOURS_KEPT) hours.clear();
    hours.set(hour, offset);
  }
  return offset ?? zoneOffset(timeZone, ms);
}

/** The first instant after `from` (up to `limit`) at which the zone's offset is no longer the one at `from`. */
function offsetChange(timeZone: string, from: number, limit: number): number {
  const offset = offsetAt(timeZone, from);
  let same = from;
  for (;;) {
    const probe = Math.min(same + OFFSET_STEP_MS, limit);
    if (offsetAt(timeZone, probe) !== offset) {
      let changed = probe;
      while (changed - same > 1) {
        const mid = same + Math.floor((changed - same) / 2);
        if (offsetAt(timeZone, mid) === offset) same = mid;
        else changed = mid;
      }
      return changed;
    }
    if (probe >= limit) return limit;
    same = probe;
  }
}

const holidaySets = new WeakMap<BusinessHours, Set<string>>();
const holidaysOf = (hours: BusinessHours): Set<string> => {
  let set = holidaySets.get(hours);
  if (!set) holidaySets.set(hours, (set = new Set(hours.holidays)));
  return set;
};

/** Opening periods of the local date starting at `day` (ms of that date's midnight read as UTC), in wall-clock ms. */
function periodsOf(day: number, hours: BusinessHours): Period[] {
  const date = new Date(day);
  if (holidaysOf(hours).has(date.toISOString().slice(0, 10))) return [];
  return hours.week[(((date.getUTCDay() + 6) % 7) + 1) as Weekday];
}

/**
 * The open intervals (epoch ms) within [from, to), in order. An instant is open when its local wall-clock time falls
 * in a period of its local date: between two offset changes wall-clock time is the instant plus one offset, so each
 * stretch is cut into local dates on the wall clock (a date whose midnight the clocks skip starts where they land, an
 * hour the clocks repeat is open twice).
 */
function* openIntervals(from: number, to: number, hours: BusinessHours): Generator<[number, number]> {
  for (let start = from; start < to;) {
    const end = offsetChange(hours.timeZone, start, Math.min(to, start + STRETCH_MS));
    const offset = offsetAt(hours.timeZone, start);
    const [wallStart, wallEnd] = [start + offset, end + offset];
    for (let day = Math.floor(wallStart / DAY_MS) * DAY_MS; day < wallEnd; day += DAY_MS) {
      for (const p of periodsOf(day, hours)) {
        const open = Math.max(day + p.start * MINUTE_MS, wallStart);
        const close = Math.min(day + p.end * MINUTE_MS, wallEnd);
        if (close > open) yield [open - offset, close - offset];
      }
    }
    start = end;
  }
}

/** Business seconds between two instants (0 when `to` is not after `from`). Whole seconds, rounded down. */
export function businessSeconds(from: string, to: string, hours: BusinessHours): number {
  const start = Date.parse(from);
  const end = Date.parse(to);
  if (!(end > start)) return 0;
  let total = 0;
  for (const [open, close] of openIntervals(start, end, hours)) total += close - open;
  return Math.floor(total / 1000);
}

/** The instant `seconds` business seconds after `from`; null when the calendar never opens again. */
export function addBusinessSeconds(from: string, seconds: number, hours: BusinessHours): string | null {
  const start = Date.parse(from);
  let left = seconds * 1000;
  const limit = start + (SEARCH_DAYS + Math.ceil(seconds / 86_400)) * DAY_MS;
  for (const [open, close] of openIntervals(start, limit, hours)) {
    if (left <= close - open) return new Date(open + left).toISOString();
    left -= close - open;
  }
  return null;
}

/** Whether the team is open at an instant. */
export function isOpenAt(at: string, hours: BusinessHours): boolean {
  const wall = Date.parse(at) + offsetAt(hours.timeZone, Date.parse(at));
  const day = Math.floor(wall / DAY_MS) * DAY_MS;
  return periodsOf(day, hours).some((p) => day + p.start * MINUTE_MS <= wall && wall < day + p.end * MINUTE_MS);
}

export const calendarSeconds = (from: string, to: string): number =>
  Math.max(0, Math.floor((Date.parse(to) - Date.parse(from)) / 1000));

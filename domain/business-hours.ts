import { DateTime } from 'luxon';
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

/** The open intervals (epoch ms) of the local day containing `dayStart` (a local midnight). */
function openIntervals(day: DateTime, hours: BusinessHours): Array<[number, number]> {
  if (hours.holidays.includes(day.toISODate()!)) return [];
  return hours.week[day.weekday as Weekday].map((p) => [localTime(day, p.start), localTime(day, p.end)]);
}

/** Wall-clock minutes of a local day as an instant (set, not added: a DST day keeps 09:00 at 09:00). */
const localTime = (day: DateTime, minutes: number): number =>
  (minutes === 1440
    ? day.plus({ days: 1 })
    : day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 })
  ).toMillis();

const localDay = (ms: number, hours: BusinessHours): DateTime =>
  DateTime.fromMillis(ms, { zone: hours.timeZone }).startOf('day');

/** Business seconds between two instants (0 when `to` is not after `from`). Whole seconds, rounded down. */
export function businessSeconds(from: string, to: string, hours: BusinessHours): number {
  const start = Date.parse(from);
  const end = Date.parse(to);
  if (!(end > start)) return 0;
  let total = 0;
  for (let day = localDay(start, hours); day.toMillis() < end; day = day.plus({ days: 1 })) {
    for (const [open, close] of openIntervals(day, hours))
      total += Math.max(0, Math.min(close, end) - Math.max(open, start));
  }
  return Math.floor(total / 1000);
}

/** The instant `seconds` business seconds after `from`; null when the calendar never opens again. */
export function addBusinessSeconds(from: string, seconds: number, hours: BusinessHours): string | null {
  const start = Date.parse(from);
  let left = seconds * 1000;
  let day = localDay(start, hours);
  for (let i = 0; i < SEARCH_DAYS + Math.ceil(seconds / 86_400); i++, day = day.plus({ days: 1 })) {
    for (const [open, close] of openIntervals(day, hours)) {
      const from = Math.max(open, start);
      if (close <= from) continue;
      if (left <= close - from) return new Date(from + left).toISOString();
      left -= close - from;
    }
  }
  return null;
}

/** Whether the team is open at an instant. */
export function isOpenAt(at: string, hours: BusinessHours): boolean {
  const ms = Date.parse(at);
  return openIntervals(localDay(ms, hours), hours).some(([open, close]) => open <= ms && ms < close);
}

export const calendarSeconds = (from: string, to: string): number =>
  Math.max(0, Math.floor((Date.parse(to) - Date.parse(from)) / 1000));

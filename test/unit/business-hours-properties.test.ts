import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { propertyRuns } from '../support/property-runs';
import {
  addBusinessSeconds,
  businessHoursFile,
  businessSeconds,
  isOpenAt,
  type BusinessHours,
  type Period,
  type Weekday,
} from '../../domain/sla/business-hours';

// Zones whose clocks change at local midnight (Santiago, Havana, Asuncion, Azores, Beirut, Cairo, and São Paulo and
// Tehran in the years they had daylight time), half-hour and 45-minute shifts (Lord Howe, Chatham), the usual ones.
const ZONES = [
  'America/Santiago',
  'America/Havana',
  'America/Asuncion',
  'Atlantic/Azores',
  'Asia/Beirut',
  'Africa/Cairo',
  'America/Sao_Paulo',
  'Asia/Tehran',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'America/St_Johns',
  'Europe/London',
  'America/New_York',
  'Asia/Kolkata',
  'UTC',
];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** The instants in a year at which the zone's offset changes (scanned week by week, then to the minute). */
const transitionsCache = new Map<string, number[]>();
function transitions(zone: string, year: number): number[] {
  const key = `${zone} ${year}`;
  if (!transitionsCache.has(key)) {
    const tz = IANAZone.create(zone);
    const found: number[] = [];
    for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += WEEK) {
      if (tz.offset(t) === tz.offset(t + WEEK)) continue;
      let [lo, hi] = [t, t + WEEK];
      while (hi - lo > MINUTE) {
        const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
        if (tz.offset(mid) === tz.offset(t)) lo = mid;
        else hi = mid;
      }
      found.push(hi);
    }
    transitionsCache.set(key, found);
  }
  return transitionsCache.get(key)!;
}

/**
 * The reference: minute by minute, whether the local wall-clock time of each minute (the instant plus the zone's
 * offset at that instant) falls in an opening period of its local date. The offset is read per hour, and per minute in
 * an hour whose two ends differ.
 */
function openMinutes(from: number, minutes: number, hours: BusinessHours): boolean[] {
  const zone = IANAZone.create(hours.timeZone);
  const holidays = new Set(hours.holidays);
  const offsets = new Map<number, number>();
  const offsetAt = (at: number) => {
    const hour = Math.floor(at / HOUR) * HOUR;
    if (!offsets.has(hour)) offsets.set(hour, zone.offset(hour) === zone.offset(hour + HOUR) ? zone.offset(hour) : NaN);
    const offset = offsets.get(hour)!;
    return Number.isNaN(offset) ? zone.offset(at) : offset;
  };
  return Array.from({ length: minutes }, (_, i) => {
    const at = from + i * MINUTE;
    const wall = at + offsetAt(at) * MINUTE;
    const day = Math.floor(wall / DAY) * DAY;
    const date = new Date(day);
    if (holidays.has(date.toISOString().slice(0, 10))) return false;
    const minute = (wall - day) / MINUTE;
    const weekday = (((date.getUTCDay() + 6) % 7) + 1) as Weekday;
    return hours.week[weekday].some((p) => p.start <= minute && minute < p.end);
  });
}

/** A day's periods: split shifts from sorted distinct half-hour boundaries (midnight and 24:00 often among them). */
const dayPeriods = fc
  .uniqueArray(
    fc.oneof(
      fc.constantFrom(0, 60, 1380, 1410, 1440),
      fc.integer({ min: 0, max: 48 }).map((h) => h * 30),
    ),
    {
      maxLength: 6,
    },
  )
  .map((points) => {
    const sorted = [...points].sort((a, b) => a - b);
    const periods: Period[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) periods.push({ start: sorted[i]!, end: sorted[i + 1]! });
    return periods;
  });

const calendar = (zone: string, week: Period[][], holidays: string[]): BusinessHours => ({
  timeZone: zone,
  week: Object.fromEntries(week.map((periods, i) => [i + 1, periods])) as BusinessHours['week'],
  holidays: [...new Set(holidays)].sort(),
});

/** A case: a zone, a year, a start near one of its clock changes (or anywhere), a span of up to a day and a half. */
const cases = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    year: fc.integer({ min: 2016, max: 2030 }),
    near: fc.nat(),
    anywhere: fc.integer({ min: 0, max: 364 * 24 * 60 }),
    nearTransition: fc.boolean(),
    shift: fc.integer({ min: -36 * 60, max: 12 * 60 }),
    span: fc.integer({ min: 1, max: 36 * 60 }),
    week: fc.array(dayPeriods, { minLength: 7, maxLength: 7 }),
    holidayDays: fc.array(fc.integer({ min: -2, max: 3 }), { maxLength: 2 }),
    pick: fc.double({ min: 0, max: 1, noNaN: true }),
    cut: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
  })
  .map((c) => {
    const changes = transitions(c.zone, c.year);
    const base =
      c.nearTransition && changes.length > 0
        ? changes[c.near % changes.length]! + c.shift * MINUTE
        : Date.UTC(c.year, 0, 1) + c.anywhere * MINUTE;
    const day = DateTime.fromMillis(base, { zone: c.zone });
    const holidays = c.holidayDays.map((d) => day.plus({ days: d }).toISODate()!);
    return { ...c, from: base, hours: calendar(c.zone, c.week, holidays) };
  });

const iso = (ms: number) => new Date(ms).toISOString();

test('business time agrees with a minute-by-minute count of local opening hours, across zones, years and DST', () => {
  fc.assert(
    fc.property(cases, ({ from, span, hours, pick, cut }) => {
      const open = openMinutes(from, span, hours);
      const count = (a: number, b: number) => open.slice(a, b).filter(Boolean).length;

      expect(businessSeconds(iso(from), iso(from + span * MINUTE), hours)).toBe(count(0, span) * 60);
      const [a, b] = [Math.floor(cut[0] * span), Math.floor(cut[1] * span)].sort((x, y) => x - y) as [number, number];
      expect(businessSeconds(iso(from + a * MINUTE), iso(from + b * MINUTE), hours)).toBe(count(a, b) * 60);

      expect(isOpenAt(iso(from + a * MINUTE), hours)).toBe(open[a]);

      // The n-th open minute's end is when n business minutes fall due; none open: the first opening (n = 0).
      const openAt = open.flatMap((o, i) => (o ? [i] : []));
      if (openAt.length === 0) return;
      const n = 1 + Math.floor(pick * (openAt.length - 1));
      expect(addBusinessSeconds(iso(from), n * 60, hours)).toBe(iso(from + (openAt[n - 1]! + 1) * MINUTE));
      expect(addBusinessSeconds(iso(from), 0, hours)).toBe(iso(from + openAt[0]! * MINUTE));
    }),
    { numRuns: propertyRuns(120) },
  );
});

test('a zone whose clocks change at midnight keeps whole days open round the clock (America/Santiago)', () => {
  const santiago = businessHoursFile.parse({
    timeZone: 'America/Santiago',
    week: Object.fromEntries(
      ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => [
        d,
        [{ start: '00:00', end: '24:00' }],
      ]),
    ),
  });
  // 2026-09-06 00:00 local does not exist (clocks go to 01:00): 72 business hours are 72 calendar hours.
  expect(addBusinessSeconds('2026-09-05T20:00:00.000Z', 72 * 3600, santiago)).toBe('2026-09-08T20:00:00.000Z');
  expect(businessSeconds('2026-09-05T20:00:00.000Z', '2026-09-08T20:00:00.000Z', santiago)).toBe(72 * 3600);
});

test('an evening shift ending at 24:00 ends at the next local midnight on the day clocks change (America/Havana)', () => {
  const havana = businessHoursFile.parse({
    timeZone: 'America/Havana',
    week: Object.fromEntries(
      ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => [
        d,
        [{ start: '18:00', end: '24:00' }],
      ]),
    ),
  });
  // 2026-03-08 00:00 local becomes 01:00 (UTC-5 to UTC-4): each evening is 6 hours, 13 evenings from the 7th.
  expect(businessSeconds('2026-03-07T05:00:00.000Z', '2026-03-20T05:00:00.000Z', havana)).toBe(13 * 6 * 3600);
});

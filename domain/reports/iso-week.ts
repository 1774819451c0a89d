/**
 * Calendar of the reports: ISO weeks and days in India time (Asia/Kolkata, UTC+05:30 all year, no DST), so a
 * constant offset is exact. Pure: usable from workflows, activities and the API alike.
 */
export const ANALYTICS_TIMEZONE = 'Asia/Kolkata';
const IST_OFFSET_MS = 330 * 60_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

export interface Bounds {
  /** Inclusive start, as a UTC ISO instant. */
  start: string;
  /** Exclusive end, as a UTC ISO instant. */
  end: string;
}

const ISO_WEEK = /^(\d{4})-W(\d{2})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const toMs = (instant: string | number | Date): number =>
  instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : Date.parse(instant);
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The India-time calendar day of an instant, as a UTC-midnight Date carrying that day. */
const istDay = (instant: string | number | Date): Date => {
  const shifted = new Date(toMs(instant) + IST_OFFSET_MS);
  return new Date(Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth(), shifted.getUTCDate()));
};

/** Monday of ISO week 1 of `year` (as a UTC-midnight date standing for the India-time day). */
function week1Monday(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  const weekday = (new Date(jan4).getUTCDay() + 6) % 7; // Monday = 0
  return jan4 - weekday * DAY_MS;
}

/** 53 when the year starts on a Thursday, or is a leap year starting on a Wednesday; else 52. */
export function weeksInYear(year: number): number {
  const jan1 = new Date(Date.UTC(year, 0, 1)).getUTCDay();
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return jan1 === 4 || (leap && jan1 === 3) ? 53 : 52;
}

export const formatIsoWeek = (year: number, week: number): string => `${pad(year, 4)}-W${pad(week)}`;

/** The ISO week ('2026-W48') an instant falls in, in India time. */
export function isoWeekOf(instant: string | number | Date): string {
  const day = istDay(instant);
  const thursday = new Date(day.getTime() + (3 - ((day.getUTCDay() + 6) % 7)) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - week1Monday(year)) / WEEK_MS) + 1;
  return formatIsoWeek(year, week);
}

/** '2026-W48' → {year, week}; null when malformed or the week does not exist in that year. */
export function parseIsoWeek(text: string): { year: number; week: number } | null {
  const match = ISO_WEEK.exec(text);
  if (!match) return null;
  const year = Number(match[1]);
  const week = Number(match[2]);
  if (year < 1970 || week < 1 || week > weeksInYear(year)) return null;
  return { year, week };
}

function mustParse(isoWeek: string): { year: number; week: number } {
  const parsed = parseIsoWeek(isoWeek);
  if (!parsed) throw new RangeError(`not an ISO week: ${isoWeek}`);
  return parsed;
}

/** Monday 00:00 India time to the next Monday 00:00 India time, as UTC instants. */
export function weekBounds(isoWeek: string): Bounds {
  const { year, week } = mustParse(isoWeek);
  const start = week1Monday(year) + (week - 1) * WEEK_MS - IST_OFFSET_MS;
  return { start: new Date(start).toISOString(), end: new Date(start + WEEK_MS).toISOString() };
}

/** The week `n` weeks after (negative: before) the given one. */
export function addWeeks(isoWeek: string, n: number): string {
  return isoWeekOf(Date.parse(weekBounds(isoWeek).start) + n * WEEK_MS);
}

export const previousWeek = (isoWeek: string): string => addWeeks(isoWeek, -1);

/** The India-time calendar date of an instant, 'YYYY-MM-DD'. */
export function istDateOf(instant: string | number | Date): string {
  return istDay(instant).toISOString().slice(0, 10);
}

/** Strict 'YYYY-MM-DD' that is a real date; null otherwise. */
export function parseIsoDate(text: string): string | null {
  const match = ISO_DATE.exec(text);
  if (!match) return null;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === text ? text : null;
}

/** 00:00 to 24:00 India time of a date, as UTC instants. */
export function dayBounds(date: string): Bounds {
  if (!parseIsoDate(date)) throw new RangeError(`not a date: ${date}`);
  const start = Date.parse(`${date}T00:00:00Z`) - IST_OFFSET_MS;
  return { start: new Date(start).toISOString(), end: new Date(start + DAY_MS).toISOString() };
}

export const addDays = (date: string, n: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** Days from `from` to `to` inclusive (negative when reversed). */
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;

/** The seven India-time days of an ISO week. */
export const daysOfWeek = (isoWeek: string): string[] => {
  const monday = istDateOf(weekBounds(isoWeek).start);
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
};

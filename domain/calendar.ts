import { parseIsoDate } from './reports/iso-week';

/** Instants and days that PostgreSQL stores as written: a zone, a real calendar day, years 2000–2999. */
export function isCalendarDay(v: string): boolean {
  const year = Number(v.slice(0, 4));
  return year >= 2000 && year <= 2999 && parseIsoDate(v.slice(0, 10)) !== null;
}

export const isCalendarInstant = (v: string): boolean => isCalendarDay(v) && Number.isFinite(Date.parse(v));

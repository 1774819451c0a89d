/** Instants and days that PostgreSQL stores as written: a zone, a real calendar day, years 2000–2999. */
export function isCalendarDay(v: string): boolean {
  const [, year, month, day] = /^(\d{4})-(\d{2})-(\d{2})/.exec(v) ?? [];
  const y = Number(year);
  const daysInMonth = new Date(Date.UTC(y, Number(month), 0)).getUTCDate();
  return y >= 2000 && y <= 2999 && Number(month) >= 1 && Number(month) <= 12 && Number(day) >= 1 && Number(day) <= daysInMonth;
}

export const isCalendarInstant = (v: string): boolean => isCalendarDay(v) && Number.isFinite(Date.parse(v));

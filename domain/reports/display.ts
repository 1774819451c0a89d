/** How figures read on the managers' pages and in the weekly report and email: money, instants, durations. */
import { ANALYTICS_TIMEZONE } from './iso-week';

/** ₹ with Indian digit grouping (₹1,00,000); paise only when there are any, or when `paise` asks for them. */
export function rupees(value: number | null, paise: 'auto' | 'always' = 'auto'): string {
  if (value === null) return '—';
  const fraction = paise === 'always' || !Number.isInteger(value) ? 2 : 0;
  return `₹${value.toLocaleString('en-IN', { minimumFractionDigits: fraction, maximumFractionDigits: fraction })}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-IN', { timeZone, ...options });
    formatters.set(key, f);
  }
  return f;
}

/** A time zone name the runtime knows, else India time. */
export function knownTimeZone(name: string | undefined | null): string {
  if (!name) return ANALYTICS_TIMEZONE;
  try {
    new Intl.DateTimeFormat('en-IN', { timeZone: name });
    return name;
  } catch {
    return ANALYTICS_TIMEZONE;
  }
}

/** "Mon 23 Nov 2026, 9:30 am IST" in words, in the given time zone (India time by default). */
export function dateTimeInWords(instant: string | Date | null, timeZone = ANALYTICS_TIMEZONE): string {
  if (instant === null) return '—';
  const parts = formatter(timeZone, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    hour12: true,
    timeZoneName: 'short',
  }).formatToParts(new Date(instant));
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return `${p.weekday} ${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute} ${p.dayPeriod} ${p.timeZoneName}`;
}

/** "Monday 23 November 2026" for a calendar date YYYY-MM-DD. */
export function dateInWords(date: string): string {
  return formatter('UTC', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })
    .format(new Date(`${date}T00:00:00Z`))
    .replace(',', '');
}

/** "12 min ago", "in 3 min", "2 h 5 min ago", "3 days ago". */
export function relativeTime(instant: string | Date | null, now: Date): string {
  if (instant === null) return '—';
  const seconds = Math.round((new Date(instant).getTime() - now.getTime()) / 1000);
  const span = duration(Math.abs(seconds));
  if (Math.abs(seconds) < 60) return seconds < 0 ? 'just now' : 'in under a minute';
  return seconds < 0 ? `${span} ago` : `in ${span}`;
}

/** A duration in words: "45 s", "12 min", "2 h 5 min", "3 days 4 h". */
export function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} days ${hours % 24} h` : `${days} days`;
}

/** Words for stored codes: WEDDING → Wedding, IN_APP_CHAT → In app chat. */
export const words = (code: string | null): string =>
  code === null ? '—' : code.charAt(0) + code.slice(1).toLowerCase().replace(/_/g, ' ');

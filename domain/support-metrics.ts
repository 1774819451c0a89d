/**
 * Response times, SLAs and commerce-linked figures of the reports (definitions: docs/metrics.md). Pure: the day
 * rollups (stores/report-days.ts) are merged here into a period's figures, and percentiles come from exact
 * per-second histograms, so a week read from rollups equals the week counted from raw rows.
 */
import type { Count } from './weekly-report';

/** Durations in whole seconds with how many times each occurred, ascending by value. */
export type Histogram = Array<[seconds: number, count: number]>;

export interface DurationStats {
  count: number;
  p50Seconds: number | null;
  p90Seconds: number | null;
  meanSeconds: number | null;
}

export interface CalendarAndBusiness {
  calendar: DurationStats;
  business: DurationStats;
}

export interface SlaRow {
  name: string;
  met: number;
  missed: number;
  /** met / (met + missed) × 100; null when none was settled. */
  metPercent: number | null;
}

export const SLA_DIMENSIONS = ['target', 'tier', 'eventType', 'category', 'agent'] as const;
export type SlaDimension = (typeof SLA_DIMENSIONS)[number];

export interface ConversionRow {
  name: string;
  closed: number;
  converted: number;
  conversionPercent: number | null;
}

/** A period's support figures (a day or a week). Money in rupees. */
export interface SupportFigures {
  firstResponse: CalendarAndBusiness;
  nextResponse: CalendarAndBusiness;
  resolution: CalendarAndBusiness;
  firstResponseDistribution: Count[];
  slaMet: { overall: SlaRow } & Record<SlaDimension, SlaRow[]>;
  reopened: number;
  /** Of the incidences resolved in the period, % reopened at least once. */
  reopenRate: number | null;
  revenueRescued: number;
  cartValueLost: number;
  droppedIncidences: number;
  conversionByFirstResponse: ConversionRow[];
}

/** First response buckets (distribution and conversion); SQL counts into exactly these, in this order. */
export const FIRST_RESPONSE_BUCKETS = [
  { name: '< 1 min', upToSeconds: 60 },
  { name: '1–2 min', upToSeconds: 120 },
  { name: '2–5 min', upToSeconds: 300 },
  { name: '5–15 min', upToSeconds: 900 },
  { name: '15–60 min', upToSeconds: 3600 },
  { name: '1–4 h', upToSeconds: 14_400 },
  { name: '≥ 4 h', upToSeconds: null },
] as const;
export const NO_HUMAN_RESPONSE = 'no human response';

/** Cart value tiers of the SLA breakdown (rupees, lower bound inclusive). */
export const CART_VALUE_TIERS = [
  { name: '< ₹5,000', fromRupees: 0 },
  { name: '₹5,000–25,000', fromRupees: 5_000 },
  { name: '₹25,000–1,00,000', fromRupees: 25_000 },
  { name: '≥ ₹1,00,000', fromRupees: 100_000 },
] as const;
export const NO_CART = 'no cart';

export const bucketIndexOf = (seconds: number): number => {
  const i = FIRST_RESPONSE_BUCKETS.findIndex((b) => b.upToSeconds !== null && seconds < b.upToSeconds);
  return i === -1 ? FIRST_RESPONSE_BUCKETS.length - 1 : i;
};

// --- histograms ----------------------------------------------------------------------------------

export function mergeHistograms(parts: Histogram[]): Histogram {
  const counts = new Map<number, number>();
  for (const part of parts) for (const [v, c] of part) counts.set(v, (counts.get(v) ?? 0) + c);
  return [...counts.entries()].sort((a, b) => a[0] - b[0]);
}

/** The value at 0-based rank `k` of the sorted multiset. */
function valueAtRank(h: Histogram, k: number): number {
  let seen = 0;
  for (const [v, c] of h) {
    seen += c;
    if (k < seen) return v;
  }
  throw new RangeError(`rank ${k} is outside the histogram`);
}

/** PostgreSQL's percentile_cont, step for step (same float operations, so the same double). */
export function percentileCont(h: Histogram, fraction: number): number | null {
  const n = h.reduce((s, [, c]) => s + c, 0);
  if (n === 0) return null;
  const position = fraction * (n - 1);
  const first = Math.floor(position);
  const second = Math.ceil(position);
  const lo = valueAtRank(h, first);
  if (first === second) return lo;
  const hi = valueAtRank(h, second);
  return lo + (position - first) * (hi - lo);
}

export function durationStats(h: Histogram): DurationStats {
  let count = 0;
  let sum = 0;
  for (const [v, c] of h) {
    count += c;
    sum += v * c;
  }
  return {
    count,
    p50Seconds: percentileCont(h, 0.5),
    p90Seconds: percentileCont(h, 0.9),
    meanSeconds: count === 0 ? null : sum / count,
  };
}

export const percentOf = (part: number, whole: number): number | null => (whole === 0 ? null : (part / whole) * 100);

export const slaRow = (name: string, met: number, missed: number): SlaRow => ({
  name,
  met,
  missed,
  metPercent: percentOf(met, met + missed),
});

/** Rows by most settled first, then name: the order every SLA breakdown is shown in. */
export const sortSlaRows = (rows: SlaRow[]): SlaRow[] =>
  [...rows].sort((a, b) => b.met + b.missed - (a.met + a.missed) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

export const paiseToRupees = (paise: number): number => paise / 100;

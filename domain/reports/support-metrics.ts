/**
 * Response times, SLAs and commerce-linked figures of the reports (definitions: docs/metrics.md). Pure: the day
 * rollups (stores/report-days.ts) are merged here into a period's figures, and percentiles come from exact
 * per-second histograms, so a week read from rollups equals the week counted from raw rows.
 */

export interface Count {
  name: string;
  count: number;
}

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

export const SLA_DIMENSIONS = ['target', 'policy', 'tier', 'eventType', 'category', 'agent'] as const;
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
/** Dimension values of the SLA breakdown when the incidence has none. */
export const UNKNOWN_DIMENSION = {
  eventType: 'no event type',
  category: 'uncategorised',
  agent: 'unassigned',
} as const;

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

/** Sum of sorted histograms, sorted (pairwise merges: each day's histogram is already in order). */
export function mergeHistograms(parts: Histogram[]): Histogram {
  let layer = parts.filter((p) => p.length > 0);
  if (layer.length === 0) return [];
  while (layer.length > 1) {
    const next: Histogram[] = [];
    for (let i = 0; i < layer.length; i += 2)
      next.push(i + 1 < layer.length ? mergeTwo(layer[i]!, layer[i + 1]!) : layer[i]!);
    layer = next;
  }
  return layer[0]!;
}

function mergeTwo(a: Histogram, b: Histogram): Histogram {
  const out: Histogram = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x[0] < y[0])) {
      out.push(x!);
      i++;
    } else if (x === undefined || y[0] < x[0]) {
      out.push(y);
      j++;
    } else {
      out.push([x[0], x[1] + y[1]]);
      i++;
      j++;
    }
  }
  return out;
}

/** Values at the given 0-based ranks of the sorted multiset, in one pass. */
function valuesAtRanks(h: Histogram, ranks: number[]): number[] {
  const wanted = [...new Set(ranks)].sort((a, b) => a - b);
  const found = new Map<number, number>();
  let seen = 0;
  let k = 0;
  for (const [v, c] of h) {
    seen += c;
    while (k < wanted.length && wanted[k]! < seen) found.set(wanted[k++]!, v);
    if (k === wanted.length) break;
  }
  return ranks.map((r) => found.get(r)!);
}

/** PostgreSQL's percentile_cont, step for step (the same float operations, so the same double). */
function interpolate(position: number, lo: number, hi: number): number {
  const first = Math.floor(position);
  return first === Math.ceil(position) ? lo : lo + (position - first) * (hi - lo);
}

export function durationStats(h: Histogram): DurationStats {
  let count = 0;
  let sum = 0;
  for (const [v, c] of h) {
    count += c;
    sum += v * c;
  }
  if (count === 0) return { count, p50Seconds: null, p90Seconds: null, meanSeconds: null };
  const p50 = 0.5 * (count - 1);
  const p90 = 0.9 * (count - 1);
  const [a, b, c, d] = valuesAtRanks(h, [Math.floor(p50), Math.ceil(p50), Math.floor(p90), Math.ceil(p90)]);
  return {
    count,
    p50Seconds: interpolate(p50, a!, b!),
    p90Seconds: interpolate(p90, c!, d!),
    meanSeconds: sum / count,
  };
}

/** Counts of a sorted histogram in consecutive buckets [previous bound, upToSeconds), the last one open. */
export function bucketCounts(
  h: Histogram,
  buckets: ReadonlyArray<{ name: string; upToSeconds: number | null }>,
): Count[] {
  const out = buckets.map((b) => ({ name: b.name, count: 0 }));
  let i = 0;
  for (const [v, c] of h) {
    while (buckets[i]!.upToSeconds !== null && v >= buckets[i]!.upToSeconds!) i++;
    out[i]!.count += c;
  }
  return out;
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

/**
 * One India-time day's report figures in mergeable form (counts by key, exact per-second histograms), as stored in
 * analytics_daily.figures; a period's figures are the merge of its days. Pure. Orderings mirror the raw SQL
 * (stores/report-figures.ts): most first, ties by name in code-point order.
 */
import {
  FIRST_RESPONSE_BUCKETS,
  NO_HUMAN_RESPONSE,
  SLA_DIMENSIONS,
  bucketCounts,
  durationStats,
  mergeHistograms,
  paiseToRupees,
  percentOf,
  slaRow,
  sortSlaRows,
  type Histogram,
  type SlaDimension,
  type SupportFigures,
  type Count,
} from './support-metrics';
import { TIME_TO_RESOLVE_BUCKETS } from './weekly-report';
import { type OrderFigures, type ScreenCount, type WeekFigures } from './weekly-report-shape';

export interface DayRollup {
  orders: { total: number; cancelled: number; assisted: number; assistedValuePaise: number };
  started: number;
  open: number;
  /** [screen, lower-cased category or null, incidences started]. */
  screenIssues: Array<[string, string | null, number]>;
  closed: number;
  converted: number;
  repeats: number;
  reopened: number;
  dropped: number;
  droppedCartValuePaise: number;
  timeToResolve: Histogram;
  timeToResolveBusiness: Histogram;
  categories: Array<[string, number]>;
  outcomes: Array<[string, number]>;
  impact: Array<[string, number]>;
  /** [first response bucket index, or -1 without a human response; closed; converted]. */
  conversion: Array<[number, number, number]>;
  frictionSignals: Array<[string, number]>;
  firstResponse: Histogram;
  firstResponseBusiness: Histogram;
  nextResponse: Histogram;
  nextResponseBusiness: Histogram;
  /** [dimension, value, met, missed]. */
  sla: Array<[SlaDimension, string, number, number]>;
}

export const TOP_CATEGORIES = 10;
export const TOP_SCREENS = 5;

export const emptyDay = (): DayRollup => ({
  orders: { total: 0, cancelled: 0, assisted: 0, assistedValuePaise: 0 },
  started: 0,
  open: 0,
  screenIssues: [],
  closed: 0,
  converted: 0,
  repeats: 0,
  reopened: 0,
  dropped: 0,
  droppedCartValuePaise: 0,
  timeToResolve: [],
  timeToResolveBusiness: [],
  categories: [],
  outcomes: [],
  impact: [],
  conversion: [],
  frictionSignals: [],
  firstResponse: [],
  firstResponseBusiness: [],
  nextResponse: [],
  nextResponseBusiness: [],
  sla: [],
});

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const mostFirst = (rows: Count[]): Count[] => rows.sort((a, b) => b.count - a.count || byName(a.name, b.name));

function sumBy<K>(rows: Iterable<[K, number]>): Map<K, number> {
  const m = new Map<K, number>();
  for (const [k, n] of rows) m.set(k, (m.get(k) ?? 0) + n);
  return m;
}
const counts = (m: Map<string, number>): Count[] => mostFirst([...m].map(([name, count]) => ({ name, count })));
const total = (days: DayRollup[], f: (d: DayRollup) => number) => days.reduce((s, d) => s + f(d), 0);

function screensOf(days: DayRollup[]): ScreenCount[] {
  const perScreen = new Map<string, Map<string | null, number>>();
  for (const d of days)
    for (const [screen, cat, n] of d.screenIssues) {
      const issues = perScreen.get(screen) ?? new Map<string | null, number>();
      issues.set(cat, (issues.get(cat) ?? 0) + n);
      perScreen.set(screen, issues);
    }
  const screens = [...perScreen].map(([name, issues]) => {
    const tagged = [...issues].filter((e): e is [string, number] => e[0] !== null);
    tagged.sort((a, b) => b[1] - a[1] || byName(a[0], b[0]));
    const count = [...issues.values()].reduce((s, n) => s + n, 0);
    return { name, count, topIssue: tagged[0]?.[0] ?? null, topIssueCount: tagged[0]?.[1] ?? 0 };
  });
  return screens.sort((a, b) => b.count - a.count || byName(a.name, b.name)).slice(0, TOP_SCREENS);
}

/** The report's figures of a period from its days' rollups (every day of the period, none twice). */
export function figuresOfDays(days: DayRollup[]): WeekFigures {
  const ttr = mergeHistograms(days.map((d) => d.timeToResolve));
  const ttrStats = durationStats(ttr);
  const outcomes = counts(sumBy(days.flatMap((d) => d.outcomes)));
  const open = total(days, (d) => d.open);
  if (open > 0) outcomes.push({ name: 'IN_PROGRESS', count: open });
  return {
    totalOrders: total(days, (d) => d.orders.total),
    cancelledOrders: total(days, (d) => d.orders.cancelled),
    assistedOrders: total(days, (d) => d.orders.assisted),
    incidences: total(days, (d) => d.started),
    closedIncidences: total(days, (d) => d.closed),
    convertedIncidences: total(days, (d) => d.converted),
    avgTimeToResolveSeconds: ttrStats.meanSeconds,
    medianTimeToResolveSeconds: ttrStats.p50Seconds,
    totalTimeToResolveSeconds: ttr.reduce((s, [v, c]) => s + v * c, 0),
    repeatFrictionIssues: total(days, (d) => d.repeats),
    topIssueCategories: counts(sumBy(days.flatMap((d) => d.categories))).slice(0, TOP_CATEGORIES),
    topFrictionScreens: screensOf(days),
    frictionSignals: counts(sumBy(days.flatMap((d) => d.frictionSignals))),
    outcomes,
    orderImpact: counts(sumBy(days.flatMap((d) => d.impact))),
    timeToResolveDistribution: bucketCounts(ttr, TIME_TO_RESOLVE_BUCKETS),
    support: supportOfDays(days, ttr),
  };
}

const both = (calendar: Histogram, days: DayRollup[], business: (d: DayRollup) => Histogram) => ({
  calendar: durationStats(calendar),
  business: durationStats(mergeHistograms(days.map(business))),
});

/** `timeToResolve`: the days' time-to-resolve histograms, merged. */
function supportOfDays(days: DayRollup[], timeToResolve: Histogram): SupportFigures {
  const first = mergeHistograms(days.map((d) => d.firstResponse));
  const sla = new Map<string, [SlaDimension, string, number, number]>();
  for (const d of days)
    for (const [dimension, name, met, missed] of d.sla) {
      const key = `${dimension}\u0000${name}`;
      const row = sla.get(key) ?? [dimension, name, 0, 0];
      sla.set(key, [dimension, name, row[2] + met, row[3] + missed]);
    }
  const slaRows = (dimension: SlaDimension) =>
    sortSlaRows([...sla.values()].filter((r) => r[0] === dimension).map((r) => slaRow(r[1], r[2], r[3])));
  const byTarget = slaRows('target');
  const conversion = new Map<number, [number, number]>();
  for (const d of days)
    for (const [bucket, closed, converted] of d.conversion) {
      const [c, v] = conversion.get(bucket) ?? [0, 0];
      conversion.set(bucket, [c + closed, v + converted]);
    }
  const reopened = total(days, (d) => d.reopened);
  return {
    firstResponse: both(first, days, (d) => d.firstResponseBusiness),
    nextResponse: both(mergeHistograms(days.map((d) => d.nextResponse)), days, (d) => d.nextResponseBusiness),
    resolution: both(timeToResolve, days, (d) => d.timeToResolveBusiness),
    firstResponseDistribution: bucketCounts(first, FIRST_RESPONSE_BUCKETS),
    slaMet: {
      overall: slaRow(
        'all',
        byTarget.reduce((s, r) => s + r.met, 0),
        byTarget.reduce((s, r) => s + r.missed, 0),
      ),
      ...(Object.fromEntries(SLA_DIMENSIONS.map((dim) => [dim, slaRows(dim)])) as Record<
        SlaDimension,
        ReturnType<typeof slaRows>
      >),
    },
    reopened,
    reopenRate: percentOf(
      reopened,
      total(days, (d) => d.closed),
    ),
    revenueRescued: paiseToRupees(total(days, (d) => d.orders.assistedValuePaise)),
    cartValueLost: paiseToRupees(total(days, (d) => d.droppedCartValuePaise)),
    droppedIncidences: total(days, (d) => d.dropped),
    conversionByFirstResponse: [
      ...FIRST_RESPONSE_BUCKETS.map((b, i) => conversionRow(b.name, conversion.get(i))),
      conversionRow(NO_HUMAN_RESPONSE, conversion.get(-1)),
    ],
  };
}

const conversionRow = (name: string, cv: [number, number] | undefined) => ({
  name,
  closed: cv?.[0] ?? 0,
  converted: cv?.[1] ?? 0,
  conversionPercent: percentOf(cv?.[1] ?? 0, cv?.[0] ?? 0),
});

/** The order figures of a run of days. */
export const ordersOfDays = (days: DayRollup[]): OrderFigures =>
  days.reduce(
    (s, d) => ({
      total: s.total + d.orders.total,
      cancelled: s.cancelled + d.orders.cancelled,
      assisted: s.assisted + d.orders.assisted,
      assistedValuePaise: s.assistedValuePaise + d.orders.assistedValuePaise,
    }),
    { total: 0, cancelled: 0, assisted: 0, assistedValuePaise: 0 },
  );

/**
 * The weekly report (each figure defined in docs/metrics.md): raw figures come from SQL (stores/report-figures.ts);
 * everything derived from them — rates, costs, week-over-week change, targets — is computed here, purely, and never
 * divides by 0.
 */
import { type Bounds, ANALYTICS_TIMEZONE } from './iso-week';
import { recommendationsFor } from './recommendations';
import type { Count } from './support-metrics';
import {
  METRIC_NAMES,
  type BreakdownRow,
  type CartValueAtRisk,
  type Change,
  type Metric,
  type MetricName,
  type Metrics,
  type TargetLevel,
  type TargetProgress,
  type TrendPoint,
  type WeekFigures,
  type WeeklyReport,
} from './weekly-report-shape';

export const METRIC_LABELS: Record<MetricName, { label: string; unit: string }> = {
  totalOrders: { label: 'Total orders', unit: 'orders' },
  assistedOrders: { label: 'Assisted orders', unit: 'orders' },
  selfServeRate: { label: 'Self-serve rate', unit: '%' },
  assistedConversionRate: { label: 'Assisted conversion rate', unit: '%' },
  incidences: { label: 'Incidences', unit: 'incidences' },
  avgTimeToResolveMinutes: { label: 'Average time to resolve', unit: 'min' },
  medianTimeToResolveMinutes: { label: 'Median time to resolve', unit: 'min' },
  supportCost: { label: 'Support cost', unit: '₹' },
  costPerAssistedOrder: { label: 'Cost per assisted order', unit: '₹' },
  repeatFrictionIssues: { label: 'Repeat friction issues', unit: 'incidences' },
  eventsRepaired: { label: 'Events repaired by reconciliation', unit: 'events' },
};

/** n / d as a metric: null with a reason when d is 0. */
export function ratio(n: number, d: number, reasonWhenEmpty: string, scale = 1): Metric {
  if (d === 0) return { value: null, reason: reasonWhenEmpty };
  return { value: (n / d) * scale };
}

export const count = (n: number): Metric => ({ value: n });
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Time-to-resolve buckets of the distribution chart; SQL counts into exactly these, in this order. */
export const TIME_TO_RESOLVE_BUCKETS = [
  { name: '< 2 min', upToSeconds: 120 },
  { name: '2–5 min', upToSeconds: 300 },
  { name: '5–10 min', upToSeconds: 600 },
  { name: '10–30 min', upToSeconds: 1800 },
  { name: '30–60 min', upToSeconds: 3600 },
  { name: '1–4 h', upToSeconds: 14_400 },
  { name: '≥ 4 h', upToSeconds: null },
] as const;

/** The report's metrics from one week's figures. */
export function metricsOf(f: WeekFigures, agentHourlyRate: number): Metrics {
  const supportCost = round((f.totalTimeToResolveSeconds / 3600) * agentHourlyRate);
  const minutes = (s: number | null, reason: string): Metric =>
    s === null ? { value: null, reason } : { value: s / 60 };
  return {
    totalOrders: count(f.totalOrders),
    assistedOrders: count(f.assistedOrders),
    selfServeRate: ratio(f.totalOrders - f.assistedOrders, f.totalOrders, 'no orders were placed this week', 100),
    assistedConversionRate: ratio(f.convertedIncidences, f.closedIncidences, 'no incidence was closed this week', 100),
    incidences: count(f.incidences),
    avgTimeToResolveMinutes: minutes(f.avgTimeToResolveSeconds, 'no incidence was resolved this week'),
    medianTimeToResolveMinutes: minutes(f.medianTimeToResolveSeconds, 'no incidence was resolved this week'),
    supportCost: { value: supportCost },
    costPerAssistedOrder:
      f.assistedOrders === 0
        ? { value: null, reason: 'no assisted orders this week' }
        : { value: round(supportCost / f.assistedOrders) },
    repeatFrictionIssues: count(f.repeatFrictionIssues),
    // Should stay near zero: every one is a webhook Freshchat delivered to nobody.
    eventsRepaired: count(f.eventsRepaired ?? 0),
  };
}

export function changeOf(current: Metric, previous: Metric): Change {
  if (current.value === null || previous.value === null) {
    return {
      previous: previous.value,
      absolute: null,
      percent: null,
      reason: current.reason ?? previous.reason ?? 'no value',
    };
  }
  const absolute = current.value - previous.value;
  if (previous.value === 0) return { previous: 0, absolute, percent: null, reason: 'previous week was 0' };
  return { previous: previous.value, absolute, percent: (absolute / Math.abs(previous.value)) * 100 };
}

function breakdown(current: Count[], previous: Count[]): BreakdownRow[] {
  const before = new Map(previous.map((c) => [c.name, c.count]));
  return current.map((c) => ({ ...c, previous: before.get(c.name) ?? 0, change: c.count - (before.get(c.name) ?? 0) }));
}

function level(value: number | null, target: number, direction: 'at_least' | 'below'): TargetLevel {
  if (value === null) return { target, met: null, gap: null };
  const met = direction === 'at_least' ? value >= target : value < target;
  const gap = direction === 'at_least' ? target - value : value - target;
  return { target, met, gap: met ? 0 : gap };
}

/** The targets (docs/metrics.md). Repeat friction: month 1 is "track"; month 3 is −30% against four weeks earlier. */
export function targetsOf(metrics: Metrics, repeatBaseline: number): TargetProgress[] {
  const target = (metric: MetricName, direction: 'at_least' | 'below', m1: number, m3: number): TargetProgress => {
    const { value, reason } = metrics[metric];
    return {
      metric,
      label: METRIC_LABELS[metric].label,
      unit: METRIC_LABELS[metric].unit,
      value,
      direction,
      month1: level(value, m1, direction),
      month3: level(value, m3, direction),
      ...(reason ? { reason } : {}),
    };
  };
  const repeats = metrics.repeatFrictionIssues.value ?? 0;
  const repeatChange = repeatBaseline === 0 ? null : ((repeats - repeatBaseline) / repeatBaseline) * 100;
  return [
    target('selfServeRate', 'at_least', 60, 75),
    target('avgTimeToResolveMinutes', 'below', 10, 5),
    target('costPerAssistedOrder', 'below', 50, 30),
    {
      metric: 'repeatFrictionIssues',
      label: 'Repeat friction issues, change against four weeks earlier',
      unit: '%',
      value: repeatChange,
      direction: 'below',
      month1: { track: true },
      month3:
        repeatChange === null
          ? { target: -30, met: null, gap: null }
          : { target: -30, met: repeatChange <= -30, gap: repeatChange <= -30 ? 0 : repeatChange + 30 },
      ...(repeatChange === null ? { reason: 'no repeat friction issues four weeks earlier to compare with' } : {}),
    },
  ];
}

/** Open conversations when the report was computed, and their cart value (rupees). */
export interface ReportInputs {
  isoWeek: string;
  bounds: Bounds;
  previousIsoWeek: string;
  current: WeekFigures;
  previous: WeekFigures;
  previousSource?: 'stored' | 'computed';
  /** Repeat friction issues four weeks earlier (the −30% target's baseline). */
  repeatBaseline: number;
  trend: TrendPoint[];
  agentHourlyRate: number;
  computedAt: string;
  cartValueAtRisk: CartValueAtRisk;
}

export function buildWeeklyReport(input: ReportInputs): WeeklyReport {
  const metrics = metricsOf(input.current, input.agentHourlyRate);
  const previousMetrics = metricsOf(input.previous, input.agentHourlyRate);
  const change = Object.fromEntries(METRIC_NAMES.map((m) => [m, changeOf(metrics[m], previousMetrics[m])])) as Record<
    MetricName,
    Change
  >;
  const previousScreens = new Map(input.previous.topFrictionScreens.map((s) => [s.name, s.count]));
  const report: Omit<WeeklyReport, 'recommendations'> = {
    isoWeek: input.isoWeek,
    period: { ...input.bounds, timezone: ANALYTICS_TIMEZONE },
    computedAt: input.computedAt,
    agentHourlyRate: input.agentHourlyRate,
    metrics,
    previousWeek: {
      isoWeek: input.previousIsoWeek,
      metrics: previousMetrics,
      source: input.previousSource ?? 'computed',
    },
    change,
    topIssueCategories: breakdown(input.current.topIssueCategories, input.previous.topIssueCategories),
    topFrictionScreens: input.current.topFrictionScreens.map((s) => ({
      ...s,
      previous: previousScreens.get(s.name) ?? 0,
      change: s.count - (previousScreens.get(s.name) ?? 0),
    })),
    frictionSignals: breakdown(input.current.frictionSignals, input.previous.frictionSignals),
    outcomes: breakdown(input.current.outcomes, input.previous.outcomes),
    orderImpact: breakdown(input.current.orderImpact, input.previous.orderImpact),
    timeToResolveDistribution: input.current.timeToResolveDistribution,
    selfServeTrend: input.trend,
    targets: targetsOf(metrics, input.repeatBaseline),
    figures: input.current,
    support: {
      current: input.current.support,
      previous: input.previous.support ?? null,
      cartValueAtRisk: input.cartValueAtRisk,
    },
  };
  return { ...report, recommendations: recommendationsFor(report) };
}

export { weeklyReportWorkflowId, type WeeklyReportSettings } from './weekly-report-run';

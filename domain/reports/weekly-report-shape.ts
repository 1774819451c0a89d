/** The weekly report's shape: its figures, metrics, changes, targets and recommendations (docs/metrics.md). */
import type { Bounds } from './iso-week';
import type { Count, SupportFigures } from './support-metrics';

export interface Recommendation {
  rule: 'target-missed' | 'top-friction-screen' | 'growing-category' | 'no-orders';
  priority: 'high' | 'medium';
  text: string;
  numbers: Record<string, number | string | null>;
}

export interface ScreenCount extends Count {
  /** The issue category most often recorded for incidences on this screen (null when none was tagged). */
  topIssue: string | null;
  topIssueCount: number;
}

/** One week's raw figures, as counted by SQL. */
export interface WeekFigures {
  /** Orders placed in the week (India time): their PLACED event, once per order id, excluding cancelled ones. */
  totalOrders: number;
  cancelledOrders: number;
  /** Of totalOrders, those with a stored assist link. */
  assistedOrders: number;
  /** Incidences started in the week. */
  incidences: number;
  /** Incidences resolved in the week (outcome other than IN_PROGRESS). */
  closedIncidences: number;
  convertedIncidences: number;
  avgTimeToResolveSeconds: number | null;
  medianTimeToResolveSeconds: number | null;
  totalTimeToResolveSeconds: number;
  /** Incidences resolved in the week whose user had another incidence of the same category in the 30 days before. */
  repeatFrictionIssues: number;
  /** Events reconciliation delivered that the webhooks had lost (absent in reports stored before it existed). */
  eventsRepaired?: number;
  topIssueCategories: Count[];
  topFrictionScreens: ScreenCount[];
  frictionSignals: Count[];
  outcomes: Count[];
  orderImpact: Count[];
  timeToResolveDistribution: Count[];
  /** Response times, SLAs and commerce-linked figures (absent from reports stored before they existed). */
  support: SupportFigures;
}

export interface Metric {
  value: number | null;
  /** Why the value is null (never a division error). */
  reason?: string;
}

export interface Change {
  previous: number | null;
  absolute: number | null;
  /** Relative change in percent; null when the previous value was 0 or unknown. */
  percent: number | null;
  reason?: string;
}

export interface TargetLevel {
  target: number;
  met: boolean | null;
  /** How far from the target, in the metric's unit (positive = short of it). */
  gap: number | null;
}

export interface TargetProgress {
  metric: MetricName;
  label: string;
  unit: string;
  value: number | null;
  direction: 'at_least' | 'below';
  month1: TargetLevel | { track: true };
  month3: TargetLevel;
  reason?: string;
}

export interface TrendPoint {
  isoWeek: string;
  totalOrders: number;
  assistedOrders: number;
  selfServeRate: number | null;
}

export const METRIC_NAMES = [
  'totalOrders',
  'assistedOrders',
  'selfServeRate',
  'assistedConversionRate',
  'incidences',
  'avgTimeToResolveMinutes',
  'medianTimeToResolveMinutes',
  'supportCost',
  'costPerAssistedOrder',
  'repeatFrictionIssues',
  'eventsRepaired',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export type Metrics = Record<MetricName, Metric>;

export interface BreakdownRow extends Count {
  previous: number;
  change: number;
}

export interface WeeklyReport {
  isoWeek: string;
  period: Bounds & { timezone: string };
  computedAt: string;
  agentHourlyRate: number;
  metrics: Metrics;
  /** source: 'stored' when read from that week's final stored report, 'computed' when counted for this report. */
  previousWeek: { isoWeek: string; metrics: Metrics; source: 'stored' | 'computed' };
  change: Record<MetricName, Change>;
  topIssueCategories: BreakdownRow[];
  topFrictionScreens: Array<ScreenCount & { previous: number; change: number }>;
  frictionSignals: BreakdownRow[];
  outcomes: BreakdownRow[];
  orderImpact: BreakdownRow[];
  timeToResolveDistribution: Count[];
  selfServeTrend: TrendPoint[];
  targets: TargetProgress[];
  recommendations: Recommendation[];
  figures: WeekFigures;
  /** This week's and the previous week's support figures, and what is at risk as the report is computed. */
  support: { current: SupportFigures; previous: SupportFigures | null; cartValueAtRisk: CartValueAtRisk };
}

export interface CartValueAtRisk {
  openConversations: number;
  value: number;
  asOf: string;
}

export interface OrderFigures {
  total: number;
  cancelled: number;
  assisted: number;
  /** Value of the assisted orders, in paise (exact through sums). */
  assistedValuePaise: number;
}

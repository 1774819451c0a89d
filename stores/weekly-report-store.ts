import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { addDays, addWeeks, dayBounds, istDateOf, previousWeek, weekBounds } from '../domain/reports/iso-week';
import { figuresOfDays, type DayRollup } from '../domain/reports/report-rollup';
import type { SupportFigures } from '../domain/reports/support-metrics';
import { buildWeeklyReport } from '../domain/reports/weekly-report';
import type { WeekFigures, WeeklyReport, OrderFigures } from '../domain/reports/weekly-report-shape';
import { renderReportHtml } from '../domain/reports/report-html';
import { linkAssists } from './order-store';
import { trendPoint } from './report-figures';
import { readDays, refreshDays } from './report-days';
import { repairsIn } from './reconciliation-store';
import { cartValueAtRisk } from './overview-store';

/** Weeks in the self-serve trend (at least 2: the last two are the report's week and the one before). */
export const TREND_WEEKS = 8;
/** The repeat-friction target compares with the same figure this many weeks earlier. */
export const REPEAT_BASELINE_WEEKS = 4;

/** The seven India-time days of an ISO week. */
export const daysOfWeek = (isoWeek: string): string[] => {
  const monday = istDateOf(weekBounds(isoWeek).start);
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
};

/**
 * Computes a week's report from the day rollups (stores/report-days.ts): stale or missing days of the eight trend
 * weeks are counted again and stored first, then everything is read in one read-only snapshot (a day that turned
 * stale meanwhile is counted in that snapshot). The previous week and the repeat-friction baseline week come from
 * their stored reports when those were computed after the week ended (final: the Monday run stores them), so
 * week-over-week compares with the figures people were sent. Orders of all eight trend weeks are always live.
 */
export async function computeWeeklyReport(
  pool: DatabasePool,
  isoWeek: string,
  agentHourlyRate: number,
  now = new Date(),
): Promise<WeeklyReport> {
  const previousIsoWeek = previousWeek(isoWeek);
  const baselineWeek = addWeeks(isoWeek, -REPEAT_BASELINE_WEEKS);
  const weeks = Array.from({ length: TREND_WEEKS }, (_, i) => addWeeks(isoWeek, i - TREND_WEEKS + 1));
  await refreshDays(pool, weeks.flatMap(daysOfWeek));
  return pool.transaction(async (tx) => {
    await tx.query(sql.unsafe`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
    await tx.query(sql.unsafe`SET LOCAL jit = off`);
    const earlier = await readDays(tx, weeks.slice(0, -2).flatMap(daysOfWeek), 'orders');
    const recent = await readDays(tx, [previousIsoWeek, isoWeek].flatMap(daysOfWeek));
    const days = [...earlier, ...recent];
    const weekDays = (i: number) => days.slice(i * 7, i * 7 + 7);
    const trend = weeks.map((w, i) => trendPoint(w, ordersOfDays(weekDays(i))));
    // Reconciliation passes are not rolled up by day: their weekly count is one short query.
    const current = {
      ...figuresOfDays(weekDays(TREND_WEEKS - 1)),
      eventsRepaired: await repairsIn(tx, weekBounds(isoWeek)),
    };
    const final = await finalFigures(tx, [previousIsoWeek, baselineWeek]);
    const storedPrevious = final.get(previousIsoWeek);
    const counted = {
      ...figuresOfDays(weekDays(TREND_WEEKS - 2)),
      eventsRepaired: await repairsIn(tx, weekBounds(previousIsoWeek)),
    };
    const previous = storedPrevious
      ? {
          ...storedPrevious,
          totalOrders: counted.totalOrders,
          cancelledOrders: counted.cancelledOrders,
          assistedOrders: counted.assistedOrders,
          support: storedPrevious.support ?? counted.support,
        }
      : counted;
    const baselineDays = weekDays(TREND_WEEKS - 1 - REPEAT_BASELINE_WEEKS);
    const repeatBaseline =
      final.get(baselineWeek)?.repeatFrictionIssues ?? baselineDays.reduce((s, d) => s + d.repeats, 0);
    return buildWeeklyReport({
      isoWeek,
      bounds: weekBounds(isoWeek),
      previousIsoWeek,
      current,
      previous,
      previousSource: storedPrevious ? 'stored' : 'computed',
      repeatBaseline,
      trend,
      agentHourlyRate,
      computedAt: now.toISOString(),
      cartValueAtRisk: await cartValueAtRisk(tx, now),
    });
  });
}

/** The order figures of a run of days. */
const ordersOfDays = (days: DayRollup[]): OrderFigures =>
  days.reduce(
    (s, d) => ({
      total: s.total + d.orders.total,
      cancelled: s.cancelled + d.orders.cancelled,
      assisted: s.assisted + d.orders.assisted,
      assistedValuePaise: s.assistedValuePaise + d.orders.assistedValuePaise,
    }),
    { total: 0, cancelled: 0, assisted: 0, assistedValuePaise: 0 },
  );

/** Figures of stored reports that were computed after their week had ended, by week. */
async function finalFigures(db: CommonQueryMethods, isoWeeks: string[]): Promise<Map<string, WeekFigures>> {
  const rows = await db.any(sql.type(z.object({ iso_week: z.string(), figures: z.any(), computed_at: z.string() }))`
    SELECT iso_week, report->'figures' AS figures, to_json(computed_at)#>>'{}' AS computed_at
    FROM weekly_reports WHERE iso_week = ANY(${sql.array(isoWeeks, 'text')})`);
  return new Map(
    rows
      .filter((r) => r.figures && Date.parse(r.computed_at) >= Date.parse(weekBounds(r.iso_week).end))
      .map((r) => [r.iso_week, r.figures as WeekFigures]),
  );
}

export interface StoredReportSummary {
  isoWeek: string;
  computations: number;
  computedAt: string;
}

/** Computes and stores (upserts) a week's report with its HTML; counts computations per week. */
export async function computeAndStoreWeeklyReport(
  pool: DatabasePool,
  isoWeek: string,
  agentHourlyRate: number,
): Promise<StoredReportSummary> {
  const report = await computeWeeklyReport(pool, isoWeek, agentHourlyRate);
  const html = renderReportHtml(report);
  const counted = sql.type(z.object({ computations: z.number() }));
  // Two runs can finish out of order (the Monday run and a coalescing one): an older snapshot never replaces a newer.
  const stored = await pool.maybeOneFirst(counted`
    INSERT INTO weekly_reports (iso_week, report, html, computed_at)
    VALUES (${isoWeek}, ${sql.jsonb(report as never)}, ${html}, ${report.computedAt}::timestamptz)
    ON CONFLICT (iso_week) DO UPDATE SET report = EXCLUDED.report, html = EXCLUDED.html, computed_at = EXCLUDED.computed_at,
      computations = weekly_reports.computations + 1
      WHERE weekly_reports.computed_at <= EXCLUDED.computed_at
    RETURNING computations`);
  const computations =
    stored ?? (await pool.oneFirst(counted`SELECT computations FROM weekly_reports WHERE iso_week = ${isoWeek}`));
  return { isoWeek, computations, computedAt: report.computedAt };
}

const storedRow = z.object({
  report: z.any(),
  html: z.string().nullable(),
  computed_at: z.string(),
  computations: z.number(),
  emailed_at: z.string().nullable(),
});

export interface StoredReport {
  report: WeeklyReport;
  html: string | null;
  computedAt: string;
  computations: number;
  emailedAt: string | null;
}

export async function readWeeklyReport(pool: DatabasePool, isoWeek: string): Promise<StoredReport | null> {
  const row = await pool.maybeOne(sql.type(storedRow)`
    SELECT report, html, to_json(computed_at)#>>'{}' AS computed_at, computations, to_json(emailed_at)#>>'{}' AS emailed_at
    FROM weekly_reports WHERE iso_week = ${isoWeek}`);
  return row
    ? {
        report: row.report as WeeklyReport,
        html: row.html,
        computedAt: row.computed_at,
        computations: row.computations,
        emailedAt: row.emailed_at,
      }
    : null;
}

export const markEmailed = (pool: DatabasePool, isoWeek: string) =>
  pool.query(
    sql.unsafe`UPDATE weekly_reports SET emailed_at = NOW() WHERE iso_week = ${isoWeek} AND emailed_at IS NULL`,
  );

// --- analytics_daily ------------------------------------------------------------------------------

export interface DailyRow {
  date: string;
  total_orders: number;
  orders_without_help: number;
  orders_with_help: number;
  total_incidences: number;
  avg_time_to_resolve_seconds: number | null;
  top_issue_categories: Array<{ name: string; count: number }>;
  top_friction_screens: Array<{ name: string; count: number }>;
  computed_at: string;
  /** Response times, SLAs and commerce figures of the day (null for a day aggregated before they existed). */
  support: SupportFigures | null;
}

/**
 * Aggregates one India-time day into analytics_daily (upsert, so a re-run or caught-up run is harmless).
 * First repairs assist links of the day's orders (an order and an incidence stored concurrently can each miss
 * the other), so the day's figures read complete links.
 */
export async function aggregateDay(pool: DatabasePool, date: string, assistedWindowMs: number): Promise<DailyRow> {
  const bounds = dayBounds(date);
  await linkAssists(
    pool,
    {
      orders: sql.fragment`placed_at >= ${bounds.start}::timestamptz AND placed_at < ${bounds.end}::timestamptz`,
      incidences: sql.fragment`TRUE`,
    },
    assistedWindowMs,
  );
  await refreshDays(pool, [date], true);
  const f = figuresOfDays(await readDays(pool, [date]));
  await pool.query(sql.unsafe`
    INSERT INTO analytics_daily (date, total_orders, orders_without_help, orders_with_help, total_incidences,
                                 avg_time_to_resolve_seconds, top_issue_categories, top_friction_screens, support, computed_at)
    VALUES (${date}::date, ${f.totalOrders}, ${f.totalOrders - f.assistedOrders}, ${f.assistedOrders}, ${f.incidences},
            ${f.avgTimeToResolveSeconds === null ? null : Math.round(f.avgTimeToResolveSeconds)},
            ${sql.jsonb(f.topIssueCategories as never)},
            ${sql.jsonb(f.topFrictionScreens.map((s) => ({ name: s.name, count: s.count })) as never)},
            ${sql.jsonb(f.support as never)}, NOW())
    ON CONFLICT (date) DO UPDATE SET total_orders = EXCLUDED.total_orders, orders_without_help = EXCLUDED.orders_without_help,
      orders_with_help = EXCLUDED.orders_with_help, total_incidences = EXCLUDED.total_incidences,
      avg_time_to_resolve_seconds = EXCLUDED.avg_time_to_resolve_seconds, top_issue_categories = EXCLUDED.top_issue_categories,
      top_friction_screens = EXCLUDED.top_friction_screens, support = EXCLUDED.support, computed_at = NOW()`);
  return (await readDaily(pool, date, date))[0]!;
}

const dailyRow = z.object({
  date: z.string(),
  total_orders: z.number(),
  orders_without_help: z.number(),
  orders_with_help: z.number(),
  total_incidences: z.number(),
  avg_time_to_resolve_seconds: z.number().nullable(),
  top_issue_categories: z.array(z.object({ name: z.string(), count: z.number() })),
  top_friction_screens: z.array(z.object({ name: z.string(), count: z.number() })),
  computed_at: z.string(),
  support: z.any().nullable(),
});

export async function readDaily(pool: Pick<DatabasePool, 'any'>, from: string, to: string): Promise<DailyRow[]> {
  const rows = await pool.any(sql.type(dailyRow)`
    SELECT to_char(date, 'YYYY-MM-DD') AS date, COALESCE(total_orders, 0) AS total_orders, COALESCE(orders_without_help, 0) AS orders_without_help,
           COALESCE(orders_with_help, 0) AS orders_with_help, COALESCE(total_incidences, 0) AS total_incidences, avg_time_to_resolve_seconds,
           COALESCE(top_issue_categories, '[]'::jsonb) AS top_issue_categories, COALESCE(top_friction_screens, '[]'::jsonb) AS top_friction_screens,
           to_json(computed_at)#>>'{}' AS computed_at, support
    FROM analytics_daily WHERE date >= ${from}::date AND date <= ${to}::date ORDER BY date`);
  return rows.map((row) => ({ ...row, support: row.support as SupportFigures | null }));
}

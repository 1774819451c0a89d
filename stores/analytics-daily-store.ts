import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { SupportFigures } from '../domain/reports/support-metrics';
import type { WeekFigures } from '../domain/reports/weekly-report-shape';

/** analytics_daily: one row of figures per India-time day, written by the daily aggregation. */

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

/** Stores a day's figures (upsert, so a re-run or caught-up run is harmless). */
export async function writeDaily(pool: DatabasePool, date: string, f: WeekFigures): Promise<void> {
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

import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { weekBounds } from '../domain/reports/iso-week';
import type { WeekFigures, WeeklyReport } from '../domain/reports/weekly-report-shape';

/** weekly_reports: each week's computed report with its HTML, how often it was computed, and when it was emailed. */

export interface StoredReportSummary {
  isoWeek: string;
  computations: number;
  computedAt: string;
}

/** Stores (upserts) a week's report with its HTML; counts computations per week. */
export async function storeWeeklyReport(
  pool: DatabasePool,
  report: WeeklyReport,
  html: string,
): Promise<StoredReportSummary> {
  const { isoWeek } = report;
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

/** Figures of stored reports that were computed after their week had ended, by week. */
export async function finalFigures(db: CommonQueryMethods, isoWeeks: string[]): Promise<Map<string, WeekFigures>> {
  const rows = await db.any(sql.type(z.object({ iso_week: z.string(), figures: z.any(), computed_at: z.string() }))`
    SELECT iso_week, report->'figures' AS figures, to_json(computed_at)#>>'{}' AS computed_at
    FROM weekly_reports WHERE iso_week = ANY(${sql.array(isoWeeks, 'text')})`);
  return new Map(
    rows
      .filter((r) => r.figures && Date.parse(r.computed_at) >= Date.parse(weekBounds(r.iso_week).end))
      .map((r) => [r.iso_week, r.figures as WeekFigures]),
  );
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

import Router from '@koa/router';
import type { DatabasePool } from 'slonik';
import { readDaily } from '../stores/analytics-daily-store';
import { readWeeklyReport } from '../stores/weekly-report-store';
import { daysBetween, addDays, parseIsoDate, parseIsoWeek } from '../domain/reports/iso-week';
import { renderReportCsv } from '../domain/reports/report-csv';
import { renderReportHtml } from '../domain/reports/report-html';
import {
  copyStatement,
  EXPORT_FORMATS,
  exportSelect,
  startedBetween,
  streamExport,
  type ExportFormat,
} from '../stores/incidence-export';
import { adminOnly } from './auth';
import type { AuthSettings } from '../infra/settings';
import { ApiError } from './errors';
import type { AgentNames } from '../clients/agent-names';

export interface AnalyticsApiDeps {
  pool: DatabasePool;
  auth: AuthSettings;
  /** Exports hold a connection of their own for the whole COPY. */
  databaseUrl: string;
  /** The export's agent_name column; absent, it repeats the id. */
  agentNames?: AgentNames;
}

export const MAX_DAILY_RANGE_DAYS = 366;
const WEEKLY_FILE = /^(\d{4}-W\d{2})(?:\.(json|html|csv))?$/;
// The page has no scripts and loads nothing: say so to the browser too.
const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/**
 * Reports, admin token only. Reading never computes: weekly reports come from weekly_reports (written by the
 * weekly report workflows), days from analytics_daily (written by the daily schedule).
 */
export function analyticsRouter(deps: AnalyticsApiDeps): Router {
  const router = new Router({ prefix: '/api/v1/analytics' });
  router.use(adminOnly(deps.auth));

  router.get('/weekly/:file', async (ctx) => {
    const match = WEEKLY_FILE.exec(ctx.params.file ?? '');
    if (!match || !parseIsoWeek(match[1]!)) {
      throw new ApiError(
        400,
        'invalid_iso_week',
        `"${ctx.params.file}" is not an ISO week like 2026-W48 (optionally .json, .html or .csv)`,
        'isoWeek',
      );
    }
    const [, isoWeek, format = 'json'] = match as unknown as [string, string, string | undefined];
    const stored = await readWeeklyReport(deps.pool, isoWeek);
    if (!stored) {
      throw new ApiError(
        404,
        'report_not_computed',
        `no report is stored for ${isoWeek}: it is computed when a conversation of that week is resolved, and every Monday 07:00 India time for the week before (or start workflow scheduledWeeklyReportWorkflow with {"isoWeek":"${isoWeek}"})`,
      );
    }
    ctx.set('last-modified', new Date(stored.computedAt).toUTCString());
    if (format === 'html') {
      ctx.type = 'text/html; charset=utf-8';
      ctx.set('content-security-policy', HTML_CSP);
      ctx.body = stored.html ?? renderReportHtml(stored.report);
    } else if (format === 'csv') {
      ctx.type = 'text/csv; charset=utf-8';
      ctx.set('content-disposition', `attachment; filename="weekly-report-${isoWeek}.csv"`);
      ctx.body = renderReportCsv(stored.report);
    } else {
      ctx.body = {
        iso_week: isoWeek,
        computed_at: stored.computedAt,
        computations: stored.computations,
        emailed_at: stored.emailedAt,
        report: stored.report,
      };
    }
  });

  router.get('/incidences.:format', async (ctx) => {
    const format = ctx.params.format as ExportFormat;
    if (!EXPORT_FORMATS.includes(format))
      throw new ApiError(
        400,
        'invalid_format',
        `"${ctx.params.format}" is not one of ${EXPORT_FORMATS.join(', ')}`,
        'format',
      );
    const { from, to } = dayRange(ctx.query);
    const names = (await deps.agentNames?.all()) ?? new Map<string, string>();
    const select = exportSelect(startedBetween(from, to), format, names);
    const stream = await streamExport(deps.databaseUrl, copyStatement(select, format));
    ctx.type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8';
    ctx.set('content-disposition', `attachment; filename="incidences-${from}-${to}.${format}"`);
    ctx.body = stream;
  });

  router.get('/daily', async (ctx) => {
    const { from, to, days } = dayRange(ctx.query);
    const rows = await readDaily(deps.pool, from, to);
    const present = new Set(rows.map((r) => r.date));
    const missing = Array.from({ length: days }, (_, i) => addDays(from, i)).filter((d) => !present.has(d));
    ctx.body = { from, to, timezone: 'Asia/Kolkata', days: rows, missing };
  });
  return router;
}

/** from and to (India-time days, inclusive), at most MAX_DAILY_RANGE_DAYS apart. */
function dayRange(query: Record<string, string | string[] | undefined>) {
  const from = dateParam(query.from, 'from');
  const to = dateParam(query.to, 'to');
  const days = daysBetween(from, to);
  if (days < 1) throw new ApiError(400, 'invalid_range', `from (${from}) is after to (${to})`, 'from');
  if (days > MAX_DAILY_RANGE_DAYS)
    throw new ApiError(400, 'invalid_range', `at most ${MAX_DAILY_RANGE_DAYS} days at once; asked for ${days}`, 'to');
  return { from, to, days };
}

function dateParam(value: string | string[] | undefined, name: string): string {
  if (typeof value !== 'string' || value === '')
    throw new ApiError(400, 'invalid_date', `${name} is required, as YYYY-MM-DD (India time)`, name);
  const date = parseIsoDate(value);
  if (!date) throw new ApiError(400, 'invalid_date', `${name}: "${value}" is not a date YYYY-MM-DD`, name);
  return date;
}

import type { DatabasePool } from 'slonik';
import { addWeeks, daysOfWeek, previousWeek, weekBounds } from '../domain/reports/iso-week';
import { figuresOfDays, ordersOfDays } from '../domain/reports/report-rollup';
import { renderReportHtml } from '../domain/reports/report-html';
import { buildWeeklyReport } from '../domain/reports/weekly-report';
import type { WeeklyReport } from '../domain/reports/weekly-report-shape';
import { sendWeeklyReportEmail, type AgentNamesOf } from '../clients/report-mailer';
import type { MailSettings } from '../infra/settings';
import { cartValueAtRisk } from '../stores/overview-store';
import { repairsIn } from '../stores/reconciliation-store';
import { readDays, refreshDays } from '../stores/report-days';
import { trendPoint } from '../stores/report-figures';
import { inReadOnlySnapshot } from '../stores/report-sql';
import {
  finalFigures,
  markEmailed,
  readWeeklyReport,
  storeWeeklyReport,
  type StoredReportSummary,
} from '../stores/weekly-report-store';

/** Weeks in the self-serve trend (at least 2: the last two are the report's week and the one before). */
export const TREND_WEEKS = 8;
/** The repeat-friction target compares with the same figure this many weeks earlier. */
export const REPEAT_BASELINE_WEEKS = 4;

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
  return inReadOnlySnapshot(pool, async (tx) => {
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

/** Computes and stores a week's report with its HTML; counts computations per week. */
export async function computeAndStoreWeeklyReport(
  pool: DatabasePool,
  isoWeek: string,
  agentHourlyRate: number,
): Promise<StoredReportSummary> {
  const report = await computeWeeklyReport(pool, isoWeek, agentHourlyRate);
  return storeWeeklyReport(pool, report, renderReportHtml(report));
}

export type EmailOutcome = 'sent' | 'already-sent' | 'not-configured' | 'no-report';

/**
 * Emails a stored weekly report once: emailed_at is set after sending, so a retried or caught-up run does not send
 * it again. (If the process dies between sending and marking, the retry sends a second copy: at least once, never
 * zero times.)
 */
export async function emailWeeklyReport(
  pool: DatabasePool,
  settings: MailSettings | undefined,
  isoWeek: string,
  agentNamesOf: AgentNamesOf = async () => new Map(),
): Promise<EmailOutcome> {
  if (!settings?.smtpUrl || settings.recipients.length === 0) return 'not-configured';
  const stored = await readWeeklyReport(pool, isoWeek);
  if (!stored?.html) return 'no-report';
  if (stored.emailedAt) return 'already-sent';
  const { report } = stored;
  const agents = await agentNamesOf(report.support?.current.slaMet.agent.map((r) => r.name) ?? []).catch(
    () => new Map<string, string>(),
  );
  await sendWeeklyReportEmail({ ...settings, smtpUrl: settings.smtpUrl }, report, agents);
  await markEmailed(pool, isoWeek);
  return 'sent';
}

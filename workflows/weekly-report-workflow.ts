import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { AnalyticsActivities } from '../activities/analytics-activities';
import { addDays, istDateOf, isoWeekOf, previousWeek } from '../domain/reports/iso-week';
import { weeklyReportWorkflowId, type WeeklyReportSettings } from '../domain/reports/weekly-report-run';
import { quietPeriod, shouldContinueAsNew } from './loop-control';
import { resolutionRecordedSignal, weeklyReportStateQuery } from './signals';

const analytics = proxyActivities<AnalyticsActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export const DEFAULT_WEEKLY_REPORT_SETTINGS: WeeklyReportSettings = {
  quietPeriodMs: 30_000,
  idleTimeoutMs: 15 * 60_000,
};

export interface WeeklyReportInput extends WeeklyReportSettings {
  isoWeek: string;
  /** False when continuing as new with nothing to compute. */
  pending?: boolean;
}

/** A burst of resolutions never delays the computation past this many quiet periods. */
const MAX_QUIET_PERIODS = 10;
/** The history limit of runs started before it was a setting. */
const DEFAULT_HISTORY_LIMIT = 2000;

/**
 * One run per ISO week (`weekly-report-<week>`): resolutions of that week signal it, and it recomputes the stored
 * report once per burst (debounced by the quiet period) instead of once per resolution. It completes after the
 * idle timeout; a later resolution starts a new run with the same id.
 */
export async function weeklyReportWorkflow(
  input: WeeklyReportInput,
): Promise<{ computations: number; signals: number }> {
  let pending = input.pending ?? true;
  let signals = 0;
  let computations = 0;
  setHandler(resolutionRecordedSignal, () => {
    signals++;
    pending = true;
  });
  setHandler(weeklyReportStateQuery, () => ({ isoWeek: input.isoWeek, signals, computations, pending }));

  for (;;) {
    if (pending) {
      await quietPeriod(
        { quietMs: input.quietPeriodMs, maxMs: MAX_QUIET_PERIODS * input.quietPeriodMs },
        () => signals,
      );
      pending = false;
      await analytics.computeWeeklyReport(input.isoWeek);
      computations++;
      continue;
    }
    if (shouldContinueAsNew(input.historyLimit ?? DEFAULT_HISTORY_LIMIT)) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof weeklyReportWorkflow>({ ...input, pending });
    }
    const woke = await condition(() => pending, input.idleTimeoutMs);
    if (!woke && !pending) {
      await condition(allHandlersFinished);
      return { computations, signals };
    }
  }
}

/**
 * Hand-off from a conversation: a resolution at `resolvedAt` makes its ISO week's report stale. Starts the week's
 * run as a child that outlives the conversation (ParentClosePolicy.ABANDON), or signals it when it is already
 * running. Best effort: the scheduled weekly run recomputes the week anyway, so a failure here never fails the
 * conversation.
 */
export async function handOffToWeeklyReport(
  resolvedAt: string,
  settings: WeeklyReportSettings | undefined,
): Promise<void> {
  const isoWeek = isoWeekOf(resolvedAt);
  const workflowId = weeklyReportWorkflowId(isoWeek, workflowInfo().taskQueue);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await startChild(weeklyReportWorkflow, {
          workflowId,
          args: [{ isoWeek, ...(settings ?? DEFAULT_WEEKLY_REPORT_SETTINGS) }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        });
        return;
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      try {
        await getExternalWorkflowHandle(workflowId).signal(resolutionRecordedSignal);
        return;
      } catch {
        // The run completed between our start and our signal: start a new one.
      }
    }
  } catch (error) {
    log.warn('weekly report hand-off failed', { workflowId, error: (error as Error).message });
  }
}

/** When a scheduled run was due: the schedule's action time (kept on catch-up runs), else the run's start. */
function scheduledTime(): Date {
  const info = workflowInfo();
  const value = info.searchAttributes?.TemporalScheduledStartTime?.[0];
  const at = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  return at && !Number.isNaN(at.getTime()) ? at : info.runStartTime;
}

/** Scheduled every Monday morning India time: computes and emails the report of the week before. */
export async function scheduledWeeklyReportWorkflow(
  input: { isoWeek?: string } = {},
): Promise<{ isoWeek: string; email: string }> {
  const isoWeek = input.isoWeek ?? previousWeek(isoWeekOf(scheduledTime()));
  await analytics.computeWeeklyReport(isoWeek);
  const email = await analytics.emailWeeklyReport(isoWeek);
  return { isoWeek, email };
}

/** Scheduled shortly after midnight India time: aggregates the day before into analytics_daily. */
export async function analyticsDailyWorkflow(input: { date?: string } = {}): Promise<{ date: string }> {
  const date = input.date ?? addDays(istDateOf(scheduledTime()), -1);
  await analytics.aggregateAnalyticsDay(date);
  return { date };
}

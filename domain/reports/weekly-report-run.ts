// The weekly report's workflow run as conversations hand off to it: its settings and its id. Imports nothing, so
// workflow code takes it without the report's own rules.

/** Tunables of the weekly report run (WEEKLY_REPORT_QUIET_PERIOD, WEEKLY_REPORT_IDLE_TIMEOUT). */
export interface WeeklyReportSettings {
  /** Resolutions are coalesced: compute once they have been quiet this long. */
  quietPeriodMs: number;
  /** Complete after this long without a resolution; the next one starts a new run with the same id. */
  idleTimeoutMs: number;
  /** History length past which the run continues as new; absent in runs started before it was configurable. */
  historyLimit?: number;
}

/**
 * `weekly-report-2026-W48` on the production task queue. Other queues sharing the namespace (tests, staging) get
 * theirs appended, so they never coalesce into, and compute against, another deployment's run.
 */
export const weeklyReportWorkflowId = (
  isoWeek: string,
  taskQueue: string,
  defaultTaskQueue = 'support-led-ordering',
): string => (taskQueue === defaultTaskQueue ? `weekly-report-${isoWeek}` : `weekly-report-${isoWeek}@${taskQueue}`);

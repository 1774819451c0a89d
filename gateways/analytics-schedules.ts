import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import { ANALYTICS_TIMEZONE } from '../domain/reports/iso-week';

export const dailyScheduleId = (taskQueue: string) => `analytics-daily-${taskQueue}`;
export const weeklyScheduleId = (taskQueue: string) => `weekly-report-schedule-${taskQueue}`;

interface ScheduleDefinition {
  scheduleId: string;
  memo: string;
  spec: ScheduleSpec;
  action: ScheduleOptionsStartWorkflowAction<never>;
}

const definitions = (taskQueue: string): ScheduleDefinition[] => [
  {
    scheduleId: dailyScheduleId(taskQueue),
    memo: 'Aggregates the previous India-time day into analytics_daily',
    spec: { cronExpressions: ['15 0 * * *'], timezone: ANALYTICS_TIMEZONE },
    action: {
      type: 'startWorkflow',
      workflowType: 'analyticsDailyWorkflow',
      taskQueue,
      args: [{}] as never,
      workflowId: `${dailyScheduleId(taskQueue)}-run`,
    },
  },
  {
    scheduleId: weeklyScheduleId(taskQueue),
    memo: 'Computes and emails the weekly report of the previous ISO week',
    spec: { cronExpressions: ['0 7 * * MON'], timezone: ANALYTICS_TIMEZONE },
    action: {
      type: 'startWorkflow',
      workflowType: 'scheduledWeeklyReportWorkflow',
      taskQueue,
      args: [{}] as never,
      workflowId: `${weeklyScheduleId(taskQueue)}-run`,
    },
  },
];

/**
 * Missed runs are caught up, not skipped: with the worker down, the server still starts each run on time and it
 * waits in the task queue; with the server down, runs missed within the catch-up window start when it is back.
 * ALLOW_ALL so several caught-up days all run (each computes its own day from its scheduled time).
 */
const policies = { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: '7 days', pauseOnFailure: false } as const;

/** Creates the analytics schedules, or brings existing ones up to date; safe to run at every worker start. */
export async function ensureAnalyticsSchedules(client: Client, taskQueue: string): Promise<string[]> {
  for (const d of definitions(taskQueue)) {
    try {
      await client.schedule.create({
        scheduleId: d.scheduleId,
        spec: d.spec,
        action: d.action,
        policies,
        memo: { description: d.memo },
      });
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await client.schedule.getHandle(d.scheduleId).update((previous) => ({
        ...previous,
        spec: d.spec,
        action: d.action,
        policies: { ...previous.policies, ...policies },
      }));
    }
  }
  return definitions(taskQueue).map((d) => d.scheduleId);
}

import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { ReconciliationInput, ReconciliationSummary, ReconciliationTrigger } from '../domain/reconciliation-pass';
import type { reconciliationWorkflow } from '../workflows/reconciliation-workflow';
import type { Config } from './config';

export const reconciliationScheduleId = (taskQueue: string) => `reconciliation-${taskQueue}`;

/**
 * A scheduled pass spreads its batches over 80 % of the interval and stops at the interval (the next pass resumes
 * from its cursor); a manual pass runs its batches back to back, without a time limit, from the start of a sweep.
 */
export function reconciliationInput(config: Config, trigger: ReconciliationTrigger): ReconciliationInput {
  const scheduled = trigger === 'SCHEDULE';
  return {
    trigger,
    lookbackMs: config.RECONCILIATION_LOOKBACK,
    batchSize: config.RECONCILIATION_BATCH_SIZE,
    spreadMs: scheduled ? Math.round(config.RECONCILIATION_INTERVAL * 0.8) : 0,
    budgetMs: scheduled ? config.RECONCILIATION_INTERVAL : 0,
  };
}

/**
 * The reconciliation schedule: every RECONCILIATION_INTERVAL, catching up runs missed within
 * RECONCILIATION_CATCHUP_WINDOW (one at a time: a pass still running has at most one waiting behind it). Created, or
 * brought up to date, at every worker start.
 */
export async function ensureReconciliationSchedule(client: Client, config: Config): Promise<string> {
  const taskQueue = config.TEMPORAL_TASK_QUEUE;
  const scheduleId = reconciliationScheduleId(taskQueue);
  const spec = { intervals: [{ every: config.RECONCILIATION_INTERVAL }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'reconciliationWorkflow',
    taskQueue,
    args: [reconciliationInput(config, 'SCHEDULE')] as never,
    workflowId: `${scheduleId}-run`,
  };
  const policies = {
    overlap: ScheduleOverlapPolicy.BUFFER_ONE,
    catchupWindow: config.RECONCILIATION_CATCHUP_WINDOW,
    pauseOnFailure: false,
  };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action,
      policies,
      memo: { description: "Compares recent conversations with Freshchat's REST API and repairs lost deliveries" },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule
      .getHandle(scheduleId)
      .update((previous) => ({ ...previous, spec, action, policies: { ...previous.policies, ...policies } }));
  }
  return scheduleId;
}

/** One manual pass now, on the worker's task queue; resolves with its summary once it has finished. */
export async function runManualPass(
  client: Client,
  config: Config,
  overrides: Partial<ReconciliationInput> = {},
): Promise<ReconciliationSummary> {
  return client.workflow.execute<typeof reconciliationWorkflow>('reconciliationWorkflow', {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowId: `reconciliation-manual-${config.TEMPORAL_TASK_QUEUE}-${new Date().toISOString()}`,
    args: [{ ...reconciliationInput(config, 'MANUAL'), ...overrides }],
  });
}

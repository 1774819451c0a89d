import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type {
  ReconciliationInput,
  ReconciliationSummary,
  ReconciliationTrigger,
} from '../domain/reconciliation/reconciliation-pass';
import type { reconciliationWorkflow } from '../workflows/reconciliation-workflow';
import type { Settings } from '../infra/settings';

export const reconciliationScheduleId = (taskQueue: string) => `reconciliation-${taskQueue}`;

/**
 * A scheduled pass spreads its batches over 80 % of the interval and stops at the interval (the next pass resumes
 * from its cursor); a manual pass runs its batches back to back, without a time limit, from the start of a sweep.
 */
export function reconciliationInput(
  settings: Pick<Settings, 'reconciliation'>,
  trigger: ReconciliationTrigger,
): ReconciliationInput {
  const scheduled = trigger === 'SCHEDULE';
  const { intervalMs, lookbackMs, batchSize } = settings.reconciliation;
  return {
    trigger,
    lookbackMs,
    batchSize,
    spreadMs: scheduled ? Math.round(intervalMs * 0.8) : 0,
    budgetMs: scheduled ? intervalMs : 0,
  };
}

/**
 * The reconciliation schedule: every RECONCILIATION_INTERVAL, catching up runs missed within
 * RECONCILIATION_CATCHUP_WINDOW (one at a time: a pass still running has at most one waiting behind it). Created, or
 * brought up to date, at every worker start.
 */
export async function ensureReconciliationSchedule(client: Client, settings: Settings): Promise<string> {
  const taskQueue = settings.temporal.taskQueue;
  const scheduleId = reconciliationScheduleId(taskQueue);
  const spec = { intervals: [{ every: settings.reconciliation.intervalMs }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'reconciliationWorkflow',
    taskQueue,
    args: [reconciliationInput(settings, 'SCHEDULE')] as never,
    workflowId: `${scheduleId}-run`,
  };
  const policies = {
    overlap: ScheduleOverlapPolicy.BUFFER_ONE,
    catchupWindow: settings.reconciliation.catchupWindowMs,
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
  settings: Pick<Settings, 'temporal' | 'reconciliation'>,
  overrides: Partial<ReconciliationInput> = {},
): Promise<ReconciliationSummary> {
  const taskQueue = settings.temporal.taskQueue;
  return client.workflow.execute<typeof reconciliationWorkflow>('reconciliationWorkflow', {
    taskQueue,
    workflowId: `reconciliation-manual-${taskQueue}-${new Date().toISOString()}-${Math.random().toString(36).slice(2, 8)}`,
    args: [{ ...reconciliationInput(settings, 'MANUAL'), ...overrides }],
  });
}

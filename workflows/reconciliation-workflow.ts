import { ActivityFailure, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { ReconciliationActivities } from '../activities/reconciliation-activities';
import {
  LISTED_REPAIRS,
  type BatchResult,
  type RepairedConversation,
  type ReconciliationCursor,
  type ReconciliationInput,
  type ReconciliationSummary,
} from '../domain/reconciliation/reconciliation-pass';

const activities = proxyActivities<ReconciliationActivities>({
  // A batch may wait out Freshchat's rate limit (each Retry-After capped) before it finishes. It heartbeats while it
  // runs: a worker that died is noticed in a minute, and an attempt that timed out stops instead of running beside
  // its retry (whose batch, besides, is counted once: see recordBatch).
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/**
 * One reconciliation pass: conversations open in our records or active within the look-back window are compared
 * with Freshchat's REST API, then the users active in the window are asked for conversations we have never seen;
 * whatever the record lacks is delivered to the conversation workflows as the webhook's own events. Batches are
 * spread over `spreadMs`; a scheduled pass still running after `budgetMs` stops, and the next one resumes from the
 * stored cursor. An error (Freshchat down) ends the pass with the error in its row.
 */
export async function reconciliationWorkflow(input: ReconciliationInput): Promise<ReconciliationSummary> {
  const { trigger, lookbackMs, batchSize } = input;
  const pass = await activities.startReconciliationPass({ runId: workflowInfo().runId, trigger, lookbackMs });
  const startedAt = Date.now();
  const pauseMs = input.spreadMs / Math.max(1, Math.ceil(pass.workload / batchSize));
  let cursor: ReconciliationCursor | null = pass.cursor;
  let error: string | null = null;
  const repaired: RepairedConversation[] = [];
  while (cursor !== null) {
    try {
      const batch: BatchResult = await activities.reconcileBatch({
        passId: pass.passId,
        trigger,
        cursor,
        lookbackMs,
        batchSize,
      });
      cursor = batch.cursor;
      error = batch.error;
      repaired.push(...batch.repairs.slice(0, LISTED_REPAIRS - repaired.length));
    } catch (failure) {
      if (!(failure instanceof ActivityFailure)) throw failure;
      error = failure.cause?.message ?? failure.message;
    }
    if (error !== null || cursor === null) break;
    if (input.budgetMs > 0 && Date.now() - startedAt + pauseMs >= input.budgetMs) break;
    if (pauseMs > 0) await sleep(pauseMs);
  }
  const summary = await activities.finishReconciliationPass({ passId: pass.passId, error });
  return { ...summary, conversations: repaired };
}

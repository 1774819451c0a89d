import { condition, workflowInfo } from '@temporalio/workflow';

/** Every long-lived loop continues as new when Temporal suggests it or its history passed `historyLimit` events. */
export function shouldContinueAsNew(historyLimit: number): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > historyLimit;
}

/**
 * The one debounce: returns once `count()` has not moved for `quietMs`, or `maxMs` after the call, whichever comes
 * first. One timer per wait (`Date.now()` is workflow time, so replay decides the same).
 */
export async function quietPeriod(window: { quietMs: number; maxMs: number }, count: () => number): Promise<void> {
  const deadline = Date.now() + window.maxMs;
  for (;;) {
    const seen = count();
    const wait = Math.max(1, Math.min(window.quietMs, deadline - Date.now()));
    const moved = await condition(() => count() !== seen, wait);
    if (!moved || Date.now() >= deadline) return;
  }
}

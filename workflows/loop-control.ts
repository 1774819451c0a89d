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

/** What an idle conversation's timer ends: its own window (silence or reopen), or an SLA target falling due. */
export interface IdleWait {
  ms: number;
  until: 'window' | 'sla';
}

/** How long an idle conversation waits for its next event: to the end of its window, or to an earlier due target. */
export function idleWait(nowMs: number, windowEndsMs: number, slaDueMs: number | null): IdleWait {
  const window = Math.max(0, Math.ceil(windowEndsMs - nowMs));
  if (slaDueMs === null || slaDueMs - nowMs >= window) return { ms: window, until: 'window' };
  return { ms: Math.max(0, Math.ceil(slaDueMs - nowMs)), until: 'sla' };
}

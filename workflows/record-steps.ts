import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  log,
  proxyActivities,
  proxyLocalActivities,
  TemporalFailure,
} from '@temporalio/workflow';
import type { ConversationActivities, FollowUp } from '../activities/conversation-activities';
import type { IncidenceSnapshot } from '../domain/conversation/incidence-snapshot';
import { DATA_REJECTED } from '../domain/conversation/record-values';

type StoreSteps = Pick<
  ConversationActivities,
  'conversationStep' | 'recordDueBreaches' | 'closeForSilence' | 'applyResolutionTags'
>;

// A step first runs as a local activity (no task-queue round trip) for up to a minute, retrying inside the worker
// (intervals under localRetryThreshold add no timers to the history).
const quick = proxyLocalActivities<StoreSteps>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 minute',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds' },
});
// Past that, the outage is waited out by an ordinary activity: the server retries it with capped backoff for as long
// as the outage lasts, and those retries add nothing to the history, so no outage brings a run near its limit.
const patient = proxyActivities<StoreSteps & Pick<ConversationActivities, 'resolveIncidenceUser'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes' },
});
// Resolution tags are worth a bounded wait only: the resolution itself is already stored.
const tagReader = proxyActivities<Pick<ConversationActivities, 'fetchResolutionTags'>>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
});

// A failed local activity surfaces as its own failure, an ordinary one wrapped in an ActivityFailure.
const causeOf = (error: unknown): unknown => (error instanceof ActivityFailure ? error.cause : error);

/** True when PostgreSQL refused a step's data: retrying cannot help. */
export const isDataRejection = (error: unknown): boolean => {
  const cause = causeOf(error);
  return cause instanceof ApplicationFailure && cause.type === DATA_REJECTED;
};

/** A step that failed (not cancelled, not refused for its data): an outage, worth waiting out. */
const isOutage = (error: unknown): boolean =>
  error instanceof TemporalFailure && !(error instanceof CancelledFailure) && !isDataRejection(error);

/** Runs a database step: quickly in the worker, then patiently through an outage; data refusals are thrown. */
export async function storeStep<K extends keyof StoreSteps>(
  name: K,
  ...args: Parameters<StoreSteps[K]>
): Promise<Awaited<ReturnType<StoreSteps[K]>>> {
  type Step = (...a: Parameters<StoreSteps[K]>) => Promise<Awaited<ReturnType<StoreSteps[K]>>>;
  try {
    return await (quick[name] as Step)(...args);
  } catch (error) {
    if (!isOutage(error)) throw error;
    log.warn('database step failing; retrying until it succeeds', { step: name, error: (error as Error).message });
    return await (patient[name] as Step)(...args);
  }
}

/** A follow-up's result, for the loop to apply. */
export type FollowUpDone =
  | { kind: 'user'; snapshot: IncidenceSnapshot | null }
  | (Extract<FollowUp, { kind: 'tags' }> & { tags: string[] | null });

/**
 * Runs a follow-up beside the loop. It issues one activity and nothing after it: its result is handed to the loop,
 * which alone issues commands (a replay then issues them in the same order).
 */
export async function runFollowUp(conversationId: string, followUp: FollowUp): Promise<FollowUpDone> {
  if (followUp.kind === 'user') {
    try {
      return { kind: 'user', snapshot: await patient.resolveIncidenceUser(conversationId) };
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      log.warn('the incidence keeps an unknown user', { error: error.message });
      return { kind: 'user', snapshot: null };
    }
  }
  try {
    return { ...followUp, tags: (await tagReader.fetchResolutionTags(conversationId)) ?? [] };
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.warn('resolution tags unreadable; the resolution stands without them', { error: error.message });
    return { ...followUp, tags: null };
  }
}

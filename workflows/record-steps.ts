import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  log,
  proxyActivities,
  proxyLocalActivities,
  TemporalFailure,
} from '@temporalio/workflow';
import type { ConversationActivities } from '../activities/conversation-activities';
import type { ConversationEvent } from '../domain/conversation-event';
import type { Outcome } from '../domain/incidence';
import { DATA_REJECTED } from '../domain/record-values';
import type { Refusal } from '../use-cases/record-events';

type StoreSteps = Pick<
  ConversationActivities,
  'ensureIncidence' | 'applyIncidenceChange' | 'closeForSilence' | 'applyResolutionTags' | 'deadLetter' | 'recordEvents'
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
const PATIENT_RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes' } as const;
const patient = proxyActivities<StoreSteps & Pick<ConversationActivities, 'resolveIncidenceUser'>>({
  startToCloseTimeout: '30 seconds',
  retry: PATIENT_RETRY,
});
// Resolution tags are worth a bounded wait only: the resolution itself is already stored.
const tagReader = proxyActivities<Pick<ConversationActivities, 'fetchResolutionTags'>>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
});

// A failed local activity surfaces as its own failure, an ordinary one wrapped in an ActivityFailure.
const causeOf = (error: unknown): unknown => (error instanceof ActivityFailure ? error.cause : error);

/** True when PostgreSQL refused a step's data: retrying cannot help, the event is dead-lettered. */
export const isDataRejection = (error: unknown): error is TemporalFailure => {
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

/** Keeps a refused event in the dead-letter table; the conversation moves on without it. */
export async function deadLetter(event: ConversationEvent, failure: TemporalFailure): Promise<void> {
  const cause = causeOf(failure) as ApplicationFailure;
  const details = (cause.details?.[0] ?? {}) as { step?: string; sqlstate?: string };
  await deadLetterRefused(event, {
    step: details.step ?? 'unknown',
    error: cause.message,
    sqlstate: details.sqlstate ?? null,
  });
}

/** Keeps an event whose data a step refused (as a batch reports it) in the dead-letter table. */
export async function deadLetterRefused(event: ConversationEvent, refusal: Refusal): Promise<void> {
  log.error('event refused by the database; dead-lettered', { eventKey: event.eventKey, error: refusal.error });
  try {
    await storeStep('deadLetter', { event, ...refusal });
  } catch (error) {
    if (!isDataRejection(error)) throw error;
    // Ids only, never the body (message text, user properties): the event stays in this run's history.
    log.error('dead letter refused too; the event is only in the workflow history', {
      conversationId: event.conversationId,
      eventKey: event.eventKey,
      kind: event.kind,
      occurredAt: event.occurredAt,
    });
  }
}

/**
 * Reads a real-format resolution's tags from Freshchat beside the loop and applies them to the resolution already
 * stored (bounded retries; then the resolution stands without tags and says so in resolution_type).
 */
export async function fillInResolutionTags(input: {
  conversationId: string;
  incidenceId: string;
  eventKey: string;
  resolvedAt: string;
}): Promise<Outcome | null> {
  let tags: string[] | null;
  try {
    tags = (await tagReader.fetchResolutionTags(input.conversationId)) ?? [];
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.warn('resolution tags unreadable; the resolution stands without them', { error: error.message });
    tags = null;
  }
  try {
    return await storeStep('applyResolutionTags', { ...input, tags });
  } catch (error) {
    if (!isDataRejection(error)) throw error;
    log.error('resolution tags refused by the database', { error: error.message });
    return null;
  }
}

/** Looks up the app user of an incidence created while Freshchat failed; retried until Freshchat answers. */
export async function lookUpUserLater(conversationId: string): Promise<void> {
  try {
    await patient.resolveIncidenceUser(conversationId);
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.warn('the incidence keeps an unknown user', { error: error.message });
  }
}

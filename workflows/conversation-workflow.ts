import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  patched,
  proxyLocalActivities,
  setDefaultSignalHandler,
  setHandler,
  upsertSearchAttributes,
  log,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { carriesUser, type ConversationEvent } from '../domain/conversation-event';
import {
  initialConversationState,
  withSnapshot,
  type ConversationSettings,
  type ConversationState,
} from '../domain/conversation-state';
import type { Outcome, Resolution } from '../domain/incidence';
import { resolutionFromTags } from '../domain/resolution-rules';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { idleWait, SLA_AIM_AGAIN_BEFORE_DUE_MS } from '../domain/sla';
import type { ConversationActivities } from '../activities/conversation-activities';
import type { RecordedEvent } from '../use-cases/record-events';
import {
  applyChange,
  eventChangeOf,
  incidenceChangeOf,
  silenceCloseOf,
  stateAfterStoring,
  timelineEntryOf,
} from './conversation-changes';
import {
  deadLetter,
  deadLetterRefused,
  fillInResolutionTags,
  isDataRejection,
  lookUpUserLater,
  storeStep,
} from './record-steps';
import { assignmentSignal, messageSignal, reopenSignal, resolutionSignal, SIGNAL_BY_KIND, stateQuery } from './signals';
import { shouldContinueAsNew } from './loop-control';
import { slaStepsInLoop, startSlaTimers, type CarriedSla, type SlaSteps, type SlaTimers } from './sla-timers';
import { handOffToWeeklyReport, WEEKLY_REPORT_HANDOFF } from './weekly-report-workflow';

const RETRY = { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;

// Short steps run as local activities: no task-queue round trip each, same retry guarantees. ensureIncidence may
// call Freshchat once (5 s timeout) but never retries on its failures, so it stays short too.
const store = proxyLocalActivities<
  Pick<ConversationActivities, 'loadIncidence' | 'ensureIncidence' | 'applyIncidenceChange'>
>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '10 seconds',
  retry: RETRY,
});
// Reading resolution tags retries through Freshchat outages and rate limits, so it is an ordinary activity.
const activities = proxyActivities<ConversationActivities>({ startToCloseTimeout: '30 seconds', retry: RETRY });

export interface ConversationInput {
  conversationId: string;
  settings: ConversationSettings;
  /** Present when a run continues as new: what the previous run knew and had still queued. */
  carried?: { state: ConversationState; queue: ConversationEvent[]; recentKeys: string[]; sla?: CarriedSla };
}

const RECENT_KEYS_KEPT = 500;

/**
 * Runs from this patch on take each event's SLA step in the event loop, right after the event, and end the loop's idle
 * wait at the earliest due target too: one coroutine issues every command, so a replay issues them in the same order.
 * Runs that recorded SLA timers beside the loop keep them.
 */
const SLA_STEPS_IN_EVENT_LOOP = 'sla-steps-in-event-loop';
/**
 * Runs from this patch on wake a few seconds before a due target and wait again from that fresh workflow task, so a
 * breach is recorded at its due time even when the wait was computed after slow steps (`SLA_AIM_AGAIN_BEFORE_DUE_MS`).
 */
const SLA_AIMED_AGAIN_BEFORE_DUE = 'sla-aimed-again-before-due';
/**
 * Runs from this patch on hand each close to the weekly report in the event loop, awaited after the event's steps:
 * beside the loop, the hand-off's signal (to a report already running) could be issued in another order on replay.
 */
const REPORT_HAND_OFF_IN_EVENT_LOOP = 'report-hand-off-in-event-loop';

/**
 * Runs from this patch on keep the record true under faults: the state follows what is stored, database steps wait
 * out outages without growing the history, refused events are dead-lettered, resolution tags and a user Freshchat
 * could not name are filled in beside the loop, and a silence close never overwrites a stored state change.
 */
const RECORD_GUARANTEE = 'incidence-record-guarantee';

/**
 * Runs from this patch on store the queued events in one step (one activation for a burst, not one per event and
 * step), folded into the state as one at a time; search attributes are upserted once per batch, when they changed.
 */
const EVENTS_IN_ONE_STEP = 'events-in-one-step';
/** Bounds on one batch: its events, and its size in characters (a bound on the step's input and its history). */
const EVENTS_PER_STEP = 20;
const STEP_INPUT_CHARS = 200_000;

/** Work beside the loop: tag lookups (bounded; awaited before the run ends or continues) and user lookups. */
interface FollowUps {
  handOffs: Promise<void>[];
  userLookups: Promise<void>[];
  settings: ConversationSettings;
  /** Outcomes read from tags, by the resolution time they belong to. */
  tagOutcomes: Map<string, Outcome>;
  /** Called when a resolution's tags changed its stored outcome. */
  onTagOutcome(): void;
}

/** The state with a resolution's tag outcome, while the conversation is still closed by that resolution. */
function withTagOutcome(state: ConversationState, tagOutcomes: Map<string, Outcome>): ConversationState {
  const outcome = state.resolvedAt === null ? undefined : tagOutcomes.get(state.resolvedAt);
  return outcome && state.outcome !== 'IN_PROGRESS' ? { ...state, outcome } : state;
}

/**
 * One long-lived workflow per Freshchat conversation. Signals queue events; the loop applies them in
 * arrival order through activities (the database's unique event key makes redelivery harmless),
 * waits for a reopen after resolution, closes silent conversations, and continues as new before
 * its history grows large.
 */
export async function conversationWorkflow(input: ConversationInput): Promise<ConversationState> {
  let state = input.carried?.state ?? initialConversationState(input.conversationId);
  const queue: ConversationEvent[] = [...(input.carried?.queue ?? [])];
  const recentKeys = new Set(input.carried?.recentKeys ?? []);
  const enqueue = (event: ConversationEvent) => void queue.push(event);
  // Work beside the loop, awaited before the run ends: a resolution's tags read back (and their report hand-off), and
  // the report hand-offs of runs from before 'report-hand-off-in-event-loop'.
  const handOffs: Promise<void>[] = [];
  const followUps: FollowUps = {
    handOffs,
    userLookups: [],
    settings: input.settings,
    tagOutcomes: new Map(),
    onTagOutcome: () => {
      state = withTagOutcome(state, followUps.tagOutcomes);
      publishSearchAttributes(state, published);
    },
  };
  const published: Published = { key: '' };
  /** Folds an applied (or dead-lettered) event into the run: state, response clocks, report hand-off, recent keys. */
  const settle = (event: ConversationEvent, applied: AppliedEvent) => {
    // A tag outcome stored while this event was applied may be newer than the snapshot it returned.
    state = withTagOutcome(applied.state, followUps.tagOutcomes);
    // A dead-lettered event is not on the timeline: it moves no response clock.
    if (!applied.deadLettered) sla?.observe(state, timelineEntryOf(event));
    if (applied.closedAt) handOffReport(applied.closedAt);
    // A dead-lettered event is not remembered: its replay must be applied.
    if (!applied.deadLettered) rememberKey(recentKeys, event.eventKey);
  };

  // Signals that arrived with the start, before any handler existed, are taken in arrival order: named handlers
  // alone would take them grouped by kind (a reopen after the resolution that followed it).
  if (patched(RECORD_GUARANTEE))
    setDefaultSignalHandler((name, event) => void (isEventSignal(name) && enqueue(event as ConversationEvent)));
  setHandler(messageSignal, enqueue);
  setHandler(assignmentSignal, enqueue);
  setHandler(resolutionSignal, enqueue);
  setHandler(reopenSignal, enqueue);
  setHandler(stateQuery, () => ({ ...state, pendingEvents: queue.length }));
  // Response times and SLA timers (workflows/sla-timers.ts): in the event loop, or beside it in runs that recorded
  // that; runs started before them have none.
  const slaSetup = startSla(input, () => queue.length > 0);
  const sla: SlaTimers | null = slaSetup.sla;
  const steps: SlaSteps | null = slaSetup.steps;
  // Closes whose weekly report hand-off the loop awaits itself (in runs from the patch on; before, beside the loop).
  // Such runs decide the hand-off's own patch here, at the start: decided at the first close, a replay that takes a
  // local activity's result in an earlier workflow task than the live run did would decide it without its marker.
  const closes: string[] | null = patched(REPORT_HAND_OFF_IN_EVENT_LOOP) && patched(WEEKLY_REPORT_HANDOFF) ? [] : null;
  function handOffReport(closedAt: string): void {
    if (closes) closes.push(closedAt);
    else handOffs.push(handOffToWeeklyReport(closedAt, input.settings.weeklyReport));
  }
  /** What an applied event (or a silence close) leaves for the loop itself, in order: its SLA step, its hand-off. */
  const finishInLoop =
    steps || closes
      ? async () => {
          await steps?.applyObserved();
          while (closes && closes.length > 0) await handOffToWeeklyReport(closes.shift()!, input.settings.weeklyReport);
        }
      : null;

  // Runs started before this patch loaded the incidence up front; newer ones let the first event's ensureIncidence
  // return it (one local activity fewer per new conversation: the worker's largest cost is each activation).
  if (!input.carried && !patched('incidence-on-first-event')) {
    // A new run of a conversation seen before (e.g. reopened after the window) continues its incidence.
    const snapshot = await store.loadIncidence(input.conversationId);
    if (snapshot) state = withSnapshot(state, snapshot);
  }

  for (;;) {
    while (queue.length > 0) {
      if (input.settings.eventsInOneStep === true && patched(RECORD_GUARANTEE) && patched(EVENTS_IN_ONE_STEP)) {
        const batch = takeBatch(queue, recentKeys);
        state = { ...state, duplicatesSkipped: state.duplicatesSkipped + batch.duplicates };
        if (batch.events.length === 0) continue;
        const results = await storeStep('recordEvents', { state, events: batch.events });
        // A step that ran out of time stored a prefix: the rest go back to the front of the queue.
        queue.unshift(...batch.events.slice(results.length));
        let assignment: ConversationEvent | undefined;
        for (const [i, result] of results.entries()) {
          const event = batch.events[i]!;
          settle(event, await recordedAsApplied(state, event, result, followUps));
          if (event.kind === 'assignment') assignment = event;
        }
        publishSearchAttributes(state, published, assignment, { onlyChanged: true });
        if (finishInLoop) await finishInLoop();
        continue;
      }
      const event = queue.shift()!;
      if (recentKeys.has(event.eventKey)) {
        state = { ...state, duplicatesSkipped: state.duplicatesSkipped + 1 };
        continue;
      }
      settle(event, await applyEvent(state, event, followUps));
      publishSearchAttributes(state, published, event);
      if (finishInLoop) await finishInLoop();
    }

    if (shouldContinueAsNew(input.settings.historyLimit)) {
      await condition(allHandlersFinished);
      await Promise.all(handOffs);
      await sla?.idle();
      if (queue.length === 0) {
        await continueAsNew<typeof conversationWorkflow>({
          conversationId: input.conversationId,
          settings: input.settings,
          carried: { state, queue, recentKeys: [...recentKeys], ...(sla && { sla: sla.carry() }) },
        });
      }
      continue;
    }

    const open = state.outcome === 'IN_PROGRESS';
    const timeout = open ? input.settings.silenceTimeoutMs : input.settings.reopenWindowMs;
    const woke = steps
      ? await waitRecordingBreaches(steps, () => queue.length > 0, timeout, slaSetup.aimAgainMs)
      : await condition(() => queue.length > 0, timeout);
    if (woke) continue;
    if (!open) {
      await Promise.all([...handOffs, ...followUps.userLookups]);
      await sla?.idle();
      if (queue.length > 0 && patched(RECORD_GUARANTEE)) continue;
      return state;
    }
    const closed = await closeSilentConversation(state);
    if (closed.nothingStored) {
      await Promise.all([...handOffs, ...followUps.userLookups]);
      await sla?.idle();
      if (queue.length > 0) continue;
      return state;
    }
    state = closed.state;
    if (closed.closedAt)
      sla?.observe(state, { eventType: 'WENT_SILENT', actor: 'SYSTEM', metadata: {}, occurredAt: closed.closedAt });
    if (closed.closedAt) handOffReport(closed.closedAt);
    publishSearchAttributes(state, published);
    if (finishInLoop) await finishInLoop();
  }
}

/** The run's SLA timers, if on: steps in the event loop (`steps`, also `sla`), or a loop beside it in older runs. */
function startSla(input: ConversationInput, eventsPending: () => boolean) {
  if (input.settings.slaTimers === false || !patched('sla-timers')) return { sla: null, steps: null, aimAgainMs: 0 };
  if (patched(SLA_STEPS_IN_EVENT_LOOP)) {
    const steps = slaStepsInLoop(input.carried?.sla, input.carried?.state);
    // Decided at the start, like the patch above.
    const aimAgainMs = patched(SLA_AIMED_AGAIN_BEFORE_DUE) ? SLA_AIM_AGAIN_BEFORE_DUE_MS : 0;
    return { sla: steps, steps, aimAgainMs };
  }
  return { sla: startSlaTimers(input.carried?.sla, eventsPending, input.carried?.state), steps: null, aimAgainMs: 0 };
}

/**
 * The idle wait with SLA steps in the loop: until the next event (true) or the end of the window (false), recording
 * each breach that falls due meanwhile. The window is kept across breaches: a breach never restarts it.
 */
async function waitRecordingBreaches(
  steps: SlaSteps,
  eventQueued: () => boolean,
  windowMs: number,
  aimAgainMs: number,
): Promise<boolean> {
  const windowEnds = Date.now() + windowMs; // workflow time: deterministic on replay
  for (;;) {
    await steps.recordDue();
    if (eventQueued()) return true;
    const due = steps.nextDue();
    const wait = idleWait(Date.now(), windowEnds, due ? Date.parse(due.dueAt) : null, aimAgainMs);
    if (wait.until === 'window') return wait.ms > 0 ? condition(eventQueued, wait.ms) : eventQueued();
    const summary = `SLA ${due!.target.toLowerCase()} due ${due!.dueAt}`;
    if (await condition(eventQueued, wait.ms, { summary })) return true;
  }
}

/**
 * The event applied to the incidence, and when it closed it. `closedAt` is set for every close the event carries,
 * even one already stored (a retry after a crash): a spare report recompute is harmless, a missed one is not.
 * It is never derived from a state loaded from the database, so continuing an old conversation does not
 * recompute an old week.
 */
interface AppliedEvent {
  state: ConversationState;
  closedAt: string | null;
  /** PostgreSQL refused the event's data: it is in the dead-letter table. */
  deadLettered?: boolean;
  /** A silence close found no incidence to close (every event so far was dead-lettered). */
  nothingStored?: boolean;
}

async function applyEvent(
  state: ConversationState,
  event: ConversationEvent,
  followUps: FollowUps,
): Promise<AppliedEvent> {
  if (!patched(RECORD_GUARANTEE)) return applyEventBeforeGuarantee(state, event);
  try {
    return await applyEventToRecord(state, event, followUps);
  } catch (error) {
    if (!isDataRejection(error)) throw error;
    await deadLetter(event, error);
    return { state, closedAt: null, deadLettered: true };
  }
}

/**
 * Stores the event and takes the incidence as stored for the state, duplicate or not: a change whose result was lost
 * (committed, then a timeout, a cut connection or a killed worker) is seen on the retry.
 */
async function applyEventToRecord(
  state: ConversationState,
  event: ConversationEvent,
  followUps: FollowUps,
): Promise<AppliedEvent> {
  if (state.incidenceId === null || (state.userId === null && carriesUser(event))) {
    const snapshot = await storeStep('ensureIncidence', { conversationId: state.conversationId, event });
    state = withSnapshot(state, snapshot);
    if (snapshot.userId === null && snapshot.freshchatUserId) lookUpUserOnce(state, followUps);
  }
  // Real-format tags live in Freshchat: the resolution is applied now and its tags when Freshchat gives them.
  const { change, tagsPending } = eventChangeOf(state, event);
  const result = await storeStep('applyIncidenceChange', {
    incidenceId: state.incidenceId!,
    timeline: timelineEntryOf(event),
    change,
  });
  const closedAt = change.close?.resolvedAt ?? null;
  if (tagsPending && closedAt) fillInTagsLater(state, event, closedAt, followUps);
  return { state: stateAfterStoring(state, result), closedAt };
}

/** One event's result from a batch, as applying it on its own would have returned it (with the same follow-ups). */
async function recordedAsApplied(
  state: ConversationState,
  event: ConversationEvent,
  result: RecordedEvent,
  followUps: FollowUps,
): Promise<AppliedEvent> {
  if ('refused' in result) {
    await deadLetterRefused(event, result.refused);
    return { state, closedAt: null, deadLettered: true };
  }
  const next = stateAfterStoring(state, result);
  if (result.userUnknown) lookUpUserOnce(next, followUps);
  if (result.tagsPending && result.closedAt) fillInTagsLater(next, event, result.closedAt, followUps);
  return { state: next, closedAt: result.closedAt };
}

function lookUpUserOnce(state: ConversationState, followUps: FollowUps): void {
  if (followUps.userLookups.length === 0) followUps.userLookups.push(lookUpUserLater(state.conversationId));
}

/** Reads a stored resolution's tags beside the loop; a changed outcome goes to the state and the weekly report. */
function fillInTagsLater(state: ConversationState, event: ConversationEvent, closedAt: string, followUps: FollowUps) {
  const tags = { conversationId: state.conversationId, incidenceId: state.incidenceId!, eventKey: event.eventKey };
  const report = followUps.settings.weeklyReport;
  followUps.handOffs.push(
    fillInResolutionTags({ ...tags, resolvedAt: closedAt }).then((outcome) => {
      if (!outcome) return undefined;
      followUps.tagOutcomes.set(new Date(closedAt).toISOString(), outcome);
      followUps.onTagOutcome();
      return handOffToWeeklyReport(closedAt, report);
    }),
  );
}

/**
 * The queued events for one step, in order: events seen recently are skipped (counted), and a batch ends before an
 * event key it already holds (one at a time, the second would be judged after the first was applied).
 */
function takeBatch(queue: ConversationEvent[], recentKeys: Set<string>) {
  const events: ConversationEvent[] = [];
  const keys = new Set<string>();
  let duplicates = 0;
  let chars = 0;
  while (queue.length > 0 && events.length < EVENTS_PER_STEP) {
    const event = queue[0]!;
    if (recentKeys.has(event.eventKey)) {
      queue.shift();
      duplicates++;
      continue;
    }
    const size = JSON.stringify(event).length;
    if (keys.has(event.eventKey) || (events.length > 0 && chars + size > STEP_INPUT_CHARS)) break;
    queue.shift();
    events.push(event);
    keys.add(event.eventKey);
    chars += size;
  }
  return { events, duplicates };
}

async function applyEventBeforeGuarantee(state: ConversationState, event: ConversationEvent): Promise<AppliedEvent> {
  if (state.incidenceId === null || (state.userId === null && carriesUser(event))) {
    const snapshot = await store.ensureIncidence({ conversationId: state.conversationId, event });
    state = withSnapshot(state, snapshot);
  }
  const resolution = event.kind === 'resolution' ? await resolutionOf(event) : null;
  const change = incidenceChangeOf(state, event, resolution);
  const stored = await store.applyIncidenceChange({
    incidenceId: state.incidenceId!,
    timeline: timelineEntryOf(event),
    change,
  });
  const closedAt = change.close?.resolvedAt ?? null;
  if (!stored) return { state: { ...state, duplicatesSkipped: state.duplicatesSkipped + 1 }, closedAt };
  return { state: applyChange(state, change), closedAt };
}

/**
 * The outcome from the resolution's tags. Freshchat outages are retried by the activity; a refusal (e.g. 401 after
 * a token rotation) resolves without tags rather than failing the run, which would lose the resolution and
 * every queued event.
 */
async function resolutionOf(event: Extract<ConversationEvent, { kind: 'resolution' }>): Promise<Resolution> {
  if (event.tags) return resolutionFromTags(event.tags);
  try {
    return resolutionFromTags((await activities.fetchResolutionTags(event.conversationId)) ?? []);
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.warn('resolution tags unreadable; resolving without them', {
      conversationId: event.conversationId,
      error: error.message,
    });
    return resolutionFromTags([]);
  }
}

async function closeSilentConversation(state: ConversationState): Promise<AppliedEvent> {
  if (patched(RECORD_GUARANTEE)) return closeSilentIfUnchanged(state);
  const now = new Date().toISOString(); // workflow time: deterministic on replay
  const change = {
    close: {
      outcome: 'DROPPED' as const,
      orderImpact: 'NONE' as const,
      issueCategory: null,
      resolutionType: 'WENT_SILENT',
      resolvedAt: now,
      timeToResolveSeconds: null,
    },
  };
  log.info('conversation went silent', { conversationId: state.conversationId });
  const stored = await store.applyIncidenceChange({
    incidenceId: state.incidenceId!,
    timeline: {
      eventKey: `went_silent:${now}`,
      eventType: 'WENT_SILENT',
      actor: 'SYSTEM',
      content: null,
      metadata: {},
      occurredAt: now,
    },
    change,
  });
  return { state: stored ? applyChange(state, change) : state, closedAt: now };
}

/** The silence close, guarded in SQL: a state change stored meanwhile (even one this run never saw) wins. */
async function closeSilentIfUnchanged(state: ConversationState): Promise<AppliedEvent> {
  if (state.incidenceId === null) return { state, closedAt: null, nothingStored: true };
  const now = new Date().toISOString(); // workflow time: deterministic on replay
  log.info('conversation went silent', { conversationId: state.conversationId });
  try {
    const result = await storeStep('closeForSilence', silenceCloseOf(state, now));
    const next = withSnapshot(state, result.snapshot);
    // A retry whose first attempt committed and lost its result finds this very close stored (at the same time): it
    // is still this close, and its SLA step and report hand-off must follow.
    const ownClose =
      result.snapshot.outcome === 'DROPPED' && Date.parse(result.snapshot.resolvedAt ?? '') === Date.parse(now);
    if (!result.stored && !ownClose) return { state: next, closedAt: null };
    return { state: { ...next, eventsApplied: state.eventsApplied + 1 }, closedAt: now };
  } catch (error) {
    if (!isDataRejection(error)) throw error;
    log.error('silence close refused by the database', { error: (error as Error).message });
    return { state, closedAt: null, nothingStored: true };
  }
}

const EVENT_SIGNALS = new Set<string>(Object.values(SIGNAL_BY_KIND).map((s) => s.name));
const isEventSignal = (name: string): boolean => EVENT_SIGNALS.has(name);

function rememberKey(keys: Set<string>, key: string): void {
  keys.add(key);
  if (keys.size > RECENT_KEYS_KEPT) keys.delete(keys.values().next().value!);
}

/** The search attributes last upserted by this run. */
interface Published {
  key: string;
}

function publishSearchAttributes(
  state: ConversationState,
  published: Published,
  event?: ConversationEvent,
  options: { onlyChanged?: boolean } = {},
): void {
  const pairs: Array<[keyof typeof SEARCH_ATTRIBUTES, string | number | null]> = [
    ['userId', state.userId],
    ['stage', state.stage],
    ['outcome', state.outcome],
    ['agentId', state.agentId],
    ['cartValue', state.cartValue],
    ['eventType', state.eventType],
  ];
  const updates = pairs
    .filter(([, v]) => v !== null)
    .map(([k, v]) => ({ key: SEARCH_ATTRIBUTES[k], value: v }) as SearchAttributeUpdatePair);
  // An assignment back to a group queue leaves no agent: AgentId is removed, not left at the previous agent.
  if (event?.kind === 'assignment' && state.agentId === null && patched(RECORD_GUARANTEE))
    updates.push({ key: SEARCH_ATTRIBUTES.agentId, value: null });
  const key = JSON.stringify(updates);
  if (options.onlyChanged && key === published.key) return;
  published.key = key;
  upsertSearchAttributes(updates);
}

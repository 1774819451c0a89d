import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  setCurrentDetails,
  setDefaultSignalHandler,
  setHandler,
} from '@temporalio/workflow';
import type { FollowUp, StepResult } from '../activities/conversation-activities';
import type { ConversationEvent } from '../domain/conversation/conversation-event';
import { silenceCloseOf } from '../domain/conversation/conversation-changes';
import {
  initialConversationState,
  withNamedUser,
  withSnapshot,
  type ConversationSettings,
  type ConversationState,
} from '../domain/conversation/conversation-state';
import type { SlaSummary } from '../domain/sla/sla-step';
import { publish } from './conversation-visibility';
import { rememberKey, takeBatch } from './event-queue';
import { idleWait, shouldContinueAsNew } from './loop-control';
import { isDataRejection, runFollowUp, storeStep, type FollowUpDone } from './record-steps';
import { assignmentSignal, messageSignal, reopenSignal, resolutionSignal, SIGNAL_BY_KIND, stateQuery } from './signals';
import { deliver } from './sla-delivery-workflow';
import { handOffToWeeklyReport } from './weekly-report-workflow';

export interface ConversationInput {
  conversationId: string;
  settings: ConversationSettings;
  /** Present when a run continues as new: what the previous run knew, had queued and had still to follow up. */
  carried?: {
    state: ConversationState;
    queue: ConversationEvent[];
    recentKeys: string[];
    followUps?: FollowUp[];
    sla?: SlaSummary | null;
  };
}

// Each patch is decided where it applies: a run that never gets there (most conversations) records no marker.
/** Patch: a user lookup's result names the user only (before it, the run took its whole, maybe stale, snapshot). */
export const USER_LOOKUP_NAMES_USER_ONLY = 'user-lookup-names-user-only';
/** Patch: what woke the run in the task where a window's timer fired is taken (before it, the run ended there). */
export const WOKEN_AT_WINDOW_END = 'woken-at-window-end';

/**
 * One long-lived workflow per Freshchat conversation: orchestration only. Signals queue events; each wake-up stores
 * the queued events in one step (a local activity that keeps the incidence, its timeline and its SLAs, computed from
 * what is stored), then delivers what the step handed back. Between events it waits for the next SLA target (one
 * local activity records the breach), the end of the silence window (the conversation is closed as WENT_SILENT) or of
 * the reopen window (the run completes), and it continues as new before its history grows large. Only this loop
 * issues commands: follow-ups (a user to name, tags to read back) run beside it and hand their results to it.
 */
export async function conversationWorkflow(input: ConversationInput): Promise<ConversationState> {
  const { conversationId, settings } = input;
  const slaTimers = settings.slaTimers !== false;
  let state = input.carried?.state ?? initialConversationState(conversationId);
  let sla: SlaSummary | null = input.carried?.sla ?? null;
  const queue: ConversationEvent[] = [...(input.carried?.queue ?? [])];
  const recentKeys = new Set(input.carried?.recentKeys ?? []);
  const running: FollowUp[] = [];
  const done: FollowUpDone[] = [];
  const published = { key: '' };
  // Workflow time stands at the start of a task; a step's own clock says when it finished, and timers aim from it.
  let clockAt = 0;
  let idleSince = Date.now();
  let stalledDue: string | null = null;

  // Signals that arrived with the start, before any handler existed, are taken in arrival order: named handlers
  // alone would take them grouped by kind (a reopen after the resolution that followed it).
  const enqueue = (event: ConversationEvent) => void queue.push(event);
  setDefaultSignalHandler((name, event) => void (EVENT_SIGNALS.has(name) && enqueue(event as ConversationEvent)));
  setHandler(messageSignal, enqueue);
  setHandler(assignmentSignal, enqueue);
  setHandler(resolutionSignal, enqueue);
  setHandler(reopenSignal, enqueue);
  setHandler(stateQuery, () => ({ ...state, pendingEvents: queue.length }));
  const woken = () => queue.length > 0 || done.length > 0;

  function follow(followUp: FollowUp): void {
    if (followUp.kind === 'user' && running.some((f) => f.kind === 'user')) return;
    running.push(followUp);
    void runFollowUp(conversationId, followUp).then((result) => {
      running.splice(running.indexOf(followUp), 1);
      done.push(result);
    });
  }
  for (const followUp of input.carried?.followUps ?? []) follow(followUp);

  /** Takes in what a step left: the stored record, the SLA, the UI's details; then delivers and hands off. */
  async function settle(result: StepResult): Promise<void> {
    if (result.snapshot) state = withSnapshot(state, result.snapshot);
    if (result.sla) sla = result.sla;
    clockAt = Date.parse(result.finishedAt);
    publish(state, sla, published);
    if (result.details) setCurrentDetails(result.details);
    for (const followUp of result.followUps) follow(followUp);
    await deliver(result.deliveries);
    for (const closedAt of result.handOffs) await handOffToWeeklyReport(closedAt, settings.weeklyReport);
  }

  for (;;) {
    if (queue.length > 0) {
      const batch = takeBatch(queue, recentKeys);
      state = { ...state, duplicatesSkipped: state.duplicatesSkipped + batch.duplicates };
      if (batch.events.length === 0) continue;
      const known = { incidenceId: state.incidenceId, userId: state.userId };
      const result = await storeStep('conversationStep', { conversationId, known, events: batch.events, slaTimers });
      // A step that ran out of time stored a prefix: the rest go back to the front of the queue.
      queue.unshift(...batch.events.slice(result.outcomes.length));
      result.outcomes.forEach((outcome, i) => {
        // A dead-lettered event is not remembered: its replay must be applied.
        if (outcome !== 'refused') rememberKey(recentKeys, batch.events[i]!.eventKey);
        if (outcome === 'stored') state = { ...state, eventsApplied: state.eventsApplied + 1 };
        if (outcome === 'duplicate') state = { ...state, duplicatesSkipped: state.duplicatesSkipped + 1 };
      });
      idleSince = Date.now();
      stalledDue = null;
      await settle(result);
      continue;
    }
    if (done.length > 0) {
      await applyFollowUp(done.shift()!);
      continue;
    }
    if (shouldContinueAsNew(settings.historyLimit)) {
      await condition(allHandlersFinished);
      if (woken()) continue;
      const carried = { state, queue, recentKeys: [...recentKeys], followUps: [...running], sla };
      await continueAsNew<typeof conversationWorkflow>({ conversationId, settings, carried });
    }

    const open = state.outcome === 'IN_PROGRESS';
    const windowEnds = idleSince + (open ? settings.silenceTimeoutMs : settings.reopenWindowMs);
    const due = sla?.nextDueAt && sla.nextDueAt !== stalledDue ? sla.nextDueAt : null;
    const wait = idleWait(Math.max(Date.now(), clockAt), windowEnds, due ? Date.parse(due) : null);
    const summary = wait.until === 'sla' ? `SLA due ${due}` : 'window';
    if (wait.ms > 0 ? await condition(woken, wait.ms, { summary }) : woken()) continue;
    // A timer firing in the same task as a follow-up's result or a signal times the condition out though it holds.
    if (woken() && patched(WOKEN_AT_WINDOW_END)) continue;

    if (wait.until === 'sla' && state.incidenceId) {
      const result = await storeStep('recordDueBreaches', { conversationId, incidenceId: state.incidenceId });
      await settle(result);
      // A target still due after its breach step cannot be settled: the next event is waited for instead.
      const next = result.sla?.nextDueAt;
      stalledDue = next && Date.parse(next) <= Date.parse(result.finishedAt) ? next : null;
      continue;
    }
    if (!open || state.incidenceId === null) {
      if (running.length === 0) return state;
      // Follow-ups outlive the window; events that arrive meanwhile are still applied.
      await condition(woken);
      continue;
    }
    // A close the database refuses (every event so far dead-lettered) ends the run once nothing else waits.
    if (await closeForSilence()) continue;
    if (running.length === 0 && !woken()) return state;
    await condition(woken);
  }

  /** A follow-up's result: a user named, or a resolution's tags applied (its outcome, then the report hand-off). */
  async function applyFollowUp(result: FollowUpDone): Promise<void> {
    if (result.kind === 'user') {
      // The lookup's snapshot may predate steps the loop took since (a reopen): it names the user, no more.
      if (result.snapshot)
        state = patched(USER_LOOKUP_NAMES_USER_ONLY)
          ? withNamedUser(state, result.snapshot)
          : withSnapshot(state, result.snapshot);
      publish(state, sla, published);
      return;
    }
    const { kind: _kind, ...tags } = result;
    let outcome = null;
    try {
      outcome = await storeStep('applyResolutionTags', tags);
    } catch (error) {
      if (!isDataRejection(error)) throw error;
      log.error('resolution tags refused by the database', { error: (error as Error).message });
    }
    if (!outcome) return;
    if (state.outcome !== 'IN_PROGRESS' && sameInstant(state.resolvedAt, result.resolvedAt))
      state = { ...state, outcome };
    publish(state, sla, published);
    await handOffToWeeklyReport(result.resolvedAt, settings.weeklyReport);
  }

  /** The silence close, guarded in the store: a state change stored meanwhile (even one this run never saw) wins. */
  async function closeForSilence(): Promise<boolean> {
    const close = silenceCloseOf(state, new Date().toISOString()); // workflow time: deterministic on replay
    log.info('conversation went silent', { conversationId });
    try {
      const result = await storeStep('closeForSilence', { conversationId, close, slaTimers });
      if (result.outcomes[0] === 'stored') state = { ...state, eventsApplied: state.eventsApplied + 1 };
      idleSince = Date.now();
      await settle(result);
      return true;
    } catch (error) {
      if (!isDataRejection(error)) throw error;
      log.error('silence close refused by the database', { error: (error as Error).message });
      return false;
    }
  }
}

const EVENT_SIGNALS = new Set<string>(Object.values(SIGNAL_BY_KIND).map((s) => s.name));

const sameInstant = (a: string | null, b: string): boolean => a !== null && Date.parse(a) === Date.parse(b);

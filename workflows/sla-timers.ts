import {
  condition,
  log,
  ParentClosePolicy,
  patched,
  proxyLocalActivities,
  setCurrentDetails,
  startChild,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import type { SlaActivities } from '../activities/sla-activities';
import type { ConversationState } from '../domain/conversation-state';
import { conversationDetails } from '../domain/conversation-summary';
import type { TimelineEntry } from '../domain/incidence-snapshot';
import { outboundEventOf, type OutboundEventType } from '../domain/outbound-event';
import {
  clockEventOf,
  initialResponseClock,
  tick,
  type ClockEffect,
  type ResponseClock,
} from '../domain/response-clock';
import {
  applyClockEffects,
  emptySlaBook,
  missedAt,
  nextDueAt,
  nextDueTarget,
  slaStatusOf,
  withPolicy,
  type SlaBook,
  type SlaStep,
  type SlaTarget,
} from '../domain/sla';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { slaDeliveryWorkflow, type SlaDelivery } from './sla-delivery-workflow';

const sla = proxyLocalActivities<Pick<SlaActivities, 'planSla' | 'recordSlaProgress'>>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

type ObservedEntry = Pick<TimelineEntry, 'eventType' | 'actor' | 'metadata' | 'occurredAt'>;

/** What a run hands to the next when it continues as new. */
export interface CarriedSla {
  clock: ResponseClock;
  book: SlaBook | null;
  contextKey: string | null;
  outbound: boolean;
}

export interface SlaTimers {
  /** After the conversation applied an event (or went silent): the clock moves, targets start, settle or re-time. */
  observe(state: ConversationState, entry: ObservedEntry): void;
  /** Resolves once every observation is stored and no breach is being recorded (before continue-as-new or the end). */
  idle(): Promise<void>;
  carry(): CarriedSla;
}

const LATE_ESCALATION_MS = 15 * 60_000;

/**
 * A continued run records a breach due before its first event with the conversation state it was handed (before this
 * patch it had none, skipped the breach and spun on the overdue target: a deadlocked workflow task, every later event
 * stuck).
 */
const CARRIED_STATE = 'sla-timers-carried-state';

/** Changes that make a stored response time change: an answer, a close or a new care cycle. */
const RECOMPUTES: ReadonlySet<ClockEffect['type']> = new Set(['answered', 'resolved', 'went_silent', 'cycle_started']);

/** SLA steps run in the conversation's event loop (patched 'sla-steps-in-event-loop'): no second loop issues commands. */
export interface SlaSteps extends SlaTimers {
  /** Takes the SLA steps of the events observed so far, in order, in the caller's coroutine. */
  applyObserved(): Promise<void>;
  /** Records the breaches due now; call only with no event queued (a queued one may be the answer that meets it). */
  recordDue(): Promise<void>;
  /** The running target that falls due first, for the event loop's wait. */
  nextDue(): SlaTarget | undefined;
}

/**
 * One conversation's SLA book-keeping (clock, book, policy) and the steps that change it: an observed event's step and
 * the breaches due. Each step issues its commands in order; who calls them decides how steps interleave.
 */
function slaKeeper(
  carried: CarriedSla | undefined,
  carriedState: ConversationState | undefined,
  breachesWithCarriedState: () => boolean,
) {
  let clock = carried?.clock ?? initialResponseClock();
  let book = carried?.book ?? null;
  let contextKey = carried?.contextKey ?? null;
  let outbound = carried?.outbound ?? false;
  let state: ConversationState | null = null;

  async function handle(item: ObservedItem): Promise<void> {
    state = item.state;
    if (!state.incidenceId) return;
    const now = new Date().toISOString(); // workflow time: deterministic on replay
    let step: SlaStep = { book: book!, changed: [] };
    let created = false;
    const key = `${state.cartValue}|${state.eventType}`;
    if (book === null || key !== contextKey) {
      const firstPlan = book === null;
      const plan = await sla.planSla(state.incidenceId);
      contextKey = key;
      outbound = plan.outbound;
      step = withPolicy(book ?? emptySlaBook(plan.hours), plan.policy, plan.hours, clock, now);
      created = firstPlan && carried === undefined;
    }
    const event = clockEventOf({ ...item.entry, messageType: item.entry.metadata.message_type });
    // A run that starts with a reopen continues a closed conversation (its earlier runs ended).
    if (clock.startedAt === null && event.kind === 'reopened') clock = closedClockOf(state);
    let effects: ClockEffect[];
    ({ clock, effects } = tick(clock, event));
    const moved = applyClockEffects(step.book, effects);
    book = moved.book;
    step = { book, changed: [...step.changed, ...moved.changed] };
    const recompute = effects.some((e) => RECOMPUTES.has(e.type));
    if (step.changed.length > 0 || recompute) await record(state.incidenceId, step.changed, [], recompute);
    publish();
    if (created) await deliver('incidence.created', state, state.firstEventAt ?? now);
    for (const effect of effects)
      if (effect.type === 'resolved') await deliver('incidence.resolved', state, effect.resolvedAt);
    for (const met of step.changed.filter((t) => t.status === 'MET'))
      await deliver('sla.met', state, met.settledAt!, met);
  }

  async function recordBreaches(): Promise<void> {
    if (book && state === null && carriedState && overdue() && breachesWithCarriedState()) state = carriedState;
    if (!book || !state?.incidenceId) return;
    const now = new Date().toISOString();
    const step = missedAt(book, now);
    if (step.changed.length === 0) return;
    book = step.book;
    await record(state.incidenceId, step.changed, step.changed.map(breachEntryOf), false);
    publish();
    for (const missed of step.changed) {
      log.info('SLA breached', { conversationId: state.conversationId, target: missed.target, dueAt: missed.dueAt });
      await escalate(state, missed);
      await deliver('sla.breached', state, now, missed);
    }
  }

  async function record(incidenceId: string, targets: SlaTarget[], breaches: TimelineEntry[], recompute: boolean) {
    await sla.recordSlaProgress({
      incidenceId,
      targets,
      breaches,
      responseTimes: recompute,
      summary: { policy: book?.policy?.name ?? null, status: slaStatusOf(book!), nextDueAt: nextDueAt(book!) },
    });
  }

  async function deliver(type: OutboundEventType, at: ConversationState, occurredAt: string, target?: SlaTarget) {
    if (!outbound) return;
    const event = outboundEventOf(type, at, occurredAt, target);
    await handOff(event.id, { kind: 'event', delivery: { deliveryId: event.id, body: JSON.stringify(event) } });
  }

  async function escalate(at: ConversationState, missed: SlaTarget) {
    const escalation = book?.policy?.escalation;
    if (!escalation || escalation.action === 'NONE') return;
    // Found long after its due time (a backlog or events replayed from the past): recorded, but nobody is paged for it.
    if (Date.parse(missed.settledAt!) - Date.parse(missed.dueAt) > LATE_ESCALATION_MS) return;
    const note = `SLA breached: ${missed.target.toLowerCase().replace('_', ' ')} was due ${missed.dueAt} (policy ${missed.policy}).`;
    await handOff(`escalation:${at.incidenceId}:${missed.target}:${missed.startedAt}`, {
      kind: 'escalation',
      request: {
        conversationId: at.conversationId,
        escalation,
        note,
        breach: { incidenceId: at.incidenceId!, target: missed.target, startedAt: missed.startedAt },
      },
    });
  }

  function publish(): void {
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.slaStatus, value: book ? slaStatusOf(book) : null },
      { key: SEARCH_ATTRIBUTES.slaNextDueAt, value: book && nextDueAt(book) ? new Date(nextDueAt(book)!) : null },
    ]);
    if (state) setCurrentDetails(conversationDetails(state, clock, book));
  }

  const overdue = (): boolean => {
    const dueAt = book ? nextDueAt(book) : null;
    return dueAt !== null && Date.parse(dueAt) <= Date.now();
  };

  return {
    handle,
    recordBreaches,
    overdue,
    nextDue: () => (book ? nextDueTarget(book) : undefined),
    carry: (): CarriedSla => ({ clock, book, contextKey, outbound }),
  };
}

type ObservedItem = { state: ConversationState; entry: ObservedEntry };

/**
 * SLA timers of one conversation, in its event loop: the loop takes each event's SLA step right after the event, and
 * its idle wait also ends at the earliest due target (one durable timer, no polling), when it records the breach. One
 * coroutine issues every command, so their order follows the history alone and a replay issues them the same way.
 * A breach is stored (target, incidence fields, timeline entry), shown in search attributes and the UI's details, and
 * handed to a delivery workflow for escalation and the outbound event, so the conversation never waits for either.
 */
export function slaStepsInLoop(carried: CarriedSla | undefined, carriedState?: ConversationState): SlaSteps {
  // These runs always record a due breach with the carried state: no patch decided mid-run (a replay may take a local
  // activity's result in an earlier workflow task than the live run did, and would decide it without its marker).
  const keeper = slaKeeper(carried, carriedState, () => true);
  const observed: ObservedItem[] = [];
  return {
    // Every applied event moves the clock, even one the store already had (a workflow task lost after storing it
    // retries it): the clock ignores a repeat of the event just before (a second wait, answer or close is no change).
    observe: (state, entry) => void observed.push({ state, entry }),
    async applyObserved() {
      while (observed.length > 0) await keeper.handle(observed.shift()!);
    },
    recordDue: keeper.recordBreaches,
    // A target still due after recording cannot be settled yet (no incidence): the next event is waited for instead.
    nextDue: () => (keeper.overdue() ? undefined : keeper.nextDue()),
    idle: async () => undefined,
    carry: keeper.carry,
  };
}

/**
 * SLA timers of one conversation, beside its event loop (runs recorded before patch 'sla-steps-in-event-loop'): a
 * second loop with one durable timer to the earliest due target. Its steps can interleave with the event loop's in
 * another order on replay than live (a nondeterminism error), so only runs that recorded it still take it.
 */
export function startSlaTimers(
  carried: CarriedSla | undefined,
  eventsPending: () => boolean,
  carriedState?: ConversationState,
): SlaTimers {
  const keeper = slaKeeper(carried, carriedState, () => patched(CARRIED_STATE));
  const work: ObservedItem[] = [];
  let busy = false;

  const timers: SlaTimers = {
    observe(next, entry) {
      work.push({ state: next, entry });
    },
    idle: () => condition(() => work.length === 0 && !busy),
    carry: keeper.carry,
  };

  void (async () => {
    // A due target that recording could not settle waits for the next event: the loop never spins without yielding.
    let stalled = false;
    for (;;) {
      const due = keeper.nextDue();
      const wait = due ? Date.parse(due.dueAt) - Date.now() : undefined;
      if (work.length === 0 && (wait === undefined || stalled)) await condition(() => work.length > 0);
      else if (work.length === 0 && wait! > 0) {
        await condition(() => work.length > 0, wait!, {
          summary: `SLA ${due!.target.toLowerCase()} due ${due!.dueAt}`,
        });
      } else if (work.length === 0) {
        // Due, but events are still queued: one of them may be the answer that meets the target.
        await condition(() => work.length > 0 || !eventsPending());
      }
      busy = true;
      try {
        while (work.length > 0) await keeper.handle(work.shift()!);
        stalled = false;
        if (!eventsPending()) {
          await keeper.recordBreaches();
          stalled = keeper.overdue();
        }
      } finally {
        busy = false;
      }
    }
  })();
  return timers;
}

/** A run that continues a closed conversation: what the clock knew when it closed. */
const closedClockOf = (state: ConversationState): ResponseClock => ({
  ...initialResponseClock(),
  startedAt: state.firstEventAt,
  cycleStartedAt: state.firstEventAt,
  cycle: Math.max(0, state.reopenCount - 1),
  open: false,
});

const breachEntryOf = (missed: SlaTarget): TimelineEntry => ({
  eventKey: `sla_breached:${missed.target}:${missed.startedAt}`,
  eventType: 'SLA_BREACHED',
  actor: 'SYSTEM',
  content: missed.target,
  metadata: { policy: missed.policy, started_at: missed.startedAt, due_at: missed.dueAt },
  occurredAt: missed.settledAt!,
});

/** Starts a delivery workflow that outlives this run; one per id (a replayed or repeated hand-off is skipped). */
async function handOff(id: string, job: SlaDelivery): Promise<void> {
  try {
    await startChild(slaDeliveryWorkflow, {
      workflowId: `sla-delivery-${id}`,
      args: [job],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // A later run of the same conversation (after the reopen window) does not announce the incidence again.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

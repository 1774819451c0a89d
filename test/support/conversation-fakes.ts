import type { Client } from '@temporalio/client';
import type { ConversationActivities, StepResult } from '../../activities/conversation-activities';
import type { SlaActivities } from '../../activities/sla-activities';
import { ALWAYS_OPEN } from '../../domain/sla/business-hours';
import { eventChangeOf, timelineEntryOf } from '../../domain/conversation/conversation-changes';
import { initialConversationState, withSnapshot } from '../../domain/conversation/conversation-state';
import type { ResponseClock } from '../../domain/sla/response-clock';
import type { SlaPlan, SlaTarget } from '../../domain/sla/sla';
import type { SlaPolicy } from '../../domain/sla/sla-policy';
import { slaBreachesAt, slaStepOf, type Delivery, type SlaProgress, type SlaSummary } from '../../domain/sla/sla-step';
import {
  carriesUser,
  conversationWorkflowId,
  type ConversationEvent,
  type MessageEvent,
  type ReopenEvent,
  type ResolutionEvent,
} from '../../domain/conversation/conversation-event';
import type { ConversationSettings } from '../../domain/conversation/conversation-state';
import type { IncidenceChange, IncidenceSnapshot, TimelineEntry } from '../../domain/conversation/incidence-snapshot';
import type { conversationWorkflow } from '../../workflows/conversation-workflow';
import { SIGNAL_BY_KIND, stateQuery } from '../../workflows/signals';

/**
 * The conversation workflow's activities over an in-memory store that behaves like the real one: a timeline entry
 * whose event key is already stored changes nothing (the unique constraint), a change applies only with a new entry
 * and is computed from the incidence as stored, and SLA progress follows the same pure rules from the stored clock
 * and targets (`policy`: the one SLA policy every conversation gets). `refuse` names event keys whose change
 * PostgreSQL would refuse (dead-lettered). Every call is recorded for assertions.
 */
export function fakeIncidences(
  options: {
    tags?: string[] | null;
    refuse?: (eventKey: string) => boolean;
    policy?: SlaPolicy | null;
    outbound?: boolean;
    /** Each step of stored events takes this long (a busy worker). */
    stepDelayMs?: number;
  } = {},
) {
  const incidences = new Map<string, IncidenceSnapshot>();
  const timelines = new Map<string, TimelineEntry[]>();
  const clocks = new Map<string, ResponseClock | null>();
  const targets = new Map<string, SlaTarget[]>();
  const summaries = new Map<string, SlaSummary>();
  const changes: Array<{ eventKey: string; change: IncidenceChange; stored: boolean }> = [];
  const calls: string[] = [];
  const deadLetters: string[] = [];
  /** ISO weeks whose report a close handed off to (the weekly report workflow's activity, mocked). */
  const reportedWeeks: string[] = [];
  /** Every SLA step stored, with its incidence and when (wall time). */
  const slaProgress: Array<SlaProgress & { incidenceId: string; storedAt: number }> = [];
  const deliveries: Delivery[] = [];
  /** The clock each step returned (its `finishedAt`), in epoch ms, in order. */
  const stepsFinishedAt: number[] = [];
  let ids = 0;
  const plan: SlaPlan = { policy: options.policy ?? null, hours: ALWAYS_OPEN, outbound: options.outbound ?? false };
  const now = () => new Date().toISOString();
  const stateOf = (conversationId: string) =>
    withSnapshot(initialConversationState(conversationId), incidences.get(conversationId)!);
  const delay = () => new Promise((r) => setTimeout(r, options.stepDelayMs ?? 0));

  function ensure(conversationId: string, event: ConversationEvent): IncidenceSnapshot {
    calls.push('ensureIncidence');
    const existing = incidences.get(conversationId);
    if (existing) return existing;
    const snapshot: IncidenceSnapshot = {
      incidenceId: `incidence-${++ids}`,
      userId: event.userProperties ? String(event.userProperties.user_id ?? '') || null : null,
      stage: 'PRE_ORDER',
      outcome: 'IN_PROGRESS',
      agentId: null,
      cartValue: null,
      eventType: null,
      createdAt: event.occurredAt,
      resolvedAt: null,
      lastStateChangeAt: null,
      reopenCount: 0,
    };
    incidences.set(conversationId, snapshot);
    timelines.set(snapshot.incidenceId, []);
    targets.set(snapshot.incidenceId, []);
    clocks.set(snapshot.incidenceId, null);
    return snapshot;
  }

  function storeSla(incidenceId: string, progress: SlaProgress): void {
    const key = (t: SlaTarget) => `${t.target}@${Date.parse(t.startedAt)}`;
    const stored = targets.get(incidenceId)!;
    for (const t of progress.changed) {
      const at = stored.findIndex((s) => key(s) === key(t));
      if (at < 0) stored.push(t);
      else if (stored[at]!.status === 'ACTIVE') stored[at] = t;
    }
    const timeline = timelines.get(incidenceId)!;
    for (const b of progress.breaches) if (!timeline.some((e) => e.eventKey === b.eventKey)) timeline.push(b);
    clocks.set(incidenceId, progress.clock);
    summaries.set(incidenceId, progress.summary);
    slaProgress.push({ incidenceId, storedAt: Date.now(), ...progress });
    deliveries.push(...progress.deliveries);
  }

  function resultOf(conversationId: string, progress: SlaProgress[], rest: Partial<StepResult>): StepResult {
    const snapshot = incidences.get(conversationId) ?? null;
    const finishedAt = now();
    stepsFinishedAt.push(Date.parse(finishedAt));
    return {
      outcomes: [],
      followUps: [],
      handOffs: [],
      ...rest,
      snapshot,
      sla: snapshot ? (summaries.get(snapshot.incidenceId) ?? null) : null,
      details: null,
      deliveries: progress.flatMap((p) => p.deliveries),
      finishedAt,
    };
  }

  const activities: ConversationActivities = {
    async conversationStep({ conversationId, known: given, events: batch, slaTimers }) {
      let known = given;
      calls.push(`conversationStep ${batch.length}`);
      await delay();
      const outcomes: StepResult['outcomes'] = [];
      const progress: SlaProgress[] = [];
      const handOffs: string[] = [];
      const followUps: StepResult['followUps'] = [];
      for (const event of batch) {
        if (options.refuse?.(event.eventKey)) {
          deadLetters.push(event.eventKey);
          outcomes.push('refused');
          continue;
        }
        if (known.incidenceId === null || (known.userId === null && carriesUser(event))) {
          known = ensure(conversationId, event);
          if (known.userId === null && event.freshchatUserId && !followUps.some((f) => f.kind === 'user'))
            followUps.push({ kind: 'user' });
        }
        const { incidenceId } = known as { incidenceId: string };
        const entries = timelines.get(incidenceId)!;
        const entry = timelineEntryOf(event);
        const before = stateOf(conversationId);
        const { change, tagsPending } = eventChangeOf(before, event);
        const stored = !entries.some((e) => e.eventKey === entry.eventKey);
        changes.push({ eventKey: event.eventKey, change, stored });
        outcomes.push(stored ? 'stored' : 'duplicate');
        if (!stored) {
          const resolvedAt = incidences.get(conversationId)!.resolvedAt;
          if (event.kind === 'resolution' && resolvedAt && Date.parse(resolvedAt) === Date.parse(event.occurredAt)) {
            handOffs.push(event.occurredAt);
            if (event.tags === null)
              followUps.push({ kind: 'tags', incidenceId, eventKey: event.eventKey, resolvedAt: event.occurredAt });
          }
          continue;
        }
        entries.push(entry);
        incidences.set(conversationId, applied(incidences.get(conversationId)!, change));
        if (change.close) handOffs.push(change.close.resolvedAt);
        if (tagsPending && change.close)
          followUps.push({ kind: 'tags', incidenceId, eventKey: event.eventKey, resolvedAt: change.close.resolvedAt });
        if (!slaTimers) continue;
        const after = stateOf(conversationId);
        const record = { clock: clocks.get(incidenceId)!, targets: targets.get(incidenceId)! };
        const step = slaStepOf(record, before, after, entry, plan, now());
        storeSla(incidenceId, step);
        progress.push(step);
      }
      return resultOf(conversationId, progress, { outcomes, handOffs, followUps });
    },
    async recordDueBreaches({ conversationId, incidenceId }) {
      calls.push('recordDueBreaches');
      const record = { clock: clocks.get(incidenceId)!, targets: targets.get(incidenceId)! };
      const due = slaBreachesAt(record, stateOf(conversationId), plan, now());
      if (due.changed.length > 0) storeSla(incidenceId, due);
      return resultOf(conversationId, due.changed.length > 0 ? [due] : [], {});
    },
    async closeForSilence({ conversationId, close, slaTimers }) {
      calls.push('closeForSilence');
      const snapshot = incidences.get(conversationId)!;
      const unchanged = snapshot.outcome === 'IN_PROGRESS' && snapshot.lastStateChangeAt === close.lastStateChangeAt;
      changes.push({ eventKey: close.timelineKey, change: {}, stored: unchanged });
      if (!unchanged) return resultOf(conversationId, [], {});
      const entry: TimelineEntry = {
        eventKey: close.timelineKey,
        eventType: 'WENT_SILENT',
        actor: 'SYSTEM',
        content: null,
        metadata: {},
        occurredAt: close.at,
      };
      timelines.get(close.incidenceId)!.push(entry);
      const before = stateOf(conversationId);
      incidences.set(conversationId, { ...snapshot, outcome: 'DROPPED', resolvedAt: close.at });
      const progress: SlaProgress[] = [];
      if (slaTimers) {
        const record = { clock: clocks.get(close.incidenceId)!, targets: targets.get(close.incidenceId)! };
        const step = slaStepOf(record, before, stateOf(conversationId), entry, plan, close.at);
        storeSla(close.incidenceId, step);
        progress.push(step);
      }
      return resultOf(conversationId, progress, { outcomes: ['stored'], handOffs: [close.at] });
    },
    async applyResolutionTags({ tags }) {
      calls.push('applyResolutionTags');
      return tags?.includes('order_placed') ? 'CONVERTED' : null;
    },
    async resolveIncidenceUser(conversationId) {
      calls.push('resolveIncidenceUser');
      return incidences.get(conversationId) ?? null;
    },
    async fetchResolutionTags() {
      calls.push('fetchResolutionTags');
      return options.tags ?? null;
    },
  };
  const computeWeeklyReport = async (isoWeek: string) => {
    reportedWeeks.push(isoWeek);
    return { isoWeek };
  };
  const sla: Pick<SlaActivities, 'deliverOutboundEvent' | 'escalateSlaBreach'> = {
    deliverOutboundEvent: async () => undefined,
    escalateSlaBreach: async () => 'ESCALATED' as const,
  };
  return {
    activities: { ...activities, ...sla, computeWeeklyReport },
    slaProgress,
    stepsFinishedAt,
    deliveries,
    calls,
    deadLetters,
    reportedWeeks,
    changes,
    targets: (conversationId: string) => targets.get(incidences.get(conversationId)?.incidenceId ?? '') ?? [],
    timeline: (conversationId: string) => timelines.get(incidences.get(conversationId)?.incidenceId ?? '') ?? [],
    incidence: (conversationId: string) => incidences.get(conversationId),
  };
}

function applied(snapshot: IncidenceSnapshot, change: IncidenceChange): IncidenceSnapshot {
  const next = { ...snapshot };
  if (change.firstEventAt) next.createdAt = change.firstEventAt;
  if (change.assignment) next.agentId = change.assignment.agentId;
  if (change.close) Object.assign(next, { outcome: change.close.outcome, resolvedAt: change.close.resolvedAt });
  if (change.close) next.lastStateChangeAt = change.close.resolvedAt;
  if (change.stateChangeAt) next.lastStateChangeAt = change.stateChangeAt;
  if (change.reopen) {
    Object.assign(next, { outcome: 'IN_PROGRESS', resolvedAt: null, lastStateChangeAt: change.reopen.at });
    next.reopenCount++;
  }
  return next;
}

const base = (conversationId: string, eventKey: string, occurredAt: string) => ({
  eventKey,
  conversationId,
  occurredAt,
  format: 'simplified' as const,
  actorId: null,
  freshchatUserId: null,
  userProperties: { user_id: 'usr_1' },
});

/** Events as the webhook hands them to the workflow (simplified format: tags and user properties inline). */
export const events = {
  message: (conversationId: string, key: string, at: string): MessageEvent => ({
    ...base(conversationId, key, at),
    kind: 'message',
    actor: 'USER',
    messageId: key,
    text: 'Is the thali mild?',
    messageType: 'normal',
  }),
  resolution: (conversationId: string, key: string, at: string, tags: string[] | null = []): ResolutionEvent => ({
    ...base(conversationId, key, at),
    kind: 'resolution',
    actor: 'AGENT',
    tags,
  }),
  reopen: (conversationId: string, key: string, at: string): ReopenEvent => ({
    ...base(conversationId, key, at),
    kind: 'reopen',
    actor: 'USER',
    interactionId: null,
  }),
};

/** Conversation settings for workflow tests: windows long enough not to fire unless a test shortens them. */
export const conversationSettings = (overrides: Partial<ConversationSettings> = {}): ConversationSettings => ({
  reopenWindowMs: 60_000,
  silenceTimeoutMs: 60_000,
  historyLimit: 10_000,
  weeklyReport: { quietPeriodMs: 50, idleTimeoutMs: 200 },
  ...overrides,
});

/** What the webhook does: signal the conversation's workflow, starting it when it is not running. */
export async function deliver(
  client: Client,
  taskQueue: string,
  event: ConversationEvent,
  settings: ConversationSettings,
): Promise<void> {
  await client.workflow.signalWithStart<typeof conversationWorkflow, [ConversationEvent]>('conversationWorkflow', {
    workflowId: conversationWorkflowId(event.conversationId),
    taskQueue,
    args: [{ conversationId: event.conversationId, settings }],
    signal: SIGNAL_BY_KIND[event.kind] as never,
    signalArgs: [event],
  });
}

export const stateOf = (client: Client, conversationId: string) =>
  client.workflow.getHandle(conversationWorkflowId(conversationId)).query(stateQuery);

/** An ISO time `minutes` after a fixed start, so tests can order events by payload time. */
export const at = (minutes: number) => new Date(Date.UTC(2026, 10, 24, 10, 0) + minutes * 60_000).toISOString();

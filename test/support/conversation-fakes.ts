import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ConversationActivities } from '../../activities/conversation-activities';
import type { SlaActivities } from '../../activities/sla-activities';
import { ALWAYS_OPEN } from '../../domain/business-hours';
import type { SlaProgress } from '../../stores/sla-store';
import { createRecordEvents } from '../../use-cases/record-events';
import { DATA_REJECTED } from '../../domain/record-values';
import {
  conversationWorkflowId,
  type ConversationEvent,
  type MessageEvent,
  type ReopenEvent,
  type ResolutionEvent,
} from '../../domain/conversation-event';
import type { ConversationSettings } from '../../domain/conversation-state';
import type { IncidenceChange, IncidenceSnapshot, TimelineEntry } from '../../domain/incidence-snapshot';
import type { conversationWorkflow } from '../../workflows/conversation-workflow';
import { SIGNAL_BY_KIND, stateQuery } from '../../workflows/signals';

/**
 * The conversation workflow's activities over an in-memory incidence store that behaves like the real one: a
 * timeline entry whose event key is already stored changes nothing (the unique constraint), and a change applies
 * only with a new entry; `refuse` names event keys whose change PostgreSQL would refuse (dead-lettered). Every call
 * is recorded for assertions.
 */
export function fakeIncidences(options: { tags?: string[] | null; refuse?: (eventKey: string) => boolean } = {}) {
  const incidences = new Map<string, IncidenceSnapshot>();
  const timelines = new Map<string, TimelineEntry[]>();
  const changes: Array<{ eventKey: string; change: IncidenceChange; stored: boolean }> = [];
  const calls: string[] = [];
  const deadLetters: string[] = [];
  /** ISO weeks whose report a close handed off to (the weekly report workflow's activity, mocked). */
  const reportedWeeks: string[] = [];
  let ids = 0;

  const single: Omit<ConversationActivities, 'recordEvents'> = {
    async loadIncidence(conversationId) {
      calls.push('loadIncidence');
      return incidences.get(conversationId) ?? null;
    },
    async ensureIncidence({ conversationId, event }) {
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
      return snapshot;
    },
    async applyIncidenceChange({ incidenceId, timeline, change }) {
      calls.push('applyIncidenceChange');
      if (options.refuse?.(timeline.eventKey))
        throw ApplicationFailure.create({
          message: 'applyIncidenceChange: PostgreSQL refused the data (22008)',
          type: DATA_REJECTED,
          nonRetryable: true,
          details: [{ sqlstate: '22008', step: 'applyIncidenceChange' }],
        });
      const entries = timelines.get(incidenceId)!;
      const stored = !entries.some((e) => e.eventKey === timeline.eventKey);
      changes.push({ eventKey: timeline.eventKey, change, stored });
      const [conversationId, snapshot] = [...incidences].find(([, s]) => s.incidenceId === incidenceId)!;
      if (!stored) return { stored, snapshot };
      entries.push(timeline);
      incidences.set(conversationId, applied(snapshot, change));
      return { stored, snapshot: incidences.get(conversationId)! };
    },
    async closeForSilence({ incidenceId, lastStateChangeAt, timelineKey, at: closedAt }) {
      calls.push('closeForSilence');
      const [conversationId, snapshot] = [...incidences].find(([, s]) => s.incidenceId === incidenceId)!;
      const unchanged = snapshot.outcome === 'IN_PROGRESS' && snapshot.lastStateChangeAt === lastStateChangeAt;
      changes.push({ eventKey: timelineKey, change: {}, stored: unchanged });
      if (!unchanged) return { stored: false, snapshot };
      timelines.get(incidenceId)!.push({
        eventKey: timelineKey,
        eventType: 'WENT_SILENT',
        actor: 'SYSTEM',
        content: null,
        metadata: {},
        occurredAt: closedAt,
      });
      incidences.set(conversationId, { ...snapshot, outcome: 'DROPPED', resolvedAt: closedAt });
      return { stored: true, snapshot: incidences.get(conversationId)! };
    },
    async applyResolutionTags() {
      calls.push('applyResolutionTags');
      return null;
    },
    async resolveIncidenceUser(conversationId) {
      calls.push('resolveIncidenceUser');
      return incidences.get(conversationId) ?? null;
    },
    async deadLetter({ event }) {
      calls.push('deadLetter');
      deadLetters.push(event.eventKey);
    },
    async fetchResolutionTags() {
      calls.push('fetchResolutionTags');
      return options.tags ?? null;
    },
  };
  const activities: ConversationActivities = {
    ...single,
    async recordEvents(input) {
      calls.push(`recordEvents ${input.events.length}`);
      return createRecordEvents(single).recordEvents(input);
    },
  };
  const computeWeeklyReport = async (isoWeek: string) => {
    reportedWeeks.push(isoWeek);
    return { isoWeek };
  };
  // SLA timers run beside the loop in every new run: no policy here, so they only store response times.
  const slaProgress: SlaProgress[] = [];
  const sla: Pick<SlaActivities, 'planSla' | 'recordSlaProgress'> = {
    planSla: async () => ({ policy: null, hours: ALWAYS_OPEN, outbound: false }),
    recordSlaProgress: async (progress) => void slaProgress.push(progress),
  };
  return {
    activities: { ...activities, ...sla, computeWeeklyReport },
    slaProgress,
    calls,
    deadLetters,
    reportedWeeks,
    changes,
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

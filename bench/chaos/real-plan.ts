import { reconciledAssignmentKey } from '../../domain/reconciliation/reconciliation';
import {
  minutesAfter,
  realAssignment,
  realMessage,
  realResolution,
  type RealWebhook,
} from '../support/freshchat-events';
import { ENDINGS, interleave, seededRandom, shuffle, type PlanOptions } from './plan';
import type { ExpectedConversation, ChaosPlan } from './plan-shape';

export interface RealPlanOptions extends PlanOptions {
  /** Share of distinct events never delivered (both copies of a duplicated one). */
  dropShare: number;
}

/** The plan's first conversation starts here; a reconciliation pass looks back far enough to discover them all. */
export const REAL_PLAN_START = '2026-11-20T09:00:00.000Z';
const BASE = REAL_PLAN_START;

const latestTimeOf = (events: RealWebhook[]): string =>
  events.reduce(
    (latest, e) => (Date.parse(e.action_time) > Date.parse(latest) ? e.action_time : latest),
    events[0]!.action_time,
  );

/**
 * Freshchat's real payloads (RSA-signed) for the reconciliation chaos run: an assignment, messages and, for three
 * conversations in four, a resolution whose outcome comes from the conversation's `cf_tags`. Two conversations
 * per user, so a conversation lost whole can be found through its user. Freshchat knows every event; a share is
 * never sent.
 */
export function realChaosPlan(options: RealPlanOptions): ChaosPlan {
  const random = seededRandom(options.seed);
  const conversations = new Map<string, ExpectedConversation>();
  const known: NonNullable<ChaosPlan['freshchat']>['events'] = [];
  const perConversation: string[][] = [];
  let droppedEvents = 0;
  for (let i = 0; i < options.conversations; i++) {
    const id = `chaos-${options.runId}-${i}`;
    const ending = ENDINGS[i % ENDINGS.length]!;
    const userId = `fc-chaos-${options.runId}-${Math.floor(i / 2)}`;
    const start = minutesAfter(BASE, i);
    const agentId = `agent_${i % 7}`;
    const assignment = realAssignment({ conversationId: id, agentId, at: minutesAfter(start, 0.01) });
    const events = [assignment];
    for (let m = 0; events.length < options.eventsPerConversation - (ending.tags ? 1 : 0); m++) {
      const actor = m % 2 === 0 ? 'user' : 'agent';
      const at = minutesAfter(start, 0.02 * (m + 2));
      events.push(
        realMessage({
          conversationId: id,
          id: `${id}-m${m}`,
          userId,
          at,
          text: `message ${m} of ${id}`,
          actor,
          agentId,
        }),
      );
    }
    if (ending.tags) events.push(realResolution({ conversationId: id, at: minutesAfter(start, 0.5), agentId }));
    const properties: Record<string, string> = ending.tags ? { cf_tags: ending.tags.join(',') } : {};
    known.push(...events.map((body) => ({ body, properties })));

    const keyOf = (e: (typeof events)[number]) =>
      e.action === 'message_create' ? `message:${e.data.message.id}` : `${e.action}:${id}:${e.action_time}`;
    const assignmentKey = keyOf(assignment);
    conversations.set(id, {
      eventKeys: new Set(events.map(keyOf)),
      // Freshchat's time of the assignment it reports is the conversation's `updated_time`: its latest event.
      repairKeys: new Map([[assignmentKey, reconciledAssignmentKey(id, { agentId }, latestTimeOf(events))]]),
      outcome: ending.outcome,
    });
    const sent = events.filter(() => random() >= options.dropShare);
    droppedEvents += events.length - sent.length;
    const bodies = sent.map((e) => JSON.stringify(e));
    perConversation.push(
      shuffle(
        bodies.flatMap((b) => (random() < options.duplicateShare ? [b, b] : [b])),
        random,
      ),
    );
  }
  const distinctEvents = [...conversations.values()].reduce((n, c) => n + c.eventKeys.size, 0);
  return {
    format: 'real',
    deliveries: interleave(perConversation, random),
    conversations,
    distinctEvents,
    droppedEvents,
    freshchat: { events: known },
  };
}

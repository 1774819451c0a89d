import { createHash } from 'node:crypto';
import { ALWAYS_OPEN } from '../../domain/sla/business-hours';
import { slaPolicyFile } from '../../domain/sla/sla-policy';
import type { SlaEvent } from './expected-sla';
import { LIFECYCLE_START, LIFECYCLES } from './lifecycles';
import { realLifecycleEvents } from './real-lifecycle';
import type { ChaosPlan, ExpectedConversation } from './plan-shape';

export interface PlanOptions {
  runId: string;
  conversations: number;
  eventsPerConversation: number;
  duplicateShare: number;
  seed: number;
  /**
   * Whole lifecycles instead: resolutions, reopens and silence, with event ids and times (the simplified format's
   * optional fields), delivered in order per conversation; judged after the silence and reopen windows.
   */
  lifecycle?: boolean;
  /** Lifecycle plans: the share of conversations in Freshchat's real format (the rest simplified). */
  realShare?: number;
}

/** A small seeded generator (mulberry32), so a failing run can be replayed with the same --seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export const ENDINGS = [
  { tags: ['pricing', 'order_placed'], outcome: 'CONVERTED' },
  { tags: ['delivery_slot', 'dropped'], outcome: 'DROPPED' },
  { tags: ['menu_question'], outcome: 'RESOLVED' },
  { tags: null, outcome: 'IN_PROGRESS' },
] as const;

/** Simplified-format payloads (HMAC-signed); the event key hashes the exact body, as the webhook computes it. */
function conversationEvents(conversationId: string, index: number, count: number) {
  const ending = ENDINGS[index % ENDINGS.length]!;
  const user = {
    properties: {
      user_id: `usr_chaos_${index}`,
      cart_value: 10_000 + index,
      event_type: 'WEDDING',
      current_screen: 'checkout',
    },
  };
  const bodies = [
    JSON.stringify({
      action: 'conversation_assignment',
      data: { conversation: { id: conversationId, assigned_agent_id: `agent_${index % 7}` }, user },
    }),
  ];
  if (ending.tags)
    bodies.push(
      JSON.stringify({
        action: 'conversation_resolution',
        data: { conversation: { id: conversationId, tags: ending.tags.map((name) => ({ name })) }, user },
      }),
    );
  for (let m = 0; bodies.length < count; m++) {
    const actor_type = m % 2 === 0 ? 'user' : 'agent';
    bodies.push(
      JSON.stringify({
        action: 'message_create',
        data: {
          conversation: { id: conversationId },
          user,
          message: { actor_type, text: `message ${m} of ${conversationId}` },
        },
      }),
    );
  }
  const eventKeys = new Set(
    bodies.map((b) => `${JSON.parse(b).action}:sha256:${createHash('sha256').update(b).digest('hex')}`),
  );
  return { bodies, expected: { eventKeys, outcome: ending.outcome } };
}

/** One conversation's whole life in order: messages, then its state changes (or silence), each with an id and time. */
function lifecycleEvents(conversationId: string, index: number, count: number) {
  const life = LIFECYCLES[index % LIFECYCLES.length]!;
  const start = Date.parse(LIFECYCLE_START) + index * 1000;
  const at = (n: number) => new Date(start + n * 60_000).toISOString();
  const user = { properties: { user_id: `usr_chaos_${index}`, cart_value: 10_000 + index, event_type: 'WEDDING' } };
  const conversation = { id: conversationId };
  const bodies: string[] = [];
  const eventKeys = new Set<string>();
  const slaEvents: SlaEvent[] = [];
  for (let m = 0; m < Math.max(1, count - life.steps.length); m++) {
    const id = `${conversationId}-m${m}`;
    const message = { id, actor_type: m % 2 === 0 ? 'user' : 'agent', text: `message ${m} of ${conversationId}` };
    bodies.push(JSON.stringify({ action: 'message_create', event_time: at(m), data: { conversation, user, message } }));
    eventKeys.add(`message:${id}`);
    slaEvents.push({ at: at(m), kind: m % 2 === 0 ? 'customer_message' : 'agent_reply' });
  }
  let resolvedAt: string | null = null;
  life.steps.forEach((step, k) => {
    const eventId = `${conversationId}-s${k}`;
    const time = at(count + k);
    const tags = step.action === 'conversation_resolution' ? step.tags.map((name) => ({ name })) : undefined;
    resolvedAt = step.action === 'conversation_resolution' ? time : null;
    bodies.push(
      JSON.stringify({
        action: step.action,
        event_id: eventId,
        event_time: time,
        data: { conversation: { ...conversation, tags }, user },
      }),
    );
    eventKeys.add(`${step.action}:event:${eventId}`);
    slaEvents.push({ at: time, kind: step.action === 'conversation_resolution' ? 'resolved' : 'reopened' });
  });
  const silent = life.outcome === 'DROPPED';
  const final = {
    resolvedAt: silent ? null : resolvedAt,
    silentAfter: silent ? slaEvents.at(-1)!.at : undefined,
    reopenCount: life.reopens,
    resolutionType: silent ? 'WENT_SILENT' : null,
  };
  const sla = { events: slaEvents, silent };
  return { bodies, expected: { eventKeys, outcome: life.outcome, final, userId: user.properties.user_id, sla } };
}

/**
 * Every conversation's events shuffled, a share of them delivered twice (the copy at a random later
 * point, as a Freshchat retry would be), and conversations interleaved.
 */
export function chaosPlan(options: PlanOptions): ChaosPlan {
  const random = seededRandom(options.seed);
  const conversations = new Map<string, ExpectedConversation>();
  const perConversation: string[][] = [];
  const freshchat: NonNullable<ChaosPlan['freshchat']> = { events: [], users: [] };
  for (let i = 0; i < options.conversations; i++) {
    const id = `chaos-${options.runId}-${i}`;
    const real = options.lifecycle && isReal(i, options.realShare ?? 0);
    const life: { bodies: string[]; expected: ExpectedConversation; freshchat?: typeof freshchat } = real
      ? realLifecycleEvents(id, i, options.eventsPerConversation)
      : options.lifecycle
        ? lifecycleEvents(id, i, options.eventsPerConversation)
        : conversationEvents(id, i, options.eventsPerConversation);
    const { bodies, expected } = life;
    freshchat.events.push(...(life.freshchat?.events ?? []));
    freshchat.users!.push(...(life.freshchat?.users ?? []));
    conversations.set(id, expected);
    const withCopies = bodies.flatMap((b) => (random() < options.duplicateShare ? [b, b] : [b]));
    perConversation.push(options.lifecycle ? withCopies : shuffle(withCopies, random));
  }
  const distinctEvents = [...conversations.values()].reduce((n, c) => n + c.eventKeys.size, 0);
  const mixed = freshchat.events.length > 0;
  return {
    format: mixed ? 'mixed' : 'simplified',
    deliveries: interleave(perConversation, random),
    conversations,
    distinctEvents,
    droppedEvents: 0,
    ...(mixed && { freshchat }),
    ...(options.lifecycle && { sla: lifecycleSlaPolicy() }),
  };
}

/**
 * The SLA policy of a lifecycle run, for every conversation: calendar thresholds of more days than have passed since
 * the lifecycles' dates, so no target falls due on the worker's clock while the run delivers (a target that did would
 * be breached before or after its answer depending on when the answer's delivery came, and the verdict could not
 * predict it). What the targets become is then set by the events alone: met, or cancelled by a close.
 */
export function lifecycleSlaPolicy(now = Date.now()): NonNullable<ChaosPlan['sla']> {
  const days = Math.ceil((now - Date.parse(LIFECYCLE_START)) / 86_400_000) + 30;
  const file = {
    policies: [
      {
        name: 'chaos-lifecycles',
        firstResponse: `${days}d`,
        nextResponse: `${days + 1}d`,
        resolution: `${days + 2}d`,
        hours: 'calendar',
      },
    ],
  };
  const { match: _match, ...policy } = slaPolicyFile.parse(file).policies[0]!;
  return { file, policy, hours: ALWAYS_OPEN };
}

/** Whether conversation `i` is in the real format: whole blocks of the four lifecycles, spread evenly by `share`. */
const isReal = (i: number, share: number): boolean => {
  const block = Math.floor(i / LIFECYCLES.length);
  return Math.floor((block + 1) * share) > Math.floor(block * share);
};

/** A delivery's conversation, in either format. */
export function conversationOfBody(body: string): string {
  const data = (JSON.parse(body) as { data: Record<string, any> }).data;
  if (data.conversation) return data.conversation.id;
  if (data.message) return data.message.conversation_id;
  const change = data.resolve ?? data.reopen ?? data.assignment;
  return change.conversation.conversation_id;
}

/** Repeatedly takes the next event of a random conversation, keeping each one's shuffled order. */
export function interleave(perConversation: string[][], random: () => number): string[] {
  const deliveries: string[] = [];
  const open = perConversation.filter((q) => q.length > 0);
  while (open.length > 0) {
    const k = Math.floor(random() * open.length);
    deliveries.push(open[k]!.shift()!);
    if (open[k]!.length === 0) open.splice(k, 1);
  }
  return deliveries;
}

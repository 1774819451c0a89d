import { createHash } from 'node:crypto';

/** What the chaos run sends, and what PostgreSQL must hold afterwards. */
export interface ChaosPlan {
  deliveries: string[];
  conversations: Map<string, ExpectedConversation>;
  distinctEvents: number;
}

export interface ExpectedConversation {
  eventKeys: Set<string>;
  outcome: 'CONVERTED' | 'DROPPED' | 'RESOLVED' | 'IN_PROGRESS';
}

export interface PlanOptions {
  runId: string;
  conversations: number;
  eventsPerConversation: number;
  duplicateShare: number;
  seed: number;
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

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const ENDINGS = [
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

/**
 * Every conversation's events shuffled, a share of them delivered twice (the copy at a random later
 * point, as a Freshchat retry would be), and conversations interleaved.
 */
export function chaosPlan(options: PlanOptions): ChaosPlan {
  const random = seededRandom(options.seed);
  const conversations = new Map<string, ExpectedConversation>();
  const perConversation: string[][] = [];
  for (let i = 0; i < options.conversations; i++) {
    const id = `chaos-${options.runId}-${i}`;
    const { bodies, expected } = conversationEvents(id, i, options.eventsPerConversation);
    conversations.set(id, expected);
    const withCopies = bodies.flatMap((b) => (random() < options.duplicateShare ? [b, b] : [b]));
    perConversation.push(shuffle(withCopies, random));
  }
  // Interleave: repeatedly take the next event of a random conversation, keeping each one's shuffled order.
  const deliveries: string[] = [];
  const open = perConversation.filter((q) => q.length > 0);
  while (open.length > 0) {
    const k = Math.floor(random() * open.length);
    deliveries.push(open[k]!.shift()!);
    if (open[k]!.length === 0) open.splice(k, 1);
  }
  const distinctEvents = [...conversations.values()].reduce((n, c) => n + c.eventKeys.size, 0);
  return { deliveries, conversations, distinctEvents };
}

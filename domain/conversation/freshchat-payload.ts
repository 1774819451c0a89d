import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isCalendarInstant } from '../calendar';
import type { ConversationEvent, PayloadFormat, UserProperties } from './conversation-event';
import type { Actor } from './incidence';
import { storableDeep } from './record-values';
import { recordTags } from './resolution-rules';

/**
 * Limits that keep one webhook from carrying unbounded data into workflow history. Message text has none of its own:
 * the whole message is kept, bounded by the webhook body limit (WEBHOOK_BODY_LIMIT).
 */
export const PAYLOAD_LIMITS = { idLength: 255, textLength: 20_000, properties: 100 } as const;

export const KNOWN_ACTIONS = [
  'message_create',
  'conversation_assignment',
  'conversation_resolution',
  'conversation_reopen',
] as const;
type KnownAction = (typeof KNOWN_ACTIONS)[number];

export class PayloadError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export type NormalisedWebhook = { status: 'event'; event: ConversationEvent } | { status: 'ignored'; action: string };

const noNul = (s: string) => !s.includes('\u0000');
const NUL_MESSAGE = 'contains U+0000';
const id = z.string().trim().min(1).max(PAYLOAD_LIMITS.idLength).refine(noNul, NUL_MESSAGE);
const optionalId = z
  .union([z.string().max(PAYLOAD_LIMITS.idLength).refine(noNul, NUL_MESSAGE), z.number(), z.null()])
  .optional()
  .transform((v) => (v === undefined || v === null || v === '' ? null : String(v)));
/** A real instant PostgreSQL accepts too: ISO-8601 with a zone, a real calendar day, years 2000–2999. */
const isoTime = z
  .string()
  .max(40)
  .datetime({ offset: true, message: 'not an ISO-8601 time with a zone' })
  .refine(isCalendarInstant, 'not a real calendar time');
const text = z.string();

const envelope = z.object({ action: z.string().min(1).max(100) });

// --- Freshchat's real format -------------------------------------------------------------
const realActor = z
  .object({ actor_type: z.string().max(20).optional(), actor_id: optionalId })
  .partial()
  .optional();
const messagePart = z.object({ text: z.object({ content: text }).partial().optional() }).passthrough();
const legacyPart = z
  .object({ part_type: z.string().optional(), properties: z.object({ text: text.optional() }).partial().optional() })
  .passthrough();
const realMessage = z
  .object({
    id,
    conversation_id: id,
    actor_type: z.string().max(20),
    actor_id: optionalId,
    user_id: optionalId,
    created_time: isoTime.optional(),
    message_type: z.string().max(20).optional(),
    message_parts: z.array(messagePart).max(100).optional(),
    msg_parts: z.array(legacyPart).max(100).optional(),
  })
  .refine((m) => m.message_parts !== undefined || m.msg_parts !== undefined, {
    message: 'message_parts is required',
    path: ['message_parts'],
  });
const realConversationRef = z.object({
  conversation_id: id,
  assigned_agent_id: optionalId,
  assigned_group_id: optionalId,
});
const realAssignment = z.object({
  to_agent_id: optionalId,
  to_group_id: optionalId,
  from_agent_id: optionalId,
  assignor_id: optionalId,
  conversation: realConversationRef,
});
const realResolve = z.object({ resolver_id: optionalId, conversation: realConversationRef });
const realReopen = z.object({ reopener_id: optionalId, interaction_id: optionalId, conversation: realConversationRef });
const realEnvelope = z.object({ action_time: isoTime.optional(), actor: realActor });

// --- The simplified format (docs/decisions.md #1) ---------------------------------------------------------
const propertyValue = z.union([z.string().max(PAYLOAD_LIMITS.textLength), z.number().finite(), z.boolean(), z.null()]);
const specUser = z
  .object({
    properties: z
      .record(z.string().max(100), propertyValue)
      .refine((p) => Object.keys(p).length <= PAYLOAD_LIMITS.properties, 'too many properties')
      .optional(),
  })
  .optional();
const specConversation = z.object({
  id,
  // Clipped as Freshchat's own tags are (recordTags): a long or blank tag never refuses the resolution it came with.
  tags: z
    .array(z.object({ name: z.string() }))
    .optional()
    .transform((tags) => tags && recordTags(tags.map((t) => t.name))),
  assigned_agent_id: optionalId,
  assigned_group_id: optionalId,
});
const specPayload = z.object({
  // Optional in the simplified format: with an id, identical bodies are distinct events; with a time, it orders them.
  event_id: optionalId,
  event_time: isoTime.optional(),
  data: z.object({
    conversation: specConversation,
    user: specUser,
    message: z.object({ actor_type: z.string().max(20), text: text.nullable().optional(), id: optionalId }).optional(),
  }),
});

function parse<T>(schema: z.ZodType<T, unknown>, value: unknown, prefix: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = [prefix, ...issue.path].filter((p) => p !== '').join('.');
  throw new PayloadError(field || prefix, issue.message);
}

const actorOf = (type: string | undefined): Actor => (type === 'user' ? 'USER' : type === 'agent' ? 'AGENT' : 'SYSTEM');

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

const messageTypeOf = (type: string | undefined): 'normal' | 'private' | 'system' =>
  type === 'private' ? 'private' : type === 'system' ? 'system' : 'normal';

function joinText(message: z.infer<typeof realMessage>): string | null {
  const parts = message.message_parts
    ? message.message_parts.map((p) => p.text?.content)
    : (message.msg_parts ?? []).map((p) =>
        p.part_type === undefined || p.part_type === 'text' ? p.properties?.text : undefined,
      );
  const texts = parts.filter((t): t is string => typeof t === 'string' && t !== '');
  return texts.length ? texts.join('\n') : null;
}

function formatOf(data: unknown): PayloadFormat {
  if (data && typeof data === 'object' && 'conversation' in data) return 'simplified';
  return 'real';
}

/**
 * Turns a verified, parsed webhook body into one typed conversation event.
 * Throws PayloadError (naming the field) when the action's required data is missing or malformed.
 */
export function normaliseWebhook(body: unknown, rawBody: Buffer, receivedAt: string): NormalisedWebhook {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new PayloadError('body', 'expected a JSON object');
  const { action } = parse(envelope, body, '');
  if (!(KNOWN_ACTIONS as readonly string[]).includes(action)) return { status: 'ignored', action };
  const data = (body as { data?: unknown }).data;
  if (!data || typeof data !== 'object') throw new PayloadError('data', 'required object');
  const event =
    formatOf(data) === 'simplified'
      ? fromSpec(action as KnownAction, body, rawBody, receivedAt)
      : fromReal(action as KnownAction, body, receivedAt);
  // Text and property values may carry U+0000 (valid JSON), which PostgreSQL refuses; ids with it were refused above.
  return { status: 'event', event: storableDeep(event) };
}

function fromReal(action: KnownAction, body: unknown, receivedAt: string): ConversationEvent {
  const env = parse(realEnvelope, body, '');
  const actionTime = env.action_time ?? receivedAt;
  const actor = actorOf(env.actor?.actor_type);
  const actorId = env.actor?.actor_id ?? null;
  const data = (body as { data: Record<string, unknown> }).data;
  const base = { format: 'real' as const, actor, actorId, userProperties: null };
  const stateKey = (conversationId: string) =>
    `${action}:${conversationId}:${env.action_time ?? sha256(JSON.stringify(body))}`;

  switch (action) {
    case 'message_create': {
      const m = parse(realMessage, data.message, 'data.message');
      return {
        ...base,
        kind: 'message',
        eventKey: `message:${m.id}`,
        conversationId: m.conversation_id,
        occurredAt: m.created_time ?? actionTime,
        actor: actorOf(m.actor_type),
        actorId: m.actor_id ?? actorId,
        freshchatUserId: m.user_id ?? (m.actor_type === 'user' ? m.actor_id : null),
        messageId: m.id,
        text: joinText(m),
        messageType: messageTypeOf(m.message_type),
      };
    }
    case 'conversation_assignment': {
      const a = parse(realAssignment, data.assignment, 'data.assignment');
      const conversationId = a.conversation.conversation_id;
      return {
        ...base,
        kind: 'assignment',
        eventKey: stateKey(conversationId),
        conversationId,
        occurredAt: actionTime,
        freshchatUserId: null,
        agentId: a.to_agent_id ?? a.conversation.assigned_agent_id,
        groupId: a.to_group_id ?? a.conversation.assigned_group_id,
        fromAgentId: a.from_agent_id,
      };
    }
    case 'conversation_resolution': {
      const r = parse(realResolve, data.resolve, 'data.resolve');
      const conversationId = r.conversation.conversation_id;
      return {
        ...base,
        kind: 'resolution',
        eventKey: stateKey(conversationId),
        conversationId,
        occurredAt: actionTime,
        freshchatUserId: null,
        tags: null,
      };
    }
    case 'conversation_reopen': {
      const r = parse(realReopen, data.reopen, 'data.reopen');
      const conversationId = r.conversation.conversation_id;
      return {
        ...base,
        kind: 'reopen',
        eventKey: stateKey(conversationId),
        conversationId,
        occurredAt: actionTime,
        freshchatUserId: actor === 'USER' ? actorId : null,
        interactionId: r.interaction_id,
      };
    }
  }
}

function fromSpec(action: KnownAction, body: unknown, rawBody: Buffer, receivedAt: string): ConversationEvent {
  const { data, event_id: eventId, event_time: eventTime } = parse(specPayload, body, '');
  const properties: UserProperties | null = data.user?.properties ?? null;
  const base = {
    format: 'simplified' as const,
    conversationId: data.conversation.id,
    occurredAt: eventTime ?? receivedAt,
    // Without an event id, identical bodies are taken for one delivery (docs/record-guarantee.md).
    eventKey: eventId ? `${action}:event:${eventId}` : `${action}:sha256:${sha256(rawBody)}`,
    actorId: null,
    freshchatUserId: null,
    userProperties: properties,
  };
  switch (action) {
    case 'message_create': {
      if (!data.message) throw new PayloadError('data.message', 'required for message_create');
      return {
        ...base,
        kind: 'message',
        actor: actorOf(data.message.actor_type),
        eventKey: data.message.id ? `message:${data.message.id}` : base.eventKey,
        messageId: data.message.id,
        text: data.message.text ?? null,
        messageType: 'normal',
      };
    }
    case 'conversation_assignment':
      return {
        ...base,
        kind: 'assignment',
        actor: 'SYSTEM',
        agentId: data.conversation.assigned_agent_id,
        groupId: data.conversation.assigned_group_id,
        fromAgentId: null,
      };
    case 'conversation_resolution':
      return { ...base, kind: 'resolution', actor: 'AGENT', tags: data.conversation.tags ?? [] };
    case 'conversation_reopen':
      return { ...base, kind: 'reopen', actor: 'USER', interactionId: null };
  }
}

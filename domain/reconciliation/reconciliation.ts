/**
 * Reconciliation: what Freshchat's REST API knows about a conversation that our record lacks, as the same
 * conversation events (and event keys) the webhook produces. Pure: the activities read both sides, this decides.
 */
import type { ConversationEvent, ConversationEventKind } from '../conversation/conversation-event';
import { normaliseWebhook, PayloadError } from '../conversation/freshchat-payload';

/** A message as `GET /v2/conversations/{id}/messages` returns it (only the fields we read). */
export interface RestMessage {
  id: string;
  conversation_id?: string;
  actor_type?: string;
  actor_id?: string | null;
  user_id?: string | null;
  created_time?: string;
  message_type?: string;
  message_parts?: unknown[];
  meta_data?: { isResolved?: boolean; isReopen?: boolean } | null;
  [other: string]: unknown;
}

/** A conversation as `GET /v2/conversations/{id}` returns it (only the fields we read). */
export interface RestConversation {
  conversation_id: string;
  status?: string;
  assigned_agent_id?: string | null;
  assigned_group_id?: string | null;
  user_id?: string | null;
  created_time?: string;
  updated_time?: string;
}

/** What our record holds for a conversation; `null` when we have never seen it. */
export interface ConversationRecord {
  outcome: string;
  /** WENT_SILENT closes are ours, not Freshchat's: they never make a reopen. */
  resolutionType: string | null;
  agentId: string | null;
  /** When the record's assignment last changed (Freshchat's time of it); null when never assigned. */
  assignedAt: string | null;
  eventKeys: ReadonlySet<string>;
  /** RESOLVED and REOPENED timeline rows. */
  stateChanges: ReadonlyArray<{ kind: 'resolution' | 'reopen'; at: string }>;
}

export type RepairCounts = Record<ConversationEventKind, number>;
export const noRepairs = (): RepairCounts => ({ message: 0, assignment: 0, resolution: 0, reopen: 0 });

/**
 * A resolution or reopen in Freshchat matches one in our record when their times are this close: the webhook's
 * `action_time` and the marker message's `created_time` differ by a few milliseconds.
 */
export const STATE_CHANGE_TOLERANCE_MS = 5_000;

const OPEN_STATUSES = new Set(['new', 'assigned', 'reopened', 'reopen']);

export interface Reconciled {
  /** Events to deliver, oldest first (the order the workflow applies them in). */
  repairs: ConversationEvent[];
  /** Messages Freshchat returned that could not become events (e.g. no id); never fatal. */
  unreadable: number;
}

/** The events that bring `record` up to what Freshchat reports. */
export function reconcileConversation(
  conversation: RestConversation,
  messages: RestMessage[],
  record: ConversationRecord | null,
  now: string,
): Reconciled {
  const conversationId = conversation.conversation_id;
  const keys = record?.eventKeys ?? new Set<string>();
  const repairs: ConversationEvent[] = [];
  let unreadable = 0;
  const stateChanges = [...(record?.stateChanges ?? [])];

  for (const message of messages) {
    const marker = message.meta_data?.isResolved ? 'resolution' : message.meta_data?.isReopen ? 'reopen' : null;
    try {
      if (marker) {
        if (!message.created_time) throw new PayloadError('created_time', 'a state change needs its time');
        if (matches(stateChanges, marker, message.created_time)) continue;
        const event = stateChangeEvent(conversationId, marker, message.created_time, message);
        stateChanges.push({ kind: marker, at: event.occurredAt });
        repairs.push(event);
        continue;
      }
      // Freshchat's own system lines ("assigned to …") have no webhook of their own: the record never holds them.
      if (message.message_type === 'system') continue;
      const event = messageEvent(conversationId, message, now);
      if (!keys.has(event.eventKey)) repairs.push(event);
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      unreadable++;
    }
  }

  const statusRepair = statusChange(conversation, record, stateChanges, now);
  if (statusRepair) repairs.push(statusRepair);
  const assignment = assignmentChange(conversation, record, now);
  if (assignment) repairs.push(assignment);

  repairs.sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
  return { repairs, unreadable };
}

/** Counts of repairs by kind. */
export function countRepairs(events: ConversationEvent[]): RepairCounts {
  const counts = noRepairs();
  for (const e of events) counts[e.kind]++;
  return counts;
}

/** How many events, of every kind, these counts repaired. */
export const eventsOf = (r: RepairCounts): number => r.message + r.assignment + r.resolution + r.reopen;

export function addRepairs(a: RepairCounts, b: RepairCounts): RepairCounts {
  return {
    message: a.message + b.message,
    assignment: a.assignment + b.assignment,
    resolution: a.resolution + b.resolution,
    reopen: a.reopen + b.reopen,
  };
}

const matches = (changes: ConversationRecord['stateChanges'], kind: 'resolution' | 'reopen', at: string) =>
  changes.some((c) => c.kind === kind && Math.abs(Date.parse(c.at) - Date.parse(at)) <= STATE_CHANGE_TOLERANCE_MS);

/**
 * When no marker message told us, Freshchat's status decides: resolved there but open here gets a resolution, open
 * there but resolved here (by a resolution, not by our silence rule) gets a reopen, both at the conversation's
 * `updated_time`, the last change Freshchat reports.
 */
function statusChange(
  conversation: RestConversation,
  record: ConversationRecord | null,
  changes: ConversationRecord['stateChanges'],
  now: string,
) {
  const status = conversation.status?.toLowerCase();
  if (!status) return null;
  const latest = [...changes].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).at(-1);
  const at = conversation.updated_time ?? now;
  if (status === 'resolved' && latest?.kind !== 'resolution') {
    if (latest && Date.parse(latest.at) > Date.parse(at)) return null;
    return stateChangeEvent(conversation.conversation_id, 'resolution', at, null);
  }
  if (OPEN_STATUSES.has(status) && latest?.kind === 'resolution' && record?.resolutionType !== 'WENT_SILENT') {
    if (Date.parse(latest.at) >= Date.parse(at)) return null;
    return stateChangeEvent(conversation.conversation_id, 'reopen', at, null);
  }
  return null;
}

const ACTIONS = {
  resolution: ['conversation_resolution', 'resolve'],
  reopen: ['conversation_reopen', 'reopen'],
} as const;

/** The webhook's own normaliser builds every event, so its key is exactly the one a delivery would have had. */
function normalised(body: Record<string, unknown>, now: string): ConversationEvent {
  const result = normaliseWebhook(body, Buffer.alloc(0), now);
  if (result.status !== 'event') throw new PayloadError('action', 'not a conversation event');
  return result.event;
}

function messageEvent(conversationId: string, message: RestMessage, now: string): ConversationEvent {
  const action_time = message.created_time;
  return normalised(
    {
      action: 'message_create',
      action_time,
      actor: { actor_type: message.actor_type, actor_id: message.actor_id },
      data: { message: { ...message, conversation_id: message.conversation_id ?? conversationId } },
    },
    now,
  );
}

function stateChangeEvent(
  conversationId: string,
  kind: 'resolution' | 'reopen',
  at: string,
  marker: RestMessage | null,
): ConversationEvent {
  const [action, dataKey] = ACTIONS[kind];
  const actor = marker ? { actor_type: marker.actor_type, actor_id: marker.actor_id } : { actor_type: 'system' };
  return normalised(
    { action, action_time: at, actor, data: { [dataKey]: { conversation: { conversation_id: conversationId } } } },
    at,
  );
}

/**
 * Freshchat's REST API keeps only the current assignee, not when it changed: a record whose assignee differs (an
 * agent, or none: back to a group's queue) gets an assignment at the conversation's `updated_time`, unless the record's
 * own assignment is at least as recent (Freshchat was read before a webhook we already stored).
 */
function assignmentChange(conversation: RestConversation, record: ConversationRecord | null, now: string) {
  const agentId = conversation.assigned_agent_id || null;
  if (agentId === (record?.agentId ?? null)) return null;
  const at = conversation.updated_time ?? now;
  if (record?.assignedAt && Date.parse(record.assignedAt) >= Date.parse(at)) return null;
  return assignmentEvent(conversation, agentId, at, now);
}

/**
 * The webhook's key carries its `action_time`, which the REST API does not give; a repaired assignment's key is the
 * assignee and Freshchat's time of that state, so each assignment (A, then B, then A again) is repaired once.
 */
function assignmentEvent(
  conversation: RestConversation,
  agentId: string | null,
  at: string,
  now: string,
): ConversationEvent {
  const groupId = conversation.assigned_group_id || null;
  const event = normalised(
    {
      action: 'conversation_assignment',
      action_time: at,
      actor: { actor_type: 'system' },
      data: {
        assignment: {
          to_agent_id: agentId ?? '',
          to_group_id: groupId ?? '',
          conversation: { conversation_id: conversation.conversation_id },
        },
      },
    },
    now,
  );
  return { ...event, eventKey: reconciledAssignmentKey(conversation.conversation_id, { agentId, groupId }, at) };
}

/** The key of a repaired assignment: the assignee (an agent, else the group's queue) and Freshchat's time of it. */
export const reconciledAssignmentKey = (
  conversationId: string,
  assignee: { agentId: string | null; groupId?: string | null },
  at: string,
): string => {
  const to = assignee.agentId ? `agent:${assignee.agentId}` : `group:${assignee.groupId ?? ''}`;
  return `conversation_assignment:${conversationId}:reconciled:${to}:${at}`;
};

/**
 * The time of a conversation's latest activity Freshchat reports (its creation, last update or newest message); null
 * when it reports none. Discovery takes a conversation we never saw only when this falls within the look-back.
 */
export function lastActivityOf(conversation: RestConversation, messages: RestMessage[]): number | null {
  const times = [conversation.created_time, conversation.updated_time, ...messages.map((m) => m.created_time)]
    .map((t) => (t ? Date.parse(t) : NaN))
    .filter((t) => Number.isFinite(t));
  return times.length > 0 ? Math.max(...times) : null;
}

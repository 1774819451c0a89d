import type { Actor } from './incidence';

/** Where a webhook came from: the simplified format or Freshchat's own (docs/decisions.md #1). */
export type PayloadFormat = 'simplified' | 'real';

/** User properties as a flat map; real Freshchat sends strings, the simplified format typed values. */
export type UserProperties = Record<string, string | number | boolean | null>;

interface EventBase {
  /** Stable across redeliveries: message id, action + action_time, or a hash of the raw body. */
  eventKey: string;
  conversationId: string;
  /** ISO time from the payload when it carries one, else the time the API received it. */
  occurredAt: string;
  format: PayloadFormat;
  actor: Actor;
  actorId: string | null;
  /** The Freshchat user of the conversation, when the event names one. */
  freshchatUserId: string | null;
  /** Simplified-format events carry the user's properties; real ones never do. */
  userProperties: UserProperties | null;
}

export interface MessageEvent extends EventBase {
  kind: 'message';
  messageId: string | null;
  text: string | null;
  messageType: 'normal' | 'private' | 'system';
}

export interface AssignmentEvent extends EventBase {
  kind: 'assignment';
  agentId: string | null;
  groupId: string | null;
  fromAgentId: string | null;
}

export interface ResolutionEvent extends EventBase {
  kind: 'resolution';
  /** Simplified-format tags; null for real Freshchat, whose tags are read from the conversation's properties. */
  tags: string[] | null;
}

export interface ReopenEvent extends EventBase {
  kind: 'reopen';
  interactionId: string | null;
}

export type ConversationEvent = MessageEvent | AssignmentEvent | ResolutionEvent | ReopenEvent;
export type ConversationEventKind = ConversationEvent['kind'];

export const conversationWorkflowId = (conversationId: string): string => `conversation-${conversationId}`;

/** Whether an event tells us who the user is (its own properties, or a Freshchat user to look up). */
export const carriesUser = (event: ConversationEvent): boolean =>
  event.userProperties !== null || event.freshchatUserId !== null;

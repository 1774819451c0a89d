import { ApplicationFailure } from '@temporalio/common';
import { storableDeep } from '../domain/conversation/record-values';
import type { RestConversation, RestMessage } from '../domain/reconciliation/reconciliation';

export interface FreshchatUser {
  id: string;
  reference_id?: string | null;
  email?: string | null;
  phone?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  properties?: Array<{ name: string; value: unknown }>;
}

export interface FreshchatConversation extends RestConversation {
  properties?: Record<string, unknown>;
}

/** One page of a conversation's messages (newest first) and the next page's address, if any. */
export interface FreshchatMessagePage {
  messages: RestMessage[];
  next: string | null;
}

/** A Freshchat agent (GET /agents): who an assigned agent id is. */
export interface FreshchatAgent {
  id: string;
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
}

/** One page of a user's conversation ids. */
export interface FreshchatConversationPage {
  conversationIds: string[];
  totalPages: number;
}

export const MESSAGES_PER_PAGE = 50;
export const AGENTS_PER_PAGE = 100;

export interface FreshchatClient {
  configured: boolean;
  getUser(userId: string): Promise<FreshchatUser | null>;
  getConversation(conversationId: string): Promise<FreshchatConversation | null>;
  /** The Freshchat user whose reference_id (the identity Freshchat verifies) is our app user id, if any. */
  findUserByReference(referenceId: string): Promise<FreshchatUser | null>;
  /** false when Freshchat does not know the user (404). */
  updateUserProperties(userId: string, properties: Record<string, string>): Promise<boolean>;
  /** A private note (agents see it, the customer never does); false when the conversation is unknown (404). */
  addPrivateNote(conversationId: string, actorId: string, text: string): Promise<boolean>;
  /**
   * Hands the conversation to a group (e.g. a priority group), leaving its status alone (a resolved conversation stays
   * resolved); false when the conversation is unknown (404).
   */
  assignToGroup(conversationId: string, groupId: string): Promise<boolean>;
  /** A page of messages: the first when `next` is absent, else the page a previous answer linked to. */
  listMessages(conversationId: string, next?: string): Promise<FreshchatMessagePage | null>;
  listUserConversations(userId: string, page: number): Promise<FreshchatConversationPage | null>;
  /** A page of the account's agents (1-based) and how many pages there are. */
  listAgents(page: number): Promise<{ agents: FreshchatAgent[]; totalPages: number } | null>;
}

/** The HTTP status a Freshchat failure carried (429, 5xx, other 4xx), or undefined for a network fault. */
export const freshchatStatusOf = (error: unknown): number | undefined =>
  error instanceof ApplicationFailure ? (error.details?.[0] as { status?: number } | undefined)?.status : undefined;

const MAX_RETRY_AFTER_MS = 60_000;
const MAX_ANSWER_BYTES = 1_000_000;

/** A 200 that is not JSON (or is huge) will not become JSON by asking again: not retryable. */
async function readJson<T>(response: Response, what: string): Promise<T> {
  const length = Number(response.headers.get('content-length'));
  if (Number.isFinite(length) && length > MAX_ANSWER_BYTES) {
    await response.body?.cancel();
    throw ApplicationFailure.nonRetryable(`${what} answered ${length} bytes`, 'FreshchatBadAnswer');
  }
  const text = await response.text();
  if (text.length > MAX_ANSWER_BYTES)
    throw ApplicationFailure.nonRetryable(`${what} answered ${text.length} characters`, 'FreshchatBadAnswer');
  try {
    return storableDeep(text ? JSON.parse(text) : {}) as T;
  } catch {
    throw ApplicationFailure.nonRetryable(`${what} answered something that is not JSON`, 'FreshchatBadAnswer');
  }
}

/**
 * Freshchat REST v2 over fetch. 404 is "not found" (null); 429 and 5xx throw so the calling
 * activity is retried by Temporal (honouring Retry-After); other 4xx are not retryable.
 */
export function createFreshchatClient(options: {
  baseUrl?: string;
  token?: string;
  timeoutMs?: number;
  /** Called before every request (reconciliation waits for its shared rate limit here). */
  beforeRequest?: () => Promise<void>;
}): FreshchatClient {
  const { baseUrl, token, timeoutMs = 5000 } = options;
  const configured = Boolean(baseUrl && token);

  async function call<T>(method: string, path: string, body?: unknown): Promise<T | null> {
    if (!configured) return null;
    await options.beforeRequest?.();
    // Freshchat's "next page" links are absolute paths (`/v2/…`); everything else is relative to the base URL.
    const url = path.startsWith('/v2/') ? new URL(path, baseUrl).toString() : `${baseUrl!.replace(/\/$/, '')}${path}`;
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status === 404) return null;
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel();
      // Honoured up to a cap: `Retry-After: 86400` must not mean one attempt a day.
      const announced = retryAfterOf(response.headers.get('retry-after'));
      const retryAfterMs = announced === undefined ? undefined : Math.min(announced, MAX_RETRY_AFTER_MS);
      throw ApplicationFailure.create({
        message: `Freshchat ${method} ${path} answered ${response.status}`,
        type: 'FreshchatUnavailable',
        details: [{ status: response.status, retryAfterMs }],
        nextRetryDelay: retryAfterMs,
      });
    }
    if (!response.ok) {
      throw ApplicationFailure.create({
        message: `Freshchat ${method} ${path} answered ${response.status}`,
        type: 'FreshchatRejected',
        nonRetryable: true,
        details: [{ status: response.status }],
      });
    }
    return readJson<T>(response, `Freshchat ${method} ${path}`);
  }

  return {
    configured,
    getUser: async (userId) => call<FreshchatUser>('GET', `/users/${pathSegment(userId)}`),
    getConversation: async (conversationId) =>
      call<FreshchatConversation>('GET', `/conversations/${pathSegment(conversationId)}`),
    listMessages: async (conversationId, next) => {
      const path =
        next ?? `/conversations/${pathSegment(conversationId)}/messages?page=1&items_per_page=${MESSAGES_PER_PAGE}`;
      const answer = await call<{ messages?: RestMessage[]; link?: { href?: string } }>('GET', path);
      if (answer === null) return null;
      return { messages: Array.isArray(answer.messages) ? answer.messages : [], next: answer.link?.href || null };
    },
    listUserConversations: async (userId, page) => {
      const answer = await call<{
        conversations?: Array<{ id?: string; conversation_id?: string }>;
        pagination?: { total_pages?: number };
      }>('GET', `/users/${pathSegment(userId)}/conversations?page=${page}&items_per_page=${MESSAGES_PER_PAGE}`);
      if (answer === null) return null;
      const conversationIds = (answer.conversations ?? [])
        .map((c) => c.conversation_id ?? c.id)
        .filter((id): id is string => typeof id === 'string' && id !== '');
      return { conversationIds, totalPages: answer.pagination?.total_pages ?? 1 };
    },
    listAgents: async (page) => {
      const answer = await call<{ agents?: FreshchatAgent[]; pagination?: { total_pages?: number } }>(
        'GET',
        `/agents?page=${page}&items_per_page=${AGENTS_PER_PAGE}`,
      );
      if (answer === null) return null;
      const agents = (answer.agents ?? []).filter((a) => typeof a?.id === 'string' && a.id !== '');
      return { agents, totalPages: answer.pagination?.total_pages ?? 1 };
    },
    findUserByReference: async (referenceId) => {
      const answer = await call<{ users?: FreshchatUser[] } | FreshchatUser[]>(
        'GET',
        `/users?reference_id=${encodeURIComponent(referenceId)}`,
      );
      const users = Array.isArray(answer) ? answer : (answer?.users ?? []);
      return users.find((u) => u?.reference_id === referenceId && typeof u.id === 'string') ?? null;
    },
    updateUserProperties: async (userId, properties) => {
      const answer = await call('PUT', `/users/${pathSegment(userId)}`, {
        properties: Object.entries(properties).map(([name, value]) => ({ name, value })),
      });
      return answer !== null;
    },
    addPrivateNote: async (conversationId, actorId, text) => {
      const answer = await call('POST', `/conversations/${pathSegment(conversationId)}/messages`, {
        message_parts: [{ text: { content: text } }],
        message_type: 'private',
        actor_type: 'agent',
        actor_id: actorId,
      });
      return answer !== null;
    },
    assignToGroup: async (conversationId, groupId) => {
      const answer = await call('PUT', `/conversations/${pathSegment(conversationId)}`, {
        assigned_group_id: groupId,
      });
      return answer !== null;
    },
  };
}

/** Retry-After in ms: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterOf(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds > 0 ? seconds * 1000 : undefined;
  const at = Date.parse(header);
  return Number.isFinite(at) && at > Date.now() ? at - Date.now() : undefined;
}

/**
 * An id as one URL path segment. `.` and `..` survive encodeURIComponent and would move the request up the API's
 * path (`/users/..` is `/v2/`), so they, separators and control characters are refused, never retried.
 */
export function pathSegment(id: string): string {
  // eslint-disable-next-line no-control-regex
  if (id === '' || id === '.' || id === '..' || /[/\\\x00-\x1f\x7f]/.test(id)) {
    throw ApplicationFailure.nonRetryable(
      `unsafe id in a Freshchat URL: ${JSON.stringify(id.slice(0, 40))}`,
      'UnsafeId',
    );
  }
  return encodeURIComponent(id);
}

/** Freshchat's `[{name, value}]` properties as a map; names match with or without the `cf_` prefix. */
export function propertyMap(properties: FreshchatUser['properties']): Record<string, string> {
  const map: Record<string, string> = {};
  for (const p of properties ?? []) {
    if (typeof p?.name !== 'string' || p.value === null || p.value === undefined || p.value === '') continue;
    const value = String(p.value);
    map[p.name] = value;
    if (p.name.startsWith('cf_') && !(p.name.slice(3) in map)) map[p.name.slice(3)] = value;
  }
  return map;
}

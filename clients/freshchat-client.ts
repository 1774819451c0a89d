import { ApplicationFailure } from '@temporalio/common';

export interface FreshchatUser {
  id: string;
  reference_id?: string | null;
  email?: string | null;
  phone?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  properties?: Array<{ name: string; value: unknown }>;
}

export interface FreshchatConversation {
  conversation_id: string;
  user_id?: string | null;
  status?: string;
  assigned_agent_id?: string | null;
  properties?: Record<string, unknown>;
}

export interface FreshchatClient {
  configured: boolean;
  getUser(userId: string): Promise<FreshchatUser | null>;
  getConversation(conversationId: string): Promise<FreshchatConversation | null>;
  /** false when Freshchat does not know the user (404). */
  updateUserProperties(userId: string, properties: Record<string, string>): Promise<boolean>;
  /** A private note (agents see it, the customer never does); false when the conversation is unknown (404). */
  addPrivateNote(conversationId: string, actorId: string, text: string): Promise<boolean>;
  /** Hands the conversation to a group (e.g. a priority group); false when the conversation is unknown (404). */
  assignToGroup(conversationId: string, groupId: string): Promise<boolean>;
}

/**
 * Freshchat REST v2 over fetch. 404 is "not found" (null); 429 and 5xx throw so the calling
 * activity is retried by Temporal (honouring Retry-After); other 4xx are not retryable.
 */
export function createFreshchatClient(options: {
  baseUrl?: string;
  token?: string;
  timeoutMs?: number;
}): FreshchatClient {
  const { baseUrl, token, timeoutMs = 5000 } = options;
  const configured = Boolean(baseUrl && token);

  async function call<T>(method: string, path: string, body?: unknown): Promise<T | null> {
    if (!configured) return null;
    const response = await fetch(`${baseUrl!.replace(/\/$/, '')}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status === 404) return null;
    if (response.status === 429 || response.status >= 500) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw ApplicationFailure.create({
        message: `Freshchat ${method} ${path} answered ${response.status}`,
        type: 'FreshchatUnavailable',
        nextRetryDelay: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      });
    }
    if (!response.ok) {
      throw ApplicationFailure.nonRetryable(
        `Freshchat ${method} ${path} answered ${response.status}`,
        'FreshchatRejected',
      );
    }
    const text = await response.text();
    return (text ? JSON.parse(text) : {}) as T;
  }

  return {
    configured,
    getUser: (userId) => call<FreshchatUser>('GET', `/users/${encodeURIComponent(userId)}`),
    getConversation: (conversationId) =>
      call<FreshchatConversation>('GET', `/conversations/${encodeURIComponent(conversationId)}`),
    updateUserProperties: async (userId, properties) => {
      const answer = await call('PUT', `/users/${encodeURIComponent(userId)}`, {
        properties: Object.entries(properties).map(([name, value]) => ({ name, value })),
      });
      return answer !== null;
    },
    addPrivateNote: async (conversationId, actorId, text) => {
      const answer = await call('POST', `/conversations/${encodeURIComponent(conversationId)}/messages`, {
        message_parts: [{ text: { content: text } }],
        message_type: 'private',
        actor_type: 'agent',
        actor_id: actorId,
      });
      return answer !== null;
    },
    assignToGroup: async (conversationId, groupId) => {
      const answer = await call('PUT', `/conversations/${encodeURIComponent(conversationId)}`, {
        status: 'assigned',
        assigned_group_id: groupId,
      });
      return answer !== null;
    },
  };
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

/**
 * Freshchat's real webhook bodies, built for one conversation (the shapes of test/fixtures/freshchat/real-*.json).
 * Used by tests and by the chaos run's reconciliation mode.
 */
export type RealWebhook = Record<string, any>;

const APP_ID = '7c1e4f2a-9b3d-4e8a-a6f1-2d5c8b9e0a13';
const CHANNEL_ID = 'c4a2e9d1-5f7b-4c3e-8a9d-1b6e2f0c7d54';

export function realMessage(input: {
  conversationId: string;
  id: string;
  userId: string;
  at: string;
  text: string;
  actor?: 'user' | 'agent';
  agentId?: string;
}): RealWebhook {
  const actorType = input.actor ?? 'user';
  const actorId = actorType === 'user' ? input.userId : (input.agentId ?? 'agent-1');
  return {
    actor: { actor_type: actorType, actor_id: actorId },
    action: 'message_create',
    action_time: new Date(Date.parse(input.at) + 3).toISOString(),
    data: {
      message: {
        message_parts: [{ text: { content: input.text } }],
        app_id: APP_ID,
        actor_id: actorId,
        id: input.id,
        channel_id: CHANNEL_ID,
        conversation_id: input.conversationId,
        message_type: 'normal',
        actor_type: actorType,
        created_time: input.at,
        user_id: input.userId,
      },
    },
  };
}

export function realAssignment(input: { conversationId: string; agentId: string; at: string }): RealWebhook {
  return {
    actor: { actor_type: 'system', actor_id: null },
    action: 'conversation_assignment',
    action_time: input.at,
    data: {
      assignment: {
        assignor: 'system',
        to_agent_id: input.agentId,
        to_group_id: 'group-1',
        from_agent_id: '',
        from_group_id: '',
        conversation: {
          conversation_id: input.conversationId,
          app_id: APP_ID,
          status: 'assigned',
          channel_id: CHANNEL_ID,
        },
      },
    },
  };
}

export function realResolution(input: { conversationId: string; at: string; agentId?: string }): RealWebhook {
  const agentId = input.agentId ?? 'agent-1';
  return {
    actor: { actor_type: 'agent', actor_id: agentId },
    action: 'conversation_resolution',
    action_time: input.at,
    data: {
      resolve: {
        resolver: 'agent',
        resolver_id: agentId,
        conversation: {
          conversation_id: input.conversationId,
          app_id: APP_ID,
          status: 'resolved',
          channel_id: CHANNEL_ID,
        },
      },
    },
  };
}

export function realReopen(input: { conversationId: string; at: string; userId: string }): RealWebhook {
  return {
    actor: { actor_type: 'user', actor_id: input.userId },
    action: 'conversation_reopen',
    action_time: input.at,
    data: {
      reopen: {
        reopener: 'user',
        reopener_id: input.userId,
        conversation: {
          conversation_id: input.conversationId,
          app_id: APP_ID,
          status: 'reopened',
          channel_id: CHANNEL_ID,
        },
        interaction_id: `1-${Date.parse(input.at)}`,
      },
    },
  };
}

/** `minutes` after `base`, as Freshchat writes times. */
export const minutesAfter = (base: string, minutes: number): string =>
  new Date(Date.parse(base) + minutes * 60_000).toISOString();

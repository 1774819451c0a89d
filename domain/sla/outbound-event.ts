import type { ConversationState } from '../conversation/conversation-state';
import type { SlaTarget } from './sla';

export type OutboundEventType = 'incidence.created' | 'incidence.resolved' | 'sla.breached' | 'sla.met';

/** An outbound event as the receiver gets it (JSON body); `id` is also the delivery-id header. */
export interface OutboundEvent {
  id: string;
  type: OutboundEventType;
  occurred_at: string;
  data: {
    incidence_id: string;
    conversation_id: string;
    user_id: string | null;
    cart_value: number | null;
    event_type: string | null;
    stage: string | null;
    outcome: string;
    agent_id: string | null;
    sla?: {
      policy: string;
      target: string;
      started_at: string;
      due_at: string;
      status: string;
      settled_at: string | null;
    };
  };
}

/** The event, with an id that is the same however often it is produced (a redelivery is recognisable). */
export function outboundEventOf(
  type: OutboundEventType,
  state: ConversationState,
  occurredAt: string,
  target?: SlaTarget,
): OutboundEvent {
  const incidenceId = state.incidenceId!;
  const suffix = target ? `${target.target}:${target.startedAt}` : type === 'incidence.resolved' ? occurredAt : '';
  return {
    id: [type, incidenceId, suffix].filter(Boolean).join(':'),
    type,
    occurred_at: occurredAt,
    data: {
      incidence_id: incidenceId,
      conversation_id: state.conversationId,
      user_id: state.userId,
      cart_value: state.cartValue,
      event_type: state.eventType,
      stage: state.stage,
      outcome: state.outcome,
      agent_id: state.agentId,
      ...(target && {
        sla: {
          policy: target.policy,
          target: target.target,
          started_at: target.startedAt,
          due_at: target.dueAt,
          status: target.status,
          settled_at: target.settledAt,
        },
      }),
    },
  };
}

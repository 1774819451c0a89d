import type { DatabasePool } from 'slonik';
import type { Logger } from 'pino';
import type { FreshchatClient } from '../clients/freshchat-client';
import type { OutboundDelivery, OutboundEventSender } from '../clients/outbound-events';
import type { SlaEscalation } from '../domain/sla-policy';
import type { SlaConfig } from '../infra/sla-config';

export interface SlaActivityDeps {
  pool: DatabasePool;
  freshchat: FreshchatClient;
  logger: Logger;
  slaConfig: SlaConfig;
  outbound: OutboundEventSender;
}

export interface SlaEscalationRequest {
  conversationId: string;
  escalation: SlaEscalation;
  /** The private note's text (also logged when Freshchat is not configured). */
  note: string;
}

/** Activities of SLA deliveries: outbound events and breach escalations, each in a delivery workflow of its own. */
export function createSlaActivities(deps: SlaActivityDeps) {
  return {
    async deliverOutboundEvent(delivery: OutboundDelivery): Promise<void> {
      await deps.outbound.send(delivery);
    },

    /** A private note or a hand-over to the priority group; an unknown conversation (404) is logged, not retried. */
    async escalateSlaBreach(request: SlaEscalationRequest): Promise<void> {
      const { conversationId, escalation } = request;
      if (escalation.action === 'NONE') return;
      if (!deps.freshchat.configured) {
        deps.logger.warn({ conversationId, escalation }, 'SLA breach not escalated: FRESHCHAT_API_URL/TOKEN unset');
        return;
      }
      const done =
        escalation.action === 'PRIVATE_NOTE'
          ? await deps.freshchat.addPrivateNote(conversationId, escalation.actorId, request.note)
          : await deps.freshchat.assignToGroup(conversationId, escalation.groupId);
      if (!done)
        deps.logger.warn(
          { conversationId, escalation },
          'SLA breach not escalated: Freshchat does not know the conversation',
        );
    },
  };
}

export type SlaActivities = ReturnType<typeof createSlaActivities>;

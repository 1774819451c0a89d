import type { DatabasePool } from 'slonik';
import type { Logger } from 'pino';
import type { FreshchatClient } from '../clients/freshchat-client';
import type { RestMessage } from '../domain/reconciliation/reconciliation';
import type { OutboundDelivery, OutboundEventSender } from '../clients/outbound-events';
import type { SlaEscalation } from '../domain/sla/sla-policy';
import type { SlaConfig } from '../infra/sla-config';
import { breachStanding, type EscalatedBreach } from '../stores/escalation-store';

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
  /** The breach escalated: checked again at delivery, which may come days later. */
  breach: EscalatedBreach;
}

/** What became of an escalation: the delivery workflow's result, so the Temporal UI shows it. */
export type EscalationOutcome =
  | 'ESCALATED'
  | 'NOTE_ALREADY_POSTED'
  | 'SKIPPED_NO_ACTION'
  | 'SKIPPED_NOT_CONFIGURED'
  | 'SKIPPED_CLOSED'
  | 'SKIPPED_SUPERSEDED'
  | 'SKIPPED_UNKNOWN_INCIDENCE'
  | 'SKIPPED_UNKNOWN_CONVERSATION';

/** Pages of a conversation's messages (newest first) searched for a note already posted. */
const NOTE_SEARCH_PAGES = 10;

/** Ends every escalation note: a retry finds it in the conversation and does not post it again. */
export const noteMarker = (breach: EscalatedBreach): string => `[SLA ${breach.target} ${breach.startedAt}]`;

const textOf = (message: RestMessage): string =>
  (message.message_parts ?? [])
    .map((part) => (part as { text?: { content?: unknown } } | null)?.text?.content)
    .filter((content): content is string => typeof content === 'string')
    .join('\n');

/** Whether a message carrying `marker` is among the conversation's messages since `since` (newest first). */
async function notePosted(freshchat: FreshchatClient, conversationId: string, marker: string, since: string) {
  let next: string | undefined;
  for (let page = 0; page < NOTE_SEARCH_PAGES; page++) {
    const answer = await freshchat.listMessages(conversationId, next);
    if (!answer) return false;
    if (answer.messages.some((m) => textOf(m).includes(marker))) return true;
    const older = answer.messages.some((m) => m.created_time && Date.parse(m.created_time) < Date.parse(since));
    if (!answer.next || older) return false;
    next = answer.next;
  }
  return false;
}

/** Activities of SLA deliveries: outbound events and breach escalations, each in a delivery workflow of its own. */
export function createSlaActivities(deps: SlaActivityDeps) {
  return {
    async deliverOutboundEvent(delivery: OutboundDelivery): Promise<void> {
      await deps.outbound.send(delivery);
    },

    /**
     * A private note or a hand-over to the priority group, only while the breach stands (the incidence open, no later
     * target of its kind): a resolution that lands just after the breach, or a delivery that outlived a Freshchat
     * outage, makes it obsolete. A note is posted once: a retry (after a POST that timed out) finds its marker first.
     * An unknown conversation (404) is logged, not retried.
     */
    async escalateSlaBreach(request: SlaEscalationRequest): Promise<EscalationOutcome> {
      const { conversationId, escalation, breach } = request;
      if (escalation.action === 'NONE') return 'SKIPPED_NO_ACTION';
      if (!deps.freshchat.configured) {
        deps.logger.warn({ conversationId, escalation }, 'SLA breach not escalated: FRESHCHAT_API_URL/TOKEN unset');
        return 'SKIPPED_NOT_CONFIGURED';
      }
      const standing = await breachStanding(deps.pool, breach);
      if (standing !== 'STANDS') {
        const outcome = standing === 'UNKNOWN' ? 'SKIPPED_UNKNOWN_INCIDENCE' : (`SKIPPED_${standing}` as const);
        deps.logger.info({ conversationId, breach, outcome }, 'SLA breach not escalated: it no longer stands');
        return outcome;
      }
      let done: boolean;
      if (escalation.action === 'PRIVATE_NOTE') {
        const marker = noteMarker(breach);
        if (await notePosted(deps.freshchat, conversationId, marker, breach.startedAt)) return 'NOTE_ALREADY_POSTED';
        done = await deps.freshchat.addPrivateNote(conversationId, escalation.actorId, `${request.note} ${marker}`);
      } else done = await deps.freshchat.assignToGroup(conversationId, escalation.groupId);
      if (done) return 'ESCALATED';
      deps.logger.warn(
        { conversationId, escalation },
        'SLA breach not escalated: Freshchat does not know the conversation',
      );
      return 'SKIPPED_UNKNOWN_CONVERSATION';
    },
  };
}

export type SlaActivities = ReturnType<typeof createSlaActivities>;

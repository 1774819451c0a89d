import { upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { ConversationState } from '../domain/conversation/conversation-state';
import { SEARCH_ATTRIBUTES } from '../domain/conversation/search-attributes';
import type { SlaSummary } from '../domain/sla/sla-step';

/**
 * Upserts a conversation's search attributes (what the Temporal UI finds it by) when they changed; a null value
 * removes one, e.g. AgentId back to a group queue.
 */
export function publish(state: ConversationState, sla: SlaSummary | null, published: { key: string }): void {
  const updates = [
    { key: SEARCH_ATTRIBUTES.userId, value: state.userId },
    { key: SEARCH_ATTRIBUTES.stage, value: state.stage },
    { key: SEARCH_ATTRIBUTES.outcome, value: state.outcome },
    { key: SEARCH_ATTRIBUTES.agentId, value: state.agentId },
    { key: SEARCH_ATTRIBUTES.cartValue, value: state.cartValue },
    { key: SEARCH_ATTRIBUTES.eventType, value: state.eventType },
    { key: SEARCH_ATTRIBUTES.slaStatus, value: sla?.status ?? null },
    { key: SEARCH_ATTRIBUTES.slaNextDueAt, value: sla?.nextDueAt ? new Date(sla.nextDueAt) : null },
  ] as SearchAttributeUpdatePair[];
  const key = JSON.stringify(updates);
  if (key === published.key) return;
  published.key = key;
  upsertSearchAttributes(updates);
}

import type { ConversationState } from './conversation-state';
import type { ResponseClock } from './response-clock';
import type { SlaBook } from './sla';
import { slaStatusOf } from './sla';

const TARGET_LABEL = {
  FIRST_RESPONSE: 'first response',
  NEXT_RESPONSE: 'next response',
  RESOLUTION: 'resolution',
} as const;

const rupees = (value: number | null): string =>
  value === null ? 'cart unknown' : `₹${value.toLocaleString('en-IN', { maximumFractionDigits: 0 })}`;

/** One-line summary fixed at a conversation workflow's start (the Temporal UI shows it in lists). */
export const conversationStaticSummary = (conversationId: string): string =>
  `Freshchat conversation \`${conversationId}\``;

/** The conversation as the Temporal UI's "current details" show it: a few lines of markdown, updated on each change. */
export function conversationDetails(
  state: ConversationState,
  clock: ResponseClock | null,
  sla: SlaBook | null,
): string {
  const lines = [
    `**Customer** ${state.userId ?? 'unknown'} · **Cart** ${rupees(state.cartValue)} · **Event** ${state.eventType ?? '—'}`,
    `**Stage** ${state.stage ?? '—'} · **Outcome** ${state.outcome} · **Agent** ${state.agentId ?? 'unassigned'} · **Reopens** ${state.reopenCount}`,
  ];
  if (clock?.waitingSince) lines.push(`**Customer waiting since** ${clock.waitingSince}`);
  if (sla?.policy) {
    lines.push(`**SLA** ${sla.policy.name} (${sla.policy.hours} hours): ${slaStatusOf(sla) ?? 'no target yet'}`);
    for (const t of sla.active) lines.push(`- ${TARGET_LABEL[t.target]} due ${t.dueAt}`);
  } else if (sla) {
    lines.push('**SLA** none applies');
  }
  return lines.join('\n');
}

import type { ConversationState } from './conversation-state';
import type { ResponseClock } from '../sla/response-clock';
import type { SlaSummary } from '../sla/sla-step';

// One formatter for every call: `toLocaleString` with options builds a new one each time.
const INR = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 0 });
const rupees = (value: number | null): string => (value === null ? 'cart unknown' : `₹${INR.format(value)}`);

/** One-line summary fixed at a conversation workflow's start (the Temporal UI shows it in lists). */
export const conversationStaticSummary = (conversationId: string): string =>
  `Freshchat conversation \`${conversationId}\``;

/** The conversation as the Temporal UI's "current details" show it: a few lines of markdown, updated on each change. */
export function conversationDetails(
  state: ConversationState,
  clock: ResponseClock | null,
  sla: SlaSummary | null,
): string {
  const lines = [
    `**Customer** ${state.userId ?? 'unknown'} · **Cart** ${rupees(state.cartValue)} · **Event** ${state.eventType ?? '—'}`,
    `**Stage** ${state.stage ?? '—'} · **Outcome** ${state.outcome} · **Agent** ${state.agentId ?? 'unassigned'} · **Reopens** ${state.reopenCount}`,
  ];
  if (clock?.open && clock.waitingSince) lines.push(`**Customer waiting since** ${clock.waitingSince}`);
  if (sla?.policy) {
    lines.push(`**SLA** ${sla.policy}: ${sla.status ?? 'no target yet'}`);
    if (sla.nextDueAt) lines.push(`- next target due ${sla.nextDueAt}`);
  } else if (sla) {
    lines.push('**SLA** none applies');
  }
  return lines.join('\n');
}

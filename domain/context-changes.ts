import type { StoredContext } from './user-context';

/** What agents see in Freshchat (PRD 6.1 syncContext), plus the app user id for identity (Freshchat decision 7). */
export const AGENT_VISIBLE_FIELDS = ['current_screen', 'cart_value', 'guest_count', 'event_type', 'event_date', 'selected_platter', 'friction_score'] as const;

export type AgentProperties = Record<string, string>;

/** Freshchat user properties are strings; an absent field is sent as '' so a cleared value is cleared there too. */
export function agentProperties(userId: string, stored: StoredContext): AgentProperties {
  const properties: AgentProperties = { user_id: userId };
  for (const field of AGENT_VISIBLE_FIELDS) properties[field] = stored[field] ?? '';
  if (properties.cart_value === '') properties.cart_value = '0';
  if (properties.friction_score === '') properties.friction_score = '0';
  return properties;
}

/** Agent-visible fields whose value differs between two stored versions of a context. */
export function changedAgentFields(before: StoredContext, after: StoredContext): string[] {
  return AGENT_VISIBLE_FIELDS.filter((f) => (before[f] ?? '') !== (after[f] ?? ''));
}

/** Whether a sync would tell Freshchat anything new. */
export function needsSync(lastSynced: AgentProperties | null, next: AgentProperties): boolean {
  if (!lastSynced) return true;
  const keys = new Set([...Object.keys(lastSynced), ...Object.keys(next)]);
  return [...keys].some((k) => lastSynced[k] !== next[k]);
}

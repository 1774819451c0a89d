import type { StoredContext } from './user-context';

/**
 * What agents see in Freshchat (docs/decisions.md #17). No identity travels as a property: Freshchat knows the app
 * user by reference_id, which only the verified identity token sets (docs/security.md).
 */
export const AGENT_VISIBLE_FIELDS = [
  'current_screen',
  'cart_value',
  'guest_count',
  'event_type',
  'event_date',
  'selected_platter',
  'friction_score',
] as const;

export type AgentProperties = Record<string, string>;

/** What a sync last sent, and to which Freshchat user. */
export interface SyncedContext {
  target: string;
  properties: AgentProperties;
}

/** Freshchat user properties are strings; an absent field is sent as '' so a cleared value is cleared there too. */
export function agentProperties(stored: StoredContext): AgentProperties {
  const properties: AgentProperties = {};
  for (const field of AGENT_VISIBLE_FIELDS) properties[field] = stored[field] ?? '';
  if (properties.cart_value === '') properties.cart_value = '0';
  if (properties.friction_score === '') properties.friction_score = '0';
  return properties;
}

/** Fields whose change calls for a sync: the agent-visible ones. */
export function changedAgentFields(before: StoredContext, after: StoredContext): string[] {
  return [...AGENT_VISIBLE_FIELDS].filter((f) => (before[f] ?? '') !== (after[f] ?? ''));
}

/** Whether a sync would tell Freshchat anything new. */
export function needsSync(last: SyncedContext | null, next: SyncedContext): boolean {
  if (!last || last.target !== next.target) return true;
  const keys = new Set([...Object.keys(last.properties), ...Object.keys(next.properties)]);
  return [...keys].some((k) => last.properties[k] !== next.properties[k]);
}

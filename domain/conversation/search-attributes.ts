import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes that let an engineer find conversations in the Temporal UI. */
export const SEARCH_ATTRIBUTES = {
  userId: defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey('Stage', SearchAttributeType.KEYWORD),
  outcome: defineSearchAttributeKey('Outcome', SearchAttributeType.KEYWORD),
  agentId: defineSearchAttributeKey('AgentId', SearchAttributeType.KEYWORD),
  cartValue: defineSearchAttributeKey('CartValue', SearchAttributeType.DOUBLE),
  eventType: defineSearchAttributeKey('EventType', SearchAttributeType.KEYWORD),
  /** ACTIVE, MET or MISSED (the incidence's sla_status). */
  slaStatus: defineSearchAttributeKey('SlaStatus', SearchAttributeType.KEYWORD),
  /** The earliest due time among running SLA targets; absent when none runs. */
  slaNextDueAt: defineSearchAttributeKey('SlaNextDueAt', SearchAttributeType.DATETIME),
} as const;

export const ALL_SEARCH_ATTRIBUTES = Object.values(SEARCH_ATTRIBUTES);

const DEV_SERVER_TYPE = {
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD]: 'Keyword',
} as const;

/** `--search-attribute` flags for `temporal server start-dev`. */
export const devServerSearchAttributeFlags = (): string[] =>
  ALL_SEARCH_ATTRIBUTES.flatMap((k) => [
    '--search-attribute',
    `${k.name}=${DEV_SERVER_TYPE[k.type as keyof typeof DEV_SERVER_TYPE] ?? 'Keyword'}`,
  ]);

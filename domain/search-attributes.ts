import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes that let an engineer find conversations in the Temporal UI. */
export const SEARCH_ATTRIBUTES = {
  userId: defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey('Stage', SearchAttributeType.KEYWORD),
  outcome: defineSearchAttributeKey('Outcome', SearchAttributeType.KEYWORD),
  agentId: defineSearchAttributeKey('AgentId', SearchAttributeType.KEYWORD),
  cartValue: defineSearchAttributeKey('CartValue', SearchAttributeType.DOUBLE),
  eventType: defineSearchAttributeKey('EventType', SearchAttributeType.KEYWORD),
} as const;

export const ALL_SEARCH_ATTRIBUTES = Object.values(SEARCH_ATTRIBUTES);

/** `--search-attribute` flags for `temporal server start-dev`. */
export const devServerSearchAttributeFlags = (): string[] =>
  ALL_SEARCH_ATTRIBUTES.flatMap((k) => [
    '--search-attribute',
    `${k.name}=${k.type === SearchAttributeType.DOUBLE ? 'Double' : 'Keyword'}`,
  ]);

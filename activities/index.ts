import { createContextSyncActivities } from './context-sync-activities';
import { createAnalyticsActivities, type AnalyticsActivityDeps } from './analytics-activities';
import { createConversationActivities, type ConversationActivityDeps } from './conversation-activities';

export type ActivityDeps = ConversationActivityDeps & Omit<AnalyticsActivityDeps, 'pool'>;

/** Every activity the worker registers. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createConversationActivities(deps),
    ...createContextSyncActivities(deps),
    ...createAnalyticsActivities(deps),
  };
}

import { createContextSyncActivities } from './context-sync-activities';
import { createAnalyticsActivities, type AnalyticsActivityDeps } from './analytics-activities';
import { createConversationActivities, type ConversationActivityDeps } from './conversation-activities';
import { createRecordEvents } from './record-events';

export type ActivityDeps = ConversationActivityDeps & Omit<AnalyticsActivityDeps, 'pool'>;

/** Every activity the worker registers. */
export function createActivities(deps: ActivityDeps) {
  const conversation = createConversationActivities(deps);
  return {
    ...conversation,
    ...createRecordEvents(conversation),
    ...createContextSyncActivities(deps),
    ...createAnalyticsActivities(deps),
  };
}

import { createContextSyncActivities } from './context-sync';
import { createConversationActivities, type ConversationActivityDeps } from './conversation-activities';

export type ActivityDeps = ConversationActivityDeps;

/** Every activity the worker registers. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createConversationActivities(deps),
    ...createContextSyncActivities(deps),
  };
}

import { createContextSyncActivities } from './context-sync-activities';
import { createAnalyticsActivities, type AnalyticsActivityDeps } from './analytics-activities';
import { createConversationActivities, type ConversationActivityDeps } from './conversation-activities';
import { createSlaActivities, type SlaActivityDeps } from './sla-activities';
import { createReconciliationActivities, type ReconciliationActivityDeps } from './reconciliation-activities';

export type ActivityDeps = ConversationActivityDeps &
  Omit<AnalyticsActivityDeps, 'pool'> &
  Pick<SlaActivityDeps, 'slaConfig' | 'outbound'> &
  Pick<ReconciliationActivityDeps, 'reconciliation'>;

/** Every activity the worker registers. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createConversationActivities(deps),
    ...createContextSyncActivities(deps),
    ...createAnalyticsActivities(deps),
    ...createSlaActivities(deps),
    ...createReconciliationActivities(deps),
  };
}

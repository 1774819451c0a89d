import type { DatabasePool } from 'slonik';
import type { DailyRow } from '../stores/analytics-daily-store';
import type { StoredReportSummary } from '../stores/weekly-report-store';
import { aggregateDay } from './analytics-day';
import { computeAndStoreWeeklyReport, emailWeeklyReport, type EmailOutcome } from './weekly-report';
import type { MailSettings } from '../infra/settings';
import type { AgentNames } from '../clients/agent-names';

export interface AnalyticsActivityDeps {
  pool: DatabasePool;
  agentHourlyRate: number;
  assistedOrderWindowMs: number;
  mail: MailSettings;
  /** The email's agent names (Freshchat); absent, agents show as their ids. */
  agentNames?: AgentNames;
}

/** Activities of the analytics workflows: each idempotent (upserts, and email guarded by emailed_at). */
export function createAnalyticsActivities(deps: AnalyticsActivityDeps) {
  return {
    async computeWeeklyReport(isoWeek: string): Promise<StoredReportSummary> {
      return computeAndStoreWeeklyReport(deps.pool, isoWeek, deps.agentHourlyRate);
    },

    async aggregateAnalyticsDay(date: string): Promise<DailyRow> {
      return aggregateDay(deps.pool, date, deps.assistedOrderWindowMs);
    },

    async emailWeeklyReport(isoWeek: string): Promise<EmailOutcome> {
      return emailWeeklyReport(deps.pool, deps.mail, isoWeek, async (ids) =>
        deps.agentNames ? deps.agentNames.namesOf(ids) : new Map(),
      );
    },
  };
}

export type AnalyticsActivities = ReturnType<typeof createAnalyticsActivities>;

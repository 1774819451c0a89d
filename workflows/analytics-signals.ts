import { defineQuery, defineSignal } from '@temporalio/workflow';

/** A conversation of this week was resolved: the week's report is out of date. */
export const resolutionRecordedSignal = defineSignal<[]>('resolutionRecorded');

export interface WeeklyReportRunState {
  isoWeek: string;
  signals: number;
  computations: number;
  pending: boolean;
}
export const weeklyReportStateQuery = defineQuery<WeeklyReportRunState>('weeklyReportState');

// Every signal and query of the system's workflows, in one place: workflows set handlers for them, the API and the
// tests send and query them. Importing this file pulls in no workflow code.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type {
  AssignmentEvent,
  MessageEvent,
  ReopenEvent,
  ResolutionEvent,
} from '../domain/conversation/conversation-event';
import type { ConversationState } from '../domain/conversation/conversation-state';
import type { ContextSyncState } from '../domain/app-context/context-sync-settings';

// Conversation workflow (one per Freshchat conversation).
export const messageSignal = defineSignal<[MessageEvent]>('message');
export const assignmentSignal = defineSignal<[AssignmentEvent]>('assignment');
export const resolutionSignal = defineSignal<[ResolutionEvent]>('resolution');
export const reopenSignal = defineSignal<[ReopenEvent]>('reopen');

export const SIGNAL_BY_KIND = {
  message: messageSignal,
  assignment: assignmentSignal,
  resolution: resolutionSignal,
  reopen: reopenSignal,
} as const;

export const stateQuery = defineQuery<ConversationState>('state');

// Context-sync workflow (one per app user).
/** "Agent-visible fields of this user changed"; carries nothing: the sync reads the latest context from Redis. */
export const contextChangedSignal = defineSignal('contextChanged');
export const contextSyncStateQuery = defineQuery<ContextSyncState>('contextSyncState');

// Weekly report workflow (one per ISO week).
/** A conversation of this week was resolved: the week's report is out of date. */
export const resolutionRecordedSignal = defineSignal<[]>('resolutionRecorded');

export interface WeeklyReportRunState {
  isoWeek: string;
  signals: number;
  computations: number;
  pending: boolean;
}
export const weeklyReportStateQuery = defineQuery<WeeklyReportRunState>('weeklyReportState');

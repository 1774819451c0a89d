import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AssignmentEvent, MessageEvent, ReopenEvent, ResolutionEvent } from '../domain/conversation-event';
import type { ConversationState } from '../domain/conversation-state';

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

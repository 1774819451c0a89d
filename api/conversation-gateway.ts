import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { conversationWorkflowId, type ConversationEvent } from '../domain/conversation-event';
import type { ConversationSettings } from '../domain/conversation-state';
import { conversationStaticSummary } from '../domain/conversation-summary';
import type { Config } from '../infra/config';
import { logger } from '../infra/logger';
import type { conversationWorkflow } from '../workflows/conversation-workflow';
import { SIGNAL_BY_KIND } from '../workflows/signals';
import { ApiError } from './errors';

const TEMPORAL_DEADLINE_MS = 5000;

export const conversationSettings = (config: Config): ConversationSettings => ({
  reopenWindowMs: config.CONVERSATION_REOPEN_WINDOW,
  silenceTimeoutMs: config.CONVERSATION_SILENCE_TIMEOUT,
  historyLimit: config.CONVERSATION_HISTORY_LIMIT,
  weeklyReport: { quietPeriodMs: config.WEEKLY_REPORT_QUIET_PERIOD, idleTimeoutMs: config.WEEKLY_REPORT_IDLE_TIMEOUT },
});

/** Hands conversation events to their workflows; the only door from HTTP into Temporal for them. */
export function createConversationGateway(client: Client, config: Config) {
  const settings = conversationSettings(config);
  return {
    /** Resolves once Temporal has durably accepted the event; throws ApiError 503 when it cannot. */
    async deliver(event: ConversationEvent): Promise<string> {
      const workflowId = conversationWorkflowId(event.conversationId);
      try {
        await client.connection.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () =>
          client.workflow.signalWithStart<typeof conversationWorkflow, [ConversationEvent]>('conversationWorkflow', {
            workflowId,
            taskQueue: config.TEMPORAL_TASK_QUEUE,
            args: [{ conversationId: event.conversationId, settings }],
            signal: SIGNAL_BY_KIND[event.kind] as never,
            signalArgs: [event],
            workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
            staticSummary: conversationStaticSummary(event.conversationId),
          }),
        );
        return workflowId;
      } catch (error) {
        logger.warn({ err: (error as Error).message, workflowId }, 'Temporal did not accept the event');
        throw new ApiError(503, 'temporal_unavailable', 'the event could not be handed to Temporal; retry later');
      }
    },
  };
}

export type ConversationGateway = ReturnType<typeof createConversationGateway>;

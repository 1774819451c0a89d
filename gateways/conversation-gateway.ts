import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { conversationWorkflowId, type ConversationEvent } from '../domain/conversation/conversation-event';
import { conversationStaticSummary } from '../domain/conversation/conversation-summary';
import { logger } from '../infra/logger';
import type { Settings } from '../infra/settings';
import type { conversationWorkflow } from '../workflows/conversation-workflow';
import { SIGNAL_BY_KIND } from '../workflows/signals';
import { HandoffRefused, timeHandoff } from './handoff';

/** Hands conversation events to their workflows: the one door into Temporal for them (API, reconciliation, scripts). */
export function createConversationGateway(client: Client, settings: Pick<Settings, 'temporal' | 'conversation'>) {
  return {
    /** Resolves once Temporal has durably accepted the event; throws HandoffRefused when it cannot. */
    async deliver(event: ConversationEvent): Promise<string> {
      const workflowId = conversationWorkflowId(event.conversationId);
      try {
        const handoff = () =>
          client.connection.withDeadline(Date.now() + settings.temporal.handoffTimeoutMs, () =>
            client.workflow.signalWithStart<typeof conversationWorkflow, [ConversationEvent]>('conversationWorkflow', {
              workflowId,
              taskQueue: settings.temporal.taskQueue,
              args: [{ conversationId: event.conversationId, settings: settings.conversation }],
              signal: SIGNAL_BY_KIND[event.kind] as never,
              signalArgs: [event],
              workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
              staticSummary: conversationStaticSummary(event.conversationId),
            }),
          );
        await timeHandoff('conversation', handoff);
        return workflowId;
      } catch (error) {
        logger.warn({ err: (error as Error).message, workflowId }, 'Temporal did not accept the event');
        throw new HandoffRefused('the event could not be handed to Temporal; retry later');
      }
    },
  };
}

export type ConversationGateway = ReturnType<typeof createConversationGateway>;

import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { contextSyncWorkflowId } from '../domain/app-context/context-sync-settings';
import { logger } from '../infra/logger';
import type { Settings } from '../infra/settings';
import type { contextSyncWorkflow } from '../workflows/context-sync-workflow';
import { contextChangedSignal } from '../workflows/signals';
import { timeHandoff } from './handoff';

/** Tells the user's context-sync workflow that agent-visible fields changed; must never throw. */
export interface ContextSyncNotifier {
  notify(userId: string): void;
}

/**
 * Nudges the user's context-sync workflow (signalWithStart). Never blocks or fails the app's request: the
 * context is already in Redis. The signal carries no data, so while one is in flight for a user, further
 * changes fold into a single follow-up, sent half a quiet period later: a user tapping away costs Temporal
 * at most about one signal per quiet period / 2, and the workflow still hears of changes often enough to
 * know the user is not quiet yet.
 */
export function createContextSyncGateway(
  client: Client,
  settings: Pick<Settings, 'temporal' | 'contextSync'>,
): ContextSyncNotifier & { idle(): Promise<void> } {
  const followUpDelayMs = Math.floor(settings.contextSync.quietPeriodMs / 2);
  const inFlight = new Map<string, { again: boolean; done: Promise<void> }>();

  const signal = (userId: string) =>
    timeHandoff('context_sync', () =>
      client.connection.withDeadline(Date.now() + settings.temporal.handoffTimeoutMs, () =>
        client.workflow.signalWithStart<typeof contextSyncWorkflow, []>('contextSyncWorkflow', {
          workflowId: contextSyncWorkflowId(userId),
          taskQueue: settings.temporal.taskQueue,
          args: [{ userId, settings: settings.contextSync }],
          signal: contextChangedSignal,
          signalArgs: [],
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        }),
      ),
    );

  async function drain(userId: string, entry: { again: boolean }): Promise<void> {
    for (let first = true; first || entry.again; first = false) {
      if (!first) await new Promise((r) => setTimeout(r, followUpDelayMs));
      entry.again = false;
      try {
        await signal(userId);
      } catch (error) {
        logger.warn(
          { userId, err: (error as Error).message },
          'context sync not signalled; Freshchat catches up on the next change',
        );
      }
    }
    inFlight.delete(userId);
  }

  return {
    notify(userId: string): void {
      const running = inFlight.get(userId);
      if (running) {
        running.again = true;
        return;
      }
      const entry = { again: false, done: Promise.resolve() };
      inFlight.set(userId, entry);
      entry.done = drain(userId, entry);
    },
    /** Resolves when no signal is in flight (tests, shutdown). */
    async idle(): Promise<void> {
      while (inFlight.size > 0) await Promise.all([...inFlight.values()].map((e) => e.done));
    },
  };
}

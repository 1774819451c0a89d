import { CompleteAsyncError, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { conversationWorkflowId } from '../../domain/conversation/conversation-event';
import { eventually } from './eventually';

const EventType = temporal.api.enums.v1.EventType;

/** The event types of a conversation's history so far. */
const historyTypes = async (client: Client, conversationId: string) =>
  ((await client.workflow.getHandle(conversationWorkflowId(conversationId)).fetchHistory()).events ?? []).map(
    (e) => e.eventType,
  );

/** Waits until the run waits out its reopen window: a timer started after its tag read (not the silence timer). */
export async function reopenWindowAfterTagRead(client: Client, conversationId: string): Promise<void> {
  await eventually(async () => {
    const types = await historyTypes(client, conversationId);
    const read = types.lastIndexOf(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    expect(read).toBeGreaterThan(-1);
    expect(types.lastIndexOf(EventType.EVENT_TYPE_TIMER_STARTED)).toBeGreaterThan(read);
  }, 20_000);
}

/** Waits until a timer of the run fired (with no worker running, its workflow task waits for the next one). */
export async function timerFired(client: Client, conversationId: string): Promise<void> {
  await eventually(
    async () => expect(await historyTypes(client, conversationId)).toContain(EventType.EVENT_TYPE_TIMER_FIRED),
    20_000,
  );
}

/**
 * A tag read that Freshchat answers later, from outside the worker (async completion): `fetchResolutionTags` for the
 * activities, `started()` waits until it ran, `answer(tags)` completes it.
 */
export function tagReadAnsweredLater(client: Client) {
  let token: Uint8Array | undefined;
  return {
    async fetchResolutionTags(): Promise<string[] | null> {
      token = Context.current().info.taskToken;
      throw new CompleteAsyncError();
    },
    started: () => eventually(async () => expect(token).toBeDefined(), 20_000),
    answer: (tags: string[]) => client.activity.complete(token!, tags),
  };
}

import type { DatabasePool } from 'slonik';
import type { ConversationEvent } from '../domain/conversation-event';
import { withoutNulDeep } from '../domain/record-values';
import { markPending, markReplayed, pendingDeadLetters, type DeadLetter } from '../stores/dead-letter-store';

export interface ReplayDeps {
  pool: DatabasePool;
  /** Hands an event to its conversation, as the webhook does (the conversation gateway's `deliver`). */
  deliver(event: ConversationEvent): Promise<unknown>;
}

/**
 * Hands every pending dead letter (optionally of one conversation) back to its conversation, through today's
 * boundary rules. Each is marked replayed before it is handed over, so a second refusal, which records it again,
 * is never hidden; a hand-over that fails leaves it pending.
 */
export async function replayDeadLetters(
  deps: ReplayDeps,
  options: { conversationId?: string } = {},
): Promise<{ replayed: DeadLetter[]; failed: Array<{ letter: DeadLetter; error: string }> }> {
  const replayed: DeadLetter[] = [];
  const failed: Array<{ letter: DeadLetter; error: string }> = [];
  for (const letter of await pendingDeadLetters(deps.pool, options.conversationId)) {
    await markReplayed(deps.pool, letter.id);
    try {
      await deps.deliver(withoutNulDeep(JSON.parse(letter.event) as ConversationEvent));
      replayed.push(letter);
    } catch (error) {
      await markPending(deps.pool, letter.id);
      failed.push({ letter, error: (error as Error).message });
    }
  }
  return { replayed, failed };
}

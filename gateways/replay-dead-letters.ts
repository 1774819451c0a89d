import type { DatabasePool } from 'slonik';
import type { ConversationEvent } from '../domain/conversation/conversation-event';
import { storableDeep } from '../domain/conversation/record-values';
import { markReplayed, pendingDeadLetters, type DeadLetter } from '../stores/dead-letter-store';

export interface ReplayDeps {
  pool: DatabasePool;
  /** Hands an event to its conversation, as the webhook does (the conversation gateway's `deliver`). */
  deliver(event: ConversationEvent): Promise<unknown>;
}

/**
 * Hands every pending dead letter (optionally of one conversation) back to its conversation, through today's
 * boundary rules. Each is marked replayed only after it was handed over, and only if it was not refused again
 * meanwhile (its failure count unchanged), so neither a crash between the two nor a second refusal hides it; a
 * hand-over that fails leaves it pending. Handing one over twice is harmless: the conversation skips a stored event.
 */
export async function replayDeadLetters(
  deps: ReplayDeps,
  options: { conversationId?: string } = {},
): Promise<{ replayed: DeadLetter[]; failed: Array<{ letter: DeadLetter; error: string }> }> {
  const replayed: DeadLetter[] = [];
  const failed: Array<{ letter: DeadLetter; error: string }> = [];
  for (const letter of await pendingDeadLetters(deps.pool, options.conversationId)) {
    try {
      await deps.deliver(storableDeep(JSON.parse(letter.event) as ConversationEvent));
    } catch (error) {
      failed.push({ letter, error: (error as Error).message });
      continue;
    }
    await markReplayed(deps.pool, letter);
    replayed.push(letter);
  }
  return { replayed, failed };
}

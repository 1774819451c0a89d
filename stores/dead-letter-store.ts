import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { clipText, storableText } from '../domain/conversation/record-values';

export interface DeadLetter {
  id: string;
  conversationId: string;
  eventKey: string;
  /** The event as JSON text. */
  event: string;
  step: string;
  error: string;
  sqlstate: string | null;
  failures: number;
  failedAt: string;
}

/** Keeps an event the database refused; a second refusal of the same event counts up and waits for replay again. */
export async function recordDeadLetter(
  pool: DatabasePool,
  letter: Pick<DeadLetter, 'conversationId' | 'eventKey' | 'event' | 'step' | 'error' | 'sqlstate'>,
): Promise<void> {
  await pool.query(sql.unsafe`
    INSERT INTO dead_letters (conversation_id, event_key, event, step, error, sqlstate)
    VALUES (${letter.conversationId}, ${letter.eventKey}, ${letter.event}, ${letter.step},
            ${clipText(storableText(letter.error), 2000)}, ${letter.sqlstate})
    ON CONFLICT (conversation_id, event_key) DO UPDATE SET
      event = EXCLUDED.event, step = EXCLUDED.step, error = EXCLUDED.error, sqlstate = EXCLUDED.sqlstate,
      failures = dead_letters.failures + 1, failed_at = NOW(), replayed_at = NULL`);
}

const letterRow = z.object({
  id: z.string(),
  conversation_id: z.string(),
  event_key: z.string(),
  event: z.string(),
  step: z.string(),
  error: z.string(),
  sqlstate: z.string().nullable(),
  failures: z.number(),
  failed_at: z.string(),
});

/** Dead letters not replayed since they last failed, oldest first; optionally of one conversation. */
export async function pendingDeadLetters(pool: DatabasePool, conversationId?: string): Promise<DeadLetter[]> {
  const rows = await pool.any(sql.type(letterRow)`
    SELECT id, conversation_id, event_key, event, step, error, sqlstate, failures, to_json(failed_at)#>>'{}' AS failed_at
    FROM dead_letters
    WHERE replayed_at IS NULL AND (${conversationId ?? null}::text IS NULL OR conversation_id = ${conversationId ?? null})
    ORDER BY failed_at, id`);
  return rows.map((r) => ({
    id: r.id,
    conversationId: r.conversation_id,
    eventKey: r.event_key,
    event: r.event,
    step: r.step,
    error: r.error,
    sqlstate: r.sqlstate,
    failures: r.failures,
    failedAt: r.failed_at,
  }));
}

/** Marks a letter replayed unless it was refused again since it was read (a second refusal stays pending). */
export async function markReplayed(pool: DatabasePool, letter: Pick<DeadLetter, 'id' | 'failures'>): Promise<void> {
  await pool.query(sql.unsafe`
    UPDATE dead_letters SET replayed_at = NOW()
    WHERE id = ${letter.id} AND failures = ${letter.failures} AND replayed_at IS NULL`);
}

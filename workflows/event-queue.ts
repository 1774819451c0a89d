import type { ConversationEvent } from '../domain/conversation/conversation-event';

/** Bounds on one step: its events, and its size in characters (a bound on the step's input and its history). */
const EVENTS_PER_STEP = 20;
const STEP_INPUT_CHARS = 200_000;
/** Event keys a run remembers, so a redelivered event is skipped without a step. */
const RECENT_KEYS_KEPT = 500;

/**
 * The queued events for one step, in order: events seen recently are skipped (counted), and a step ends before an
 * event key it already holds (the second is judged after the first is stored).
 */
export function takeBatch(queue: ConversationEvent[], recentKeys: Set<string>) {
  const events: ConversationEvent[] = [];
  const keys = new Set<string>();
  let duplicates = 0;
  let chars = 0;
  while (queue.length > 0 && events.length < EVENTS_PER_STEP) {
    const event = queue[0]!;
    if (recentKeys.has(event.eventKey)) {
      queue.shift();
      duplicates++;
      continue;
    }
    const size = JSON.stringify(event).length;
    if (keys.has(event.eventKey) || (events.length > 0 && chars + size > STEP_INPUT_CHARS)) break;
    queue.shift();
    events.push(event);
    keys.add(event.eventKey);
    chars += size;
  }
  return { events, duplicates };
}

export function rememberKey(keys: Set<string>, key: string): void {
  keys.add(key);
  if (keys.size > RECENT_KEYS_KEPT) keys.delete(keys.values().next().value!);
}

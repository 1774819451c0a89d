import { Client } from 'pg';
import type { ChaosPlan } from './plan';

export interface ChaosVerdict {
  conversations: number;
  incidences: number;
  missingIncidences: number;
  distinctEvents: number;
  timelineRows: number;
  missingEvents: number;
  duplicateEvents: number;
  unexpectedEvents: number;
  wrongOutcomes: number;
  /** Zero loss and zero duplicates. */
  ok: boolean;
}

/** Checks, from PostgreSQL alone, that every event of the plan landed exactly once and every outcome is right. */
export async function verifyChaos(
  databaseUrl: string,
  plan: ChaosPlan,
  conversationPrefix: string,
): Promise<ChaosVerdict> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const incidences = await db.query<{ conversation_id: string; outcome: string }>(
      'SELECT conversation_id, outcome FROM incidences WHERE conversation_id LIKE $1',
      [`${conversationPrefix}%`],
    );
    const timeline = await db.query<{ conversation_id: string; event_key: string; copies: number }>(
      `SELECT i.conversation_id, t.event_key, count(*)::int AS copies
       FROM incidence_timeline t JOIN incidences i ON i.id = t.incidence_id
       WHERE i.conversation_id LIKE $1 GROUP BY 1, 2`,
      [`${conversationPrefix}%`],
    );
    return judge(plan, incidences.rows, timeline.rows);
  } finally {
    await db.end();
  }
}

export function judge(
  plan: ChaosPlan,
  incidences: Array<{ conversation_id: string; outcome: string }>,
  timeline: Array<{ conversation_id: string; event_key: string; copies: number }>,
): ChaosVerdict {
  const outcomeOf = new Map(incidences.map((r) => [r.conversation_id, r.outcome]));
  const seen = new Map<string, number>(timeline.map((r) => [`${r.conversation_id} ${r.event_key}`, r.copies]));
  let missingEvents = 0;
  let wrongOutcomes = 0;
  let missingIncidences = 0;
  let twiceUnderTwoKeys = 0;
  for (const [id, expected] of plan.conversations) {
    if (!outcomeOf.has(id)) missingIncidences++;
    else if (outcomeOf.get(id) !== expected.outcome) wrongOutcomes++;
    for (const key of expected.eventKeys) {
      const repairKey = expected.repairKeys?.get(key);
      const copies = [key, repairKey].filter((k) => k !== undefined && seen.has(`${id} ${k}`)).length;
      if (copies === 0) missingEvents++;
      // Both the webhook's key and a repair's key for one event: the event is in the timeline twice.
      if (copies === 2) twiceUnderTwoKeys++;
    }
  }
  const duplicateEvents = timeline.reduce((n, r) => n + (r.copies - 1), 0) + twiceUnderTwoKeys;
  const expectedKey = (r: { conversation_id: string; event_key: string }) => {
    const expected = plan.conversations.get(r.conversation_id);
    return (
      !!expected &&
      (expected.eventKeys.has(r.event_key) || [...(expected.repairKeys?.values() ?? [])].includes(r.event_key))
    );
  };
  const unexpectedEvents = timeline.filter((r) => !expectedKey(r)).length;
  const verdict = {
    conversations: plan.conversations.size,
    incidences: incidences.length,
    missingIncidences,
    distinctEvents: plan.distinctEvents,
    timelineRows: timeline.reduce((n, r) => n + r.copies, 0),
    missingEvents,
    duplicateEvents,
    unexpectedEvents,
    wrongOutcomes,
  };
  const ok =
    incidences.length === plan.conversations.size &&
    missingIncidences + missingEvents + duplicateEvents + unexpectedEvents + wrongOutcomes === 0;
  return { ...verdict, ok };
}

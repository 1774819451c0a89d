import { randomUUID } from 'node:crypto';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { eventually } from './eventually';
import { fixtureText } from './signing';

/** Conversation ids are global on the shared dev server: every test uses fresh ones. */
export const uniqueConversationId = (): string => randomUUID();

/** A fixture's text with its conversation id (and any other listed id) swapped for fresh ones. */
export function retarget(text: string, replacements: Record<string, string>): string {
  return Object.entries(replacements).reduce((out, [from, to]) => out.split(from).join(to), text);
}

export const fixtureFor = (file: string, fromConversationId: string, toConversationId: string): string =>
  retarget(fixtureText(file), { [fromConversationId]: toConversationId });

/** Freshchat's real message webhook, from a given Freshchat user in a given conversation. */
export const realMessageFor = (conversationId: string, freshchatUserId: string): string =>
  retarget(fixtureText('real-message_create.json'), {
    '0a5f3b8d-2c9e-4d4a-b6fa-7e1c4d9a3b82': conversationId,
    '6e3c9f2a-4d0b-4e8f-83a7-0b2d5f9e4c16': freshchatUserId,
  });

export const incidenceRow = z.object({
  id: z.string(),
  user_id: z.string().nullable(),
  freshchat_user_id: z.string().nullable(),
  order_id: z.string().nullable(),
  stage: z.string(),
  trigger: z.string(),
  app_screen: z.string().nullable(),
  outcome: z.string(),
  order_impact: z.string().nullable(),
  issue_category: z.string().nullable(),
  resolution_type: z.string().nullable(),
  cart_value: z.number().nullable(),
  guest_count: z.number().nullable(),
  event_type: z.string().nullable(),
  friction_score: z.number().nullable(),
  agent_id: z.string().nullable(),
  created_at: z.string(),
  resolved_at: z.string().nullable(),
  time_to_resolve_seconds: z.number().nullable(),
  reopen_count: z.number(),
});
export type IncidenceRow = z.infer<typeof incidenceRow>;

export const incidenceOf = (pool: DatabasePool, conversationId: string) =>
  pool.maybeOne(sql.type(incidenceRow)`
    SELECT id, user_id, freshchat_user_id, order_id, stage, trigger, app_screen, outcome, order_impact, issue_category,
           resolution_type, cart_value::float8 AS cart_value, guest_count, event_type, friction_score::float8 AS friction_score,
           agent_id, to_json(created_at)#>>'{}' AS created_at, to_json(resolved_at)#>>'{}' AS resolved_at,
           time_to_resolve_seconds, reopen_count
    FROM incidences WHERE conversation_id = ${conversationId}`);

export const timelineRow = z.object({
  event_key: z.string(),
  event_type: z.string(),
  actor: z.string(),
  content: z.string().nullable(),
  metadata: z.any(),
});

export const timelineOf = (pool: DatabasePool, conversationId: string) =>
  pool.any(sql.type(timelineRow)`
    SELECT t.event_key, t.event_type, t.actor, t.content, t.metadata FROM incidence_timeline t
    JOIN incidences i ON i.id = t.incidence_id WHERE i.conversation_id = ${conversationId}
    ORDER BY t.occurred_at, t.event_key`);

export const countIncidences = (pool: DatabasePool, conversationId: string) =>
  pool.oneFirst(
    sql.type(
      z.object({ n: z.number() }),
    )`SELECT count(*)::int AS n FROM incidences WHERE conversation_id = ${conversationId}`,
  );

/** The conversation's incidence, once the worker has stored it. */
export const storedIncidence = (pool: DatabasePool, conversationId: string): Promise<IncidenceRow> =>
  eventually(async () => {
    const found = await incidenceOf(pool, conversationId);
    if (!found) throw new Error(`no incidence yet for conversation ${conversationId}`);
    return found;
  });

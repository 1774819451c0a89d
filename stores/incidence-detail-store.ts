/** One incidence with everything recorded about it: the drill-down page's data. */
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

const iso = (column: string) => sql.fragment`to_json(${sql.identifier(column.split('.'))})#>>'{}'`;

const incidence = z.object({
  id: z.string(),
  conversation_id: z.string(),
  freshchat_user_id: z.string().nullable(),
  user_id: z.string().nullable(),
  order_id: z.string().nullable(),
  stage: z.string(),
  channel: z.string(),
  trigger: z.string(),
  app_screen: z.string().nullable(),
  cart_value: z.number().nullable(),
  guest_count: z.number().nullable(),
  event_type: z.string().nullable(),
  friction_score: z.number().nullable(),
  outcome: z.string(),
  issue_category: z.string().nullable(),
  root_cause: z.string().nullable(),
  resolution_type: z.string().nullable(),
  order_impact: z.string().nullable(),
  agent_id: z.string().nullable(),
  group_id: z.string().nullable(),
  reopen_count: z.number(),
  repeat_friction: z.boolean(),
  created_at: z.string(),
  assigned_at: z.string().nullable(),
  resolved_at: z.string().nullable(),
  time_to_resolve_seconds: z.number().nullable(),
  time_to_resolve_business_seconds: z.number().nullable(),
  first_response_seconds: z.number().nullable(),
  first_response_business_seconds: z.number().nullable(),
  sla_policy: z.string().nullable(),
  sla_status: z.string().nullable(),
});

const timelineEvent = z.object({
  occurred_at: z.string(),
  event_type: z.string(),
  actor: z.string(),
  content: z.string().nullable(),
});
const response = z.object({
  kind: z.string(),
  care_cycle: z.number(),
  waiting_since: z.string(),
  answered_at: z.string(),
  seconds: z.number(),
  business_seconds: z.number(),
});
const target = z.object({
  target: z.string(),
  policy: z.string(),
  started_at: z.string(),
  due_at: z.string(),
  status: z.string(),
  settled_at: z.string().nullable(),
});
const order = z.object({
  order_id: z.string(),
  reason: z.string(),
  value: z.number().nullable(),
  placed_at: z.string().nullable(),
  cancelled: z.boolean(),
});

export type IncidenceDetail = z.infer<typeof incidence> & {
  timeline: Array<z.infer<typeof timelineEvent>>;
  responses: Array<z.infer<typeof response>>;
  targets: Array<z.infer<typeof target>>;
  orders: Array<z.infer<typeof order>>;
  /** The timeline holds at most this many events on the page; the rest are counted. */
  timelineTotal: number;
};

export const TIMELINE_LIMIT = 500;

export async function readIncidence(db: CommonQueryMethods, id: string): Promise<IncidenceDetail | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
  const i = await db.maybeOne(sql.type(incidence)`
    SELECT id::text, conversation_id, freshchat_user_id, user_id, order_id, stage, channel, trigger, app_screen,
           cart_value::float8 AS cart_value, guest_count, event_type, friction_score::float8 AS friction_score, outcome,
           issue_category, root_cause, resolution_type, order_impact, agent_id, group_id, reopen_count, repeat_friction,
           ${iso('created_at')} AS created_at, ${iso('assigned_at')} AS assigned_at,
           ${iso('resolved_at')} AS resolved_at, time_to_resolve_seconds, time_to_resolve_business_seconds,
           first_response_seconds, first_response_business_seconds, sla_policy, sla_status
    FROM incidences WHERE id = ${id}::uuid`);
  if (!i) return null;
  const [timeline, timelineTotal, responses, targets, orders] = await Promise.all([
    db.any(sql.type(timelineEvent)`
      SELECT ${iso('occurred_at')} AS occurred_at, event_type, actor, content FROM incidence_timeline
      WHERE incidence_id = ${id}::uuid ORDER BY occurred_at, id LIMIT ${TIMELINE_LIMIT}`),
    db.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int AS n FROM incidence_timeline WHERE incidence_id = ${id}::uuid`),
    db.any(sql.type(response)`
      SELECT kind, care_cycle, ${iso('waiting_since')} AS waiting_since, ${iso('answered_at')} AS answered_at, seconds,
             business_seconds
      FROM response_times WHERE incidence_id = ${id}::uuid ORDER BY answered_at`),
    db.any(sql.type(target)`
      SELECT target, policy, ${iso('started_at')} AS started_at, ${iso('due_at')} AS due_at, status,
             ${iso('settled_at')} AS settled_at
      FROM sla_targets WHERE incidence_id = ${id}::uuid ORDER BY started_at, target`),
    db.any(sql.type(order)`
      SELECT a.order_id, a.reason, p.value::float8 AS value, to_json(p.placed_at)#>>'{}' AS placed_at,
             EXISTS (SELECT 1 FROM orders c WHERE c.order_id = a.order_id AND c.event = 'CANCELLED') AS cancelled
      FROM order_assists a LEFT JOIN orders p ON p.order_id = a.order_id AND p.event = 'PLACED'
      WHERE a.incidence_id = ${id}::uuid ORDER BY p.placed_at NULLS LAST, a.order_id`),
  ]);
  return {
    ...i,
    timeline: [...timeline],
    timelineTotal,
    responses: [...responses],
    targets: [...targets],
    orders: [...orders],
  };
}

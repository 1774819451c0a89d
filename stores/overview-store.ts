import { sql, type CommonQueryMethods, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import type { CartValueAtRisk } from '../domain/reports/weekly-report-shape';
import type { OverviewConversation, OverviewFigures, OverviewTarget } from '../domain/reports/overview';

/**
 * The live overview: what is open right now, read from the open-incidences partial index (migrations/011).
 * Unattended: open, and no human agent reply since the customer's first message or the latest reopen.
 */
export const OVERVIEW_LIST_LIMIT = 100;
export const BREACHING_WITHIN_SECONDS = 300;

const money = z.number();

export async function cartValueAtRisk(db: CommonQueryMethods, now: Date): Promise<CartValueAtRisk> {
  const row = await db.one(sql.type(z.object({ n: z.number(), paise: money }))`
    SELECT count(*)::int AS n, COALESCE(sum(round(cart_value * 100)), 0)::float8 AS paise
    FROM incidences WHERE outcome = 'IN_PROGRESS'`);
  return { openConversations: row.n, value: row.paise / 100, asOf: now.toISOString() };
}

/** Open, and no human agent reply since the customer's first message or the latest reopen (columns of `alias`). */
export const unattendedOf = (alias?: string) => {
  const c = (name: string) => sql.identifier(alias ? [alias, name] : [name]);
  return sql.fragment`(${c('first_response_at')} IS NULL OR (${c('reopen_count')} > 0 AND ${c('first_response_at')} < ${c('last_state_change_at')}))`;
};
const unattended = unattendedOf();

const conversation = z.object({
  incidence_id: z.string(),
  conversation_id: z.string(),
  user_id: z.string().nullable(),
  stage: z.string(),
  channel: z.string(),
  event_type: z.string().nullable(),
  cart_value: z.number().nullable(),
  agent_id: z.string().nullable(),
  created_at: z.string(),
  waiting_since: z.string().nullable(),
  sla_policy: z.string().nullable(),
  sla_status: z.string().nullable(),
  sla_next_due_at: z.string().nullable(),
});
const columns = sql.fragment`
  i.id::text AS incidence_id, i.conversation_id, i.user_id, i.stage, i.channel, i.event_type, i.cart_value::float8 AS cart_value,
  i.agent_id, to_json(i.created_at)#>>'{}' AS created_at,
  CASE WHEN ${unattended} THEN to_json(COALESCE(CASE WHEN i.reopen_count > 0 THEN i.last_state_change_at END, i.created_at))#>>'{}' END AS waiting_since,
  i.sla_policy, i.sla_status, to_json(i.sla_next_due_at)#>>'{}' AS sla_next_due_at`;

export async function readOverview(db: CommonQueryMethods, now: Date): Promise<OverviewFigures> {
  const at = now.toISOString();
  const counts = await db.one(sql.type(z.object({ open: z.number(), unattended: z.number(), paise: money }))`
    SELECT count(*)::int AS open, count(*) FILTER (WHERE ${unattended})::int AS unattended,
           COALESCE(sum(round(cart_value * 100)), 0)::float8 AS paise
    FROM incidences WHERE outcome = 'IN_PROGRESS'`);
  const open = await db.any(sql.type(conversation)`
    SELECT ${columns} FROM incidences i WHERE outcome = 'IN_PROGRESS'
    ORDER BY cart_value DESC NULLS LAST, created_at LIMIT ${OVERVIEW_LIST_LIMIT}`);
  const waiting = await db.any(sql.type(conversation)`
    SELECT ${columns} FROM incidences i WHERE outcome = 'IN_PROGRESS' AND ${unattended}
    ORDER BY COALESCE(CASE WHEN reopen_count > 0 THEN last_state_change_at END, created_at) LIMIT ${OVERVIEW_LIST_LIMIT}`);
  const breaching = await db.any(
    sql.type(conversation.extend({ target: z.string(), due_at: z.string(), policy: z.string() }))`
    SELECT ${columns}, t.target, to_json(t.due_at)#>>'{}' AS due_at, t.policy
    FROM sla_targets t JOIN incidences i ON i.id = t.incidence_id
    WHERE t.status = 'ACTIVE' AND t.due_at < ${at}::timestamptz + make_interval(secs => ${BREACHING_WITHIN_SECONDS})
      AND i.outcome = 'IN_PROGRESS'
    ORDER BY t.due_at LIMIT ${OVERVIEW_LIST_LIMIT}`,
  );
  const breachingCount = await db.oneFirst(sql.type(z.object({ n: z.number() }))`
    SELECT count(*)::int AS n FROM sla_targets t JOIN incidences i ON i.id = t.incidence_id
    WHERE t.status = 'ACTIVE' AND t.due_at < ${at}::timestamptz + make_interval(secs => ${BREACHING_WITHIN_SECONDS})
      AND i.outcome = 'IN_PROGRESS'`);
  return {
    asOf: at,
    open: { count: counts.open, conversations: open.map(toConversation) },
    unattended: { count: counts.unattended, conversations: waiting.map(toConversation) },
    breachingSoon: {
      count: breachingCount,
      withinSeconds: BREACHING_WITHIN_SECONDS,
      targets: breaching.map((r): OverviewTarget => ({
        ...toConversation(r),
        target: r.target,
        dueAt: r.due_at,
        policy: r.policy,
      })),
    },
    cartValueAtRisk: { value: counts.paise / 100, openConversations: counts.open, asOf: at },
  };
}

const toConversation = (r: z.infer<typeof conversation>): OverviewConversation => ({
  incidenceId: r.incidence_id,
  conversationId: r.conversation_id,
  userId: r.user_id,
  stage: r.stage,
  channel: r.channel,
  eventType: r.event_type,
  cartValue: r.cart_value,
  agentId: r.agent_id,
  createdAt: r.created_at,
  waitingSince: r.waiting_since,
  slaPolicy: r.sla_policy,
  slaStatus: r.sla_status,
  slaNextDueAt: r.sla_next_due_at,
});

/** The overview's four figures for the conversations the filters select. */
export interface OverviewCounts {
  open: number;
  unattended: number;
  dueSoon: number;
  cartValueAtRisk: number;
}

export async function overviewCounts(
  db: CommonQueryMethods,
  where: FragmentSqlToken,
  now: Date,
): Promise<OverviewCounts> {
  const row = await db.one(
    sql.type(z.object({ open: z.number(), unattended: z.number(), due: z.number(), paise: money }))`
    SELECT count(*)::int AS open, count(*) FILTER (WHERE ${unattendedOf('i')})::int AS unattended,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM sla_targets t WHERE t.incidence_id = i.id AND t.status = 'ACTIVE'
             AND t.due_at < ${now.toISOString()}::timestamptz + make_interval(secs => ${BREACHING_WITHIN_SECONDS})))::int AS due,
           COALESCE(sum(round(i.cart_value * 100)), 0)::float8 AS paise
    FROM incidences i WHERE i.outcome = 'IN_PROGRESS' AND ${where}`,
  );
  return { open: row.open, unattended: row.unattended, dueSoon: row.due, cartValueAtRisk: row.paise / 100 };
}

const dueTarget = z.object({
  incidence_id: z.string(),
  conversation_id: z.string(),
  target: z.string(),
  due_at: z.string(),
  cart_value: z.number().nullable(),
  agent_id: z.string().nullable(),
  event_type: z.string().nullable(),
});
export type DueTarget = z.infer<typeof dueTarget>;

/** Active SLA targets of open conversations due within BREACHING_WITHIN_SECONDS (or overdue), soonest first. */
export async function targetsDueSoon(
  db: CommonQueryMethods,
  where: FragmentSqlToken,
  now: Date,
  limit: number,
): Promise<readonly DueTarget[]> {
  return db.any(sql.type(dueTarget)`
    SELECT i.id::text AS incidence_id, i.conversation_id, t.target, to_json(t.due_at)#>>'{}' AS due_at,
           i.cart_value::float8 AS cart_value, i.agent_id, i.event_type
    FROM sla_targets t JOIN incidences i ON i.id = t.incidence_id
    WHERE t.status = 'ACTIVE' AND t.due_at < ${now.toISOString()}::timestamptz + make_interval(secs => ${BREACHING_WITHIN_SECONDS})
      AND i.outcome = 'IN_PROGRESS' AND ${where}
    ORDER BY t.due_at LIMIT ${limit}`);
}

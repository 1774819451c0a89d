/**
 * The incidences list behind every figure: filters as one WHERE fragment (also used by the overview and the
 * export), newest/oldest/largest-cart order with keyset paging on (key, id), so a page deep in millions of rows
 * costs what the first does (indexes: migrations/013).
 */
import { sql, type CommonQueryMethods, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import { dayBounds } from '../domain/reports/iso-week';
import type { Cursor, IncidenceFilters, ListRequest } from '../domain/reports/incidence-filters';
import { CART_VALUE_TIERS } from '../domain/reports/support-metrics';
import { BREACHING_WITHIN_SECONDS, unattendedOf } from './overview-store';

export const PAGE_SIZE = 50;
/** Counting stops here: "10,000 or more" is as useful as the exact figure and costs a bounded scan. */
export const COUNT_CAP = 10_000;

const unattended = unattendedOf('i');

function tierCondition(tier: string): FragmentSqlToken {
  if (tier === 'none') return sql.fragment`i.cart_value IS NULL`;
  const i = Number(tier);
  const from = CART_VALUE_TIERS[i]!.fromRupees;
  const next = CART_VALUE_TIERS[i + 1];
  return next
    ? sql.fragment`i.cart_value >= ${from} AND i.cart_value < ${next.fromRupees}`
    : sql.fragment`i.cart_value >= ${from}`;
}

/** The filters as conditions on incidences `i` (TRUE when there are none). */
export function filterCondition(f: IncidenceFilters, now: Date): FragmentSqlToken {
  const c: FragmentSqlToken[] = [];
  const column = f.dates === 'resolved' ? sql.identifier(['i', 'resolved_at']) : sql.identifier(['i', 'created_at']);
  if (f.from) c.push(sql.fragment`${column} >= ${dayBounds(f.from).start}::timestamptz`);
  if (f.to) c.push(sql.fragment`${column} < ${dayBounds(f.to).end}::timestamptz`);
  if (f.dates === 'resolved' && (f.from || f.to)) c.push(sql.fragment`i.outcome <> 'IN_PROGRESS'`);
  if (f.state === 'open' || f.state === 'unattended' || f.state === 'due_soon')
    c.push(sql.fragment`i.outcome = 'IN_PROGRESS'`);
  if (f.state === 'closed') c.push(sql.fragment`i.outcome <> 'IN_PROGRESS'`);
  if (f.state === 'unattended') c.push(unattended);
  if (f.state === 'due_soon')
    c.push(sql.fragment`EXISTS (SELECT 1 FROM sla_targets t WHERE t.incidence_id = i.id AND t.status = 'ACTIVE'
      AND t.due_at < ${now.toISOString()}::timestamptz + make_interval(secs => ${BREACHING_WITHIN_SECONDS}))`);
  if (f.outcome) c.push(sql.fragment`i.outcome = ${f.outcome}`);
  if (f.impact) c.push(sql.fragment`i.order_impact = ${f.impact}`);
  if (f.channel) c.push(sql.fragment`i.channel = ${f.channel}`);
  if (f.sla === 'NONE') c.push(sql.fragment`i.sla_status IS NULL`);
  else if (f.sla) c.push(sql.fragment`i.sla_status = ${f.sla}`);
  if (f.missed)
    c.push(sql.fragment`EXISTS (SELECT 1 FROM sla_targets t WHERE t.incidence_id = i.id AND t.target = ${f.missed}
      AND t.status = 'MISSED')`);
  if (f.agent === 'none') c.push(sql.fragment`i.agent_id IS NULL`);
  else if (f.agent) c.push(sql.fragment`i.agent_id = ${f.agent}`);
  if (f.event) c.push(sql.fragment`i.event_type = ${f.event}`);
  if (f.category) c.push(sql.fragment`lower(i.issue_category) = lower(${f.category})`);
  if (f.screen) c.push(sql.fragment`i.app_screen = ${f.screen}`);
  if (f.tier) c.push(tierCondition(f.tier));
  if (f.reopened) c.push(sql.fragment`i.reopen_count > 0`);
  if (f.repeat) c.push(sql.fragment`i.repeat_friction`);
  if (f.q) c.push(sql.fragment`(i.conversation_id = ${f.q} OR i.user_id = ${f.q} OR i.order_id = ${f.q})`);
  return c.length ? sql.fragment`${sql.join(c, sql.fragment` AND `)}` : sql.fragment`TRUE`;
}

const row = z.object({
  id: z.string(),
  conversation_id: z.string(),
  user_id: z.string().nullable(),
  channel: z.string(),
  event_type: z.string().nullable(),
  cart_value: z.number().nullable(),
  agent_id: z.string().nullable(),
  outcome: z.string(),
  order_impact: z.string().nullable(),
  issue_category: z.string().nullable(),
  sla_status: z.string().nullable(),
  first_response_seconds: z.number().nullable(),
  waiting_since: z.string().nullable(),
  sla_next_due_at: z.string().nullable(),
  time_to_resolve_seconds: z.number().nullable(),
  created_at: z.string(),
  resolved_at: z.string().nullable(),
  sort_key: z.union([z.string(), z.number()]),
});
export type IncidenceRow = Omit<z.infer<typeof row>, 'sort_key'>;

export interface IncidencePage {
  rows: IncidenceRow[];
  /** The cursor of the next page; null on the last page. */
  next: Cursor | null;
  /** How many match, up to COUNT_CAP (capped: true when there are at least that many). */
  total: { count: number; capped: boolean };
}

const ORDER = {
  newest: { key: sql.fragment`i.created_at`, dir: sql.fragment`DESC` },
  oldest: { key: sql.fragment`i.created_at`, dir: sql.fragment`ASC` },
  // Carts in rupees, none below every cart.
  cart: { key: sql.fragment`COALESCE(i.cart_value, -1)`, dir: sql.fragment`DESC` },
} as const;

export async function listIncidences(
  db: CommonQueryMethods,
  request: ListRequest,
  now: Date,
  pageSize = PAGE_SIZE,
): Promise<IncidencePage> {
  const where = filterCondition(request.filters, now);
  const { key, dir } = ORDER[request.sort];
  const keyText = request.sort === 'cart' ? sql.fragment`${key}::float8` : sql.fragment`to_json(${key})#>>'{}'`;
  const after = request.after
    ? request.sort === 'cart'
      ? sql.fragment`(${key}, i.id) < (${Number(request.after.key)}, ${request.after.id}::uuid)`
      : request.sort === 'newest'
        ? sql.fragment`(${key}, i.id) < (${String(request.after.key)}::timestamptz, ${request.after.id}::uuid)`
        : sql.fragment`(${key}, i.id) > (${String(request.after.key)}::timestamptz, ${request.after.id}::uuid)`
    : sql.fragment`TRUE`;
  const rows = await db.any(sql.type(row)`
    SELECT i.id::text, i.conversation_id, i.user_id, i.channel, i.event_type, i.cart_value::float8 AS cart_value,
           i.agent_id, i.outcome, i.order_impact, i.issue_category, i.sla_status, i.first_response_seconds,
           CASE WHEN i.outcome = 'IN_PROGRESS' AND ${unattended} THEN to_json(COALESCE(
             CASE WHEN i.reopen_count > 0 THEN i.last_state_change_at END, i.created_at))#>>'{}' END AS waiting_since,
           to_json(i.sla_next_due_at)#>>'{}' AS sla_next_due_at,
           i.time_to_resolve_seconds, to_json(i.created_at)#>>'{}' AS created_at,
           to_json(i.resolved_at)#>>'{}' AS resolved_at, ${keyText} AS sort_key
    FROM incidences i
    WHERE ${where} AND ${after}
    ORDER BY ${key} ${dir}, i.id ${dir}
    LIMIT ${pageSize + 1}`);
  const count = await db.oneFirst(sql.type(z.object({ n: z.number() }))`
    SELECT count(*)::int AS n FROM (SELECT 1 FROM incidences i WHERE ${where} LIMIT ${COUNT_CAP}) x`);
  const page = rows.slice(0, pageSize);
  const last = page[page.length - 1];
  return {
    rows: page.map(({ sort_key: _, ...r }) => r),
    next: rows.length > pageSize && last ? { key: last.sort_key, id: last.id } : null,
    total: { count, capped: count >= COUNT_CAP },
  };
}

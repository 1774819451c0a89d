/**
 * The incidences list behind every figure: filters as one WHERE fragment (also used by the overview and the
 * export), newest/oldest/largest-cart order with keyset paging on (key, id), so a page deep in millions of rows
 * costs what the first does (indexes: migrations/013).
 */
import { sql, type CommonQueryMethods, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import { dayBounds } from '../domain/reports/iso-week';
import type { Cursor, IncidenceFilters, ListRequest } from '../domain/reports/incidence-filters';
import { CART_VALUE_TIERS, FIRST_RESPONSE_BUCKETS } from '../domain/reports/support-metrics';
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

type Identifier = ReturnType<typeof sql.identifier>;

/** The day range, weekday and hour (India time) of the filters on one instant column. */
function dated(column: Identifier, f: IncidenceFilters): FragmentSqlToken[] {
  const c: FragmentSqlToken[] = [];
  if (f.from) c.push(sql.fragment`${column} >= ${dayBounds(f.from).start}::timestamptz`);
  if (f.to) c.push(sql.fragment`${column} < ${dayBounds(f.to).end}::timestamptz`);
  if (f.weekday !== undefined)
    c.push(sql.fragment`extract(isodow FROM ${column} AT TIME ZONE 'Asia/Kolkata') = ${f.weekday}`);
  if (f.hour !== undefined) c.push(sql.fragment`extract(hour FROM ${column} AT TIME ZONE 'Asia/Kolkata') = ${f.hour}`);
  return c;
}

/** Seconds in a first response bucket ('none': no human response). */
function waitCondition(column: Identifier, wait: string): FragmentSqlToken {
  if (wait === 'none') return sql.fragment`${column} IS NULL`;
  const i = Number(wait);
  const lower = i === 0 ? 0 : FIRST_RESPONSE_BUCKETS[i - 1]!.upToSeconds!;
  const upper = FIRST_RESPONSE_BUCKETS[i]!.upToSeconds;
  return upper === null
    ? sql.fragment`${column} >= ${lower}`
    : sql.fragment`${column} >= ${lower} AND ${column} < ${upper}`;
}

const all = (c: FragmentSqlToken[]) => (c.length ? sql.join(c, sql.fragment` AND `) : sql.fragment`TRUE`);
const col = (table: string, name: string) => sql.identifier([table, name]);

/** An SLA target of the incidence matching kind, result, policy and (waited, settled) its dates, all on one row. */
function targetCondition(f: IncidenceFilters): FragmentSqlToken | null {
  const c: FragmentSqlToken[] = [];
  if (f.target) c.push(sql.fragment`t.target = ${f.target}`);
  if (f.result) c.push(sql.fragment`t.status = ${f.result}`);
  if (f.policy) c.push(sql.fragment`t.policy = ${f.policy}`);
  if (f.dates === 'waited') c.push(...dated(col('t', 'started_at'), f));
  if (f.dates === 'settled') c.push(sql.fragment`t.status IN ('MET', 'MISSED')`, ...dated(col('t', 'settled_at'), f));
  if (c.length === 0 && f.dates !== 'waited') return null;
  return sql.fragment`EXISTS (SELECT 1 FROM sla_targets t WHERE t.incidence_id = i.id AND ${all(c)})`;
}

/** A response of the incidence of that kind (answered: in the dates; wait: its seconds in the bucket). */
function responseCondition(f: IncidenceFilters): FragmentSqlToken | null {
  if (f.dates !== 'answered' && !f.response) return null;
  const c: FragmentSqlToken[] = [];
  if (f.response) c.push(sql.fragment`r.kind = ${f.response}`);
  if (f.dates === 'answered') c.push(...dated(col('r', 'answered_at'), f));
  if (f.dates === 'answered' && f.wait) c.push(waitCondition(col('r', 'seconds'), f.wait));
  return sql.fragment`EXISTS (SELECT 1 FROM response_times r WHERE r.incidence_id = i.id AND ${all(c)})`;
}

/** Where the dates apply, when not to the incidence's own instants. */
function datedElsewhere(f: IncidenceFilters): FragmentSqlToken | null {
  if (f.dates === 'ordered')
    // An assisted order as the report counts it: placed in the dates and never cancelled.
    return sql.fragment`EXISTS (SELECT 1 FROM order_assists a JOIN orders o ON o.order_id = a.order_id AND o.event = 'PLACED'
      WHERE a.incidence_id = i.id AND ${all(dated(col('o', 'placed_at'), f))}
        AND NOT EXISTS (SELECT 1 FROM orders x WHERE x.order_id = o.order_id AND x.event = 'CANCELLED'))`;
  if (f.dates === 'repaired')
    return sql.fragment`EXISTS (SELECT 1 FROM reconciliation_repairs r JOIN reconciliation_passes p ON p.id = r.pass_id
      WHERE r.conversation_id = i.conversation_id AND ${all(dated(col('p', 'started_at'), f))})`;
  return null;
}

/** The filters as conditions on incidences `i` (TRUE when there are none). */
export function filterCondition(f: IncidenceFilters, now: Date): FragmentSqlToken {
  const c: FragmentSqlToken[] = [];
  if (f.dates === 'created') c.push(...dated(col('i', 'created_at'), f));
  if (f.dates === 'resolved') {
    c.push(...dated(col('i', 'resolved_at'), f));
    if (f.from || f.to || f.weekday !== undefined || f.hour !== undefined)
      c.push(sql.fragment`i.outcome <> 'IN_PROGRESS'`);
  }
  for (const condition of [datedElsewhere(f), targetCondition(f), responseCondition(f)])
    if (condition) c.push(condition);
  if (f.wait && f.dates !== 'answered') c.push(waitCondition(col('i', 'first_response_seconds'), f.wait));
  if (f.state === 'open' || f.state === 'unattended' || f.state === 'due_soon')
    c.push(sql.fragment`i.outcome = 'IN_PROGRESS'`);
  if (f.state === 'closed') c.push(sql.fragment`i.outcome <> 'IN_PROGRESS'`);
  if (f.state === 'unattended') c.push(unattended);
  if (f.state === 'due_soon')
    c.push(sql.fragment`EXISTS (SELECT 1 FROM sla_targets t WHERE t.incidence_id = i.id AND t.status = 'ACTIVE'
      AND t.due_at < ${now.toISOString()}::timestamptz + make_interval(secs => ${BREACHING_WITHIN_SECONDS}))`);
  if (f.outcome) c.push(sql.fragment`i.outcome = ${f.outcome}`);
  // No impact recorded counts as none, as in the report.
  if (f.impact === 'NONE') c.push(sql.fragment`COALESCE(i.order_impact, 'NONE') = 'NONE'`);
  else if (f.impact) c.push(sql.fragment`i.order_impact = ${f.impact}`);
  if (f.channel) c.push(sql.fragment`i.channel = ${f.channel}`);
  if (f.sla === 'NONE') c.push(sql.fragment`i.sla_status IS NULL`);
  else if (f.sla) c.push(sql.fragment`i.sla_status = ${f.sla}`);
  if (f.agent === 'none') c.push(sql.fragment`i.agent_id IS NULL`);
  else if (f.agent) c.push(sql.fragment`i.agent_id = ${f.agent}`);
  if (f.event === 'none') c.push(sql.fragment`i.event_type IS NULL`);
  else if (f.event) c.push(sql.fragment`i.event_type = ${f.event}`);
  if (f.category === 'none') c.push(sql.fragment`i.issue_category IS NULL`);
  else if (f.category) c.push(sql.fragment`lower(i.issue_category) = lower(${f.category})`);
  if (f.screen) c.push(sql.fragment`i.app_screen = ${f.screen}`);
  if (f.tier) c.push(tierCondition(f.tier));
  if (f.reopened) c.push(sql.fragment`i.reopen_count > 0`);
  if (f.repeat) c.push(sql.fragment`i.repeat_friction`);
  if (f.q) c.push(sql.fragment`(i.conversation_id = ${f.q} OR i.user_id = ${f.q} OR i.order_id = ${f.q})`);
  return sql.fragment`${all(c)}`;
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
  /** The cursor of the next page (its `after`); null on the last page. */
  next: Cursor | null;
  /** The cursor of the page before (its `before`); null on the first page. */
  previous: Cursor | null;
  /** How many match, up to COUNT_CAP (capped: true when there are at least that many). */
  total: { count: number; capped: boolean };
}

const ASC = sql.fragment`ASC`;
const DESC = sql.fragment`DESC`;
const ORDER = {
  newest: { key: sql.fragment`i.created_at` },
  oldest: { key: sql.fragment`i.created_at` },
  // Carts in rupees, none below every cart.
  cart: { key: sql.fragment`COALESCE(i.cart_value, -1)` },
} as const;

/**
 * A page of the list: the first, the one after `request.after`, or the one before `request.before` (read backwards
 * from the cursor, then turned round), each one keyset range scan.
 */
export async function listIncidences(
  db: CommonQueryMethods,
  request: ListRequest,
  now: Date,
  pageSize = PAGE_SIZE,
): Promise<IncidencePage> {
  const where = filterCondition(request.filters, now);
  const { key } = ORDER[request.sort];
  const back = request.before !== undefined;
  const cursor = request.after ?? request.before;
  // Forwards, rows after the cursor in the list's order; backwards, rows before it, nearest first.
  const descending = (request.sort !== 'oldest') !== back;
  const order = descending ? DESC : ASC;
  const keyText = request.sort === 'cart' ? sql.fragment`${key}::float8` : sql.fragment`to_json(${key})#>>'{}'`;
  const cursorKey = cursor
    ? request.sort === 'cart'
      ? sql.fragment`${Number(cursor.key)}`
      : sql.fragment`${String(cursor.key)}::timestamptz`
    : null;
  const beyond =
    cursor && cursorKey
      ? descending
        ? sql.fragment`(${key}, i.id) < (${cursorKey}, ${cursor.id}::uuid)`
        : sql.fragment`(${key}, i.id) > (${cursorKey}, ${cursor.id}::uuid)`
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
    WHERE ${where} AND ${beyond}
    ORDER BY ${key} ${order}, i.id ${order}
    LIMIT ${pageSize + 1}`);
  const count = await db.oneFirst(sql.type(z.object({ n: z.number() }))`
    SELECT count(*)::int AS n FROM (SELECT 1 FROM incidences i WHERE ${where} LIMIT ${COUNT_CAP}) x`);
  const more = rows.length > pageSize;
  const page = back ? rows.slice(0, pageSize).reverse() : rows.slice(0, pageSize);
  const first = page[0];
  const last = page[page.length - 1];
  const at = (r: (typeof rows)[number] | undefined) => (r ? { key: r.sort_key, id: r.id } : null);
  return {
    rows: page.map(({ sort_key: _, ...r }) => r),
    next: back ? at(last) : more ? at(last) : null,
    previous: back ? (more ? at(first) : null) : request.after ? at(first) : null,
    total: { count, capped: count >= COUNT_CAP },
  };
}

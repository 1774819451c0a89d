/**
 * The per-incidence export: one row per incidence started in a range of India-time days, with every stored field
 * and each incidence's own metrics (docs/metrics.md, "Export"). PostgreSQL writes the file itself with
 * COPY (SELECT …) TO STDOUT (pg-copy-streams), and the stream is piped with backpressure, so no export is ever held
 * in memory whole. COPY takes no bind parameters: the statement is built from validated dates only.
 */
import { Client, escapeLiteral } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Readable } from 'node:stream';
import { dayBounds } from '../domain/reports/iso-week';
import {
  CART_VALUE_TIERS,
  FIRST_RESPONSE_BUCKETS,
  NO_CART,
  NO_HUMAN_RESPONSE,
} from '../domain/reports/support-metrics';

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

interface Column {
  name: string;
  expression: string;
  /** Free text from outside (agents' tags, ids): spreadsheet formulas are defused in CSV. */
  text?: boolean;
}

const tier = `CASE WHEN i.cart_value IS NULL THEN ${escapeLiteral(NO_CART)} ${[...CART_VALUE_TIERS]
  .reverse()
  .map((t) => `WHEN i.cart_value >= ${t.fromRupees} THEN ${escapeLiteral(t.name)}`)
  .join(' ')} END`;
const bucket = `CASE WHEN i.first_response_seconds IS NULL THEN ${escapeLiteral(NO_HUMAN_RESPONSE)} ${FIRST_RESPONSE_BUCKETS.map(
  (b) =>
    b.upToSeconds === null
      ? `ELSE ${escapeLiteral(b.name)}`
      : `WHEN i.first_response_seconds < ${b.upToSeconds} THEN ${escapeLiteral(b.name)}`,
).join(' ')} END`;

const field = (name: string, text = false): Column => ({ name, expression: `i.${name}`, text });

/** The export's columns, in order. Names are the file's header and the NDJSON keys. */
export const EXPORT_COLUMNS: Column[] = [
  { name: 'incidence_id', expression: 'i.id' },
  field('conversation_id', true),
  field('freshchat_user_id', true),
  field('user_id', true),
  field('order_id', true),
  field('stage'),
  field('channel'),
  field('trigger'),
  field('app_screen', true),
  field('cart_value'),
  { name: 'cart_value_tier', expression: tier },
  field('guest_count'),
  field('event_type', true),
  field('friction_score'),
  field('outcome'),
  field('issue_category', true),
  field('root_cause', true),
  field('resolution_type', true),
  field('order_impact'),
  field('agent_id', true),
  // Filled from Freshchat's agents list (a JSON object literal of id → name); the id when the name is unknown.
  { name: 'agent_name', expression: 'COALESCE(n.name, i.agent_id)', text: true },
  field('created_at'),
  field('resolved_at'),
  field('last_state_change_at'),
  field('reopen_count'),
  field('repeat_friction'),
  field('time_to_resolve_seconds'),
  field('time_to_resolve_business_seconds'),
  field('first_response_seconds'),
  field('first_response_business_seconds'),
  field('first_response_at'),
  { name: 'first_response_bucket', expression: bucket },
  { name: 'responses', expression: 'COALESCE(r.responses, 0)' },
  { name: 'next_responses', expression: 'COALESCE(r.next_responses, 0)' },
  { name: 'next_response_mean_seconds', expression: 'r.next_mean' },
  { name: 'next_response_mean_business_seconds', expression: 'r.next_mean_business' },
  { name: 'next_response_max_seconds', expression: 'r.next_max' },
  field('sla_policy', true),
  field('sla_status'),
  field('sla_next_due_at'),
  { name: 'sla_targets_met', expression: 'COALESCE(s.met, 0)' },
  { name: 'sla_targets_missed', expression: 'COALESCE(s.missed, 0)' },
  { name: 'sla_targets_active', expression: 'COALESCE(s.active, 0)' },
  { name: 'assisted_orders', expression: 'COALESCE(a.orders, 0)' },
  { name: 'assisted_order_value', expression: 'COALESCE(a.value, 0)' },
  { name: 'cart_value_lost', expression: "CASE WHEN i.outcome = 'DROPPED' THEN i.cart_value END" },
];

const defused = (expression: string) =>
  `CASE WHEN ${expression} ~ '^[=+\\-@\\t\\r]' THEN '''' || ${expression} ELSE ${expression} END`;

/** Incidences started from `from` to `to` (India-time days, inclusive), as a condition on `i`. */
export function startedBetween(from: string, to: string): string {
  const start = escapeLiteral(dayBounds(from).start);
  const end = escapeLiteral(dayBounds(to).end);
  return `i.created_at >= ${start}::timestamptz AND i.created_at < ${end}::timestamptz`;
}

/**
 * A slonik fragment as plain SQL with its values inlined as escaped literals: COPY takes no bind parameters, and
 * the pages' filters are slonik fragments (stores/incidence-list-store.ts).
 */
export function inlineFragment(fragment: { sql: string; values: readonly unknown[] }): string {
  return fragment.sql.replace(/\$slonik_(\d+)/g, (_, n: string) => {
    const value = fragment.values[Number(n) - 1];
    if (typeof value !== 'string' && typeof value !== 'number')
      throw new Error(`an export filter value must be text or a number, not ${typeof value}`);
    return escapeLiteral(String(value));
  });
}

/** The export's SELECT of the incidences `where` (a condition on `i`) selects, oldest first. */
export function exportSelect(where: string, format: ExportFormat, agentNames: Map<string, string> = new Map()): string {
  const names = escapeLiteral(JSON.stringify(Object.fromEntries(agentNames)));
  const list = EXPORT_COLUMNS.map(
    (c) => `${format === 'csv' && c.text ? defused(c.expression) : c.expression} AS ${c.name}`,
  ).join(',\n  ');
  return `SELECT
  ${list}
FROM incidences i
LEFT JOIN LATERAL (
  SELECT count(*) AS responses, count(*) FILTER (WHERE kind = 'NEXT') AS next_responses,
         round(avg(seconds) FILTER (WHERE kind = 'NEXT'), 1) AS next_mean,
         round(avg(business_seconds) FILTER (WHERE kind = 'NEXT'), 1) AS next_mean_business,
         max(seconds) FILTER (WHERE kind = 'NEXT') AS next_max
  FROM response_times WHERE incidence_id = i.id) r ON TRUE
LEFT JOIN LATERAL (
  SELECT count(*) FILTER (WHERE status = 'MET') AS met, count(*) FILTER (WHERE status = 'MISSED') AS missed,
         count(*) FILTER (WHERE status = 'ACTIVE') AS active
  FROM sla_targets WHERE incidence_id = i.id) s ON TRUE
LEFT JOIN LATERAL (
  SELECT count(*) AS orders, sum(o.value) AS value
  FROM order_assists x JOIN orders o ON o.order_id = x.order_id AND o.event = 'PLACED'
  WHERE x.incidence_id = i.id
    AND NOT EXISTS (SELECT 1 FROM orders c WHERE c.order_id = x.order_id AND c.event = 'CANCELLED')) a ON TRUE
LEFT JOIN LATERAL (SELECT ${names}::jsonb ->> i.agent_id AS name) n ON TRUE
WHERE ${where}
ORDER BY i.created_at, i.id`;
}

/** COPY of a SELECT: CSV with a header, or one JSON object a line (CSV framing with quote and delimiter bytes
 *  JSON never contains raw, so each line is the JSON text as PostgreSQL wrote it). */
export function copyStatement(select: string, format: ExportFormat): string {
  return format === 'csv'
    ? `COPY (${select}) TO STDOUT WITH (FORMAT csv, HEADER true)`
    : `COPY (SELECT row_to_json(e)::text FROM (${select}) e) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')`;
}

/**
 * Opens a connection of its own (COPY holds it for the whole export) and streams the rows. The connection closes
 * when the stream ends, fails or is destroyed (the HTTP client went away).
 */
export async function streamExport(databaseUrl: string, statement: string): Promise<Readable> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`SET TimeZone = 'UTC'; SET statement_timeout = 0; SET jit = off`);
  } catch (error) {
    await client.end();
    throw error;
  }
  const stream = client.query(copyTo(statement));
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    client.end().catch(() => undefined);
  };
  stream.once('end', close);
  stream.once('error', close);
  stream.once('close', close);
  return stream;
}

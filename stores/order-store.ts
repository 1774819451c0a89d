import { sql, type CommonQueryMethods, type DatabasePool, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import type { Bounds } from '../domain/reports/iso-week';
import { ASSIST_REASONS, type OrderAssist, type OrderReport, type RecordedOrder } from '../domain/reports/order';

const assistRow = z.object({ incidence_id: z.string(), reason: z.enum(ASSIST_REASONS) });
const toAssist = (r: z.infer<typeof assistRow>): OrderAssist => ({ incidenceId: r.incidence_id, reason: r.reason });

/**
 * When the incidence was last closed as of the order's placing (NULL: it was open then). Read from its
 * timeline's state changes, so a conversation resolved, then reopened and resolved again weeks later, does not
 * claim the orders placed while it was closed; an incidence without state changes in its timeline (bulk
 * imports) falls back to its current resolved_at.
 */
const closedAtPlacement = sql.fragment`
  SELECT CASE
    WHEN last.event_type IS NOT NULL THEN CASE WHEN last.event_type = 'REOPENED' THEN NULL ELSE last.occurred_at END
    WHEN EXISTS (SELECT 1 FROM incidence_timeline c WHERE c.incidence_id = i.id AND c.event_type IN ('RESOLVED', 'REOPENED', 'WENT_SILENT'))
      THEN NULL
    WHEN i.resolved_at IS NULL OR i.resolved_at >= o.placed_at THEN NULL
    ELSE i.resolved_at
  END AS closed_at
  FROM (SELECT 1) AS one
  LEFT JOIN LATERAL (
    SELECT t.event_type, t.occurred_at FROM incidence_timeline t
    WHERE t.incidence_id = i.id AND t.event_type IN ('RESOLVED', 'REOPENED', 'WENT_SILENT') AND t.occurred_at <= o.placed_at
    ORDER BY t.occurred_at DESC, t.event_type = 'REOPENED' LIMIT 1
  ) AS last ON TRUE`;

/** Which orders and incidences a linking considers; `source`: where the incidences are read (default: the table). */
export type AssistScope = { orders: FragmentSqlToken; incidences: FragmentSqlToken; source?: FragmentSqlToken };

/**
 * Stores the links between orders and the incidences that assisted them (domain/reports/order.ts ASSIST_REASONS).
 * One statement serves every side: an order arriving (orders = that order), an incidence starting, naming an
 * order or being resolved (incidences = that incidence), and a backfill (both unrestricted). Existing links are
 * kept: a link, once stored, is what every report reads. Returns the number of new links.
 */
export async function linkAssists(db: CommonQueryMethods, scope: AssistScope, windowMs: number): Promise<number> {
  return db.oneFirst(sql.type(z.object({ n: z.number() }))`
    WITH ${assistLinks(scope, windowMs)} SELECT count(*)::int AS n FROM linked`);
}

/** The links as common table expressions of a statement (`linked`: one row per new link). */
export function assistLinks(scope: AssistScope, windowMs: number, onlyIf = sql.fragment`TRUE`) {
  const window = sql.fragment`make_interval(secs => ${windowMs / 1000})`;
  const source = scope.source ?? sql.fragment`incidences`;
  return sql.fragment`o AS (
      SELECT order_id, min(user_id) AS user_id, min(placed_at) AS placed_at FROM orders WHERE ${scope.orders} GROUP BY order_id
    ), candidates AS (
      SELECT o.order_id, i.id AS incidence_id, 1 AS priority
      FROM o JOIN ${source} i ON i.order_id = o.order_id
      WHERE ${scope.incidences}
      UNION ALL
      SELECT o.order_id, i.id, CASE WHEN s.closed_at IS NULL THEN 2 ELSE 3 END
      FROM o JOIN ${source} i ON i.user_id = o.user_id AND i.created_at <= o.placed_at
      CROSS JOIN LATERAL (${closedAtPlacement}) s
      WHERE ${scope.incidences} AND (s.closed_at IS NULL OR s.closed_at >= o.placed_at - ${window})
    ), linked AS (
      INSERT INTO order_assists (order_id, incidence_id, reason)
      SELECT order_id, incidence_id, (ARRAY['NAMED_ORDER', 'OPEN_INCIDENCE', 'RESOLVED_WITHIN_WINDOW'])[min(priority)]
      FROM candidates WHERE ${onlyIf} GROUP BY order_id, incidence_id
      ON CONFLICT (order_id, incidence_id) DO NOTHING
      RETURNING 1)`;
}

/** Links for one incidence: orders it names, and orders of its user placed while it was open or within the window. */
export function linkAssistsOfIncidence(db: CommonQueryMethods, incidenceId: string, windowMs: number): Promise<number> {
  return linkAssists(db, incidenceScope(incidenceId), windowMs);
}

export const incidenceScope = (incidenceId: string): AssistScope => ({
  orders: sql.fragment`order_id IN (SELECT order_id FROM incidences WHERE id = ${incidenceId} AND order_id IS NOT NULL)
        OR user_id IN (SELECT user_id FROM incidences WHERE id = ${incidenceId} AND user_id IS NOT NULL)`,
  incidences: sql.fragment`i.id = ${incidenceId}`,
});

/** Links for the orders placed within `b`, against any incidence (the daily aggregation's repair). */
export const placedWithin = (b: Bounds): AssistScope => ({
  orders: sql.fragment`placed_at >= ${b.start}::timestamptz AND placed_at < ${b.end}::timestamptz`,
  incidences: sql.fragment`TRUE`,
});

export const assistsOf = (db: CommonQueryMethods, orderId: string) =>
  db.any(
    sql.type(
      assistRow,
    )`SELECT incidence_id::text, reason FROM order_assists WHERE order_id = ${orderId} ORDER BY linked_at, incidence_id`,
  );

/**
 * Records one order event, idempotent by (order id, event): a repeat changes nothing and says so.
 * The assist links are computed in the same transaction, so a report never sees the order without them.
 */
export async function recordOrder(pool: DatabasePool, order: OrderReport, windowMs: number): Promise<RecordedOrder> {
  return pool.transaction(async (tx) => {
    const inserted = await tx.maybeOne(sql.type(z.object({ order_id: z.string() }))`
      INSERT INTO orders (order_id, event, user_id, value, event_type, event_date, placed_at)
      VALUES (${order.order_id}, ${order.event}, ${order.user_id}, ${order.value}, ${order.event_type ?? null},
              ${order.event_date ?? null}::date, ${order.placed_at}::timestamptz)
      ON CONFLICT (order_id, event) DO NOTHING
      RETURNING order_id`);
    if (inserted)
      await linkAssists(
        tx,
        { orders: sql.fragment`order_id = ${order.order_id}`, incidences: sql.fragment`TRUE` },
        windowMs,
      );
    const assists = (await assistsOf(tx, order.order_id)).map(toAssist);
    return { duplicate: !inserted, orderId: order.order_id, event: order.event, assisted: assists.length > 0, assists };
  });
}

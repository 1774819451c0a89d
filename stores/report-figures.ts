import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import type { Bounds } from '../domain/reports/iso-week';
import { repairsIn } from './reconciliation-store';
import { KNOWN_SIGNALS, OTHER_SIGNAL } from '../domain/app-context/app-requests';
import { TIME_TO_RESOLVE_BUCKETS } from '../domain/reports/weekly-report';
import { type Count } from '../domain/reports/support-metrics';
import type { ScreenCount, TrendPoint, WeekFigures, OrderFigures } from '../domain/reports/weekly-report-shape';
import { TOP_CATEGORIES, TOP_SCREENS } from '../domain/reports/report-rollup';
import { range, resolvedIn } from './report-sql';
import { supportFiguresRaw } from './support-figures';

/**
 * The report's raw figures for a period, counted by PostgreSQL from the rows themselves (a handful of aggregate
 * statements over indexed ranges; no row reaches Node). Reports read day rollups (stores/report-days.ts); these are
 * what the rollups must reproduce. Each figure is defined in docs/metrics.md.
 */

const countRow = z.object({ name: z.string(), count: z.number() });
const num = z.number();
const nullableNum = z.number().nullable();

export async function orderFigures(db: CommonQueryMethods, b: Bounds): Promise<OrderFigures> {
  return (await orderFiguresByPeriod(db, [b]))[0]!;
}

/**
 * Everything known at resolution, from one index-only range scan of the period's resolutions (materialised once,
 * then aggregated in memory several ways).
 */
async function resolutionFigures(db: CommonQueryMethods, b: Bounds) {
  const buckets = TIME_TO_RESOLVE_BUCKETS.map((bucket, i) => {
    const lower = i === 0 ? 0 : TIME_TO_RESOLVE_BUCKETS[i - 1]!.upToSeconds!;
    const upper = bucket.upToSeconds === null ? sql.fragment`TRUE` : sql.fragment`ttr < ${bucket.upToSeconds}`;
    return sql.fragment`count(*) FILTER (WHERE ttr >= ${lower} AND ${upper})::int`;
  });
  const countsOf = (
    column: 'cat' | 'outcome' | 'impact',
    limit: number | null,
    where = sql.fragment`TRUE`,
  ) => sql.fragment`
    (SELECT COALESCE(json_agg(json_build_object('name', name, 'count', n) ORDER BY n DESC, name), '[]'::json)
     FROM (SELECT ${sql.identifier([column])} AS name, count(*)::int AS n FROM r WHERE ${where}
           GROUP BY 1 ORDER BY 2 DESC, 1 ${limit === null ? sql.fragment`` : sql.fragment`LIMIT ${limit}`}) t)`;
  return db.one(
    sql.type(
      z.object({
        closed: num,
        converted: num,
        repeats: num,
        avg: nullableNum,
        median: nullableNum,
        total: num,
        buckets: z.array(num),
        categories: z.array(countRow),
        outcomes: z.array(countRow),
        impact: z.array(countRow),
      }),
    )`
    WITH r AS MATERIALIZED (
      SELECT outcome, COALESCE(order_impact, 'NONE') AS impact, lower(issue_category) AS cat, time_to_resolve_seconds AS ttr, repeat_friction
      FROM incidences WHERE ${resolvedIn(b)}
    )
    SELECT count(*)::int AS closed,
           count(*) FILTER (WHERE outcome = 'CONVERTED')::int AS converted,
           count(*) FILTER (WHERE repeat_friction)::int AS repeats,
           (sum(ttr)::float8 / NULLIF(count(ttr), 0)) AS avg,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ttr)::float8 AS median,
           COALESCE(sum(ttr), 0)::float8 AS total,
           ARRAY[${sql.join(buckets, sql.fragment`, `)}] AS buckets,
           ${countsOf('cat', TOP_CATEGORIES, sql.fragment`cat IS NOT NULL`)} AS categories,
           ${countsOf('outcome', null)} AS outcomes,
           ${countsOf('impact', null)} AS impact
    FROM r`,
  );
}

/** Repeat friction issues resolved in the period (the flag stored at resolution, stores/repeat-friction-store.ts). */
export const repeatFrictionIssues = (db: CommonQueryMethods, b: Bounds) =>
  db.oneFirst(sql.type(z.object({ n: num }))`
    SELECT count(*) FILTER (WHERE repeat_friction)::int AS n FROM incidences WHERE ${resolvedIn(b)}`);

/** Everything known when an incidence starts, from one index-only range scan of the period's new incidences. */
async function startFigures(db: CommonQueryMethods, b: Bounds) {
  const row = await db.one(
    sql.type(
      z.object({
        started: num,
        open: num,
        screens: z.array(
          z.object({ name: z.string(), count: num, top_issue: z.string().nullable(), top_issue_count: nullableNum }),
        ),
      }),
    )`
    WITH s AS MATERIALIZED (
      SELECT outcome, app_screen, lower(issue_category) AS cat FROM incidences WHERE ${range('created_at', b)}
    )
    SELECT count(*)::int AS started, count(*) FILTER (WHERE outcome = 'IN_PROGRESS')::int AS open,
      (SELECT COALESCE(json_agg(json_build_object('name', name, 'count', count, 'top_issue', top_issue, 'top_issue_count', top_issue_count)
                                ORDER BY count DESC, name), '[]'::json)
       FROM (
         SELECT app_screen AS name, sum(n)::int AS count,
                (array_agg(cat ORDER BY n DESC, cat) FILTER (WHERE cat IS NOT NULL))[1] AS top_issue,
                max(n) FILTER (WHERE cat IS NOT NULL) AS top_issue_count
         FROM (SELECT app_screen, cat, count(*)::int AS n FROM s WHERE app_screen IS NOT NULL GROUP BY 1, 2) per_issue
         GROUP BY app_screen ORDER BY sum(n) DESC, app_screen LIMIT ${TOP_SCREENS}
       ) t) AS screens
    FROM s`,
  );
  return {
    started: row.started,
    open: row.open,
    screens: row.screens.map((r): ScreenCount => ({
      name: r.name,
      count: r.count,
      topIssue: r.top_issue,
      topIssueCount: r.top_issue_count ?? 0,
    })),
  };
}

/** A friction signal's name in reports: a known type by name; any other type the app sent is counted as OTHER. */
export const frictionSignalName = sql.fragment`CASE WHEN signal_type = ANY(${sql.array([...KNOWN_SIGNALS], 'text')})
  THEN signal_type ELSE ${OTHER_SIGNAL} END`;

const frictionSignals = (db: CommonQueryMethods, b: Bounds) =>
  db.any(sql.type(countRow)`
    SELECT name, count(*)::int AS count FROM (
      SELECT ${frictionSignalName} AS name
      FROM friction_signals WHERE ${range('created_at', b)}
    ) s
    GROUP BY name ORDER BY count(*) DESC, name`);

/** Every raw figure of a period (a week or a day). */
export async function periodFigures(
  db: CommonQueryMethods,
  b: Bounds,
  knownOrders?: OrderFigures,
): Promise<WeekFigures> {
  const orders = knownOrders ?? (await orderFigures(db, b));
  const resolved = await resolutionFigures(db, b);
  const started = await startFigures(db, b);
  const outcomes: Count[] = [...resolved.outcomes];
  if (started.open > 0) outcomes.push({ name: 'IN_PROGRESS', count: started.open });
  return {
    totalOrders: orders.total,
    cancelledOrders: orders.cancelled,
    assistedOrders: orders.assisted,
    incidences: started.started,
    closedIncidences: resolved.closed,
    convertedIncidences: resolved.converted,
    avgTimeToResolveSeconds: resolved.avg,
    medianTimeToResolveSeconds: resolved.median,
    totalTimeToResolveSeconds: resolved.total,
    repeatFrictionIssues: resolved.repeats,
    eventsRepaired: await repairsIn(db, b),
    topIssueCategories: resolved.categories,
    topFrictionScreens: started.screens,
    frictionSignals: [...(await frictionSignals(db, b))],
    outcomes,
    orderImpact: resolved.impact,
    timeToResolveDistribution: TIME_TO_RESOLVE_BUCKETS.map((bucket, i) => ({
      name: bucket.name,
      count: resolved.buckets[i] ?? 0,
    })),
    support: await supportFiguresRaw(db, b, orders),
  };
}

/**
 * Order figures of consecutive periods of equal length (days or weeks), in one pass: an order counts once, by its
 * PLACED event (unique per order id), in the period of its placed_at; one with a CANCELLED event counts as cancelled
 * instead; MODIFIED events change nothing here. Hash joins against the (small) cancelled set and the assist links.
 */
export async function orderFiguresByPeriod(db: CommonQueryMethods, periods: Bounds[]): Promise<OrderFigures[]> {
  if (periods.length === 0) return [];
  const from = periods[0]!.start;
  const to = periods[periods.length - 1]!.end;
  const length = (Date.parse(periods[0]!.end) - Date.parse(from)) / 1000;
  const rows = await db.any(sql.type(z.object({ period: num, total: num, cancelled: num, assisted: num, value: num }))`
    SELECT floor(extract(epoch FROM o.placed_at - ${from}::timestamptz) / ${length})::int AS period,
           count(*) FILTER (WHERE o.event = 'PLACED' AND c.order_id IS NULL)::int AS total,
           count(*) FILTER (WHERE o.event = 'CANCELLED')::int AS cancelled,
           count(*) FILTER (WHERE o.event = 'PLACED' AND c.order_id IS NULL AND o.order_id IN (SELECT order_id FROM order_assists))::int AS assisted,
           COALESCE(sum(round(o.value * 100)) FILTER (WHERE o.event = 'PLACED' AND c.order_id IS NULL AND o.order_id IN (SELECT order_id FROM order_assists)), 0)::float8 AS value
    FROM orders o
    LEFT JOIN orders c ON c.order_id = o.order_id AND c.event = 'CANCELLED' AND o.event = 'PLACED'
    WHERE o.placed_at >= ${from}::timestamptz AND o.placed_at < ${to}::timestamptz AND o.event IN ('PLACED', 'CANCELLED')
    GROUP BY 1`);
  const byIndex = new Map(rows.map((r) => [r.period, r]));
  return periods.map((_, i) => {
    const r = byIndex.get(i);
    return {
      total: r?.total ?? 0,
      cancelled: r?.cancelled ?? 0,
      assisted: r?.assisted ?? 0,
      assistedValuePaise: r?.value ?? 0,
    };
  });
}

export const trendPoint = (isoWeek: string, o: OrderFigures): TrendPoint => ({
  isoWeek,
  totalOrders: o.total,
  assistedOrders: o.assisted,
  selfServeRate: o.total === 0 ? null : ((o.total - o.assisted) / o.total) * 100,
});

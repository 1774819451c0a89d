import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import type { Bounds } from '../domain/iso-week';
import { TIME_TO_RESOLVE_BUCKETS, type Count, type ScreenCount, type TrendPoint, type WeekFigures } from '../domain/weekly-report';

/**
 * The report's raw figures for a period, counted by PostgreSQL (a handful of aggregate statements over indexed
 * ranges; no row reaches Node). Definitions, also in the README:
 * - orders: distinct order ids whose placed_at is in the period; cancelled ones (any CANCELLED event) are counted
 *   apart and left out of the total; assisted = with a stored order_assists link;
 * - what is known when an incidence starts (count, screen) counts in the period it started (created_at);
 * - what is known at resolution (outcome, order impact, category, time to resolve, cost) counts in the period it
 *   was resolved (resolved_at, outcome other than IN_PROGRESS);
 * - issue categories are compared case-insensitively (agents' tags vary in case) and reported in lower case;
 * - repeat friction issue: a resolved incidence whose user had another incidence of the same category
 *   (case-insensitive) that started in the 30 days before this one started.
 */
const TOP_CATEGORIES = 10;
const TOP_SCREENS = 5;

const countRow = z.object({ name: z.string(), count: z.number() });
const num = z.number();
const nullableNum = z.number().nullable();

const range = (column: string, b: Bounds) =>
  sql.fragment`${sql.identifier([column])} >= ${b.start}::timestamptz AND ${sql.identifier([column])} < ${b.end}::timestamptz`;
const resolvedIn = (b: Bounds) => sql.fragment`${range('resolved_at', b)} AND outcome <> 'IN_PROGRESS'`;

export async function orderFigures(db: CommonQueryMethods, b: Bounds) {
  return db.one(sql.type(z.object({ total: num, cancelled: num, assisted: num }))`
    WITH period_orders AS (
      SELECT order_id, bool_or(event = 'CANCELLED') AS cancelled FROM orders WHERE ${range('placed_at', b)} GROUP BY order_id
    )
    SELECT count(*) FILTER (WHERE NOT cancelled)::int AS total,
           count(*) FILTER (WHERE cancelled)::int AS cancelled,
           count(*) FILTER (WHERE NOT cancelled AND EXISTS (SELECT 1 FROM order_assists a WHERE a.order_id = p.order_id))::int AS assisted
    FROM period_orders p`);
}

async function resolutionFigures(db: CommonQueryMethods, b: Bounds) {
  const buckets = TIME_TO_RESOLVE_BUCKETS.map((bucket, i) => {
    const lower = i === 0 ? 0 : TIME_TO_RESOLVE_BUCKETS[i - 1]!.upToSeconds!;
    const upper = bucket.upToSeconds === null ? sql.fragment`TRUE` : sql.fragment`time_to_resolve_seconds < ${bucket.upToSeconds}`;
    return sql.fragment`count(*) FILTER (WHERE time_to_resolve_seconds >= ${lower} AND ${upper})::int`;
  });
  return db.one(sql.type(z.object({ closed: num, converted: num, avg: nullableNum, median: nullableNum, total: num, buckets: z.array(num) }))`
    SELECT count(*)::int AS closed,
           count(*) FILTER (WHERE outcome = 'CONVERTED')::int AS converted,
           avg(time_to_resolve_seconds)::float8 AS avg,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY time_to_resolve_seconds)::float8 AS median,
           COALESCE(sum(time_to_resolve_seconds), 0)::float8 AS total,
           ARRAY[${sql.join(buckets, sql.fragment`, `)}] AS buckets
    FROM incidences WHERE ${resolvedIn(b)}`);
}

const repeatFrictionIssues = (db: CommonQueryMethods, b: Bounds) =>
  db.oneFirst(sql.type(z.object({ n: num }))`
    SELECT count(*)::int AS n FROM incidences i
    WHERE ${resolvedIn(b)} AND i.user_id IS NOT NULL AND i.issue_category IS NOT NULL
      AND EXISTS (
        SELECT 1 FROM incidences p
        WHERE p.user_id = i.user_id AND p.id <> i.id AND lower(p.issue_category) = lower(i.issue_category)
          AND p.created_at < i.created_at AND p.created_at >= i.created_at - interval '30 days')`);

const startedIncidences = (db: CommonQueryMethods, b: Bounds) =>
  db.one(sql.type(z.object({ started: num, open: num }))`
    SELECT count(*)::int AS started, count(*) FILTER (WHERE outcome = 'IN_PROGRESS')::int AS open
    FROM incidences WHERE ${range('created_at', b)}`);

const topCategories = (db: CommonQueryMethods, b: Bounds) =>
  db.any(sql.type(countRow)`
    SELECT lower(issue_category) AS name, count(*)::int AS count FROM incidences
    WHERE ${resolvedIn(b)} AND issue_category IS NOT NULL
    GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ${TOP_CATEGORIES}`);

async function topScreens(db: CommonQueryMethods, b: Bounds): Promise<ScreenCount[]> {
  const rows = await db.any(sql.type(z.object({ name: z.string(), count: num, top_issue: z.string().nullable(), top_issue_count: nullableNum }))`
    WITH per_issue AS (
      SELECT app_screen, lower(issue_category) AS issue_category, count(*)::int AS n FROM incidences
      WHERE ${range('created_at', b)} AND app_screen IS NOT NULL GROUP BY 1, 2
    )
    SELECT app_screen AS name, sum(n)::int AS count,
           (array_agg(issue_category ORDER BY n DESC, issue_category) FILTER (WHERE issue_category IS NOT NULL))[1] AS top_issue,
           max(n) FILTER (WHERE issue_category IS NOT NULL) AS top_issue_count
    FROM per_issue GROUP BY app_screen ORDER BY sum(n) DESC, app_screen LIMIT ${TOP_SCREENS}`);
  return rows.map((r) => ({ name: r.name, count: r.count, topIssue: r.top_issue, topIssueCount: r.top_issue_count ?? 0 }));
}

const frictionSignals = (db: CommonQueryMethods, b: Bounds) =>
  db.any(sql.type(countRow)`
    SELECT signal_type AS name, count(*)::int AS count FROM friction_signals WHERE ${range('created_at', b)}
    GROUP BY signal_type ORDER BY count(*) DESC, signal_type`);

const outcomes = (db: CommonQueryMethods, b: Bounds) =>
  db.any(sql.type(countRow)`
    SELECT outcome AS name, count(*)::int AS count FROM incidences WHERE ${resolvedIn(b)}
    GROUP BY outcome ORDER BY count(*) DESC, outcome`);

const orderImpact = (db: CommonQueryMethods, b: Bounds) =>
  db.any(sql.type(countRow)`
    SELECT COALESCE(order_impact, 'NONE') AS name, count(*)::int AS count FROM incidences WHERE ${resolvedIn(b)}
    GROUP BY 1 ORDER BY count(*) DESC, 1`);

/** Every raw figure of a period (a week or a day). */
export async function periodFigures(db: CommonQueryMethods, b: Bounds): Promise<WeekFigures> {
  const orders = await orderFigures(db, b);
  const resolved = await resolutionFigures(db, b);
  const started = await startedIncidences(db, b);
  const outcomeCounts: Count[] = [...(await outcomes(db, b))];
  if (started.open > 0) outcomeCounts.push({ name: 'IN_PROGRESS', count: started.open });
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
    repeatFrictionIssues: await repeatFrictionIssues(db, b),
    topIssueCategories: [...(await topCategories(db, b))],
    topFrictionScreens: await topScreens(db, b),
    frictionSignals: [...(await frictionSignals(db, b))],
    outcomes: outcomeCounts,
    orderImpact: [...(await orderImpact(db, b))],
    timeToResolveDistribution: TIME_TO_RESOLVE_BUCKETS.map((bucket, i) => ({ name: bucket.name, count: resolved.buckets[i] ?? 0 })),
  };
}

/** Orders and assisted orders of consecutive weeks in one pass, for the self-serve trend. */
export async function selfServeTrend(db: CommonQueryMethods, weeks: Array<{ isoWeek: string; bounds: Bounds }>): Promise<TrendPoint[]> {
  if (weeks.length === 0) return [];
  const from = weeks[0]!.bounds.start;
  const to = weeks[weeks.length - 1]!.bounds.end;
  const rows = await db.any(sql.type(z.object({ week: num, total: num, assisted: num }))`
    WITH period_orders AS (
      SELECT order_id, min(placed_at) AS placed_at, bool_or(event = 'CANCELLED') AS cancelled
      FROM orders WHERE placed_at >= ${from}::timestamptz AND placed_at < ${to}::timestamptz GROUP BY order_id
    )
    SELECT floor(extract(epoch FROM placed_at - ${from}::timestamptz) / 604800)::int AS week,
           count(*)::int AS total,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM order_assists a WHERE a.order_id = p.order_id))::int AS assisted
    FROM period_orders p WHERE NOT cancelled GROUP BY 1`);
  const byIndex = new Map(rows.map((r) => [r.week, r]));
  return weeks.map((w, i) => {
    const r = byIndex.get(i);
    const total = r?.total ?? 0;
    const assisted = r?.assisted ?? 0;
    return { isoWeek: w.isoWeek, totalOrders: total, assistedOrders: assisted, selfServeRate: total === 0 ? null : ((total - assisted) / total) * 100 };
  });
}

import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import type { Bounds } from '../domain/reports/iso-week';
import {
  FIRST_RESPONSE_BUCKETS,
  NO_HUMAN_RESPONSE,
  SLA_DIMENSIONS,
  paiseToRupees,
  percentOf,
  slaRow,
  sortSlaRows,
  type CalendarAndBusiness,
  type DurationStats,
  type SlaDimension,
  type SupportFigures,
} from '../domain/reports/support-metrics';
import type { OrderFigures } from '../domain/reports/weekly-report-shape';
import { paise, range, resolvedIn, responseBucket, SLA_DIMENSION_COLUMNS, slaDimensions } from './report-sql';

/**
 * Response times, SLAs and commerce figures of a period counted from raw rows (percentiles by PostgreSQL's
 * percentile_cont). Reports read them from day rollups instead; a test holds the two equal.
 */
const num = z.number();
const nullable = z.number().nullable();
const stats = z.object({ n: num, p50: nullable, p90: nullable, mean: nullable });

const statsOf = (column: string) => {
  const c = sql.identifier([column]);
  return sql.fragment`json_build_object('n', count(${c}), 'p50', percentile_cont(0.5) WITHIN GROUP (ORDER BY ${c}),
    'p90', percentile_cont(0.9) WITHIN GROUP (ORDER BY ${c}), 'mean', sum(${c})::float8 / NULLIF(count(${c}), 0))`;
};
const duration = (s: z.infer<typeof stats>): DurationStats => ({
  count: s.n,
  p50Seconds: s.p50,
  p90Seconds: s.p90,
  meanSeconds: s.mean,
});
const none: CalendarAndBusiness = {
  calendar: duration({ n: 0, p50: null, p90: null, mean: null }),
  business: duration({ n: 0, p50: null, p90: null, mean: null }),
};

async function responseStats(db: CommonQueryMethods, b: Bounds) {
  const rows = await db.any(sql.type(z.object({ kind: z.string(), calendar: stats, business: stats }))`
    SELECT kind, ${statsOf('seconds')} AS calendar, ${statsOf('business_seconds')} AS business
    FROM response_times WHERE ${range('answered_at', b)} GROUP BY kind`);
  const of = (kind: string): CalendarAndBusiness => {
    const r = rows.find((x) => x.kind === kind);
    return r ? { calendar: duration(r.calendar), business: duration(r.business) } : none;
  };
  const buckets = await db.any(sql.type(z.object({ bucket: num, n: num }))`
    SELECT ${responseBucket(sql.identifier(['seconds']))} AS bucket, count(*)::int AS n
    FROM response_times WHERE kind = 'FIRST' AND ${range('answered_at', b)} GROUP BY 1`);
  return {
    firstResponse: of('FIRST'),
    nextResponse: of('NEXT'),
    firstResponseDistribution: FIRST_RESPONSE_BUCKETS.map((bucket, i) => ({
      name: bucket.name,
      count: buckets.find((x) => x.bucket === i)?.n ?? 0,
    })),
  };
}

async function resolutionStats(db: CommonQueryMethods, b: Bounds) {
  const row = await db.one(
    sql.type(
      z.object({ calendar: stats, business: stats, closed: num, reopened: num, dropped: num, dropped_paise: num }),
    )`
    SELECT ${statsOf('time_to_resolve_seconds')} AS calendar, ${statsOf('time_to_resolve_business_seconds')} AS business,
           count(*)::int AS closed, count(*) FILTER (WHERE reopen_count > 0)::int AS reopened,
           count(*) FILTER (WHERE outcome = 'DROPPED')::int AS dropped,
           COALESCE(sum(${paise(sql.identifier(['cart_value']))}) FILTER (WHERE outcome = 'DROPPED'), 0)::float8 AS dropped_paise
    FROM incidences WHERE ${resolvedIn(b)}`,
  );
  const conversion = await db.any(sql.type(z.object({ bucket: num, closed: num, converted: num }))`
    SELECT ${responseBucket(sql.identifier(['first_response_seconds']))} AS bucket, count(*)::int AS closed,
           count(*) FILTER (WHERE outcome = 'CONVERTED')::int AS converted
    FROM incidences WHERE ${resolvedIn(b)} GROUP BY 1`);
  const names = [...FIRST_RESPONSE_BUCKETS.map((x) => x.name), NO_HUMAN_RESPONSE];
  return {
    ...row,
    resolution: { calendar: duration(row.calendar), business: duration(row.business) },
    conversionByFirstResponse: names.map((name, i) => {
      const r = conversion.find((x) => x.bucket === (i === names.length - 1 ? -1 : i));
      return {
        name,
        closed: r?.closed ?? 0,
        converted: r?.converted ?? 0,
        conversionPercent: percentOf(r?.converted ?? 0, r?.closed ?? 0),
      };
    }),
  };
}

async function slaMet(db: CommonQueryMethods, b: Bounds): Promise<SupportFigures['slaMet']> {
  const rows = await db.any(sql.type(z.object({ dimension: z.string(), name: z.string(), met: num, missed: num }))`
    WITH s AS MATERIALIZED (
      SELECT t.status, ${slaDimensions}
      FROM sla_targets t JOIN incidences i ON i.id = t.incidence_id
      WHERE t.status IN ('MET', 'MISSED') AND ${range('settled_at', b)}
    )
    ${sql.join(
      Object.entries(SLA_DIMENSION_COLUMNS).map(
        ([dimension, column]) => sql.fragment`
          SELECT ${dimension}::text AS dimension, ${sql.identifier([column])} AS name,
                 count(*) FILTER (WHERE status = 'MET')::int AS met, count(*) FILTER (WHERE status = 'MISSED')::int AS missed
          FROM s GROUP BY 2`,
      ),
      sql.fragment` UNION ALL `,
    )}`);
  const of = (dimension: SlaDimension) =>
    sortSlaRows(rows.filter((r) => r.dimension === dimension).map((r) => slaRow(r.name, r.met, r.missed)));
  const targets = of('target');
  return {
    overall: slaRow(
      'all',
      targets.reduce((s, r) => s + r.met, 0),
      targets.reduce((s, r) => s + r.missed, 0),
    ),
    ...(Object.fromEntries(SLA_DIMENSIONS.map((d) => [d, of(d)])) as Record<SlaDimension, ReturnType<typeof of>>),
  };
}

export async function supportFiguresRaw(
  db: CommonQueryMethods,
  b: Bounds,
  orders: OrderFigures,
): Promise<SupportFigures> {
  const responses = await responseStats(db, b);
  const resolutions = await resolutionStats(db, b);
  return {
    firstResponse: responses.firstResponse,
    nextResponse: responses.nextResponse,
    resolution: resolutions.resolution,
    firstResponseDistribution: responses.firstResponseDistribution,
    slaMet: await slaMet(db, b),
    reopened: resolutions.reopened,
    reopenRate: percentOf(resolutions.reopened, resolutions.closed),
    revenueRescued: paiseToRupees(orders.assistedValuePaise),
    cartValueLost: paiseToRupees(resolutions.dropped_paise),
    droppedIncidences: resolutions.dropped,
    conversionByFirstResponse: resolutions.conversionByFirstResponse,
  };
}

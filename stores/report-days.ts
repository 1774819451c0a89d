/**
 * Day rollups: each India-time day's report figures, stored in report_days, so a week's report merges
 * seven small rows instead of counting the week's rows again. Triggers (migrations/011) mark a day stale in
 * report_days_stale whenever a row that counts in it changes, each change with a mark of its own (migrations/014); a
 * stale or missing day is counted again from raw rows. Refreshing deletes the marks it sees in the same transaction
 * before counting: a mark it cannot see (its change committed meanwhile, or not yet) survives, and the day is counted
 * again at the next refresh.
 */
import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { addDays, dayBounds, daysBetween } from '../domain/reports/iso-week';
import { emptyDay, type DayRollup } from '../domain/reports/report-rollup';
import { frictionSignalName } from './report-figures';
import type { Histogram, SlaDimension } from '../domain/reports/support-metrics';
import { orderFiguresByPeriod } from './report-figures';
import { paise, range, resolvedIn, responseBucket, SLA_DIMENSION_COLUMNS, slaDimensions } from './report-sql';

const int = z.number();
const text = z.string();

/** Consecutive runs of sorted distinct dates, so each run is counted with one range scan per table. */
function runsOf(dates: string[]): Array<{ from: string; to: string }> {
  const sorted = [...new Set(dates)].sort();
  const runs: Array<{ from: string; to: string }> = [];
  for (const d of sorted) {
    const last = runs[runs.length - 1];
    if (last && addDays(last.to, 1) === d) last.to = d;
    else runs.push({ from: d, to: d });
  }
  return runs;
}

const dayOf = (column: string) => sql.fragment`to_char(report_day(${sql.identifier([column])}), 'YYYY-MM-DD')`;

/** Counts the given days from raw rows. */
export async function countDays(db: CommonQueryMethods, dates: string[]): Promise<Map<string, DayRollup>> {
  const days = new Map<string, DayRollup>();
  const get = (d: string) => {
    let r = days.get(d);
    if (!r) days.set(d, (r = emptyDay()));
    return r;
  };
  for (const run of runsOf(dates)) {
    for (let d = run.from; d <= run.to; d = addDays(d, 1)) get(d);
    const b = { start: dayBounds(run.from).start, end: dayBounds(run.to).end };
    const n = daysBetween(run.from, run.to);
    const orders = await orderFiguresByPeriod(
      db,
      Array.from({ length: n }, (_, i) => dayBounds(addDays(run.from, i))),
    );
    orders.forEach((o, i) => (get(addDays(run.from, i)).orders = o));
    await countStarts(db, b, get);
    await countResolutions(db, b, get);
    await countFriction(db, b, get);
    await countResponses(db, b, get);
    await countSlas(db, b, get);
  }
  for (const d of days.values()) for (const h of histogramsOf(d)) h.sort((a, b) => a[0] - b[0]);
  return days;
}

const histogramsOf = (d: DayRollup): Histogram[] => [
  d.timeToResolve,
  d.timeToResolveBusiness,
  d.firstResponse,
  d.firstResponseBusiness,
  d.nextResponse,
  d.nextResponseBusiness,
];

type Get = (date: string) => DayRollup;
type B = { start: string; end: string };

async function countStarts(db: CommonQueryMethods, b: B, get: Get) {
  const rows = await db.any(
    sql.type(z.object({ day: text, screen: text.nullable(), cat: text.nullable(), n: int, open: int }))`
    SELECT ${dayOf('created_at')} AS day, app_screen AS screen, lower(issue_category) AS cat, count(*)::int AS n,
           count(*) FILTER (WHERE outcome = 'IN_PROGRESS')::int AS open
    FROM incidences WHERE ${range('created_at', b)} GROUP BY 1, 2, 3`,
  );
  for (const r of rows) {
    const d = get(r.day);
    d.started += r.n;
    d.open += r.open;
    if (r.screen !== null) d.screenIssues.push([r.screen, r.cat, r.n]);
  }
}

// GROUPING(ttr, ttrb, cat, outcome, impact, bucket): a 0 bit marks the grouped column (first argument = high bit).
const RESOLUTION_SETS = { all: 63, ttr: 31, ttrb: 47, cat: 55, outcome: 59, impact: 61, bucket: 62 } as const;

async function countResolutions(db: CommonQueryMethods, b: B, get: Get) {
  const rows = await db.any(
    sql.type(
      z.object({
        day: text,
        g: int,
        ttr: int.nullable(),
        ttrb: int.nullable(),
        cat: text.nullable(),
        outcome: text.nullable(),
        impact: text.nullable(),
        bucket: int.nullable(),
        n: int,
        converted: int,
        repeats: int,
        reopened: int,
        dropped: int,
        dropped_paise: int,
      }),
    )`
    WITH r AS MATERIALIZED (
      SELECT ${dayOf('resolved_at')} AS day, outcome, COALESCE(order_impact, 'NONE') AS impact, lower(issue_category) AS cat,
             time_to_resolve_seconds AS ttr, time_to_resolve_business_seconds AS ttrb, repeat_friction, reopen_count,
             cart_value, ${responseBucket(sql.identifier(['first_response_seconds']))} AS bucket
      FROM incidences WHERE ${resolvedIn(b)}
    )
    SELECT day, GROUPING(ttr, ttrb, cat, outcome, impact, bucket)::int AS g, ttr, ttrb, cat, outcome, impact, bucket,
           count(*)::int AS n, count(*) FILTER (WHERE outcome = 'CONVERTED')::int AS converted,
           count(*) FILTER (WHERE repeat_friction)::int AS repeats, count(*) FILTER (WHERE reopen_count > 0)::int AS reopened,
           count(*) FILTER (WHERE outcome = 'DROPPED')::int AS dropped,
           COALESCE(sum(${paise(sql.identifier(['cart_value']))}) FILTER (WHERE outcome = 'DROPPED'), 0)::float8 AS dropped_paise
    FROM r GROUP BY GROUPING SETS ((day), (day, ttr), (day, ttrb), (day, cat), (day, outcome), (day, impact), (day, bucket))`,
  );
  for (const r of rows) {
    const d = get(r.day);
    if (r.g === RESOLUTION_SETS.all) {
      Object.assign(d, {
        closed: r.n,
        converted: r.converted,
        repeats: r.repeats,
        reopened: r.reopened,
        dropped: r.dropped,
      });
      d.droppedCartValuePaise = r.dropped_paise;
    } else if (r.g === RESOLUTION_SETS.ttr && r.ttr !== null) d.timeToResolve.push([r.ttr, r.n]);
    else if (r.g === RESOLUTION_SETS.ttrb && r.ttrb !== null) d.timeToResolveBusiness.push([r.ttrb, r.n]);
    else if (r.g === RESOLUTION_SETS.cat && r.cat !== null) d.categories.push([r.cat, r.n]);
    else if (r.g === RESOLUTION_SETS.outcome) d.outcomes.push([r.outcome!, r.n]);
    else if (r.g === RESOLUTION_SETS.impact) d.impact.push([r.impact!, r.n]);
    else if (r.g === RESOLUTION_SETS.bucket) d.conversion.push([r.bucket!, r.n, r.converted]);
  }
}

async function countFriction(db: CommonQueryMethods, b: B, get: Get) {
  const rows = await db.any(sql.type(z.object({ day: text, name: text, n: int }))`
    SELECT ${dayOf('created_at')} AS day, ${frictionSignalName} AS name, count(*)::int AS n
    FROM friction_signals WHERE ${range('created_at', b)} GROUP BY 1, 2`);
  for (const r of rows) get(r.day).frictionSignals.push([r.name, r.n]);
}

async function countResponses(db: CommonQueryMethods, b: B, get: Get) {
  const rows = await db.any(
    sql.type(z.object({ day: text, kind: text, g: int, seconds: int.nullable(), business: int.nullable(), n: int }))`
    WITH r AS (SELECT ${dayOf('answered_at')} AS day, kind, seconds, business_seconds FROM response_times WHERE ${range('answered_at', b)})
    SELECT day, kind, GROUPING(seconds, business_seconds)::int AS g, seconds, business_seconds AS business, count(*)::int AS n
    FROM r GROUP BY GROUPING SETS ((day, kind, seconds), (day, kind, business_seconds))`,
  );
  for (const r of rows) {
    const d = get(r.day);
    const first = r.kind === 'FIRST';
    if (r.g === 1) (first ? d.firstResponse : d.nextResponse).push([r.seconds!, r.n]);
    else (first ? d.firstResponseBusiness : d.nextResponseBusiness).push([r.business!, r.n]);
  }
}

async function countSlas(db: CommonQueryMethods, b: B, get: Get) {
  const rows = await db.any(sql.type(z.object({ day: text, dimension: text, name: text, met: int, missed: int }))`
    WITH s AS MATERIALIZED (
      SELECT ${dayOf('settled_at')} AS day, t.status, ${slaDimensions}
      FROM sla_targets t JOIN incidences i ON i.id = t.incidence_id
      WHERE t.status IN ('MET', 'MISSED') AND ${range('settled_at', b)}
    )
    SELECT day, d.dimension, d.name, count(*) FILTER (WHERE status = 'MET')::int AS met,
           count(*) FILTER (WHERE status = 'MISSED')::int AS missed
    FROM s CROSS JOIN LATERAL (VALUES ${sql.join(
      Object.entries(SLA_DIMENSION_COLUMNS).map(
        ([dim, column]) => sql.fragment`(${dim}, ${sql.identifier(['s', column])})`,
      ),
      sql.fragment`, `,
    )}) AS d (dimension, name)
    GROUP BY 1, 2, 3`);
  for (const r of rows) get(r.day).sla.push([r.dimension as SlaDimension, r.name, r.met, r.missed]);
}

// --- storage ----------------------------------------------------------------------------------------

const storedDay = z.object({ date: text, figures: z.any().nullable(), stale: z.boolean() });

/**
 * The stored rollups of the given days that are neither missing nor stale (as this transaction sees them); with
 * 'orders', only their orders and repeat friction issues (what the trend and the baseline week read).
 */
async function readFreshDays(db: CommonQueryMethods, dates: string[], part: Part): Promise<Map<string, DayRollup>> {
  const figures =
    part === 'all'
      ? sql.fragment`d.figures`
      : sql.fragment`jsonb_build_object('orders', d.figures->'orders', 'repeats', d.figures->'repeats')`;
  const rows = await db.any(sql.type(storedDay)`
    SELECT to_char(d.date, 'YYYY-MM-DD') AS date, ${figures} AS figures,
           EXISTS (SELECT 1 FROM report_days_stale s WHERE s.date = d.date) AS stale
    FROM report_days d
    WHERE d.date = ANY(${sql.array(dates, 'date')})`);
  return new Map(rows.filter((r) => !r.stale).map((r) => [r.date, r.figures as DayRollup]));
}

type Part = 'all' | 'orders';

/**
 * Rollups of the given days, in order: fresh ones as stored, the others counted from raw rows in this transaction.
 * With 'orders', a stored day carries only its orders and repeats.
 */
export async function readDays(db: CommonQueryMethods, dates: string[], part: Part = 'all'): Promise<DayRollup[]> {
  const fresh = await readFreshDays(db, dates, part);
  const counted = await countDays(
    db,
    dates.filter((d) => !fresh.has(d)),
  );
  return dates.map((d) => fresh.get(d) ?? counted.get(d)!);
}

/** Days refreshed in one transaction: a week of rows per statement stays well inside the statement timeout. */
const REFRESH_CHUNK_DAYS = 7;

/**
 * Counts again and stores the given days that are stale or have no rollup (all of them with `force`); returns the
 * days refreshed. A transaction per week of days: the stale marks it sees are deleted first; a change it does not
 * see keeps its own mark.
 */
export async function refreshDays(pool: DatabasePool, dates: string[], force = false): Promise<string[]> {
  const sorted = force ? [...new Set(dates)].sort() : await staleOrMissing(pool, dates);
  const refreshed: string[] = [];
  for (let i = 0; i < sorted.length; i += REFRESH_CHUNK_DAYS)
    refreshed.push(...(await refreshChunk(pool, sorted.slice(i, i + REFRESH_CHUNK_DAYS), force)));
  return refreshed;
}

/** Of the given days, those stale or without a rollup, sorted (one query: the common answer is none). */
async function staleOrMissing(db: CommonQueryMethods, dates: string[]): Promise<string[]> {
  const found = await db.anyFirst(sql.type(z.object({ date: text }))`
    SELECT to_char(d, 'YYYY-MM-DD') AS date FROM unnest(${sql.array(dates, 'date')}) AS d
    WHERE d IN (SELECT date FROM report_days_stale) OR d NOT IN (SELECT date FROM report_days) ORDER BY 1`);
  return [...new Set(found)];
}

async function refreshChunk(pool: DatabasePool, dates: string[], force: boolean): Promise<string[]> {
  return pool.transaction(async (tx) => {
    await tx.query(sql.unsafe`SET LOCAL jit = off`);
    const unmarked = await tx.anyFirst(sql.type(z.object({ date: text }))`
      DELETE FROM report_days_stale WHERE date = ANY(${sql.array(dates, 'date')}) RETURNING to_char(date, 'YYYY-MM-DD') AS date`);
    const stored = await tx.anyFirst(sql.type(z.object({ date: text }))`
      SELECT to_char(date, 'YYYY-MM-DD') AS date FROM report_days WHERE date = ANY(${sql.array(dates, 'date')})`);
    const have = new Set(stored);
    const wanted = force ? dates : dates.filter((d) => unmarked.includes(d) || !have.has(d));
    if (wanted.length === 0) return [];
    const counted = await countDays(tx, wanted);
    await storeDays(tx, counted);
    return [...counted.keys()].sort();
  });
}

/** Upserts days' rollups. */
async function storeDays(db: CommonQueryMethods, days: Map<string, DayRollup>): Promise<void> {
  for (const [date, d] of days)
    await db.query(sql.unsafe`
      INSERT INTO report_days (date, figures, computed_at) VALUES (${date}::date, ${sql.jsonb(d as never)}, NOW())
      ON CONFLICT (date) DO UPDATE SET figures = EXCLUDED.figures, computed_at = NOW()`);
}

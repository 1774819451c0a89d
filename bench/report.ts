/**
 * The weekly report (with response times, SLAs met and commerce figures, read from day rollups) against a large
 * scratch database, beside the straightforward method (fetch every row of the week into the process and count
 * there, primary metrics only), in the same run. The cold report must take no longer than counting in Node.
 *   npm run bench:report -- --incidences 1000000 --orders 300000 --weeks 8 --runs 3
 * Creates a scratch database `slo_bench_<pid>_<random>` (bench/scratch.ts), migrated; bulk-loads with generate_series, runs ANALYZE,
 * times, and drops it (unless --keep).
 */
import 'dotenv/config';
import { loadavg, cpus } from 'node:os';
import { Client } from 'pg';
import { createPool, sql } from 'slonik';
import { linkAssists } from '../stores/order-store';
import { markRepeatFriction } from '../stores/repeat-friction-store';
import { computeAndStoreWeeklyReport, computeWeeklyReport } from '../activities/weekly-report';
import { daysOfWeek } from '../domain/reports/iso-week';
import { refreshDays } from '../stores/report-days';
import { periodFigures } from '../stores/report-figures';
import { addWeeks, isoWeekOf, previousWeek, weekBounds } from '../domain/reports/iso-week';
import { loadConfig } from '../infra/config';
import { createDatabasePool } from '../infra/db';
import { loadIncidences, loadOrders, loadResponses } from './report-data';
import { scratchDatabase } from './scratch';
import { flag } from './table';

async function main(): Promise<void> {
  const config = loadConfig();
  const incidences = flag('incidences', 1_000_000);
  const orders = flag('orders', 300_000);
  const weeks = flag('weeks', 8);
  const runs = flag('runs', 3);
  const reportWeek = previousWeek(isoWeekOf(new Date()));
  const spanEnd = weekBounds(reportWeek).end;
  const spanStart = weekBounds(addWeeks(reportWeek, -(weeks - 1))).start;

  const scratch = await scratchDatabase('slo_bench');
  const { name } = scratch;
  const url = new URL(scratch.url);
  const db = new Client({ connectionString: url.toString() });
  const pool = await createDatabasePool(url.toString(), 2);
  // Bulk steps (backfills over every row) may take longer than the application's statement timeout.
  const bulk = await createPool(url.toString(), { maximumPoolSize: 1, statementTimeout: 'DISABLE_TIMEOUT' });
  const timings: Array<{ step: string; ms: number; note?: string }> = [];
  const time = async <T>(step: string, fn: () => Promise<T>, note?: (r: T) => string): Promise<T> => {
    const start = performance.now();
    const result = await fn();
    timings.push({ step, ms: Math.round(performance.now() - start), note: note?.(result) });
    return result;
  };
  try {
    await db.connect();
    console.error(
      `loading ${incidences} incidences and ${orders} orders over ${weeks} weeks ending ${reportWeek} into ${name}…`,
    );
    await time('load incidences', () => loadIncidences(db, incidences, spanStart, spanEnd));
    await time('flag repeat friction issues (backfill, one statement)', () =>
      markRepeatFriction(bulk, sql.fragment`TRUE`),
    );
    await time('load orders + friction signals', () => loadOrders(db, orders, spanStart, spanEnd));
    await time(
      'link assisted orders (backfill, one statement)',
      () => linkAssists(bulk, { orders: sql.fragment`TRUE`, incidences: sql.fragment`TRUE` }, 24 * 3_600_000),
      (n) => `${n} links`,
    );
    await time('load response times + SLA targets', () => loadResponses(db));
    // Statistics, as autovacuum keeps them on a live database (the rollups' plans depend on them).
    await time('ANALYZE', () => db.query('ANALYZE'));
    const spanDays = Array.from({ length: weeks }, (_, i) => addWeeks(reportWeek, i - weeks + 1)).flatMap(daysOfWeek);
    await time(
      'day rollups (the daily aggregation, every day of the span)',
      () => refreshDays(bulk, spanDays, true),
      (d) => `${d.length} days`,
    );
    // What autovacuum does on a live database: statistics, and the visibility map that index-only scans rely on.
    await time('VACUUM ANALYZE', () => db.query('VACUUM ANALYZE'));

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const timeReport = async () => {
      const ms: number[] = [];
      let summary = '';
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        const report = await computeWeeklyReport(pool, reportWeek, config.AGENT_HOURLY_RATE);
        ms.push(performance.now() - start);
        summary = `${report.figures.totalOrders} orders, ${report.figures.assistedOrders} assisted, ${report.figures.incidences} incidences, ${report.figures.closedIncidences} resolved; previous week ${report.previousWeek.source}`;
      }
      return { ms, summary };
    };
    // Cold: nothing stored, the previous and baseline weeks are counted too.
    const cold = await timeReport();
    // Steady state, as in production: the Monday runs stored the previous weeks' final reports.
    for (const week of [previousWeek(reportWeek), addWeeks(reportWeek, -4)])
      await computeAndStoreWeeklyReport(pool, week, config.AGENT_HOURLY_RATE);
    const steady = await timeReport();
    const rawStart = performance.now();
    const rawWeek = await periodFigures(pool, weekBounds(reportWeek));
    const rawMs = performance.now() - rawStart;
    const prdMs: number[] = [];
    let prdNote = '';
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      prdNote = await prdMethod(db, weekBounds(reportWeek), config.AGENT_HOURLY_RATE);
      prdMs.push(performance.now() - start);
    }
    console.table(timings.map((t) => ({ step: t.step, ms: t.ms, note: t.note ?? '' })));
    console.table([
      {
        method: 'whole report with new metrics, cold (no stored reports; 8 weeks of day rollups)',
        'first ms': Math.round(cold.ms[0]!),
        'median ms': Math.round(median(cold.ms)),
        result: cold.summary,
      },
      {
        method: 'whole report, steady state (previous weeks stored by the Monday runs)',
        'first ms': Math.round(steady.ms[0]!),
        'median ms': Math.round(median(steady.ms)),
        result: steady.summary,
      },
      {
        method: "the same week's figures counted from raw rows (no rollups; one run)",
        'first ms': Math.round(rawMs),
        'median ms': Math.round(rawMs),
        result: `${rawWeek.closedIncidences} resolved, first response p50 ${rawWeek.support.firstResponse.calendar.p50Seconds} s`,
      },
      {
        method: "count in Node (fetch the week's rows; primary metrics only)",
        'first ms': Math.round(prdMs[0]!),
        'median ms': Math.round(median(prdMs)),
        result: prdNote,
      },
    ]);
    const verdict = median(cold.ms) <= median(prdMs) ? 'OK' : 'TOO SLOW';
    console.log(
      `machine: ${cpus().length} cores, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (other processes share the cores)`,
    );
    console.log(
      `report ${reportWeek}: cold median ${Math.round(median(cold.ms))} ms, steady median ${Math.round(median(steady.ms))} ms over ${runs} runs; counting in Node: median ${Math.round(median(prdMs))} ms (cold must not be slower): ${verdict}`,
    );
    if (verdict !== 'OK') process.exitCode = 1;
  } finally {
    await pool.end();
    await bulk.end();
    await db.end().catch(() => undefined);
    if (process.argv.includes('--keep')) console.error(`kept ${name}`);
    else await scratch.drop();
  }
}

/** The straightforward method: load the week's incidences and orders, then count, average and rank in the process. */
async function prdMethod(db: Client, bounds: { start: string; end: string }, rate: number): Promise<string> {
  const incidences = (
    await db.query(
      `SELECT outcome, time_to_resolve_seconds, issue_category FROM incidences WHERE created_at >= $1 AND created_at < $2`,
      [bounds.start, bounds.end],
    )
  ).rows as Array<{ outcome: string; time_to_resolve_seconds: number | null; issue_category: string | null }>;
  const orders = (
    await db.query(
      `SELECT o.order_id, EXISTS (SELECT 1 FROM order_assists a WHERE a.order_id = o.order_id) AS has_incidence
       FROM orders o WHERE o.event = 'PLACED' AND o.placed_at >= $1 AND o.placed_at < $2`,
      [bounds.start, bounds.end],
    )
  ).rows as Array<{ has_incidence: boolean }>;
  const total = orders.length;
  const withHelp = orders.filter((o) => o.has_incidence).length;
  const resolved = incidences.filter((i) => i.outcome !== 'IN_PROGRESS');
  const seconds = resolved.reduce((s, i) => s + (i.time_to_resolve_seconds ?? 0), 0);
  const counts = new Map<string | null, number>();
  for (const i of incidences) counts.set(i.issue_category, (counts.get(i.issue_category) ?? 0) + 1);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
  const cost = (seconds / 3600) * rate;
  return `${incidences.length + orders.length} rows fetched; ${total} orders, ${withHelp} with help, ${resolved.length} resolved, top "${top[0]?.[0]}", cost/assisted ${withHelp ? (cost / withHelp).toFixed(2) : 'n/a'}`;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

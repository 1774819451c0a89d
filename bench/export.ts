/**
 * The per-incidence export over HTTP (the real analytics router) against PostgreSQL's own
 * COPY (SELECT …) TO STDOUT of the same rows, in the same run, and how much the process grows meanwhile.
 *   npm run bench:export -- --incidences 1000000 --orders 300000 --weeks 8
 * Required: each format at no less than half COPY's rows per second, and the process growing by less than 50 MB.
 * Creates a scratch database (bench/scratch.ts) and drops it (unless --keep).
 */
import 'dotenv/config';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { loadavg, cpus } from 'node:os';
import Koa from 'koa';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { createPool, sql } from 'slonik';
import { analyticsRouter } from '../api/analytics-routes';
import { jsonErrors } from '../api/errors';
import { addWeeks, isoWeekOf, istDateOf, previousWeek, weekBounds } from '../domain/reports/iso-week';
import { createDatabasePool } from '../infra/db';
import { linkAssists } from '../stores/order-store';
import { copyStatement, exportSelect, startedBetween, type ExportFormat } from '../stores/incidence-export';
import { loadIncidences, loadOrders, loadResponses } from './report-data';
import { scratchDatabase } from './scratch';
import { flag } from './table';

const TOKEN = 'bench-admin-token';
const MB = 1024 * 1024;

/** Counts bytes and lines of a stream it swallows. */
const counter = () => {
  const seen = { bytes: 0, lines: 0 };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      seen.bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) seen.lines++;
      done();
    },
  });
  return { seen, sink };
};

/** Peak resident memory above the level when it started, sampled every 20 ms. */
function rssGrowth() {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  return () => {
    clearInterval(timer);
    return (Math.max(peak, process.memoryUsage().rss) - base) / MB;
  };
}

async function copyBaseline(url: string, statement: string) {
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(`SET TimeZone = 'UTC'; SET jit = off`);
  const { seen, sink } = counter();
  const start = performance.now();
  await pipeline(client.query(copyTo(statement)), sink);
  const ms = performance.now() - start;
  await client.end();
  return { ms, ...seen };
}

/** Reads the export over HTTP (node:http, so the client adds little of its own to the process's memory). */
async function httpExport(base: string, format: ExportFormat, from: string, to: string) {
  const grown = rssGrowth();
  const start = performance.now();
  const { seen, sink } = counter();
  await new Promise<void>((resolve, reject) => {
    const req = get(
      `${base}/api/v1/analytics/incidences.${format}?from=${from}&to=${to}`,
      { headers: { authorization: `Bearer ${TOKEN}` } },
      (res) => {
        if (res.statusCode !== 200) reject(new Error(`export answered ${res.statusCode}`));
        pipeline(res, sink).then(resolve, reject);
      },
    );
    req.once('error', reject);
  });
  const ms = performance.now() - start;
  return { ms, ...seen, growthMb: grown() };
}

async function main(): Promise<void> {
  const incidences = flag('incidences', 1_000_000);
  const orders = flag('orders', 300_000);
  const weeks = flag('weeks', 8);
  const lastWeek = previousWeek(isoWeekOf(new Date()));
  const span = { start: weekBounds(addWeeks(lastWeek, -(weeks - 1))).start, end: weekBounds(lastWeek).end };
  const from = istDateOf(span.start);
  const to = istDateOf(new Date(Date.parse(span.end) - 1));

  const scratch = await scratchDatabase('slo_bench_export');
  const db = new Client({ connectionString: scratch.url });
  const bulk = await createPool(scratch.url, { maximumPoolSize: 1, statementTimeout: 'DISABLE_TIMEOUT' });
  const pool = await createDatabasePool(scratch.url, 2);
  const app = new Koa();
  app.use(jsonErrors);
  const router = analyticsRouter({ pool, auth: { adminToken: TOKEN }, databaseUrl: scratch.url });
  app.use(router.routes()).use(router.allowedMethods());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await db.connect();
    console.error(`loading ${incidences} incidences over ${weeks} weeks (${from} to ${to}) into ${scratch.name}…`);
    await loadIncidences(db, incidences, span.start, span.end);
    await loadOrders(db, orders, span.start, span.end);
    await linkAssists(bulk, { orders: sql.fragment`TRUE`, incidences: sql.fragment`TRUE` }, 24 * 3_600_000);
    await loadResponses(db);
    await db.query('VACUUM ANALYZE');

    const results: Array<Record<string, string | number>> = [];
    const verdicts: string[] = [];
    for (const format of ['csv', 'ndjson'] as const) {
      const copy = await copyBaseline(
        scratch.url,
        copyStatement(exportSelect(startedBetween(from, to), format), 'csv'),
      );
      const exported = await httpExport(base, format, from, to);
      const copyRows = copy.lines - 1; // its header
      const rows = format === 'csv' ? exported.lines - 1 : exported.lines;
      const copyRate = copyRows / (copy.ms / 1000);
      const rate = rows / (exported.ms / 1000);
      const ratio = rate / copyRate;
      results.push(
        {
          method: 'COPY (SELECT …) TO STDOUT, CSV (same rows)',
          rows: copyRows,
          ms: Math.round(copy.ms),
          MB: Math.round(copy.bytes / MB),
          'rows/s': Math.round(copyRate),
          'process growth MB': '',
        },
        {
          method: `export over HTTP, ${format}`,
          rows,
          ms: Math.round(exported.ms),
          MB: Math.round(exported.bytes / MB),
          'rows/s': Math.round(rate),
          'process growth MB': exported.growthMb.toFixed(1),
        },
      );
      if (rows !== incidences) verdicts.push(`${format}: ${rows} rows exported, ${incidences} expected`);
      if (ratio < 0.5)
        verdicts.push(`${format}: ${(ratio * 100).toFixed(0)} % of COPY's speed (at least 50 % required)`);
      if (exported.growthMb >= 50)
        verdicts.push(`${format}: the process grew ${exported.growthMb.toFixed(1)} MB (under 50 required)`);
      console.error(`${format}: ${(ratio * 100).toFixed(0)} % of COPY's rows per second`);
    }
    console.table(results);
    console.log(
      `machine: ${cpus().length} cores, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log(verdicts.length === 0 ? 'export: OK' : `export: TOO SLOW OR TOO BIG\n  ${verdicts.join('\n  ')}`);
    if (verdicts.length) process.exitCode = 1;
  } finally {
    server.close();
    await pool.end();
    await bulk.end();
    await db.end().catch(() => undefined);
    if (process.argv.includes('--keep')) console.error(`kept ${scratch.name}`);
    else await scratch.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

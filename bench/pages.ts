/**
 * The managers' pages over HTTP (the real page router and stores) on a scratch database seeded with generate_series
 * (in batches, bench/support/page-data.ts):
 * the overview with 10,000 open conversations, and the incidences list over 1,000,000 incidences (first page, a page
 * half-way down the list and the page before it, the largest-cart order deep in the list both ways, and a filtered
 * list).
 *   npm run bench:pages -- --incidences 1000000 --open 10000 --rounds 30
 * Required: each page's server time (handler, p95) under 300 ms. Prints a table and a JSON line.
 * Creates a scratch database (bench/scratch.ts) and drops it (unless --keep).
 */
import 'dotenv/config';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { sql } from 'slonik';
import { z } from 'zod';
import { createManagerPages } from '../api/manager-pages';
import { encodeCursor } from '../domain/reports/incidence-filters';
import { createDatabasePool } from '../infra/db';
import type { AgentNames } from '../clients/agent-names';
import { scratchDatabase } from './scratch';
import { seedIncidences } from './support/page-data';
import { flag, percentile, printTable, type BenchRow } from './table';

const LIMIT_MS = 300;

async function main() {
  const incidences = flag('incidences', 1_000_000);
  const open = flag('open', 10_000);
  const rounds = flag('rounds', 30);
  const scratch = await scratchDatabase('bench_pages');
  const pool = await createDatabasePool(scratch.url, 4);
  try {
    const seedStart = Date.now();
    await seedIncidences(pool, incidences, open);
    const seedSeconds = (Date.now() - seedStart) / 1000;

    const names: AgentNames = {
      namesOf: async (ids) => new Map([...ids].flatMap((id) => (id ? [[id, `Agent ${id}`] as [string, string]] : []))),
      all: async () => new Map(Array.from({ length: 40 }, (_, i) => [`agent-${i}`, `Agent ${i}`])),
    };
    const app = new Koa();
    const serverMs: number[] = [];
    app.use(async (ctx, next) => {
      const start = process.hrtime.bigint();
      await next();
      serverMs.push(Number(process.hrtime.bigint() - start) / 1e6);
    });
    const pages = createManagerPages(
      {
        pool,
        agentNames: names,
        databaseUrl: scratch.url,
        temporalUiUrl: 'http://temporal.example',
        namespace: 'default',
      },
      {
        requirePerson: () => (ctx, next) => (
          (ctx.state.person = { email: 'bench@example.com', role: 'viewer' }),
          next()
        ),
      },
    );
    app.use(pages.routes());
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const keyAt = async (order: 'created' | 'cart', offset: number) => {
      const row = await pool.one(sql.type(z.object({ key: z.union([z.string(), z.number()]), id: z.string() }))`
        SELECT ${order === 'created' ? sql.fragment`to_json(created_at)#>>'{}'` : sql.fragment`COALESCE(cart_value, -1)::float8`} AS key, id::text
        FROM incidences
        ORDER BY ${order === 'created' ? sql.fragment`created_at` : sql.fragment`COALESCE(cart_value, -1)`} DESC, id DESC
        OFFSET ${offset} LIMIT 1`);
      return encodeCursor(row);
    };
    const half = Math.floor(incidences / 2);
    const cases: Array<[string, string]> = [
      ['overview (open conversations)', '/overview'],
      ['overview, agent and cart tier filters', '/overview?agent=agent-3&tier=3'],
      ['overview, page 20 of the open list', `/overview?after=${await overviewCursor(pool, 19 * 50)}`],
      ['incidences, first page', '/incidences'],
      [`incidences, page at row ${half.toLocaleString('en-IN')}`, `/incidences?after=${await keyAt('created', half)}`],
      [
        `incidences, previous page from row ${half.toLocaleString('en-IN')}`,
        `/incidences?before=${await keyAt('created', half)}`,
      ],
      [
        'incidences by cart, deep page',
        `/incidences?sort=cart&after=${await keyAt('cart', Math.floor(incidences * 0.8))}`,
      ],
      [
        'incidences by cart, deep previous page',
        `/incidences?sort=cart&before=${await keyAt('cart', Math.floor(incidences * 0.8))}`,
      ],
      [
        'incidences, agent and month filters',
        '/incidences?agent=agent-7&outcome=DROPPED&from=2026-01-01&to=2026-01-31',
      ],
      [
        'incidence drill-down',
        `/incidences/${await pool.oneFirst(sql.type(z.object({ id: z.string() }))`SELECT id::text FROM incidences ORDER BY created_at DESC LIMIT 1`)}`,
      ],
    ];
    const rows: Array<BenchRow & { serverP95: number }> = [];
    for (const [name, path] of cases) {
      for (let i = 0; i < 3; i++) await fetch(base + path).then((r) => r.text()); // warm-up
      serverMs.length = 0;
      const total: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const start = performance.now();
        const res = await fetch(base + path);
        await res.text();
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
        total.push(performance.now() - start);
      }
      rows.push({
        name: `${name} (server)`,
        requests: rounds,
        p50: percentile(serverMs, 50),
        p95: percentile(serverMs, 95),
        p99: percentile(serverMs, 99),
        serverP95: percentile(serverMs, 95),
      });
      rows.push({
        name: `${name} (client)`,
        requests: rounds,
        p50: percentile(total, 50),
        p95: percentile(total, 95),
        p99: percentile(total, 99),
      } as BenchRow & { serverP95: number });
    }
    server.close();
    console.log(
      `seeded ${incidences.toLocaleString('en-IN')} incidences (${open.toLocaleString('en-IN')} open) in ${seedSeconds.toFixed(0)} s`,
    );
    printTable(rows);
    const server95 = rows.filter((r) => r.name.endsWith('(server)'));
    const pass = server95.every((r) => r.serverP95 < LIMIT_MS);
    console.log(
      pass
        ? `every page under ${LIMIT_MS} ms server time (p95)`
        : `SLOWER than ${LIMIT_MS} ms (p95): ${server95
            .filter((r) => r.serverP95 >= LIMIT_MS)
            .map((r) => r.name)
            .join(', ')}`,
    );
    console.log(
      JSON.stringify({
        bench: 'pages',
        incidences,
        open,
        rounds,
        limitMs: LIMIT_MS,
        pass,
        serverP95Ms: Object.fromEntries(
          server95.map((r) => [r.name.replace(' (server)', ''), Math.round(r.serverP95 * 10) / 10]),
        ),
      }),
    );
    if (!pass) process.exitCode = 1;
  } finally {
    await pool.end();
    if (!process.argv.includes('--keep')) await scratch.drop();
  }
}

/** The cursor of the open list (largest cart first) after `offset` rows. */
async function overviewCursor(pool: Awaited<ReturnType<typeof createDatabasePool>>, offset: number) {
  const row = await pool.one(sql.type(z.object({ key: z.number(), id: z.string() }))`
    SELECT COALESCE(cart_value, -1)::float8 AS key, id::text FROM incidences WHERE outcome = 'IN_PROGRESS'
    ORDER BY COALESCE(cart_value, -1) DESC, id DESC OFFSET ${offset} LIMIT 1`);
  return encodeCursor(row);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

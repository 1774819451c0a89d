/**
 * Screen updates per second through the whole app API (auth, validation, Lua update, friction, score write),
 * next to the same machine's bare Koa + Redis ceiling (one HINCRBY per request), measured in the same run.
 * Starts everything in-process against a scratch Redis prefix and a scratch database; Temporal is not needed
 * (pass --sync 1 to include the context-sync signals, which needs Temporal at TEMPORAL_ADDRESS).
 *   npm run bench:context -- --duration 10 --connections 32 --users 100
 */
import './quiet';
import 'dotenv/config';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import Koa from 'koa';
import { SignJWT } from 'jose';
import { Client as PgClient } from 'pg';
import { createApp } from '../api/app';
import { createContextSyncGateway } from '../gateways/context-sync-gateway';
import { createConversationGateway } from '../gateways/conversation-gateway';
import { loadConfig } from '../infra/config';
import { createDatabasePool } from '../infra/db';
import { ensureDatabase, migrate } from '../infra/migrator';
import { createRedis } from '../infra/redis';
import { createTemporalClient } from '../infra/temporal';
import { flag, printTable, type BenchRow } from './table';
import { settingsFrom } from '../infra/settings';

const SCREENS = ['HOME', 'MENU_BROWSE', 'GUEST_COUNT', 'CART', 'CHECKOUT', 'PAYMENT'];

async function main(): Promise<void> {
  const duration = flag('duration', 10);
  const connections = flag('connections', 32);
  const users = flag('users', 100);
  const withSync = flag('sync', 0) === 1;
  const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const base = loadConfig();
  const databaseUrl = new URL(base.DATABASE_URL);
  databaseUrl.pathname = `/slo_bench_${runId}`;
  const jwtSecret = 'bench-secret-0123456789abcdef0123456789';
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: databaseUrl.toString(),
    REDIS_KEY_PREFIX: `slo-bench:${runId}:`,
    APP_JWT_SECRET: jwtSecret,
    LOG_LEVEL: 'error',
    // The benchmark measures throughput: a few users send far more than a person would.
    RATE_LIMIT_CONTEXT_WRITES: '0',
    RATE_LIMIT_FRICTION_SIGNALS: '0',
  });

  await ensureDatabase(config.DATABASE_URL);
  await migrate(config.DATABASE_URL);
  const pool = await createDatabasePool(config.DATABASE_URL, 5);
  const redis = createRedis(config.REDIS_URL);
  const temporal = createTemporalClient({
    address: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    payloadKeys: config.TEMPORAL_PAYLOAD_KEYS,
  });
  const servers: Server[] = [];
  const listen = async (app: Koa) => {
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  try {
    const ceiling = new Koa();
    ceiling.use(async (ctx) => {
      ctx.body = { n: await redis.hincrby(`${config.REDIS_KEY_PREFIX}ceiling:${ctx.path}`, 'n', 1) };
    });
    const ceilingUrl = await listen(ceiling);
    const api = createApp({
      settings: settingsFrom(config),
      conversations: createConversationGateway(temporal, settingsFrom(config)),
      temporal,
      pool,
      redis,
      contextSync: withSync ? createContextSyncGateway(temporal, settingsFrom(config)) : undefined,
    });
    const apiUrl = await listen(api);

    const key = new TextEncoder().encode(jwtSecret);
    const tokens = await Promise.all(
      Array.from({ length: users }, (_, i) =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(`bench_${i}`)
          .setIssuedAt()
          .setExpirationTime('2h')
          .sign(key),
      ),
    );

    let n = 0;
    const rows: BenchRow[] = [];
    rows.push(
      await measure('bare Koa + Redis HINCRBY (ceiling)', ceilingUrl, duration, connections, (req) => ({
        ...req,
        method: 'PUT',
        path: `/u${n++ % users}`,
      })),
    );
    rows.push(
      await measure(
        `PUT /api/v1/context/:id/screen${withSync ? ' (+ sync signals)' : ''}`,
        apiUrl,
        duration,
        connections,
        (req) => {
          const i = n++;
          const user = i % users;
          return {
            ...req,
            method: 'PUT',
            path: `/api/v1/context/bench_${user}/screen`,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[user]}` },
            body: JSON.stringify({
              screen_name: SCREENS[i % SCREENS.length],
              is_back_navigation: i % 3 === 0,
              time_on_previous_seconds: 4.2,
            }),
          };
        },
      ),
    );
    printTable(rows);
    const [bare, full] = rows;
    console.log(
      `full API / ceiling: ${((100 * full!.reqPerSec!) / bare!.reqPerSec!).toFixed(0)} % of the bare Koa + Redis throughput`,
    );
    console.log(
      `${duration}s per row, ${connections} connections, ${users} users; autocannon runs in the same process (2 shared cores)`,
    );
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    const keys = await redis.keys(`${config.REDIS_KEY_PREFIX}*`);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    await Promise.allSettled([redis.quit(), pool.end(), temporal.connection.close()]);
    const adminUrl = new URL(databaseUrl);
    adminUrl.pathname = '/postgres';
    const admin = new PgClient({ connectionString: adminUrl.toString() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${databaseUrl.pathname.slice(1)} WITH (FORCE)`);
    await admin.end();
  }
}

type Setup = (request: autocannon.Request) => autocannon.Request;

async function measure(
  name: string,
  url: string,
  duration: number,
  connections: number,
  setupRequest: Setup,
): Promise<BenchRow> {
  await autocannon({ url, connections, duration: 1, requests: [{ setupRequest }] }); // warm-up
  const result = await autocannon({ url, connections, duration, requests: [{ setupRequest }] });
  if (result.non2xx > 0 || result.errors > 0)
    console.warn(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return {
    name,
    requests: result.requests.total,
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p95: NaN,
    p99: result.latency.p99,
  };
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

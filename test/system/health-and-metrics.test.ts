import { createServer, type Server, type AddressInfo } from 'node:net';
import { sql } from 'slonik';
import { createApp } from '../../api/app';
import { testRunId } from '../support/database';
import { listenGracefully, type GracefulServer } from '../../api/http-server';
import { createMetricsApp } from '../../api/metrics';
import { createConversationGateway } from '../../gateways/conversation-gateway';
import { createDatabasePool } from '../../infra/db';
import { createRedis } from '../../infra/redis';
import { createTemporalClient } from '../../infra/temporal';
import { fixtureFor, uniqueConversationId } from '../support/conversations';
import { hmacSign, postWebhook } from '../support/signing';
import { startTestSystem, withListening, type TestSystem } from '../support/system';

const NO_SUCH_ROLE = `readiness_probe_${testRunId().replace(/-/g, '_')}`;

/** A pool whose role PostgreSQL stops letting in: every new connection's error names the role, host and database. */
async function poolRefusedByPostgresql() {
  await system.pool.query(sql.unsafe`CREATE ROLE ${sql.identifier([NO_SUCH_ROLE])} LOGIN SUPERUSER`);
  const url = new URL(system.config.DATABASE_URL);
  url.username = NO_SUCH_ROLE;
  const pool = await createDatabasePool(url.toString(), 1);
  await system.pool.query(sql.unsafe`ALTER ROLE ${sql.identifier([NO_SUCH_ROLE])} NOLOGIN`);
  await system.pool.query(
    sql.unsafe`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ${NO_SUCH_ROLE}`,
  );
  return pool;
}
/** READINESS_TIMEOUT of the APIs below. */
const READINESS_TIMEOUT_MS = 1000;
const SPEC_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';
let system: TestSystem;
/**
 * Accepts TCP connections and never answers: a Redis that hangs rather than refuses. It reads what it is sent, so a
 * client's close ends the connection (an unread socket never sees the close, and would keep jest's worker alive).
 */
let blackhole: Server;
let blackholePort: number;

beforeAll(async () => {
  system = await startTestSystem({}, { worker: false });
  blackhole = createServer((socket) => socket.resume());
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
  blackholePort = (blackhole.address() as AddressInfo).port;
});
afterAll(async () => {
  await system.stop();
  blackhole.close();
});

const getJson = async (baseUrl: string, path: string) => {
  const res = await fetch(`${baseUrl}${path}`);
  return { status: res.status, json: (await res.json()) as Record<string, any> };
};

/** An API like the system's, with some dependencies replaced by unreachable ones, on its own port. */
async function withBrokenApi<T>(
  broken: { postgresql?: boolean; redis?: boolean; temporal?: boolean },
  run: (baseUrl: string) => Promise<T>,
): Promise<T> {
  const settings = { ...system.settings, http: { ...system.settings.http, readinessTimeoutMs: READINESS_TIMEOUT_MS } };
  const pool = broken.postgresql ? await poolRefusedByPostgresql() : system.pool;
  const redis = broken.redis ? createRedis(`redis://127.0.0.1:${blackholePort}/0`) : system.redis;
  redis.on('error', () => undefined);
  const temporal = broken.temporal
    ? createTemporalClient({ address: '127.0.0.1:1', namespace: 'default' })
    : system.client;
  const app = createApp({
    settings,
    conversations: createConversationGateway(temporal, settings),
    temporal,
    pool,
    redis,
  });
  try {
    return await withListening(app, run);
  } finally {
    if (broken.redis) redis.disconnect();
    if (broken.postgresql) {
      await pool.end();
      await system.pool.query(sql.unsafe`DROP ROLE IF EXISTS ${sql.identifier([NO_SUCH_ROLE])}`);
    }
  }
}

describe('health and readiness', () => {
  test('/health answers while the process runs; /ready checks PostgreSQL, Redis and Temporal', async () => {
    expect(await getJson(system.baseUrl, '/health')).toEqual({ status: 200, json: { status: 'ok' } });
    expect(await getJson(system.baseUrl, '/ready')).toEqual({
      status: 200,
      json: { status: 'ready', checks: { postgresql: 'ok', redis: 'ok', temporal: 'ok' } },
    });
  });

  test('Temporal unreachable: 503 naming temporal and its state only, no driver error; /health still 200', async () => {
    await withBrokenApi({ temporal: true }, async (baseUrl) => {
      const ready = await getJson(baseUrl, '/ready');
      expect(ready.status).toBe(503);
      expect(ready.json).toMatchObject({ error: 'dependency_unavailable', failing: ['temporal'] });
      expect(ready.json.checks).toEqual({
        postgresql: 'ok',
        redis: 'ok',
        temporal: expect.stringMatching(/^(failing|no_answer)$/),
      });
      expect(ready.json.message).toBe(`not ready: temporal (${ready.json.checks.temporal})`);
      expect((await getJson(baseUrl, '/health')).status).toBe(200);
    });
  });

  test('PostgreSQL failing and Redis hanging: both named, Redis after the short timeout', async () => {
    await withBrokenApi({ postgresql: true, redis: true }, async (baseUrl) => {
      const started = Date.now();
      const ready = await getJson(baseUrl, '/ready');
      expect(ready.status).toBe(503);
      expect(ready.json.failing).toEqual(['postgresql', 'redis']);
      expect(ready.json.checks).toEqual({ postgresql: 'failing', redis: 'no_answer', temporal: 'ok' });
      // Nothing of the drivers' errors (they name users, hosts and ports).
      expect(JSON.stringify(ready.json)).not.toMatch(
        new RegExp(`${NO_SUCH_ROLE}|127\\.0\\.0\\.1|${system.database.name}`),
      );
      // The answer waited for Redis's timeout, and not much longer: a tolerance of the timeout's own size.
      const ms = Date.now() - started;
      expect(ms).toBeGreaterThanOrEqual(READINESS_TIMEOUT_MS);
      expect(ms).toBeLessThan(2 * READINESS_TIMEOUT_MS);
    });
  });
});

describe('Prometheus metrics at /metrics on a port of their own', () => {
  let metricsServer: GracefulServer;
  beforeAll(async () => {
    metricsServer = await listenGracefully(createMetricsApp(), 0, '127.0.0.1');
  });
  afterAll(async () => {
    await metricsServer?.shutdown(1000);
  });
  const scrape = async () => (await fetch(`http://127.0.0.1:${metricsServer.port}/metrics`)).text();

  test('the published port does not serve them', async () => {
    expect((await fetch(`${system.baseUrl}/metrics`)).status).toBe(404);
    expect(await scrape()).toContain('http_requests_total');
  });
  const valueOf = (text: string, series: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };

  test('webhooks by action and result, signature failures, hand-off latency, requests by route pattern', async () => {
    const accepted = 'slo_webhooks_total{action="message_create",result="accepted"}';
    const refused = 'slo_webhooks_total{action="unread",result="invalid_signature"}';
    const signatures = 'slo_signature_failures_total{feed="freshchat"}';
    const handoffs = 'slo_temporal_handoff_seconds_count{workflow="conversation",result="ok"}';
    const routed = 'http_requests_total{route="/webhooks/freshchat",method="POST",status="200"}';
    const before = await scrape();

    const body = fixtureFor('simplified-message_create.json', SPEC_ID, uniqueConversationId());
    expect((await postWebhook(system.baseUrl, body, hmacSign(body))).status).toBe(200);
    expect((await postWebhook(system.baseUrl, body, 'bad-signature')).status).toBe(401);

    const after = await scrape();
    expect(valueOf(after, accepted) - valueOf(before, accepted)).toBe(1);
    expect(valueOf(after, refused) - valueOf(before, refused)).toBe(1);
    expect(valueOf(after, signatures) - valueOf(before, signatures)).toBe(1);
    expect(valueOf(after, handoffs) - valueOf(before, handoffs)).toBe(1);
    expect(valueOf(after, routed) - valueOf(before, routed)).toBe(1);
    expect(after).toContain('http_request_duration_seconds_bucket{le="0.005",route="/webhooks/freshchat"');
    expect(after).toContain('process_cpu_seconds_total');
  });

  test('a path with ids is counted under its route pattern, not the raw path', async () => {
    await fetch(`${system.baseUrl}/api/v1/context/some-user-id`);
    const text = await scrape();
    expect(text).toContain('route="/api/v1/context/:userId"');
    expect(text).not.toContain('some-user-id');
  });
});

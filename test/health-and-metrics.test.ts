import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createApp } from '../api/app';
import { createConversationGateway } from '../api/conversation-gateway';
import { createDatabasePool } from '../infra/db';
import { createRedis } from '../infra/redis';
import { createTemporalClient } from '../infra/temporal';
import { fixtureFor, uniqueConversationId } from './support/conversations';
import { hmacSign, postWebhook } from './support/signing';
import { startTestSystem, withListening, type TestSystem } from './support/system';

const SPEC_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';
let system: TestSystem;
/** Accepts TCP connections and never answers: a Redis that hangs rather than refuses. */
let blackhole: Server;
let blackholePort: number;

beforeAll(async () => {
  system = await startTestSystem({}, { worker: false });
  blackhole = createServer(() => undefined);
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
  const settings = { ...system.settings, http: { ...system.settings.http, readinessTimeoutMs: 500 } };
  const pool = broken.postgresql ? await createDatabasePool(system.config.DATABASE_URL, 1) : system.pool;
  if (broken.postgresql) await pool.end(); // every query now fails
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

  test('Temporal unreachable: 503 naming temporal only; /health still 200', async () => {
    await withBrokenApi({ temporal: true }, async (baseUrl) => {
      const ready = await getJson(baseUrl, '/ready');
      expect(ready.status).toBe(503);
      expect(ready.json).toMatchObject({ error: 'dependency_unavailable', failing: ['temporal'] });
      expect(ready.json.checks).toMatchObject({ postgresql: 'ok', redis: 'ok' });
      expect(ready.json.message).toMatch(/^not ready: temporal \(/);
      expect((await getJson(baseUrl, '/health')).status).toBe(200);
    });
  });

  test('PostgreSQL failing and Redis hanging: both named, Redis after the short timeout', async () => {
    await withBrokenApi({ postgresql: true, redis: true }, async (baseUrl) => {
      const started = Date.now();
      const ready = await getJson(baseUrl, '/ready');
      expect(ready.status).toBe(503);
      expect(ready.json.failing).toEqual(['postgresql', 'redis']);
      expect(ready.json.checks.redis).toBe('no answer within 500 ms');
      expect(ready.json.checks.temporal).toBe('ok');
      // The answer waited for Redis's 500 ms, and not much longer (a tolerance of the timeout's own size).
      const ms = Date.now() - started;
      expect(ms).toBeGreaterThanOrEqual(500);
      expect(ms).toBeLessThan(1000);
    });
  });
});

describe('Prometheus metrics at /metrics', () => {
  const scrape = async () => (await fetch(`${system.baseUrl}/metrics`)).text();
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

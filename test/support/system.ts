import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Redis } from 'ioredis';
import type { DatabasePool } from 'slonik';
import { createApp } from '../../api/app';
import { createContextSyncGateway } from '../../gateways/context-sync-gateway';
import { createConversationGateway } from '../../gateways/conversation-gateway';
import { loadConfig, type Config } from '../../infra/config';
import { createDatabasePool } from '../../infra/db';
import { createRedis } from '../../infra/redis';
import { createTemporalClient } from '../../infra/temporal';
import { payloadDataConverter } from '../../infra/payload-codec';
import { createWorker, type WorkerResources } from '../../worker';
import { createTestDatabase, testRunId, type TestDatabase } from './database';
import {
  ADMIN_API_TOKEN,
  APP_JWT_SECRET,
  CODEC_TOKEN,
  HMAC_SECRET,
  RSA_PUBLIC_KEY,
  SESSION_SECRET,
  TEST_PAYLOAD_KEYS,
} from './signing';
import { ORDERS_SECRET } from './analytics';
import { settingsFrom, type Settings } from '../../infra/settings';
import type { Tracing } from '../../infra/tracing';

export interface TestSystem {
  config: Config;
  settings: Settings;
  baseUrl: string;
  client: Client;
  pool: DatabasePool;
  redis: Redis;
  database: TestDatabase;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole system for one test file: a fresh database, a Redis key prefix and a task queue of its
 * own, a worker on the shared dev server, and the API on a random port.
 */
export async function startTestSystem(
  env: Record<string, string> = {},
  options: {
    worker?: boolean;
    interceptors?: WorkerResources['interceptors'];
    /** OpenTelemetry tracing of the API and of the worker (its workflow bundle must carry the tracing module). */
    tracing?: { api: Tracing; worker: Tracing };
    /** A workflow bundle of the test's own; else the one jest's global setup built. */
    workflowBundlePath?: string;
  } = {},
): Promise<TestSystem> {
  const runId = testRunId();
  const database = await createTestDatabase();
  // Listening first: the API's public address (sign-in callbacks, printed links) is its own port.
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    REDIS_KEY_PREFIX: `slo-test:${runId}:`,
    TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS ?? '127.0.0.1:7233',
    TEMPORAL_TASK_QUEUE: `test-${runId}`,
    FRESHCHAT_WEBHOOK_SECRET: HMAC_SECRET,
    FRESHCHAT_WEBHOOK_PUBLIC_KEY: RSA_PUBLIC_KEY,
    FRESHCHAT_WEBHOOK_SCHEMES: 'rsa,hmac',
    // Every test runs with encrypted payloads, as production does.
    TEMPORAL_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    PORT: '0',
    APP_JWT_SECRET,
    ADMIN_API_TOKEN,
    ORDERS_WEBHOOK_SECRET: ORDERS_SECRET,
    // Schedules live on the shared dev server; only the schedule test turns them on (and deletes them).
    ANALYTICS_SCHEDULES_ENABLED: 'false',
    // Fixtures carry past times: any SLA would be breached at once. SLA tests give a policy file of their own.
    SLA_POLICY_FILE: 'test/fixtures/sla/no-policies.json',
    RECONCILIATION_SCHEDULE_ENABLED: 'false',
    PUBLIC_BASE_URL: baseUrl,
    SESSION_SECRET,
    CODEC_TOKEN,
    ...env,
  });
  const settings = settingsFrom(config);
  const pool = await createDatabasePool(config.DATABASE_URL, 5);
  const redis = createRedis(config.REDIS_URL);
  const client = new Client({
    connection: await Connection.connect({ address: config.TEMPORAL_ADDRESS }),
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: payloadDataConverter(config.TEMPORAL_PAYLOAD_KEYS),
  });
  const apiClient = createTemporalClient(
    {
      address: config.TEMPORAL_ADDRESS,
      namespace: config.TEMPORAL_NAMESPACE,
      payloadKeys: config.TEMPORAL_PAYLOAD_KEYS,
    },
    options.tracing?.api,
  );
  const contextSync = createContextSyncGateway(apiClient, settings);
  const app = createApp({
    settings,
    conversations: createConversationGateway(apiClient, settings),
    temporal: apiClient,
    pool,
    redis,
    contextSync,
    tracer: options.tracing?.api.tracer,
  });
  server.on('request', app.callback());

  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;

  const system: TestSystem = {
    config,
    settings,
    baseUrl,
    client,
    pool,
    redis,
    database,
    async startWorker() {
      nativeConnection ??= await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
      const codePath = options.workflowBundlePath ?? process.env.TEST_WORKFLOW_BUNDLE;
      worker = await createWorker({
        settings,
        pool,
        redis,
        connection: nativeConnection,
        temporalClient: apiClient,
        workflowBundle: codePath ? { codePath } : undefined,
        interceptors: options.interceptors,
        tracing: options.tracing?.worker,
      });
      running = worker.run();
    },
    async stopWorker() {
      if (!worker) return;
      worker.shutdown();
      await running;
      worker = undefined;
    },
    async stop() {
      await system.stopWorker();
      await new Promise((r) => server.close(r));
      await contextSync.idle();
      await nativeConnection?.close();
      await client.connection.close();
      await apiClient.connection.close().catch(() => undefined);
      const keys = await redis.keys(`${config.REDIS_KEY_PREFIX}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
      await pool.end();
      await database.drop();
    },
  };
  if (options.worker !== false) await system.startWorker();
  return system;
}

/**
 * Runs `run` against a second API of the same system (same worker, database and Redis), with configuration overrides
 * and, if given, its own context sync gateway, on another port; closed afterwards.
 */
export async function withApiBeside<T>(
  system: TestSystem,
  overrides: Partial<Config>,
  run: (baseUrl: string) => Promise<T>,
  contextSync?: ReturnType<typeof createContextSyncGateway>,
): Promise<T> {
  const settings = settingsFrom({ ...system.config, ...overrides });
  const app = createApp({
    settings,
    conversations: createConversationGateway(system.client, settings),
    temporal: system.client,
    pool: system.pool,
    redis: system.redis,
    ...(contextSync && { contextSync }),
  });
  return withListening(app, run);
}

/** Runs `run` against `app` listening on a port of its own; closed afterwards. */
export async function withListening<T>(
  app: ReturnType<typeof createApp>,
  run: (baseUrl: string) => Promise<T>,
): Promise<T> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    return await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise((r) => server.close(r));
  }
}

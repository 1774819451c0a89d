import 'dotenv/config';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Redis } from 'ioredis';
import type { DatabasePool } from 'slonik';
import { createActivities } from './activities';
import { createFreshchatClient } from './clients/freshchat-client';
import { createOutboundEventSender } from './clients/outbound-events';
import { createDatabasePool } from './infra/db';
import { logger } from './infra/logger';
import { sdkRuntimeOptions } from './infra/sdk-logger';
import { ensureDatabase, migrate } from './infra/migrator';
import { createRedis } from './infra/redis';
import { redisKeys } from './infra/redis-keys';
import { createTemporalClient, ensureSearchAttributes } from './infra/temporal';
import { serveWorkerHealth } from './infra/worker-health';
import { payloadDataConverter } from './infra/payload-codec';
import { ensureAnalyticsSchedules } from './gateways/analytics-schedules';
import { agentNamesFor } from './clients/agent-names';
import { loadSlaConfig } from './infra/sla-config';
import { ensureReconciliationSchedule } from './gateways/reconciliation-schedule';
import { createTokenBucket } from './infra/token-bucket';
import { createConversationGateway } from './gateways/conversation-gateway';
import { countActivityFailures } from './infra/worker-metrics';
import { startTracing, workerTracing, type Tracing } from './infra/tracing';
import { loadSettings, type Settings, type TemporalSettings } from './infra/settings';
import { applySandboxSettings, workerTuning } from './infra/worker-tuning';
import { WORKFLOW_BUNDLE_OPTIONS } from './infra/workflow-bundle';

export interface WorkerResources {
  settings: Settings;
  pool: DatabasePool;
  redis: Redis;
  connection: NativeConnection;
  /** Reconciliation delivers its repairs through this client (the API's gateway). */
  temporalClient: Client;
  /** Tests pass a prebuilt bundle; production bundles `workflows/` at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Activities registered beside the product's (the benchmark's minimal workflow). */
  extraActivities?: WorkerOptions['activities'];
  /** Fault injection at the activity boundary (the tests and the chaos run); none in production. */
  interceptors?: WorkerOptions['interceptors'];
  /** OpenTelemetry tracing of workflows and activities (infra/tracing.ts); absent, none. */
  tracing?: Tracing;
}

export async function createWorker(resources: WorkerResources): Promise<Worker> {
  const { settings } = resources;
  const keys = redisKeys(settings.redis.keyPrefix);
  const freshchat = createFreshchatClient(settings.activities.freshchat);
  const activities = createActivities({
    ...settings.activities,
    pool: resources.pool,
    redis: resources.redis,
    keys,
    logger,
    freshchat,
    agentNames: agentNamesFor(settings, resources.redis, keys, freshchat),
    // Validated here, so a worker with a broken policy or business-hours file does not start.
    slaConfig: loadSlaConfig(settings.sla),
    outbound: createOutboundEventSender(settings.sla.outbound),
    reconciliation: reconciliationDeps(resources, keys.freshchatBucket),
  });
  const tracing = resources.tracing && workerTracing(resources.tracing);
  const worker = await Worker.create({
    connection: resources.connection,
    namespace: settings.temporal.namespace,
    taskQueue: settings.temporal.taskQueue,
    activities: { ...activities, ...resources.extraActivities },
    ...workerTuning(settings.worker),
    dataConverter: payloadDataConverter(settings.temporal.payloadKeys),
    interceptors: {
      // The tracing interceptor first: failures counted and injected faults happen inside the activity's span.
      activity: [
        ...(tracing ? [tracing.activity] : []),
        countActivityFailures,
        ...(resources.interceptors?.activity ?? []),
      ],
      // A prebuilt bundle carries its own interceptor modules (bundleWorkflowCode's workflowInterceptorModules).
      ...(!resources.workflowBundle && { workflowModules: tracing?.workflowModules }),
    },
    sinks: tracing?.sinks,
    // SIGTERM: running activities get this long to finish before they are cancelled.
    shutdownGraceTime: settings.shutdownTimeoutMs,
    ...(resources.workflowBundle
      ? { workflowBundle: resources.workflowBundle }
      : { workflowsPath: require.resolve('./workflows'), bundlerOptions: WORKFLOW_BUNDLE_OPTIONS }),
  });
  if (settings.worker.analyticsSchedules) await ensureSchedules(settings.temporal);
  if (settings.reconciliation.scheduleEnabled) await ensureReconciliationScheduleLogged(resources);
  return worker;
}

/** Freshchat requests of every reconciliation activity, in every worker process, draw on one Redis token bucket. */
function reconciliationDeps(resources: WorkerResources, bucketKey: string) {
  const { settings } = resources;
  const bucket = createTokenBucket(resources.redis, bucketKey, {
    capacity: settings.reconciliation.rateBurst,
    perMinute: settings.reconciliation.rateLimitPerMinute,
  });
  const gateway = createConversationGateway(resources.temporalClient, settings);
  return {
    freshchat: createFreshchatClient({ ...settings.activities.freshchat, beforeRequest: () => bucket.take() }),
    bucket,
    retryAfterCapMs: settings.reconciliation.retryAfterCapMs,
    deliver: gateway.deliver,
  };
}

/** Like the analytics schedules: a failure is logged, not fatal. Without Freshchat's API there is nothing to do. */
async function ensureReconciliationScheduleLogged({ settings, temporalClient }: WorkerResources): Promise<void> {
  if (!settings.activities.freshchat.baseUrl || !settings.activities.freshchat.token) {
    logger.warn('reconciliation schedule not created: FRESHCHAT_API_URL and FRESHCHAT_API_TOKEN are not both set');
    return;
  }
  try {
    const id = await ensureReconciliationSchedule(temporalClient, settings);
    logger.info(
      { schedule: id, everyMs: settings.reconciliation.intervalMs },
      'reconciliation schedule created or updated',
    );
  } catch (error) {
    logger.error({ err: error }, 'reconciliation schedule could not be created or updated');
  }
}

/**
 * The daily aggregation and weekly report schedules (visible in the Temporal UI under Schedules). A failure is
 * logged, not fatal: conversations must keep flowing; the next worker start tries again.
 */
async function ensureSchedules(temporal: TemporalSettings): Promise<void> {
  try {
    const connection = await Connection.connect(temporal.connection);
    try {
      const ids = await ensureAnalyticsSchedules(
        new Client({
          connection,
          namespace: temporal.namespace,
          dataConverter: payloadDataConverter(temporal.payloadKeys),
        }),
        temporal.taskQueue,
      );
      logger.info({ schedules: ids }, 'analytics schedules created or updated');
    } finally {
      await connection.close();
    }
  } catch (error) {
    logger.error(
      { err: error },
      'analytics schedules could not be created or updated; the worker runs without changing them',
    );
  }
}

/**
 * The worker process: migrate, then run until SIGINT/SIGTERM. `interceptors` only for the chaos run's faults;
 * `extraActivities` only for the benchmark's minimal workflow.
 */
export async function runWorkerProcess(
  interceptors?: WorkerResources['interceptors'],
  extraActivities?: (pool: DatabasePool) => WorkerOptions['activities'],
): Promise<void> {
  const settings = loadSettings();
  applySandboxSettings(settings.worker);
  const { metricsPort } = settings.worker;
  // The SDK's runtime metrics (task latencies, slots, sticky cache) and ours, in Prometheus format.
  Runtime.install(sdkRuntimeOptions(logger, metricsPort));
  if (settings.database.migrateOnStart) {
    await ensureDatabase(settings.database.url);
    await migrate(settings.database.url);
  }
  if (settings.worker.createSearchAttributes) {
    const admin = await Connection.connect(settings.temporal.connection);
    await ensureSearchAttributes(admin, settings.temporal.namespace);
    await admin.close();
  } else logger.info('search attributes not registered by the worker (Temporal Cloud: tcld or Terraform create them)');

  const pool = await createDatabasePool(settings.database.url);
  const redis = createRedis(settings.redis.url);
  const connection = await NativeConnection.connect(settings.temporal.connection);
  const codePath = settings.worker.workflowBundlePath;
  const tracing = startTracing('worker', settings.tracing);
  if (tracing && codePath)
    logger.warn('WORKFLOW_BUNDLE_PATH with tracing: workflow spans need a bundle built with the tracing module');
  const temporalClient = createTemporalClient(settings.temporal, tracing);
  const worker = await createWorker({
    settings,
    pool,
    redis,
    connection,
    temporalClient,
    workflowBundle: codePath ? { codePath } : undefined,
    extraActivities: extraActivities?.(pool),
    interceptors,
    tracing,
  });
  const health =
    settings.worker.healthPort !== undefined ? await serveWorkerHealth(worker, settings.worker.healthPort) : undefined;
  logger.info(
    { taskQueue: settings.temporal.taskQueue, address: settings.temporal.address, tracing: Boolean(tracing) },
    'worker started',
  );
  // Returns after SIGINT/SIGTERM (the SDK's default shutdown signals), once running tasks have finished.
  await worker.run();
  health?.close();
  await Promise.all([pool.end(), redis.quit(), connection.close(), temporalClient.connection.close()]);
  await tracing?.shutdown();
  logger.info('worker stopped');
  process.exit(0);
}

if (require.main === module) {
  runWorkerProcess().catch((error) => {
    logger.fatal({ err: error }, error instanceof Error ? error.message : 'worker failed');
    process.exit(1);
  });
}

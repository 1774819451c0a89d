import 'dotenv/config';
import { Client, Connection } from '@temporalio/client';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type LogLevel,
  type WorkerOptions,
} from '@temporalio/worker';
import type { Redis } from 'ioredis';
import type { DatabasePool } from 'slonik';
import { createActivities } from './activities';
import { createFreshchatClient } from './clients/freshchat-client';
import { createOutboundEventSender } from './clients/outbound-events';
import { loadConfig, tagProperties, type Config } from './infra/config';
import { createDatabasePool } from './infra/db';
import { logger } from './infra/logger';
import { ensureDatabase, migrate } from './infra/migrator';
import { createRedis } from './infra/redis';
import { redisKeys } from './infra/redis-keys';
import { ensureSearchAttributes } from './infra/temporal';
import { ensureAnalyticsSchedules } from './infra/analytics-schedules';
import { loadSlaConfig } from './infra/sla-config';

export interface WorkerResources {
  config: Config;
  pool: DatabasePool;
  redis: Redis;
  connection: NativeConnection;
  /** Tests pass a prebuilt bundle; production bundles `workflows/` at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export async function createWorker(resources: WorkerResources): Promise<Worker> {
  const { config } = resources;
  const activities = createActivities({
    pool: resources.pool,
    redis: resources.redis,
    keys: redisKeys(config.REDIS_KEY_PREFIX),
    logger,
    freshchat: createFreshchatClient({ baseUrl: config.FRESHCHAT_API_URL, token: config.FRESHCHAT_API_TOKEN }),
    tagProperties: tagProperties(config),
    assistedOrderWindowMs: config.ASSISTED_ORDER_WINDOW,
    helpOfferWindowMs: config.HELP_OFFER_WINDOW,
    agentHourlyRate: config.AGENT_HOURLY_RATE,
    mail: { smtpUrl: config.SMTP_URL, recipients: config.REPORT_RECIPIENTS, from: config.REPORT_FROM },
    // Validated here, so a worker with a broken policy or business-hours file does not start.
    slaConfig: loadSlaConfig(config),
    outbound: createOutboundEventSender({ url: config.OUTBOUND_EVENTS_URL, secret: config.OUTBOUND_EVENTS_SECRET }),
  });
  const worker = await Worker.create({
    connection: resources.connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities,
    ...(resources.workflowBundle
      ? { workflowBundle: resources.workflowBundle }
      : { workflowsPath: require.resolve('./workflows') }),
  });
  if (config.ANALYTICS_SCHEDULES_ENABLED) await ensureSchedules(config);
  return worker;
}

/**
 * The daily aggregation and weekly report schedules (visible in the Temporal UI under Schedules). A failure is
 * logged, not fatal: conversations must keep flowing; the next worker start tries again.
 */
async function ensureSchedules(config: Config): Promise<void> {
  try {
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    try {
      const ids = await ensureAnalyticsSchedules(
        new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }),
        config.TEMPORAL_TASK_QUEUE,
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

const SDK_LOG_LEVEL: Record<Config['LOG_LEVEL'], LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};

async function main(): Promise<void> {
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger(SDK_LOG_LEVEL[config.LOG_LEVEL]) });
  await ensureDatabase(config.DATABASE_URL);
  await migrate(config.DATABASE_URL);
  const admin = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  await ensureSearchAttributes(admin, config.TEMPORAL_NAMESPACE);
  await admin.close();

  const pool = await createDatabasePool(config.DATABASE_URL);
  const redis = createRedis(config.REDIS_URL);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const workflowBundle = config.WORKFLOW_BUNDLE_PATH ? { codePath: config.WORKFLOW_BUNDLE_PATH } : undefined;
  const worker = await createWorker({ config, pool, redis, connection, workflowBundle });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, address: config.TEMPORAL_ADDRESS }, 'worker started');
  await worker.run(); // returns after SIGINT/SIGTERM (the SDK's default shutdown signals)
  await Promise.all([pool.end(), redis.quit(), connection.close()]);
}

if (require.main === module) {
  main().catch((error) => {
    logger.fatal({ err: error }, error instanceof Error ? error.message : 'worker failed');
    process.exit(1);
  });
}

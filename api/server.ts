import 'dotenv/config';
import { logger } from '../infra/logger';
import { createDatabasePool } from '../infra/db';
import { createRedis } from '../infra/redis';
import { loadSettings, requireWebhookVerification } from '../infra/settings';
import { createTemporalClient } from '../infra/temporal';
import { startTracing } from '../infra/tracing';
import { createApp } from './app';
import { createContextSyncGateway } from '../gateways/context-sync-gateway';
import { createConversationGateway } from '../gateways/conversation-gateway';
import { createMetricsApp } from './metrics';
import { listenGracefully, type GracefulServer } from './http-server';

async function main(): Promise<void> {
  const settings = loadSettings();
  requireWebhookVerification(settings);
  const tracing = startTracing('api', settings.tracing);
  const client = createTemporalClient(settings.temporal, tracing);
  const pool = await createDatabasePool(settings.database.url);
  const redis = createRedis(settings.redis.url);
  const contextSync = createContextSyncGateway(client, settings);
  const listening: { http?: GracefulServer } = {};
  const app = createApp({
    settings,
    conversations: createConversationGateway(client, settings),
    temporal: client,
    pool,
    redis,
    contextSync,
    draining: () => listening.http?.draining() ?? false,
    tracer: tracing?.tracer,
  });
  const http = await listenGracefully(app, settings.http.port);
  listening.http = http;
  const metrics = await listenGracefully(createMetricsApp(), settings.http.metricsPort);
  logger.info({ port: http.port, metricsPort: metrics.port, tracing: Boolean(tracing) }, 'api listening');

  const stop = async (signal: string) => {
    logger.info({ signal, deadlineMs: settings.shutdownTimeoutMs }, 'api shutting down: finishing requests in flight');
    const { forced } = await http.shutdown(settings.shutdownTimeoutMs);
    await metrics.shutdown(1000);
    await contextSync.idle();
    await Promise.allSettled([pool.end(), redis.quit(), client.connection.close(), tracing?.shutdown()]);
    logger.info({ forced }, 'api stopped');
    process.exit(0);
  };
  process.once('SIGINT', (signal) => void stop(signal));
  process.once('SIGTERM', (signal) => void stop(signal));
}

main().catch((error) => {
  logger.fatal({ err: error }, error instanceof Error ? error.message : 'api failed');
  process.exit(1);
});

import 'dotenv/config';
import type { Server } from 'node:http';
import { loadConfig, requireWebhookVerification } from '../infra/config';
import { logger } from '../infra/logger';
import { createDatabasePool } from '../infra/db';
import { createRedis } from '../infra/redis';
import { createTemporalClient } from '../infra/temporal';
import { createApp } from './app';
import { createContextSyncGateway } from './context-sync-gateway';
import { createConversationGateway } from './conversation-gateway';

async function main(): Promise<void> {
  const config = loadConfig();
  requireWebhookVerification(config);
  const client = createTemporalClient({
    address: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    payloadKeys: config.TEMPORAL_PAYLOAD_KEYS,
  });
  const pool = await createDatabasePool(config.DATABASE_URL);
  const redis = createRedis(config.REDIS_URL);
  const app = createApp({
    config,
    conversations: createConversationGateway(client, config),
    temporal: client,
    pool,
    redis,
    contextSync: createContextSyncGateway(client, config),
  });
  const server: Server = app.listen(config.PORT, () => logger.info({ port: config.PORT }, 'api listening'));
  const stop = () =>
    server.close(async () => {
      await Promise.allSettled([pool.end(), redis.quit(), client.connection.close()]);
      process.exit(0);
    });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  logger.fatal({ err: error }, error instanceof Error ? error.message : 'api failed');
  process.exit(1);
});

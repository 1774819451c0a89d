import 'dotenv/config';
import type { Server } from 'node:http';
import { loadSettings, requireWebhookVerification } from '../infra/settings';
import { logger } from '../infra/logger';
import { createDatabasePool } from '../infra/db';
import { createRedis } from '../infra/redis';
import { createTemporalClient } from '../infra/temporal';
import { createApp } from './app';
import { createContextSyncGateway } from './context-sync-gateway';
import { createConversationGateway } from './conversation-gateway';

async function main(): Promise<void> {
  const settings = loadSettings();
  requireWebhookVerification(settings);
  const client = createTemporalClient(settings.temporal);
  const pool = await createDatabasePool(settings.database.url);
  const redis = createRedis(settings.redis.url);
  const app = createApp({
    settings,
    conversations: createConversationGateway(client, settings),
    temporal: client,
    pool,
    redis,
    contextSync: createContextSyncGateway(client, settings),
  });
  const server: Server = app.listen(settings.http.port, () =>
    logger.info({ port: settings.http.port }, 'api listening'),
  );
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

// The benchmark's worker: the product's worker with the minimal workflow's activity registered too.
import { main } from '../../worker';
import { logger } from '../../infra/logger';
import { createMinimalActivities } from './minimal-activities';

main((pool) => createMinimalActivities(pool)).catch((error) => {
  logger.fatal({ err: error }, error instanceof Error ? error.message : 'worker failed');
  process.exit(1);
});

// The benchmark's worker: the product's worker with the minimal workflow's activity registered too.
import { runWorkerProcess } from '../../worker';
import { logger } from '../../infra/logger';
import { createMinimalActivities } from './minimal-activities';

runWorkerProcess(undefined, (pool) => createMinimalActivities(pool)).catch((error) => {
  logger.fatal({ err: error }, error instanceof Error ? error.message : 'worker failed');
  process.exit(1);
});

/**
 * The worker process of the chaos run's --lost-results mode: the real worker, with faults at the commit boundary of
 * the conversation's database steps. CHAOS_LOSE_RESULTS is the share of steps whose result is lost after they
 * committed; CHAOS_KILL_AFTER_COMMIT the share after which the process is SIGKILLed before the workflow sees it.
 */
import { logger } from '../../infra/logger';
import { runWorkerProcess } from '../../worker';
import { ActivityFaults } from './activity-faults';
import { seededRandom } from './plan';

const STEPS = new Set(['applyIncidenceChange', 'closeForSilence', 'ensureIncidence', 'recordEvents']);
const loseShare = Number(process.env.CHAOS_LOSE_RESULTS ?? 0);
const killShare = Number(process.env.CHAOS_KILL_AFTER_COMMIT ?? 0);
const random = seededRandom(Number(process.env.CHAOS_SEED ?? 1) + process.pid);

const faults = new ActivityFaults();
faults.add(({ type }) => {
  if (!STEPS.has(type)) return undefined;
  const roll = random();
  if (roll < killShare) return { kind: 'kill-after-commit' };
  if (roll < killShare + loseShare) return { kind: 'lose-result' };
  return undefined;
});

runWorkerProcess(faults.interceptors()).catch((error) => {
  logger.fatal({ err: error }, error instanceof Error ? error.message : 'worker failed');
  process.exit(1);
});

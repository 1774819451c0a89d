/**
 * The worker process of the chaos run's --lost-results mode: the real worker, with faults at the commit boundary of
 * the conversation's database steps. CHAOS_LOSE_RESULTS is the share of steps whose result is lost after they
 * committed; CHAOS_KILL_AFTER_COMMIT the share after which the process is SIGKILLed before the workflow sees it (one
 * kill every 1/share steps on average, the first within 2/share steps, so a short run still has one), while the run's
 * CHAOS_KILLS_LEFT allows.
 */
import { logger } from '../../infra/logger';
import { runWorkerProcess } from '../../worker';
import { ActivityFaults } from './activity-faults';
import { seededRandom } from './plan';

const STEPS = new Set([
  'conversationStep',
  'recordDueBreaches',
  'closeForSilence',
  'applyResolutionTags',
  'resolveIncidenceUser',
]);
const loseShare = Number(process.env.CHAOS_LOSE_RESULTS ?? 0);
const killShare = Number(process.env.CHAOS_KILL_AFTER_COMMIT ?? 0);
const killsLeft = Number(process.env.CHAOS_KILLS_LEFT ?? Infinity);
const random = seededRandom(Number(process.env.CHAOS_SEED ?? 1) + process.pid);
// A kill makes the workflow task run its steps again, and each rerun could draw another kill: capped per run, since
// the server backs off a workflow task that keeps timing out (its timeout grows toward 10 minutes).
let stepsUntilKill = killShare > 0 && killsLeft > 0 ? 1 + Math.floor(random() * (2 / killShare)) : Infinity;

const faults = new ActivityFaults();
faults.add(({ type }) => {
  if (!STEPS.has(type)) return undefined;
  if (--stepsUntilKill === 0) return { kind: 'kill-after-commit' };
  return random() < loseShare ? { kind: 'lose-result' } : undefined;
});

runWorkerProcess(faults.interceptors()).catch((error) => {
  logger.fatal({ err: error }, error instanceof Error ? error.message : 'worker failed');
  process.exit(1);
});

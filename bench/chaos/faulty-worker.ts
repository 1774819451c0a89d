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
import { commitBoundaryFaults } from './commit-boundary-faults';
import { seededRandom } from './plan';

const faults = new ActivityFaults();
faults.add(
  commitBoundaryFaults({
    steps: new Set([
      'conversationStep',
      'recordDueBreaches',
      'closeForSilence',
      'applyResolutionTags',
      'resolveIncidenceUser',
    ]),
    loseShare: Number(process.env.CHAOS_LOSE_RESULTS ?? 0),
    killShare: Number(process.env.CHAOS_KILL_AFTER_COMMIT ?? 0),
    // A kill makes the workflow task run its steps again, and each rerun could draw another kill: capped per run,
    // since the server backs off a workflow task that keeps timing out (its timeout grows toward 10 minutes).
    killsLeft: Number(process.env.CHAOS_KILLS_LEFT ?? Infinity),
    random: seededRandom(Number(process.env.CHAOS_SEED ?? 1) + process.pid),
  }),
);

runWorkerProcess(faults.interceptors()).catch((error) => {
  logger.fatal({ err: error }, error instanceof Error ? error.message : 'worker failed');
  process.exit(1);
});

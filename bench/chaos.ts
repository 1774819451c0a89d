/**
 * The chaos run: 10,000 webhook events over 1,000 conversations, 20% delivered twice and shuffled within each
 * conversation, while the worker is SIGKILLed and restarted and its database connections are cut. Exits
 * non-zero on any lost or duplicated event.
 * With `--drop 0.1`, Freshchat's real payloads and 10% of the events never sent at all; after the deliveries one
 * reconciliation pass against a fake Freshchat that knows every event must bring them in.
 *   npm run chaos -- --conversations 1000 --events 10 --duplicates 0.2 --connections 32 --cut-ms 5000 --seed 1
 * Scale-out mode: two worker and two API processes on one task queue; one of each SIGKILLed mid-run, not restarted.
 *   npm run chaos -- --scale-out --kill-api-at 0.45
 * With --lost-results: whole lifecycles (resolutions, reopens, silence) with short windows, and faults at the commit
 * boundary (results lost after the step committed, the worker SIGKILLed right after a commit); judged from PostgreSQL
 * after the silence and reopen windows: outcome, resolved_at, reopen count and resolution type of every conversation.
 *   npm run chaos -- --lost-results --lose 0.05 --kill-after-commit 0.002 --silence-s 20 --reopen-s 10
 * (--max-kills N caps the kills after a commit over the run.)
 * There, --real 0.5 puts half the conversations in Freshchat's real format (users and tags read from Freshchat), and
 * Freshchat answers 429 (Retry-After --retry-after-s), 5xx and garbage for --freshchat-storm-s once --storm-at of the
 * deliveries are sent; the verdict then also wants every app user found and every resolution's tags read.
 */
import 'dotenv/config';
import { flag, printCounts } from './table';
import { temporalServer } from './scratch';
import { runChaos } from './chaos/run';

async function main(): Promise<void> {
  const temporal = await temporalServer(process.env.CHAOS_TEMPORAL_ADDRESS);
  try {
    const report = await runChaos({
      temporalAddress: temporal.address,
      conversations: flag('conversations', 1000),
      eventsPerConversation: flag('events', 10),
      duplicateShare: flag('duplicates', 0.2),
      seed: flag('seed', Date.now() % 100_000),
      concurrency: flag('connections', 32),
      killWorkerAt: flag('kill-at', 0.3),
      cutDatabaseAt: flag('cut-at', 0.6),
      cutDatabaseForMs: flag('cut-ms', 5000),
      settleTimeoutMs: flag('settle-timeout-s', 600) * 1000,
      dropShare: flag('drop', 0),
      scaleOut: process.argv.includes('--scale-out') ? { killApiAt: flag('kill-api-at', 0.45) } : undefined,
      lostResults: process.argv.includes('--lost-results')
        ? {
            loseShare: flag('lose', 0.05),
            killAfterCommitShare: flag('kill-after-commit', 0.002),
            maxKillsAfterCommit: flag('max-kills', Infinity),
            silenceMs: flag('silence-s', 20) * 1000,
            reopenMs: flag('reopen-s', 10) * 1000,
            realShare: flag('real', 0.5),
            freshchatStorm:
              flag('freshchat-storm-s', 20) > 0
                ? {
                    at: flag('storm-at', 0.3),
                    ms: flag('freshchat-storm-s', 20) * 1000,
                    retryAfterSeconds: flag('retry-after-s', 5),
                  }
                : undefined,
          }
        : undefined,
      log: (line) => console.log(`[chaos] ${line}`),
    });
    const { verdict, reconciliation, ...run } = report;
    const { freshchatStorm, ...rest } = run;
    const { failing, ...counts } = verdict;
    printCounts({ ...rest, ...counts });
    failing.forEach((line) => console.log(`failing: ${line}`));
    if (freshchatStorm)
      printCounts(Object.fromEntries(Object.entries(freshchatStorm).map(([k, n]) => [`Freshchat storm: ${k}`, n])));
    if (reconciliation) {
      const r = reconciliation;
      printCounts({
        'reconciliation: conversations checked': r.conversationsChecked,
        'conversations discovered': r.conversationsDiscovered,
        ...Object.fromEntries(Object.entries(r.repaired).map(([kind, n]) => [`${kind}s repaired`, n])),
        'rate-limited answers': r.rateLimited,
        'pass seconds': r.seconds,
        error: r.error ?? 'none',
      });
    }
    console.log(verdict.ok ? 'zero loss, zero duplicates' : 'LOSS OR DUPLICATES: see the counts above');
    process.exitCode = verdict.ok ? 0 : 1;
  } finally {
    await temporal.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

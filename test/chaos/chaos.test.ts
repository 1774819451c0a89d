import { runChaos } from '../../bench/chaos/run';

// The shortened chaos run: the same code as `npm run chaos`, smaller, on the test run's dev server.
test('webhooks survive a SIGKILLed worker and a cut database with zero loss and zero duplicates', async () => {
  const lines: string[] = [];
  const report = await runChaos({
    temporalAddress: process.env.TEMPORAL_TEST_ADDRESS!,
    workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE,
    conversations: 40,
    eventsPerConversation: 8,
    duplicateShare: 0.2,
    seed: 7,
    concurrency: 4,
    killWorkerAt: 0.2,
    cutDatabaseAt: 0.5,
    cutDatabaseForMs: 2500,
    settleTimeoutMs: 120_000,
    log: (line) => lines.push(line),
  });
  expect(report.workerKills).toBe(1);
  // Restarts are the kill's alone: the cut hit a worker that was applying events, and the same process went on.
  expect(report.workerCrashes).toBe(0);
  expect(report.workerRestarts).toBe(1);
  expect(report.databaseCuts).toBe(1);
  expect(report.cutHitRunningWorker).toBe(true);
  expect(report.sameWorkerAppliedAfterCut).toBe(true);
  expect(report.deliveries).toBeGreaterThan(320);
  expect(report.verdict).toMatchObject({
    conversations: 40,
    incidences: 40,
    distinctEvents: 320,
    timelineRows: 320,
    missingEvents: 0,
    duplicateEvents: 0,
    wrongOutcomes: 0,
    ok: true,
  });
}, 240_000);

test('scale-out: two workers and two APIs, one of each SIGKILLed mid-run, with zero loss and zero duplicates', async () => {
  const report = await runChaos({
    temporalAddress: process.env.TEMPORAL_TEST_ADDRESS!,
    workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE,
    conversations: 30,
    eventsPerConversation: 6,
    duplicateShare: 0.2,
    seed: 11,
    concurrency: 4,
    killWorkerAt: 0.25,
    cutDatabaseAt: 0.6,
    cutDatabaseForMs: 1500,
    settleTimeoutMs: 120_000,
    scaleOut: { killApiAt: 0.4 },
    log: () => undefined,
  });
  expect(report).toMatchObject({ workerProcesses: 2, apiProcesses: 2, workerKills: 1, workerRestarts: 0, apiKills: 1 });
  expect(report.redeliveriesAfterRefusal).toBeGreaterThanOrEqual(1);
  expect(report.verdict).toMatchObject({
    conversations: 30,
    incidences: 30,
    distinctEvents: 180,
    timelineRows: 180,
    missingEvents: 0,
    duplicateEvents: 0,
    wrongOutcomes: 0,
    ok: true,
  });
}, 240_000);

// The reconciliation chaos run, short: Freshchat's real payloads, 10% of the events never sent, one pass.
test('events never delivered are brought in by one reconciliation pass, with zero loss and zero duplicates', async () => {
  const report = await runChaos({
    temporalAddress: process.env.TEMPORAL_TEST_ADDRESS!,
    workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE,
    conversations: 30,
    eventsPerConversation: 8,
    duplicateShare: 0.2,
    dropShare: 0.1,
    seed: 11,
    concurrency: 4,
    // No kill and no cut here (the run above has them): this one is about lost deliveries.
    killWorkerAt: 2,
    cutDatabaseAt: 2,
    cutDatabaseForMs: 0,
    settleTimeoutMs: 120_000,
    log: () => undefined,
  });
  expect(report.droppedEvents).toBeGreaterThan(5);
  expect(report.reconciliation).toMatchObject({ error: null, stoppedAt: null });
  const r = report.reconciliation!;
  expect(r.repaired.message + r.repaired.assignment + r.repaired.resolution).toBe(report.droppedEvents);
  expect(report.verdict).toMatchObject({
    conversations: 30,
    incidences: 30,
    distinctEvents: 240,
    timelineRows: 240,
    missingEvents: 0,
    duplicateEvents: 0,
    unexpectedEvents: 0,
    wrongOutcomes: 0,
    ok: true,
  });
}, 240_000);

// The long-horizon mode, shortened: results lost at the commit boundary while Freshchat misbehaves for a while (half
// the conversations in its real format, so users and tags are read from it), then silence and reopen windows pass.
test('lifecycles keep their outcome, resolved_at, reopen count, user and tags when results are lost, the worker dies after commits and Freshchat fails', async () => {
  const lines: string[] = [];
  const report = await runChaos({
    temporalAddress: process.env.TEMPORAL_TEST_ADDRESS!,
    workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE,
    conversations: 16,
    eventsPerConversation: 5,
    duplicateShare: 0.2,
    seed: 11,
    concurrency: 4,
    // No kill and no cut from outside: the worker kills itself right after commits.
    killWorkerAt: 2,
    cutDatabaseAt: 2,
    cutDatabaseForMs: 0,
    settleTimeoutMs: 150_000,
    lostResults: {
      loseShare: 0.2,
      // One step stores all queued events, so a run has few steps: a tenth of them draws a kill.
      killAfterCommitShare: 0.1,
      // Each kill reruns the workflow tasks in flight; uncapped, reruns drew more kills until the server's backoff
      // on repeatedly timed-out workflow tasks held conversations for minutes.
      maxKillsAfterCommit: 3,
      silenceMs: 4000,
      reopenMs: 3000,
      realShare: 0.5,
      // 8 tag reads with Retry-After 5 s span at least 27 s: the storm (12 s, or a few reads past the first tag read)
      // cannot exhaust the bounded wait.
      freshchatStorm: { at: 0.1, ms: 12_000, retryAfterSeconds: 5 },
    },
    log: (line) => lines.push(line),
  });
  if (!report.verdict.ok) console.log(lines.join('\n'));
  expect(report.commitBoundaryKills).toBeGreaterThanOrEqual(1);
  expect(report.commitBoundaryKills).toBeLessThanOrEqual(3);
  expect(report.verdict).toMatchObject({
    conversations: 16,
    incidences: 16,
    missingEvents: 0,
    duplicateEvents: 0,
    unexpectedEvents: 0,
    wrongOutcomes: 0,
    wrongStates: 0,
    unresolvedUsers: 0,
    tagsUnread: 0,
    wrongSlaStatuses: 0,
    ok: true,
    failing: [],
  });
  // The storm hit user lookups (with each kind of failure) and tag reads.
  const { seconds, ...answers } = report.freshchatStorm!;
  expect(Object.entries(answers).filter(([, n]) => n === 0)).toEqual([]);
  expect(seconds).toBeGreaterThanOrEqual(12);
  expect(report.workerCrashes).toBe(0);
}, 420_000);

/**
 * The released workflow histories (test/replay/histories/<version>/, one baseline history per workflow, and one of the
 * released code reaching each later patch's old branch, docs/patches.md): every later
 * workflow change must keep replaying them (docs/patches.md). `npm run record-histories` records them again from the
 * current code into the folder of package.json's version; without RECORD_HISTORIES this file replays every folder.
 * Before the first release a failing replay means: record again. From it on, it means: patch the change
 * (docs/patches.md).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { contextSyncWorkflowId } from '../../domain/app-context/context-sync-settings';
import { conversationWorkflowId } from '../../domain/conversation/conversation-event';
import { resolutionRecordedSignal } from '../../workflows/signals';
import { contextChanged, contextSyncSettings, fakeContextSync } from '../support/context-sync-fakes';
import { conversationSettings, deliver, events, fakeIncidences } from '../support/conversation-fakes';
import { eventually } from '../support/eventually';
import { replayHistories } from '../support/replay';

const HISTORIES = path.resolve(__dirname, 'histories');
const RECORDING = process.env.RECORD_HISTORIES === '1';
// The folder of package.json's version (HISTORIES_VERSION names another).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION: string = process.env.HISTORIES_VERSION ?? require('../../package.json').version;

const released = (): Array<{ file: string; workflowId: string }> =>
  (existsSync(HISTORIES) ? readdirSync(HISTORIES) : [])
    .filter((version) => /^\d+\.\d+\.\d+$/.test(version))
    .flatMap((version) =>
      readdirSync(path.join(HISTORIES, version))
        .filter((f) => f.endsWith('.pb'))
        .map((f) => ({ file: `${version}/${f}`, workflowId: `${version}/${f.replace(/\.pb$/, '')}` })),
    );

if (!RECORDING) {
  const histories = released();
  let replay: ReturnType<typeof replayHistories>;
  beforeAll(() => {
    replay = replayHistories(histories);
  }, 120_000);

  test('every released version has one baseline history per workflow', () => {
    const versions = new Set(histories.map((h) => h.file.split('/')[0]));
    expect(versions.size).toBeGreaterThan(0);
    for (const version of versions)
      expect(histories.filter((h) => h.file.startsWith(`${version}/`)).map((h) => h.workflowId.split('/')[1])).toEqual(
        expect.arrayContaining(WORKFLOWS),
      );
  });

  test.each(histories.map((h) => [h.workflowId]))('%s replays with the current workflow code', (workflowId) => {
    expect(replay.stderr).toBe('');
    expect(replay.verdicts.get(workflowId)).toMatch(/^replayed \d+ events$/);
  });
} else {
  test(`records one baseline history per workflow into test/replay/histories/${VERSION}/`, async () => {
    const recorded = await recordAll();
    const dir = path.join(HISTORIES, VERSION);
    mkdirSync(dir, { recursive: true });
    for (const [name, history] of Object.entries(recorded))
      writeFileSync(path.join(dir, `${name}.pb`), temporal.api.history.v1.History.encode(history as never).finish());
    expect(Object.keys(recorded).sort()).toEqual([...WORKFLOWS].sort());
  }, 180_000);
}

const WORKFLOWS = [
  'conversation',
  'context-sync',
  'weekly-report',
  'scheduled-weekly-report',
  'analytics-daily',
  'sla-delivery',
  'reconciliation',
];

/**
 * Runs each workflow through its main paths with mocked activities and returns its history. Plain payloads (no codec,
 * as the replay decodes them), on the replay worker's task queue name (the weekly report's workflow id holds it).
 */
async function recordAll(): Promise<Record<string, unknown>> {
  const address = process.env.TEMPORAL_TEST_ADDRESS ?? '127.0.0.1:7233';
  const native = await NativeConnection.connect({ address });
  const client = new Client({ connection: await Connection.connect({ address }) });
  const taskQueue = 'fake_replay_queue-0';
  const policy = {
    name: 'baseline',
    thresholds: { FIRST_RESPONSE: 1, NEXT_RESPONSE: 60, RESOLUTION: 3600 },
    hours: 'calendar' as const,
    escalation: { action: 'REASSIGN' as const, groupId: 'priority' },
  };
  const store = fakeIncidences({ policy, outbound: true, tags: ['order_placed'] });
  const sync = fakeContextSync();
  const pass = { passId: 'pass-1', trigger: 'MANUAL', startedAt: new Date(0).toISOString() };
  const activities = {
    ...store.activities,
    ...sync.activities,
    aggregateAnalyticsDay: async (date: string) => ({ date }),
    emailWeeklyReport: async () => 'not-configured',
    startReconciliationPass: async () => ({ ...pass, cursor: { phase: 'conversations', after: null }, workload: 2 }),
    reconcileBatch: async (input: { cursor: { after: string | null } }) => ({
      cursor: input.cursor.after === null ? { phase: 'conversations', after: 'c-1' } : null,
      error: null,
      repairs: [],
    }),
    finishReconciliationPass: async () => ({ ...pass, finishedAt: new Date(0).toISOString(), error: null }),
  };
  const worker = await Worker.create({
    connection: native,
    taskQueue,
    workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
    activities,
  });
  const historyOf = async (handle: WorkflowHandle) => {
    await handle.result();
    return handle.fetchHistory();
  };
  const stamp = Date.now();
  try {
    return await worker.runUntil(async () => {
      // A conversation: a first-response breach (escalated, announced), a late answer, a real-format resolution whose
      // tags are read back (the report hand-off), a reopen, a close for silence, then the end of the reopen window.
      const id = `baseline-${stamp}`;
      const settings = conversationSettings({ silenceTimeoutMs: 3_000, reopenWindowMs: 1_500 });
      const send = (event: Parameters<typeof deliver>[2]) => deliver(client, taskQueue, event, settings);
      const now = () => new Date().toISOString();
      await send(events.message(id, 'message:1', now()));
      await eventually(async () => expect(store.slaProgress.some((p) => p.breaches.length > 0)).toBe(true), 20_000);
      await send({ ...events.message(id, 'message:2', now()), actor: 'AGENT' });
      await send({ ...events.resolution(id, 'resolution:3', now(), null), format: 'real' });
      await eventually(async () => expect(store.calls).toContain('applyResolutionTags'), 20_000);
      await send(events.reopen(id, 'reopen:4', now()));
      await send(events.message(id, 'message:5', now()));
      const conversation = await historyOf(client.workflow.getHandle(conversationWorkflowId(id)));

      const userId = `baseline-${stamp}`;
      await contextChanged(client, taskQueue, userId, contextSyncSettings({ quietPeriodMs: 100, idleTimeoutMs: 500 }));
      const contextSync = await historyOf(client.workflow.getHandle(contextSyncWorkflowId(userId)));

      const week = await client.workflow.start('weeklyReportWorkflow', {
        workflowId: `baseline-week-${stamp}`,
        taskQueue,
        args: [{ isoWeek: '2026-W48', quietPeriodMs: 100, idleTimeoutMs: 500 }],
      });
      await week.signal(resolutionRecordedSignal);
      const start = (type: string, args: unknown[]) =>
        client.workflow.start(type, { workflowId: `baseline-${type}-${stamp}`, taskQueue, args });
      return {
        conversation,
        'context-sync': contextSync,
        'weekly-report': await historyOf(week),
        'scheduled-weekly-report': await historyOf(
          await start('scheduledWeeklyReportWorkflow', [{ isoWeek: '2026-W48' }]),
        ),
        'analytics-daily': await historyOf(await start('analyticsDailyWorkflow', [{ date: '2026-11-24' }])),
        'sla-delivery': await historyOf(
          await start('slaDeliveryWorkflow', [{ kind: 'event', delivery: { deliveryId: 'd-1', body: '{}' } }]),
        ),
        reconciliation: await historyOf(
          await start('reconciliationWorkflow', [
            { trigger: 'MANUAL', lookbackMs: 3_600_000, batchSize: 10, spreadMs: 200, budgetMs: 0 },
          ]),
        ),
      };
    });
  } finally {
    await client.connection.close();
    await native.close();
  }
}

import type { Client } from '@temporalio/client';
import type { WeeklyReportSettings } from '../../domain/reports/weekly-report';
import { resolutionRecordedSignal, weeklyReportStateQuery } from '../../workflows/signals';
import type { weeklyReportWorkflow } from '../../workflows/weekly-report-workflow';
import { eventually } from '../support/eventually';
import { waitsOf } from '../support/timing';
import { pause, useWorkflowHarness } from '../support/workflow-worker';

const harness = useWorkflowHarness();

/** The report activity, mocked: records each computation's week and wall time. */
function fakeReports() {
  const computed: Array<{ isoWeek: string; at: number }> = [];
  const activities = {
    async computeWeeklyReport(isoWeek: string) {
      computed.push({ isoWeek, at: Date.now() });
      return { isoWeek, computations: computed.length, computedAt: new Date().toISOString() };
    },
  };
  return { activities, computed };
}

/** What a conversation's hand-off does when the week's run is already there: signal it (here, starting it too). */
const resolutionRecorded = (client: Client, taskQueue: string, workflowId: string, settings: WeeklyReportSettings) =>
  client.workflow.signalWithStart<typeof weeklyReportWorkflow, []>('weeklyReportWorkflow', {
    workflowId,
    taskQueue,
    args: [{ isoWeek: '2026-W48', ...settings }],
    signal: resolutionRecordedSignal,
    signalArgs: [],
  });

test('a burst of resolutions makes one computation; the run completes when idle', async () => {
  const reports = fakeReports();
  const workflowId = `weekly-report-burst-${Date.now()}`;
  const settings = { quietPeriodMs: 1_500, idleTimeoutMs: 500 };
  await harness.withWorker(reports.activities, async (taskQueue) => {
    for (let i = 0; i < 10; i++) await resolutionRecorded(harness.client, taskQueue, workflowId, settings);
    const result = await harness.client.workflow.getHandle(workflowId).result();
    expect(result).toEqual({ computations: 1, signals: 10 });
  });
  expect(reports.computed.map((c) => c.isoWeek)).toEqual(['2026-W48']);
});

test('resolutions that never pause still get computed within ten quiet periods', async () => {
  const reports = fakeReports();
  const workflowId = `weekly-report-steady-${Date.now()}`;
  const settings = { quietPeriodMs: 300, idleTimeoutMs: 60_000 };
  const maxDelayMs = 10 * settings.quietPeriodMs;
  const resolutions: number[] = [];
  await harness.withWorker(reports.activities, async (taskQueue) => {
    const until = Date.now() + 5_000;
    while (Date.now() < until) {
      resolutions.push(Date.now());
      await resolutionRecorded(harness.client, taskQueue, workflowId, settings);
      await pause(100);
    }
    // The last burst is computed too, and every computation the run counts reached the activity.
    await eventually(async () => {
      const state = await harness.client.workflow.getHandle(workflowId).query(weeklyReportStateQuery);
      expect(state).toMatchObject({ pending: false, computations: reports.computed.length });
    });
    await harness.client.workflow.getHandle(workflowId).terminate('test done');
  });
  const computed = reports.computed.map((c) => c.at);
  // Never quiet for 300 ms: the first computation waited for ten quiet periods, not for quiet...
  expect(computed[0]! - resolutions[0]!).toBeGreaterThanOrEqual(maxDelayMs - 50);
  // ...and no resolution waited more than twice that (a tolerance of the window's own size, for a busy machine).
  expect(Math.max(...waitsOf(resolutions, computed))).toBeLessThan(maxDelayMs * 2);
});

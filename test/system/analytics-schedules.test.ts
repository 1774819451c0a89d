import { sql } from 'slonik';
import { z } from 'zod';
import { recordOrder } from '../../stores/order-store';
import { readDaily } from '../../stores/analytics-daily-store';
import { readWeeklyReport } from '../../stores/weekly-report-store';
import { addDays, dayBounds, istDateOf, isoWeekOf, previousWeek, weekBounds } from '../../domain/reports/iso-week';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { dailyScheduleId, weeklyScheduleId } from '../../gateways/analytics-schedules';
import { insertIncidence } from '../support/analytics';
import { eventually } from '../support/eventually';
import { startSmtpSink } from '../support/smtp-sink';
import { startTestSystem, type TestSystem } from '../support/system';

let system: TestSystem;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
const HOUR = 3_600_000;
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

beforeAll(async () => {
  smtp = await startSmtpSink();
  system = await startTestSystem({
    ANALYTICS_SCHEDULES_ENABLED: 'true',
    SMTP_URL: smtp.url,
    REPORT_RECIPIENTS: 'ops@example.com, founders@example.com',
    REPORT_FROM: 'reports@example.com',
  });
});
afterAll(async () => {
  const queue = system?.config.TEMPORAL_TASK_QUEUE;
  if (queue)
    for (const id of [dailyScheduleId(queue), weeklyScheduleId(queue)])
      await system.client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
  await system?.stop();
  await smtp?.stop();
});

const scheduleOf = (id: string) => system.client.schedule.getHandle(id).describe();

/**
 * Runs a schedule's action as due at `at` (a backfill of that one instant) and waits until that run has finished:
 * the run the schedule lists as due at `at` (not one the schedule itself starts meanwhile). The run takes its date
 * from `at`, not from the clock, so the test does not change with the day or hour it runs at.
 */
async function runAsDueAt(id: string, at: string) {
  const due = Date.parse(at);
  await system.client.schedule
    .getHandle(id)
    .backfill({ start: new Date(due - 60_000), end: new Date(due + 60_000), overlap: ScheduleOverlapPolicy.ALLOW_ALL });
  const run = await eventually(async () => {
    const { recentActions } = (await scheduleOf(id)).info;
    const action = recentActions.find((a) => a.scheduledAt.getTime() === due);
    expect(action).toBeDefined();
    return action!.action.workflow;
  }, 30_000);
  const result: unknown = await system.client.workflow.getHandle(run.workflowId, run.firstExecutionRunId).result();
  return { workflowId: run.workflowId, result };
}

test('the worker creates both schedules in India time, catching up missed runs; a restart updates them in place', async () => {
  const queue = system.config.TEMPORAL_TASK_QUEUE;
  const daily = await scheduleOf(dailyScheduleId(queue));
  expect(daily.spec.timezone).toBe('Asia/Kolkata');
  expect(daily.action).toMatchObject({
    type: 'startWorkflow',
    workflowType: 'analyticsDailyWorkflow',
    taskQueue: queue,
  });
  expect(daily.policies).toMatchObject({ overlap: 'ALLOW_ALL', catchupWindow: 7 * 24 * HOUR });
  const weekly = await scheduleOf(weeklyScheduleId(queue));
  expect(weekly.action).toMatchObject({ workflowType: 'scheduledWeeklyReportWorkflow' });
  // Next runs: 00:15 and Monday 07:00 India time.
  const nextDaily = daily.info.nextActionTimes[0]!;
  expect(new Date(nextDaily.getTime() + 330 * 60_000).toISOString().slice(11, 16)).toBe('00:15');
  const nextWeekly = new Date(weekly.info.nextActionTimes[0]!.getTime() + 330 * 60_000);
  expect([nextWeekly.getUTCDay(), nextWeekly.toISOString().slice(11, 16)]).toEqual([1, '07:00']);

  await system.stopWorker();
  await system.startWorker(); // ScheduleAlreadyRunning → update, no error
  expect((await scheduleOf(weeklyScheduleId(queue))).spec.timezone).toBe('Asia/Kolkata');
});

test('a run of each schedule produces the stored weekly report (emailed once) and the daily row', async () => {
  // Due times of each schedule (India time): Monday 30 November 2026 07:00, and Tuesday 1 December 00:15.
  const weeklyDue = '2026-11-30T01:30:00Z';
  const dailyDue = '2026-11-30T18:45:00Z';
  const lastWeek = previousWeek(isoWeekOf(weeklyDue));
  const yesterday = addDays(istDateOf(dailyDue), -1);
  expect([lastWeek, yesterday]).toEqual(['2026-W48', '2026-11-30']);
  const weekStart = weekBounds(lastWeek).start;
  await insertIncidence(system.pool, {
    user_id: 'u1',
    created_at: plus(weekStart, 2 * HOUR),
    resolved_at: plus(weekStart, 2 * HOUR + 300_000),
    issue_category: 'pricing',
  });
  await recordOrder(
    system.pool,
    { order_id: 'S-1', user_id: 'u1', event: 'PLACED', value: 50000, placed_at: plus(weekStart, 3 * HOUR) },
    24 * HOUR,
  );
  await recordOrder(
    system.pool,
    {
      order_id: 'S-2',
      user_id: 'u2',
      event: 'PLACED',
      value: 50000,
      placed_at: plus(dayBounds(yesterday).start, HOUR),
    },
    24 * HOUR,
  );

  const queue = system.config.TEMPORAL_TASK_QUEUE;
  const first = await runAsDueAt(weeklyScheduleId(queue), weeklyDue);
  expect(first.result).toEqual({ isoWeek: lastWeek, email: 'sent' });
  const stored = (await readWeeklyReport(system.pool, lastWeek))!;
  expect(stored.emailedAt).toBeTruthy();
  expect(stored.report.figures).toMatchObject({ closedIncidences: 1, assistedOrders: 1 });
  expect(stored.report.figures.totalOrders).toBeGreaterThanOrEqual(1);

  expect(smtp.messages).toHaveLength(1);
  const [mail] = smtp.messages;
  expect(mail!.to.sort()).toEqual(['founders@example.com', 'ops@example.com']);
  expect(mail!.from).toBe('reports@example.com');
  expect(mail!.raw).toContain(`Weekly report ${lastWeek}`);
  expect(mail!.raw).toMatch(/Content-Type: text\/html/i);
  expect(mail!.raw).toContain('data-chart=3D"self-serve-trend"'); // quoted-printable HTML body

  const daily = await runAsDueAt(dailyScheduleId(queue), dailyDue);
  expect(daily.result).toEqual({ date: yesterday });
  const [day, ...others] = await readDaily(system.pool, yesterday, yesterday);
  expect(others).toEqual([]);
  expect(day).toMatchObject({ date: yesterday, total_orders: 1, orders_without_help: 1 });

  // A second weekly run for that week (run again by hand) recomputes but does not email twice: judged once that run,
  // whose email step would send the second message, has finished.
  const second = await system.client.workflow.execute('scheduledWeeklyReportWorkflow', {
    taskQueue: queue,
    workflowId: `${first.workflowId}-again`,
    args: [{ isoWeek: lastWeek }],
  });
  expect(second).toEqual({ isoWeek: lastWeek, email: 'already-sent' });
  const computations = await system.pool.oneFirst(
    sql.type(
      z.object({ computations: z.number() }),
    )`SELECT computations FROM weekly_reports WHERE iso_week = ${lastWeek}`,
  );
  expect(computations).toBeGreaterThanOrEqual(2);
  expect(smtp.messages).toHaveLength(1);
});

test('missed runs are caught up: a backfill of three past nights aggregates each its own previous day', async () => {
  const today = istDateOf(new Date());
  const days = [-4, -3, -2].map((n) => addDays(today, n));
  for (const [i, day] of days.entries()) {
    await recordOrder(
      system.pool,
      {
        order_id: `B-${i}`,
        user_id: `b${i}`,
        event: 'PLACED',
        value: 1000,
        placed_at: plus(dayBounds(day).start, 2 * HOUR),
      },
      24 * HOUR,
    );
  }
  const handle = system.client.schedule.getHandle(dailyScheduleId(system.config.TEMPORAL_TASK_QUEUE));
  // Nights of today−3, today−2 and today−1 at 00:15 IST, as if the worker (or server) had been down.
  await handle.backfill({
    start: new Date(dayBounds(addDays(today, -3)).start),
    end: new Date(Date.parse(dayBounds(addDays(today, -1)).start) + 20 * 60_000),
    overlap: 'ALLOW_ALL',
  });
  const rows = await eventually(async () => {
    const found = await readDaily(system.pool, days[0]!, days[2]!);
    expect(found.map((r) => r.date)).toEqual(days);
    return found;
  }, 30_000);
  expect(rows.map((r) => r.total_orders)).toEqual([1, 1, 1]);
});

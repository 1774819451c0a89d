/**
 * The report's numbers against a hand-computed fixture of orders and incidences around 2026-W48
 * (Mon 23 Nov 00:00 IST = 2026-11-22T18:30Z to Mon 30 Nov 00:00 IST = 2026-11-29T18:30Z), with cross-midnight
 * and cross-week cases in India time. Every expected value below is worked out by hand in the comments.
 */
import { sql } from 'slonik';
import { recordOrder } from '../../stores/order-store';
import { markRepeatFriction, markRepeatFrictionAround } from '../../stores/repeat-friction-store';
import { aggregateDay } from '../../activities/analytics-day';
import { computeAndStoreWeeklyReport, computeWeeklyReport } from '../../activities/weekly-report';
import { readWeeklyReport } from '../../stores/weekly-report-store';
import type { WeeklyReport } from '../../domain/reports/weekly-report-shape';
import { insertFrictionSignal, insertIncidence } from '../support/analytics';
import { startTestSystem, type TestSystem } from '../support/system';

let system: TestSystem;
let report: WeeklyReport;
const DAY_WINDOW = 24 * 3_600_000;

const order = (
  order_id: string,
  user_id: string,
  placed_at: string,
  event: 'PLACED' | 'MODIFIED' | 'CANCELLED' = 'PLACED',
) => recordOrder(system.pool, { order_id, user_id, placed_at, event, value: 100000 }, DAY_WINDOW);

beforeAll(async () => {
  system = await startTestSystem({}, { worker: false });
  const pool = system.pool;
  // I1 user A: W48, 1200 s, CONVERTED / PLACED, menu, platter_customise.
  await insertIncidence(pool, {
    user_id: 'A',
    created_at: '2026-11-23T04:00:00Z',
    resolved_at: '2026-11-23T04:20:00Z',
    outcome: 'CONVERTED',
    order_impact: 'PLACED',
    issue_category: 'menu',
    app_screen: 'platter_customise',
  });
  // I2 user H: cross-midnight, Tue 23:30 IST → Wed 00:30 IST, 3600 s, pricing, quote_summary.
  await insertIncidence(pool, {
    user_id: 'H',
    created_at: '2026-11-24T18:00:00Z',
    resolved_at: '2026-11-24T19:00:00Z',
    issue_category: 'pricing',
    app_screen: 'quote_summary',
  });
  // I3 user F names order O6: 300 s, MODIFIED, order_change, order_details.
  await insertIncidence(pool, {
    user_id: 'F',
    order_id: 'O6',
    created_at: '2026-11-27T06:00:00Z',
    resolved_at: '2026-11-27T06:05:00Z',
    order_impact: 'MODIFIED',
    issue_category: 'order_change',
    app_screen: 'order_details',
  });
  // I4 user J: cross-week, started Sun 23:30 IST (W47), resolved Mon 00:15 IST (W48), 2700 s, DROPPED / LOST.
  await insertIncidence(pool, {
    user_id: 'J',
    created_at: '2026-11-22T18:00:00Z',
    resolved_at: '2026-11-22T18:45:00Z',
    outcome: 'DROPPED',
    order_impact: 'LOST',
    issue_category: 'pricing',
    app_screen: 'quote_summary',
  });
  // I5 user K: W48, still open.
  await insertIncidence(pool, { user_id: 'K', created_at: '2026-11-28T10:00:00Z', app_screen: 'quote_summary' });
  // I6 user H again, 'Pricing' (other case) two days after I2: a repeat friction issue. 600 s, checkout.
  await insertIncidence(pool, {
    user_id: 'H',
    created_at: '2026-11-26T10:00:00Z',
    resolved_at: '2026-11-26T10:10:00Z',
    issue_category: 'Pricing',
    app_screen: 'checkout',
  });
  // I7 user L: W47 only, 3600 s, delivery_time.
  await insertIncidence(pool, {
    user_id: 'L',
    created_at: '2026-11-17T10:00:00Z',
    resolved_at: '2026-11-17T11:00:00Z',
    issue_category: 'delivery_time',
    app_screen: 'checkout',
  });
  // I8 user M: started Sun 23:50 IST (W48), resolved Mon 00:10 IST (W49).
  await insertIncidence(pool, {
    user_id: 'M',
    created_at: '2026-11-29T18:20:00Z',
    resolved_at: '2026-11-29T18:40:00Z',
    issue_category: 'pricing',
    app_screen: 'quote_summary',
  });

  // Inserted directly, so flagged like the migration's backfill does (the resolution path is tested in weekly-report-workflow).
  await markRepeatFriction(pool, sql.fragment`TRUE`);

  await order('O1', 'A', '2026-11-23T05:00:00Z'); // 40 min after I1 resolved → assisted (within 24 h)
  await order('O2', 'B', '2026-11-29T18:00:00Z'); // Sun 23:30 IST → W48, not assisted
  await order('O2', 'B', '2026-11-29T18:00:00Z', 'MODIFIED'); // same order: counted once
  await order('O3', 'C', '2026-11-29T19:00:00Z'); // Mon 00:30 IST → W49
  await order('O4', 'D', '2026-11-22T18:00:00Z'); // Sun 23:30 IST → W47
  await order('O5', 'E', '2026-11-25T10:00:00Z');
  await order('O5', 'E', '2026-11-25T10:00:00Z', 'CANCELLED'); // cancelled: out of the total
  await order('O6', 'F', '2026-11-26T08:00:00Z'); // named by I3 → assisted
  await order('O7', 'G', '2026-11-24T12:00:00Z'); // not assisted

  await insertFrictionSignal(pool, { user_id: 'A', signal_type: 'BACK_NAV', created_at: '2026-11-23T06:00:00Z' });
  await insertFrictionSignal(pool, { user_id: 'B', signal_type: 'BACK_NAV', created_at: '2026-11-29T18:10:00Z' }); // Sun 23:40 IST
  await insertFrictionSignal(pool, { user_id: 'K', signal_type: 'INACTIVITY', created_at: '2026-11-28T09:00:00Z' });
  await insertFrictionSignal(pool, { user_id: 'C', signal_type: 'INACTIVITY', created_at: '2026-11-29T18:40:00Z' }); // W49
  await insertFrictionSignal(pool, { user_id: 'L', signal_type: 'BACK_NAV', created_at: '2026-11-17T09:00:00Z' }); // W47
  // Types the app made up: counted together as OTHER, never as rows of their own.
  for (const type of ['SPAM_1', 'SPAM_2', 'RAGE_TAP'])
    await insertFrictionSignal(pool, { user_id: 'K', signal_type: type, created_at: '2026-11-27T09:00:00Z' });

  report = await computeWeeklyReport(pool, '2026-W48', 150);
});
afterAll(async () => {
  await system?.stop();
});

test('orders: once per order, cancelled apart, India-time week edges', () => {
  // W48: O1, O2, O6, O7 (O3 is W49, O4 is W47, O5 cancelled). Assisted: O1 (window), O6 (named).
  expect(report.figures).toMatchObject({ totalOrders: 4, cancelledOrders: 1, assistedOrders: 2 });
  expect(report.metrics.selfServeRate.value).toBe(50); // (4 − 2) / 4
  // W47: O4 only, not assisted → 100 %.
  expect(report.previousWeek.metrics.totalOrders.value).toBe(1);
  expect(report.previousWeek.metrics.selfServeRate.value).toBe(100);
  expect(report.change.selfServeRate).toMatchObject({ previous: 100, absolute: -50, percent: -50 });
  expect(report.change.totalOrders).toMatchObject({ previous: 1, absolute: 3, percent: 300 });
});

test('incidences: started in the week vs resolved in the week', () => {
  // Started in W48: I1, I2, I3, I5, I6, I8 = 6 (I4 started in W47). W47: I4, I7 = 2.
  expect(report.metrics.incidences.value).toBe(6);
  expect(report.previousWeek.metrics.incidences.value).toBe(2);
  // Resolved in W48: I1 1200, I2 3600, I3 300, I4 2700, I6 600 (I8 resolved in W49).
  expect(report.figures).toMatchObject({
    closedIncidences: 5,
    convertedIncidences: 1,
    totalTimeToResolveSeconds: 8400,
  });
  expect(report.metrics.assistedConversionRate.value).toBe(20); // 1 / 5
  expect(report.metrics.avgTimeToResolveMinutes.value).toBe(28); // 8400 / 5 = 1680 s
  expect(report.metrics.medianTimeToResolveMinutes.value).toBe(20); // 1200 s
  expect(report.metrics.supportCost.value).toBe(350); // 8400 / 3600 × ₹150
  expect(report.metrics.costPerAssistedOrder.value).toBe(175); // 350 / 2
  expect(report.previousWeek.metrics.costPerAssistedOrder).toEqual({
    value: null,
    reason: 'no assisted orders this week',
  });
  expect(report.metrics.repeatFrictionIssues.value).toBe(1); // I6 repeats I2 (pricing, same user, 2 days before)
});

test('breakdowns', () => {
  expect(report.topIssueCategories).toEqual([
    { name: 'pricing', count: 3, previous: 0, change: 3 }, // I2, I4, I6 ('Pricing')
    { name: 'menu', count: 1, previous: 0, change: 1 },
    { name: 'order_change', count: 1, previous: 0, change: 1 },
  ]);
  expect(report.topFrictionScreens.map((s) => [s.name, s.count, s.topIssue, s.topIssueCount])).toEqual([
    ['quote_summary', 3, 'pricing', 2], // I2, I5 (no category), I8
    ['checkout', 1, 'pricing', 1],
    ['order_details', 1, 'order_change', 1],
    ['platter_customise', 1, 'menu', 1],
  ]);
  expect(report.frictionSignals).toEqual([
    { name: 'OTHER', count: 3, previous: 0, change: 3 },
    { name: 'BACK_NAV', count: 2, previous: 1, change: 1 },
    { name: 'INACTIVITY', count: 1, previous: 0, change: 1 },
  ]);
  expect(report.outcomes.map((o) => [o.name, o.count])).toEqual([
    ['RESOLVED', 3],
    ['CONVERTED', 1],
    ['DROPPED', 1],
    ['IN_PROGRESS', 1],
  ]);
  expect(report.orderImpact.map((o) => [o.name, o.count])).toEqual([
    ['NONE', 2],
    ['LOST', 1],
    ['MODIFIED', 1],
    ['PLACED', 1],
  ]);
  // 300 → 5–10 min; 600, 1200 → 10–30; 2700 → 30–60; 3600 → 1–4 h.
  expect(report.timeToResolveDistribution.map((b) => b.count)).toEqual([0, 0, 1, 2, 1, 1, 0]);
});

test('trend, targets and recommendations', () => {
  expect(report.selfServeTrend.map((p) => p.isoWeek)).toEqual([
    '2026-W41',
    '2026-W42',
    '2026-W43',
    '2026-W44',
    '2026-W45',
    '2026-W46',
    '2026-W47',
    '2026-W48',
  ]);
  expect(report.selfServeTrend.slice(-2).map((p) => p.selfServeRate)).toEqual([100, 50]);
  expect(report.selfServeTrend[0]!.selfServeRate).toBeNull();
  const [selfServe, ttr, cost, repeat] = report.targets;
  expect(selfServe!.month1).toEqual({ target: 60, met: false, gap: 10 });
  expect(ttr!.month1).toEqual({ target: 10, met: false, gap: 18 });
  expect(cost!.month1).toEqual({ target: 50, met: false, gap: 125 });
  expect(repeat).toMatchObject({ value: null, month1: { track: true } }); // nothing four weeks earlier
  expect(report.recommendations.map((r) => r.rule)).toEqual([
    'target-missed',
    'target-missed',
    'target-missed',
    'top-friction-screen',
    'growing-category',
  ]);
  expect(report.recommendations[3]!.numbers).toMatchObject({
    screen: 'quote_summary',
    incidences: 3,
    share_percent: 50,
    top_issue: 'pricing',
    top_issue_incidences: 2,
  });
  expect(report.recommendations[4]!.numbers).toMatchObject({
    category: 'pricing',
    incidences: 3,
    previous: 0,
    increase: 3,
  });
});

test('an empty week gives zeros and nulls with reasons', async () => {
  const empty = await computeWeeklyReport(system.pool, '2025-W10', 150);
  expect(empty.metrics.totalOrders.value).toBe(0);
  expect(empty.metrics.selfServeRate).toEqual({ value: null, reason: 'no orders were placed this week' });
  expect(empty.metrics.medianTimeToResolveMinutes.value).toBeNull();
  expect(JSON.stringify(empty)).not.toMatch(/NaN|Infinity/);
});

test('stored by week: computations are counted and the HTML is kept beside the JSON', async () => {
  expect((await computeAndStoreWeeklyReport(system.pool, '2026-W48', 150)).computations).toBe(1);
  expect((await computeAndStoreWeeklyReport(system.pool, '2026-W48', 150)).computations).toBe(2);
  const stored = await readWeeklyReport(system.pool, '2026-W48');
  expect(stored!.report.figures.totalOrders).toBe(4);
  expect(stored!.html).toContain('data-chart="self-serve-trend"');
});

test('the previous week comes from its final stored report when there is one (orders stay live)', async () => {
  expect(report.previousWeek.source).toBe('computed');
  await computeAndStoreWeeklyReport(system.pool, '2026-W47', 150); // computed now, after W47 ended: final
  const again = await computeWeeklyReport(system.pool, '2026-W48', 150);
  expect(again.previousWeek.source).toBe('stored');
  expect(again.previousWeek.metrics).toEqual(report.previousWeek.metrics);
  // Proof that it is read, not recounted: the stored figures win (except orders, always counted live).
  await system.pool.query(
    sql.unsafe`UPDATE weekly_reports SET report = jsonb_set(jsonb_set(report, '{figures,incidences}', '99'), '{figures,totalOrders}', '77') WHERE iso_week = '2026-W47'`,
  );
  const tampered = await computeWeeklyReport(system.pool, '2026-W48', 150);
  expect(tampered.previousWeek.metrics.incidences.value).toBe(99);
  expect(tampered.previousWeek.metrics.totalOrders.value).toBe(1);
  // A stored report computed before its week ended is not final: recomputed.
  await system.pool.query(
    sql.unsafe`UPDATE weekly_reports SET computed_at = '2026-11-20T00:00:00Z' WHERE iso_week = '2026-W47'`,
  );
  expect((await computeWeeklyReport(system.pool, '2026-W48', 150)).previousWeek).toMatchObject({
    source: 'computed',
    metrics: { incidences: { value: 2 } },
  });
});

test('daily aggregation in India-time days, cross-midnight included', async () => {
  // 23 Nov IST: O1 (assisted); I1 started; I1 (1200 s) and I4 (2700 s, resolved 00:15 IST) resolved → avg 1950.
  expect(await aggregateDay(system.pool, '2026-11-23', DAY_WINDOW)).toMatchObject({
    total_orders: 1,
    orders_with_help: 1,
    orders_without_help: 0,
    total_incidences: 1,
    avg_time_to_resolve_seconds: 1950,
    top_issue_categories: [
      { name: 'menu', count: 1 },
      { name: 'pricing', count: 1 },
    ],
    top_friction_screens: [{ name: 'platter_customise', count: 1 }],
  });
  // 24 Nov IST: O7; I2 started at 23:30 IST but resolved after midnight → no resolution that day.
  expect(await aggregateDay(system.pool, '2026-11-24', DAY_WINDOW)).toMatchObject({
    total_orders: 1,
    orders_with_help: 0,
    total_incidences: 1,
    avg_time_to_resolve_seconds: null,
  });
  // 25 Nov IST: O5 cancelled → 0 orders; I2 resolved at 00:30 IST → avg 3600.
  expect(await aggregateDay(system.pool, '2026-11-25', DAY_WINDOW)).toMatchObject({
    total_orders: 0,
    total_incidences: 0,
    avg_time_to_resolve_seconds: 3600,
    top_issue_categories: [{ name: 'pricing', count: 1 }],
  });
});

test('a repeat is recognised whichever of the two incidences is resolved first', async () => {
  const { z } = await import('zod');
  const user = 'usr_repeat_order';
  const first = await insertIncidence(system.pool, { user_id: user, created_at: '2026-03-01T10:00:00Z' });
  const second = await insertIncidence(system.pool, {
    user_id: user,
    created_at: '2026-03-03T10:00:00Z',
    resolved_at: '2026-03-03T11:00:00Z',
    issue_category: 'pricing',
  });
  const flag = (id: string) =>
    system.pool.oneFirst(
      sql.type(z.object({ f: z.boolean().nullable() }))`SELECT repeat_friction AS f FROM incidences WHERE id = ${id}`,
    );
  await markRepeatFrictionAround(system.pool, second);
  expect(await flag(second)).toBe(false); // the first one has no category yet
  await system.pool.query(
    sql.unsafe`UPDATE incidences SET outcome = 'RESOLVED', issue_category = 'Pricing', resolved_at = '2026-03-05T10:00:00Z' WHERE id = ${first}`,
  );
  await markRepeatFrictionAround(system.pool, first);
  expect(await flag(second)).toBe(true);
  expect(await flag(first)).toBe(false);
});

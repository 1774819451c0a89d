/**
 * Day rollups reproduce the raw figures exactly: a week merged from its seven days' rollups equals the same week
 * counted by PostgreSQL from the rows (percentile_cont, sums, top lists), on seeded random data with India-time
 * midnights, reopens, missing times and every SLA status; and stays equal after changes that mark days stale.
 */
import { Client } from 'pg';
import { sql } from 'slonik';
import { z } from 'zod';
import { dayBounds, weekBounds } from '../../domain/reports/iso-week';
import { figuresOfDays } from '../../domain/reports/report-rollup';
import { orderFigures, periodFigures } from '../../stores/report-figures';
import { readDays, refreshDays } from '../../stores/report-days';
import { repairsIn } from '../../stores/reconciliation-store';
import { aggregateDay } from '../../activities/analytics-day';
import { computeWeeklyReport } from '../../activities/weekly-report';
import { daysOfWeek } from '../../domain/reports/iso-week';
import { readDaily } from '../../stores/analytics-daily-store';
import { startTestSystem, type TestSystem } from '../support/system';

let system: TestSystem;
const WEEK = '2026-W10'; // Mon 2 Mar 2026 00:00 IST = 2026-03-01T18:30Z
const SPAN = { start: '2026-02-20T18:30:00Z', end: '2026-03-12T18:30:00Z' };

async function seed(seedValue: number) {
  await system.pool.transaction(async (tx) => {
    await tx.query(sql.unsafe`SELECT setseed(${seedValue})`);
    await tx.query(sql.unsafe`
      INSERT INTO incidences (conversation_id, user_id, stage, channel, trigger, app_screen, outcome, order_impact,
                              issue_category, created_at, resolved_at, time_to_resolve_seconds, time_to_resolve_business_seconds,
                              reopen_count, cart_value, event_type, agent_id, first_response_seconds,
                              first_response_business_seconds, first_response_at, repeat_friction, last_state_change_at)
      SELECT 'rollup-' || ${seedValue} || '-' || g, 'u' || (g % 40), 'PRE_ORDER', 'IN_APP_CHAT', 'USER_INITIATED',
             (ARRAY['checkout', 'menu', 'payment', NULL])[1 + g % 4], outcome,
             CASE outcome WHEN 'IN_PROGRESS' THEN NULL WHEN 'CONVERTED' THEN 'PLACED' WHEN 'DROPPED' THEN 'LOST' ELSE 'NONE' END,
             (ARRAY['pricing', 'Pricing', 'menu', 'venue', NULL])[1 + g % 5], c,
             CASE WHEN outcome <> 'IN_PROGRESS' THEN c + make_interval(secs => ttr) END,
             CASE WHEN outcome <> 'IN_PROGRESS' AND g % 10 <> 3 THEN ttr END,
             CASE WHEN outcome <> 'IN_PROGRESS' AND g % 5 <> 1 THEN ttr / 3 END,
             CASE WHEN g % 6 = 0 THEN 1 + g % 2 ELSE 0 END,
             CASE WHEN g % 7 = 0 THEN NULL ELSE round((500 + r1 * 150000)::numeric, 2) END,
             (ARRAY['WEDDING', 'CORPORATE', NULL])[1 + g % 3], (ARRAY['agent-1', 'agent-2', NULL, 'agent-3'])[1 + g % 4],
             CASE WHEN g % 5 <> 2 THEN frs END, CASE WHEN g % 5 <> 2 THEN frs / 2 END,
             CASE WHEN g % 5 <> 2 THEN c + make_interval(secs => frs) END, g % 9 = 0, c
      FROM (
        SELECT g, ${SPAN.start}::timestamptz + random() * (${SPAN.end}::timestamptz - ${SPAN.start}::timestamptz) AS c,
               (power(random(), 3) * 20000)::int AS ttr, (power(random(), 2) * 9000)::int AS frs, random() AS r1,
               CASE WHEN random() < 0.15 THEN 'IN_PROGRESS' WHEN random() < 0.3 THEN 'CONVERTED'
                    WHEN random() < 0.2 THEN 'DROPPED' ELSE 'RESOLVED' END AS outcome
        FROM generate_series(1, 700) AS g
      ) s`);
    await tx.query(sql.unsafe`
      INSERT INTO response_times (incidence_id, kind, care_cycle, waiting_since, answered_at, seconds, business_seconds)
      SELECT id, 'FIRST', 0, created_at, first_response_at, first_response_seconds, first_response_business_seconds
      FROM incidences WHERE first_response_at IS NOT NULL AND conversation_id LIKE ${`rollup-${seedValue}-%`}
      UNION ALL
      SELECT id, 'NEXT', 0, first_response_at + interval '10 minutes', first_response_at + interval '10 minutes' + make_interval(secs => n),
             n, n / 4
      FROM (SELECT id, first_response_at, (random() * 4000)::int AS n FROM incidences
            WHERE first_response_at IS NOT NULL AND conversation_id LIKE ${`rollup-${seedValue}-%`}) x`);
    await tx.query(sql.unsafe`
      INSERT INTO sla_targets (incidence_id, target, started_at, policy, due_at, status, settled_at)
      SELECT id, target, created_at, (ARRAY['standard', 'wedding-priority'])[1 + floor(random() * 2)::int], created_at + interval '5 minutes', status,
             CASE WHEN status IN ('MET', 'MISSED', 'CANCELLED') THEN created_at + random() * interval '30 hours' END
      FROM (SELECT id, created_at, t AS target,
                   (ARRAY['MET', 'MISSED', 'ACTIVE', 'CANCELLED', 'MET'])[1 + floor(random() * 5)::int] AS status
            FROM incidences, unnest(ARRAY['FIRST_RESPONSE', 'RESOLUTION']) AS t
            WHERE conversation_id LIKE ${`rollup-${seedValue}-%`}) x`);
    await tx.query(sql.unsafe`
      INSERT INTO orders (order_id, event, user_id, value, placed_at)
      SELECT 'o-' || ${seedValue} || '-' || g, 'PLACED', 'u' || (g % 40), round((1000 + random() * 90000)::numeric, 2),
             ${SPAN.start}::timestamptz + random() * (${SPAN.end}::timestamptz - ${SPAN.start}::timestamptz)
      FROM generate_series(1, 250) AS g`);
    await tx.query(sql.unsafe`
      INSERT INTO orders (order_id, event, user_id, value, placed_at)
      SELECT order_id, 'CANCELLED', user_id, value, placed_at FROM orders
      WHERE event = 'PLACED' AND order_id LIKE ${`o-${seedValue}-%`} AND right(order_id, 1) = '7'`);
    await tx.query(sql.unsafe`
      INSERT INTO order_assists (order_id, incidence_id, reason)
      SELECT o.order_id, (SELECT id FROM incidences i WHERE i.user_id = o.user_id ORDER BY created_at LIMIT 1), 'NAMED_ORDER'
      FROM orders o WHERE o.event = 'PLACED' AND o.order_id LIKE ${`o-${seedValue}-%`} AND random() < 0.4
        AND EXISTS (SELECT 1 FROM incidences i WHERE i.user_id = o.user_id)`);
    await tx.query(sql.unsafe`
      INSERT INTO friction_signals (user_id, session_id, signal_type, created_at)
      SELECT 'u' || g, 's', (ARRAY['BACK_NAV', 'INACTIVITY', 'PRICE_CHECK'])[1 + g % 3],
             ${SPAN.start}::timestamptz + random() * (${SPAN.end}::timestamptz - ${SPAN.start}::timestamptz)
      FROM generate_series(1, 150) AS g`);
  });
}

const staleDays = () =>
  system.pool.anyFirst(
    sql.type(
      z.object({ d: z.string() }),
    )`SELECT DISTINCT to_char(date, 'YYYY-MM-DD') AS d FROM report_days_stale ORDER BY 1`,
  );
const staleUpToWeek = async () => (await staleDays()).filter((d) => d <= daysOfWeek(WEEK)[6]!);
const raw = () => periodFigures(system.pool, weekBounds(WEEK));
const fromRollups = async () => ({
  ...figuresOfDays(await readDays(system.pool, daysOfWeek(WEEK))),
  eventsRepaired: await repairsIn(system.pool, weekBounds(WEEK)),
});

beforeAll(async () => {
  system = await startTestSystem({}, { worker: false });
  await seed(0.17);
});
afterAll(async () => {
  await system?.stop();
});

test('a week merged from day rollups equals the week counted from raw rows', async () => {
  expect(await staleDays()).not.toEqual([]); // the seed's inserts marked their days
  await refreshDays(system.pool, daysOfWeek(WEEK));
  expect(await staleDays()).not.toEqual(expect.arrayContaining(daysOfWeek(WEEK)));
  const expected = await raw();
  // The data exercises every figure (not a comparison of empties).
  expect(expected.closedIncidences).toBeGreaterThan(100);
  expect(expected.support.firstResponse.calendar.count).toBeGreaterThan(100);
  expect(expected.support.nextResponse.business.p90Seconds).not.toBeNull();
  expect(expected.support.resolution.business.count).toBeLessThan(expected.support.resolution.calendar.count);
  expect(expected.support.slaMet.agent.map((r) => r.name)).toContain('unassigned');
  expect(expected.support.slaMet.tier.length).toBeGreaterThanOrEqual(4);
  expect(expected.support.slaMet.policy.map((r) => r.name).sort()).toEqual(['standard', 'wedding-priority']);
  expect(expected.support.revenueRescued).toBeGreaterThan(0);
  expect(expected.support.cartValueLost).toBeGreaterThan(0);
  expect(expected.support.reopened).toBeGreaterThan(0);
  expect(await fromRollups()).toEqual(expected);
  expect((await computeWeeklyReport(system.pool, WEEK, 150)).figures).toEqual(expected);
});

test('changes mark their days stale and the report still equals the raw count', async () => {
  await computeWeeklyReport(system.pool, WEEK, 150); // every day up to the report's week stored and fresh
  expect(await staleUpToWeek()).toEqual([]);
  const ids = await system.pool.anyFirst(sql.type(z.object({ id: z.string() }))`
    SELECT id::text AS id FROM incidences WHERE created_at >= ${weekBounds(WEEK).start}::timestamptz
    ORDER BY created_at LIMIT 5`);
  // A late category and agent (moves settled SLA targets between breakdown rows), a resolution, a reopen count.
  await system.pool.query(sql.unsafe`
    UPDATE incidences SET issue_category = 'late_tag', agent_id = 'agent-9' WHERE id = ${ids[0]!}`);
  await system.pool.query(sql.unsafe`
    UPDATE incidences SET outcome = 'CONVERTED', resolved_at = created_at + interval '2 hours', time_to_resolve_seconds = 7200
    WHERE id = ${ids[1]!} AND outcome = 'IN_PROGRESS'`);
  await system.pool.query(sql.unsafe`UPDATE incidences SET reopen_count = reopen_count + 1 WHERE id = ${ids[2]!}`);
  await system.pool.query(sql.unsafe`
    UPDATE sla_targets SET status = 'MISSED', settled_at = started_at + interval '1 hour' WHERE incidence_id = ${ids[3]!}`);
  await system.pool.query(sql.unsafe`DELETE FROM order_assists WHERE order_id IN (
    SELECT order_id FROM order_assists ORDER BY order_id LIMIT 2)`);
  await system.pool.query(sql.unsafe`UPDATE incidences SET updated_at = NOW()`); // counts in no figure: marks nothing new
  expect((await staleUpToWeek()).length).toBeGreaterThan(0);
  const report = await computeWeeklyReport(system.pool, WEEK, 150);
  expect(report.figures).toEqual(await raw());
  expect(report.figures.support.slaMet.agent.map((r) => r.name)).toContain('agent-9');
});

test('a change still uncommitted while its day is refreshed is counted: the day does not stay fresh without it', async () => {
  await computeWeeklyReport(system.pool, WEEK, 150);
  const [monday] = daysOfWeek(WEEK);
  const noon = '2026-03-02T06:30:00Z'; // Monday noon, India time
  // A committed change: Monday is stale.
  await system.pool.query(sql.unsafe`
    INSERT INTO orders (order_id, event, user_id, value, placed_at) VALUES ('o-race-1', 'PLACED', 'u1', 5000, ${noon})`);
  // A second connection's change on the same day, its transaction held open while the refresher runs.
  const writer = new Client({ connectionString: system.database.url });
  await writer.connect();
  try {
    await writer.query('BEGIN');
    await writer.query(
      "INSERT INTO orders (order_id, event, user_id, value, placed_at) VALUES ('o-race-2', 'PLACED', 'u2', 7000, $1)",
      [noon],
    );
    expect(await refreshDays(system.pool, [monday!])).toEqual([monday]); // counted without the uncommitted order
    await writer.query('COMMIT');
  } finally {
    await writer.end();
  }
  expect(await staleDays()).toContain(monday);
  const report = await computeWeeklyReport(system.pool, WEEK, 150);
  expect(report.figures).toEqual(await raw());
  expect(await staleUpToWeek()).toEqual([]);
});

test('a fresh day is read from its rollup, not counted again', async () => {
  await computeWeeklyReport(system.pool, WEEK, 150);
  const [monday] = daysOfWeek(WEEK);
  await system.pool.query(sql.unsafe`
    UPDATE report_days SET figures = jsonb_set(figures, '{orders,total}', '1000') WHERE date = ${monday!}::date`);
  const read = await computeWeeklyReport(system.pool, WEEK, 150);
  expect(read.figures.totalOrders).toBe((await raw()).totalOrders + 1000 - (await dayOrders(monday!)));
  // Marked stale (as any change to its rows does), the day is counted again.
  await system.pool.query(sql.unsafe`INSERT INTO report_days_stale (date) VALUES (${monday!}::date)`);
  expect((await computeWeeklyReport(system.pool, WEEK, 150)).figures).toEqual(await raw());
});

const dayOrders = async (date: string) => (await orderFigures(system.pool, dayBounds(date))).total;

test('the daily aggregation stores the day rollup and returns its support figures', async () => {
  const day = daysOfWeek(WEEK)[2]!;
  const row = await aggregateDay(system.pool, day, 24 * 3_600_000);
  const expected = await periodFigures(system.pool, dayBounds(day));
  expect(row.support).toEqual(expected.support);
  expect(row.support!.firstResponse.calendar.count).toBeGreaterThan(0);
  expect(row.total_orders).toBe(expected.totalOrders);
  expect((await readDaily(system.pool, day, day))[0]!.support).toEqual(expected.support);
});

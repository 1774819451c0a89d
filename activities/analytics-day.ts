import type { DatabasePool } from 'slonik';
import { dayBounds } from '../domain/reports/iso-week';
import { figuresOfDays } from '../domain/reports/report-rollup';
import { readDaily, writeDaily, type DailyRow } from '../stores/analytics-daily-store';
import { linkAssists, placedWithin } from '../stores/order-store';
import { readDays, refreshDays } from '../stores/report-days';

/**
 * Aggregates one India-time day into analytics_daily (upsert, so a re-run or caught-up run is harmless).
 * First repairs assist links of the day's orders (an order and an incidence stored concurrently can each miss
 * the other), so the day's figures read complete links.
 */
export async function aggregateDay(pool: DatabasePool, date: string, assistedWindowMs: number): Promise<DailyRow> {
  await linkAssists(pool, placedWithin(dayBounds(date)), assistedWindowMs);
  await refreshDays(pool, [date], true);
  await writeDaily(pool, date, figuresOfDays(await readDays(pool, [date])));
  return (await readDaily(pool, date, date))[0]!;
}

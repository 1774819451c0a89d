/** Volume by weekday × hour, India time: conversations started, and first responses missed (by when the wait began). */
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import type { Bounds } from '../domain/reports/iso-week';

/** [weekday 0 = Monday … 6 = Sunday][hour 0…23] → count. */
export type Heatmap = number[][];

const cell = z.object({ dow: z.number(), hour: z.number(), n: z.number() });

const grid = (rows: ReadonlyArray<z.infer<typeof cell>>): Heatmap => {
  const out = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
  for (const r of rows) out[r.dow - 1]![r.hour] = r.n;
  return out;
};

export async function readHeatmaps(
  db: CommonQueryMethods,
  b: Bounds,
): Promise<{ started: Heatmap; firstResponsesMissed: Heatmap }> {
  const [started, missed] = await Promise.all([
    db.any(sql.type(cell)`
      SELECT extract(isodow FROM created_at AT TIME ZONE 'Asia/Kolkata')::int AS dow,
             extract(hour FROM created_at AT TIME ZONE 'Asia/Kolkata')::int AS hour, count(*)::int AS n
      FROM incidences WHERE created_at >= ${b.start}::timestamptz AND created_at < ${b.end}::timestamptz
      GROUP BY 1, 2`),
    db.any(sql.type(cell)`
      SELECT extract(isodow FROM started_at AT TIME ZONE 'Asia/Kolkata')::int AS dow,
             extract(hour FROM started_at AT TIME ZONE 'Asia/Kolkata')::int AS hour, count(*)::int AS n
      FROM sla_targets
      WHERE target = 'FIRST_RESPONSE' AND status = 'MISSED'
        AND started_at >= ${b.start}::timestamptz AND started_at < ${b.end}::timestamptz
      GROUP BY 1, 2`),
  ]);
  return { started: grid(started), firstResponsesMissed: grid(missed) };
}

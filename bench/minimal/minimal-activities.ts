import { sql, type DatabasePool } from 'slonik';

/** Created by the benchmark in its scratch database before the worker starts. */
export const MINIMAL_TABLE_DDL = `CREATE TABLE bench_minimal_rows (
  id TEXT PRIMARY KEY,
  written_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
)`;

export function createMinimalActivities(pool: DatabasePool) {
  return {
    async insertMinimalRow(id: string): Promise<void> {
      await pool.query(sql.unsafe`INSERT INTO bench_minimal_rows (id) VALUES (${id}) ON CONFLICT DO NOTHING`);
    },
  };
}

export type MinimalActivities = ReturnType<typeof createMinimalActivities>;

/**
 * The real worker process, recording in PostgreSQL which process ran each activity and when it finished: a test can
 * then tell an activity its old process finished while draining from one a replacement ran again. The table
 * (`ACTIVITY_RUNS_TABLE`) is the test's own, created before the process starts.
 */
import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { Pool } from 'pg';
import { logger } from '../../infra/logger';
import { runWorkerProcess } from '../../worker';

export const ACTIVITY_RUNS_TABLE = 'test_activity_runs';
export const CREATE_ACTIVITY_RUNS = `CREATE TABLE IF NOT EXISTS ${ACTIVITY_RUNS_TABLE} (
  id bigserial PRIMARY KEY, pid int NOT NULL, workflow_id text NOT NULL, activity_type text NOT NULL, attempt int NOT NULL,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(), ended_at timestamptz, outcome text)`;

function recordingInterceptor(pool: Pool): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      execute: async (input, next) => {
        const { info } = ctx;
        const { rows } = await pool.query<{ id: string }>(
          `INSERT INTO ${ACTIVITY_RUNS_TABLE} (pid, workflow_id, activity_type, attempt) VALUES ($1, $2, $3, $4)
           RETURNING id`,
          [process.pid, info.workflowExecution?.workflowId ?? '', info.activityType, info.attempt],
        );
        const end = (outcome: string) =>
          pool.query(`UPDATE ${ACTIVITY_RUNS_TABLE} SET ended_at = clock_timestamp(), outcome = $2 WHERE id = $1`, [
            rows[0]!.id,
            outcome,
          ]);
        try {
          const result = await next(input);
          await end('completed');
          return result;
        } catch (error) {
          await end('failed');
          throw error;
        }
      },
    },
  });
}

if (require.main === module) {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
  runWorkerProcess({ activity: [recordingInterceptor(pool)] }).catch((error) => {
    logger.fatal({ err: error }, error instanceof Error ? error.message : 'worker failed');
    process.exit(1);
  });
}

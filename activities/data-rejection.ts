import { ApplicationFailure } from '@temporalio/common';
import { DATA_REJECTED } from '../domain/record-values';

/** The SQLSTATE of a PostgreSQL error, looked for along its causes (slonik wraps some). */
export function sqlStateOf(error: unknown): string | null {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
    e = e.cause as typeof e;
  }
  return null;
}

/**
 * Data exceptions (class 22) and integrity violations (class 23; the expected idempotency conflicts are absorbed by
 * ON CONFLICT, so any that surfaces is a real one) are refusals of this data, not outages.
 */
export const isDataRefusal = (sqlstate: string | null): boolean => sqlstate !== null && /^2[23]/.test(sqlstate);

/** Runs a database step; a refusal of its data becomes a non-retryable failure naming the SQLSTATE. */
export async function refusingBadData<T>(step: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const sqlstate = sqlStateOf(error);
    if (!isDataRefusal(sqlstate)) throw error;
    throw ApplicationFailure.create({
      message: `${step}: PostgreSQL refused the data (${sqlstate}): ${(error as Error).message}`,
      type: DATA_REJECTED,
      nonRetryable: true,
      details: [{ sqlstate, step }],
    });
  }
}

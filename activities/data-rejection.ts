import { ApplicationFailure } from '@temporalio/common';
import { InvalidInputError } from 'slonik';
import { DATA_REJECTED } from '../domain/conversation/record-values';

/**
 * The SQLSTATE of a PostgreSQL error, looked for along its causes (slonik wraps some; an error emitted on a client
 * with no listener arrives as Node's "Unhandled error." with the original as its `context`).
 */
export function sqlStateOf(error: unknown): string | null {
  type Wrapped = { code?: unknown; cause?: unknown; context?: unknown };
  for (let e = error as Wrapped | undefined, depth = 0; e && depth < 5; depth++) {
    // slonik turns PostgreSQL's 22P02 (invalid text representation, e.g. JSON jsonb refuses) into an
    // InvalidInputError without the code; its other uses are inputs no retry can fix either.
    if (e instanceof InvalidInputError) return '22P02';
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
    e = (e.cause ?? (e.code === 'ERR_UNHANDLED_ERROR' ? e.context : undefined)) as Wrapped | undefined;
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

import { sql, type DatabasePool, type DatabaseTransactionConnection } from 'slonik';
import type { Bounds } from '../domain/reports/iso-week';
import {
  CART_VALUE_TIERS,
  FIRST_RESPONSE_BUCKETS,
  NO_CART,
  UNKNOWN_DIMENSION,
  type SlaDimension,
} from '../domain/reports/support-metrics';

/** SQL pieces shared by the raw report figures and the day rollups, generated from the domain's constants. */

export const range = (column: string, b: Bounds) =>
  sql.fragment`${sql.identifier([column])} >= ${b.start}::timestamptz AND ${sql.identifier([column])} < ${b.end}::timestamptz`;

export const resolvedIn = (b: Bounds) => sql.fragment`${range('resolved_at', b)} AND outcome <> 'IN_PROGRESS'`;

/** Index of FIRST_RESPONSE_BUCKETS the seconds fall in; -1 when NULL (no human response). */
export const responseBucket = (column: ReturnType<typeof sql.identifier>) =>
  sql.fragment`CASE WHEN ${column} IS NULL THEN -1 ${sql.join(
    FIRST_RESPONSE_BUCKETS.map((b, i) =>
      b.upToSeconds === null ? sql.fragment`ELSE ${i}` : sql.fragment`WHEN ${column} < ${b.upToSeconds} THEN ${i}`,
    ),
    sql.fragment` `,
  )} END`;

/** Name of the CART_VALUE_TIERS tier of a cart value in rupees (NO_CART when NULL). */
export const cartTier = (column: ReturnType<typeof sql.identifier>) =>
  sql.fragment`CASE WHEN ${column} IS NULL THEN ${NO_CART} ${sql.join(
    [...CART_VALUE_TIERS].reverse().map((t) => sql.fragment`WHEN ${column} >= ${t.fromRupees} THEN ${t.name}`),
    sql.fragment` `,
  )} END`;

const UNKNOWN = UNKNOWN_DIMENSION;

/** The column of slaDimensions each SLA breakdown reads. */
export const SLA_DIMENSION_COLUMNS: Record<SlaDimension, string> = {
  target: 'target',
  policy: 'policy',
  tier: 'tier',
  eventType: 'event_type',
  category: 'category',
  agent: 'agent',
};

/** The SLA breakdown's dimensions of a target t joined with its incidence i. */
export const slaDimensions = sql.fragment`
  t.target AS target,
  t.policy AS policy,
  ${cartTier(sql.identifier(['i', 'cart_value']))} AS tier,
  COALESCE(i.event_type, ${UNKNOWN.eventType}) AS event_type,
  COALESCE(lower(i.issue_category), ${UNKNOWN.category}) AS category,
  COALESCE(i.agent_id, ${UNKNOWN.agent}) AS agent`;

/** Money in whole paise, exact through sums. */
export const paise = (column: ReturnType<typeof sql.identifier>) => sql.fragment`round(${column} * 100)`;

/** Runs `read` in one read-only snapshot (REPEATABLE READ): every figure of a report sees the same rows. */
export const inReadOnlySnapshot = <T>(pool: DatabasePool, read: (tx: DatabaseTransactionConnection) => Promise<T>) =>
  pool.transaction(async (tx) => {
    await tx.query(sql.unsafe`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
    await tx.query(sql.unsafe`SET LOCAL jit = off`);
    return read(tx);
  });

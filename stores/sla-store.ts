import { sql, type DatabaseTransactionConnection, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import { businessSeconds, type BusinessHours } from '../domain/sla/business-hours';
import { clockEventOf } from '../domain/sla/response-clock';
import { responseTimesOf } from '../domain/sla/response-times';
import type { SlaTarget } from '../domain/sla/sla';
import { SLA_TARGETS } from '../domain/sla/sla-policy';
import type { SlaProgress } from '../domain/sla/sla-step';
import { setList, type Assignment } from './assignments';

const isoTime = z.union([z.string(), z.number()]).transform((v) => new Date(v).toISOString());

const targetRow = z.object({
  target: z.enum(SLA_TARGETS),
  started_at: isoTime,
  policy: z.string(),
  due_at: isoTime,
  status: z.enum(['ACTIVE', 'MET', 'MISSED', 'CANCELLED']),
  settled_at: isoTime.nullable(),
});

/** Every SLA target the incidence was given. */
export async function targetsOf(tx: DatabaseTransactionConnection, incidenceId: string): Promise<SlaTarget[]> {
  const rows = await tx.any(sql.type(targetRow)`
    SELECT target, started_at, policy, due_at, status, settled_at FROM sla_targets WHERE incidence_id = ${incidenceId}`);
  return rows.map(toTarget);
}

/** Every SLA target the incidence was given, as one JSON array (a select-list expression). */
export const TARGETS_JSON = (incidenceId: string) => sql.fragment`(
  SELECT COALESCE(json_agg(json_build_object('target', target, 'started_at', started_at, 'policy', policy,
    'due_at', due_at, 'status', status, 'settled_at', settled_at)), '[]'::json)
  FROM sla_targets WHERE incidence_id = ${incidenceId})`;

// Schemas are built once: zod compiles each schema on its first use, so one built per call is compiled per call.
const targetRows = z.array(targetRow);

export const targetsFromJson = (json: unknown): SlaTarget[] => targetRows.parse(json).map(toTarget);

const toTarget = (r: z.infer<typeof targetRow>): SlaTarget => ({
  target: r.target,
  startedAt: r.started_at,
  policy: r.policy,
  dueAt: r.due_at,
  status: r.status,
  settledAt: r.settled_at,
});

/** What the response times are recomputed from: the stored timeline (breaches left out) and the resolution. */
export interface ResponseInputs {
  timeline: Array<{ eventType: string; actor: string; messageType: string | null; occurredAt: string }>;
  /** The incidence's first event and resolution, when it is resolved with a time to resolve. */
  resolved: { createdAt: string; resolvedAt: string } | null;
  /** Nothing is stored beside the incidence yet (created by this step): no response time or care cycle to delete. */
  fresh?: boolean;
}

const timelineRow = z.object({
  event_type: z.string(),
  actor: z.string(),
  message_type: z.string().nullable(),
  occurred_at: isoTime,
});

/** The timeline's columns the response times need, as one JSON array (a select-list expression). */
export const RESPONSE_TIMELINE_JSON = (incidenceId: string) => sql.fragment`(
  SELECT COALESCE(json_agg(json_build_object('event_type', event_type, 'actor', actor,
    'message_type', metadata->>'message_type', 'occurred_at', occurred_at)), '[]'::json)
  FROM incidence_timeline WHERE incidence_id = ${incidenceId} AND event_type <> 'SLA_BREACHED')`;

const timelineRows = z.array(timelineRow);

export const responseTimelineOf = (json: unknown): ResponseInputs['timeline'] =>
  timelineRows
    .parse(json)
    .map((r) => ({ eventType: r.event_type, actor: r.actor, messageType: r.message_type, occurredAt: r.occurred_at }));

/** Reads what the response times are recomputed from (when the caller has not read it with its own statement). */
async function responseInputsOf(tx: DatabaseTransactionConnection, incidenceId: string): Promise<ResponseInputs> {
  const row = await tx.one(sql.type(
    z.object({
      timeline: z.unknown(),
      created_at: isoTime,
      resolved_at: isoTime.nullable(),
      resolve_known: z.boolean(),
    }),
  )`
    SELECT ${RESPONSE_TIMELINE_JSON(incidenceId)} AS timeline, created_at, resolved_at,
      time_to_resolve_seconds IS NOT NULL AS resolve_known
    FROM incidences WHERE id = ${incidenceId}`);
  return {
    timeline: responseTimelineOf(row.timeline),
    resolved:
      row.resolved_at !== null && row.resolve_known ? { createdAt: row.created_at, resolvedAt: row.resolved_at } : null,
  };
}

/**
 * Stores one SLA step inside the caller's transaction, in one statement: targets (a settled one is never changed
 * again, so MISSED is never lowered), breach rows, the incidence's SLA fields and clock, and, when they moved, the
 * response times and care cycles recomputed from `inputs` (read here when not given).
 */
export async function storeSlaProgress(
  tx: DatabaseTransactionConnection,
  incidenceId: string,
  progress: SlaProgress,
  hours: BusinessHours,
  inputs?: ResponseInputs,
): Promise<void> {
  const needed = progress.recompute && !inputs ? await responseInputsOf(tx, incidenceId) : inputs;
  const { parts, sets } = slaWrites(incidenceId, progress, hours, needed);
  await tx.query(sql.unsafe`
    ${parts.length > 0 ? sql.fragment`WITH ${sql.join(parts, sql.fragment`, `)}` : sql.fragment``}
    UPDATE incidences SET ${setList(sets)} WHERE id = ${incidenceId}`);
}

/**
 * One SLA step as parts of one statement: common table expressions (each write taken only where `onlyIf` holds) and
 * the incidence's SET list. `inputs` are required when the step recomputes the response times.
 */
export function slaWrites(
  incidenceId: string,
  progress: SlaProgress,
  hours: BusinessHours,
  inputs: ResponseInputs | undefined,
  onlyIf: FragmentSqlToken = sql.fragment`TRUE`,
) {
  const parts: FragmentSqlToken[] = [];
  const targets = targetWrites(progress.changed);
  if (targets.length > 0)
    parts.push(sql.fragment`targets AS (
      INSERT INTO sla_targets (incidence_id, target, started_at, policy, due_at, status, settled_at)
      SELECT ${incidenceId}, x.target, x.started_at, x.policy, x.due_at, x.status, x.settled_at
      FROM jsonb_to_recordset(${sql.jsonb(targets as never)}) AS x(target text, started_at timestamptz, policy text,
        due_at timestamptz, status text, settled_at timestamptz)
      WHERE ${onlyIf}
      ON CONFLICT (incidence_id, target, started_at) DO UPDATE SET
        policy = EXCLUDED.policy, due_at = EXCLUDED.due_at, status = EXCLUDED.status, settled_at = EXCLUDED.settled_at
      WHERE sla_targets.status = 'ACTIVE')`);
  if (progress.breaches.length > 0)
    parts.push(sql.fragment`breaches AS (
      INSERT INTO incidence_timeline (incidence_id, event_key, event_type, actor, content, metadata, occurred_at)
      SELECT ${incidenceId}, x.event_key, x.event_type, x.actor, x.content, x.metadata, x.occurred_at
      FROM jsonb_to_recordset(${sql.jsonb(progress.breaches.map(timelineJson) as never)}) AS x(event_key text,
        event_type text, actor text, content text, metadata jsonb, occurred_at timestamptz)
      WHERE ${onlyIf}
      ON CONFLICT (incidence_id, event_key) DO NOTHING)`);
  const s = progress.summary;
  const sets: Assignment[] = [
    ['sla_policy', sql.fragment`${s.policy}`],
    ['sla_status', sql.fragment`${s.status}`],
    ['sla_next_due_at', sql.fragment`${s.nextDueAt}::timestamptz`],
    ['sla_clock', progress.clock ? sql.fragment`${sql.jsonb(progress.clock as never)}` : sql.fragment`NULL`],
  ];
  if (progress.recompute) {
    if (!inputs) throw new TypeError('an SLA step that recomputes response times needs their inputs');
    const times = responseWrites(inputs, hours);
    parts.push(...times.parts(incidenceId, onlyIf));
    sets.push(...times.sets);
  }
  return { parts, sets };
}

/**
 * One write per target, as storing the changes in order would leave it: a later change of the same target applies
 * only while the earlier one left it ACTIVE (the store never changes a settled target).
 */
function targetWrites(changed: SlaTarget[]) {
  const byKey = new Map<string, SlaTarget>();
  for (const t of changed) {
    const key = `${t.target} ${Date.parse(t.startedAt)}`;
    const earlier = byKey.get(key);
    if (!earlier || earlier.status === 'ACTIVE') byKey.set(key, t);
  }
  return [...byKey.values()].map((t) => ({
    target: t.target,
    started_at: t.startedAt,
    policy: t.policy,
    due_at: t.dueAt,
    status: t.status,
    settled_at: t.settledAt,
  }));
}

const timelineJson = (entry: SlaProgress['breaches'][number]) => ({
  event_key: entry.eventKey,
  event_type: entry.eventType,
  actor: entry.actor,
  content: entry.content,
  metadata: entry.metadata,
  occurred_at: entry.occurredAt,
});

/**
 * The incidence's response times and care cycles recomputed from its timeline (the timeline is the truth;
 * order-proof): rows no longer computed are deleted, the others upserted, and the incidence's figures set.
 */
function responseWrites(inputs: ResponseInputs, hours: BusinessHours) {
  const times = responseTimesOf(inputs.timeline.map(clockEventOf), hours);
  // One row per answer and kind: the first computed wins.
  const responses = new Map<string, unknown>();
  for (const r of times.responses) {
    const key = `${Date.parse(r.answeredAt)} ${r.kind}`;
    if (!responses.has(key))
      responses.set(key, {
        kind: r.kind,
        care_cycle: r.cycle,
        waiting_since: r.waitingSince,
        answered_at: r.answeredAt,
        seconds: r.seconds,
        business_seconds: r.businessSeconds,
      });
  }
  const cycles = times.cycles.map((c) => ({
    care_cycle: c.cycle,
    started_at: c.startedAt,
    resolved_at: c.resolvedAt,
    seconds: c.timeToResolve?.seconds ?? null,
    business_seconds: c.timeToResolve?.businessSeconds ?? null,
  }));
  const first = times.firstResponse;
  const resolved = inputs.resolved;
  return {
    parts: (id: string, onlyIf: FragmentSqlToken) => {
      const rows = [...responses.values()];
      const parts: FragmentSqlToken[] = [];
      // Each statement on these tables fires its report-day triggers, even one that writes no row: none is sent idle.
      if (rows.length > 0 || !inputs.fresh)
        parts.push(sql.fragment`responses AS (
        SELECT * FROM jsonb_to_recordset(${sql.jsonb(rows as never)}) AS x(kind text,
          care_cycle int, waiting_since timestamptz, answered_at timestamptz, seconds int, business_seconds int))`);
      if (!inputs.fresh)
        parts.push(sql.fragment`responses_gone AS (
        DELETE FROM response_times r WHERE r.incidence_id = ${id} AND ${onlyIf}
          AND NOT EXISTS (SELECT 1 FROM responses x WHERE x.answered_at = r.answered_at AND x.kind = r.kind))`);
      if (rows.length > 0)
        parts.push(sql.fragment`responses_kept AS (
        INSERT INTO response_times (incidence_id, kind, care_cycle, waiting_since, answered_at, seconds, business_seconds)
        SELECT ${id}, kind, care_cycle, waiting_since, answered_at, seconds, business_seconds FROM responses
        WHERE ${onlyIf}
        ON CONFLICT (incidence_id, answered_at, kind) DO UPDATE SET care_cycle = EXCLUDED.care_cycle,
          waiting_since = EXCLUDED.waiting_since, seconds = EXCLUDED.seconds, business_seconds = EXCLUDED.business_seconds)`);
      if (cycles.length > 0 || !inputs.fresh)
        parts.push(sql.fragment`cycles AS (
        SELECT * FROM jsonb_to_recordset(${sql.jsonb(cycles as never)}) AS x(care_cycle int, started_at timestamptz,
          resolved_at timestamptz, seconds int, business_seconds int))`);
      if (!inputs.fresh)
        parts.push(sql.fragment`cycles_gone AS (
        DELETE FROM care_cycles c WHERE c.incidence_id = ${id} AND ${onlyIf}
          AND NOT EXISTS (SELECT 1 FROM cycles x WHERE x.care_cycle = c.care_cycle))`);
      if (cycles.length > 0)
        parts.push(sql.fragment`cycles_kept AS (
        INSERT INTO care_cycles (incidence_id, care_cycle, started_at, resolved_at, seconds, business_seconds)
        SELECT ${id}, care_cycle, started_at, resolved_at, seconds, business_seconds FROM cycles
        WHERE ${onlyIf}
        ON CONFLICT (incidence_id, care_cycle) DO UPDATE SET started_at = EXCLUDED.started_at,
          resolved_at = EXCLUDED.resolved_at, seconds = EXCLUDED.seconds, business_seconds = EXCLUDED.business_seconds)`);
      return parts;
    },
    sets: [
      ['first_response_seconds', sql.fragment`${first?.seconds ?? null}`],
      ['first_response_business_seconds', sql.fragment`${first?.businessSeconds ?? null}`],
      ['first_response_at', sql.fragment`${first?.answeredAt ?? null}::timestamptz`],
      [
        'time_to_resolve_business_seconds',
        sql.fragment`${resolved ? businessSeconds(resolved.createdAt, resolved.resolvedAt, hours) : null}`,
      ],
    ] as Assignment[],
  };
}

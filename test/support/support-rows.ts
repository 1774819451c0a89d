import { randomUUID } from 'node:crypto';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

/** Incidences with response-time and SLA fields, inserted directly (what the conversation workflow stores). */
export interface SupportIncidence {
  conversation_id?: string;
  user_id?: string | null;
  created_at: string;
  resolved_at?: string | null;
  outcome?: 'RESOLVED' | 'DROPPED' | 'CONVERTED' | 'IN_PROGRESS';
  cart_value?: number | null;
  event_type?: string | null;
  agent_id?: string | null;
  issue_category?: string | null;
  root_cause?: string | null;
  reopen_count?: number;
  last_state_change_at?: string | null;
  first_response_at?: string | null;
  sla_status?: 'ACTIVE' | 'MET' | 'MISSED' | null;
}

export async function insertSupportIncidence(pool: DatabasePool, i: SupportIncidence): Promise<string> {
  const resolved = i.resolved_at ?? null;
  const seconds = (from: string, to: string | null | undefined) =>
    to ? Math.floor((Date.parse(to) - Date.parse(from)) / 1000) : null;
  return pool.oneFirst(sql.type(z.object({ id: z.string() }))`
    INSERT INTO incidences (conversation_id, user_id, stage, channel, trigger, outcome, issue_category, root_cause,
                            cart_value, event_type, agent_id, created_at, resolved_at, time_to_resolve_seconds,
                            reopen_count, last_state_change_at, first_response_at, first_response_seconds, sla_status)
    VALUES (${i.conversation_id ?? randomUUID()}, ${i.user_id ?? null}, 'PRE_ORDER', 'IN_APP_CHAT', 'USER_INITIATED',
            ${i.outcome ?? (resolved ? 'RESOLVED' : 'IN_PROGRESS')}, ${i.issue_category ?? null}, ${i.root_cause ?? null},
            ${i.cart_value ?? null}, ${i.event_type ?? null}, ${i.agent_id ?? null}, ${i.created_at}::timestamptz,
            ${resolved}::timestamptz, ${seconds(i.created_at, resolved)}, ${i.reopen_count ?? 0},
            ${i.last_state_change_at ?? null}::timestamptz, ${i.first_response_at ?? null}::timestamptz,
            ${seconds(i.created_at, i.first_response_at)}, ${i.sla_status ?? null})
    RETURNING id::text`);
}

export async function insertResponse(
  pool: DatabasePool,
  r: {
    incidence_id: string;
    kind: 'FIRST' | 'NEXT';
    waiting_since: string;
    answered_at: string;
    business_seconds?: number;
  },
): Promise<void> {
  const seconds = Math.floor((Date.parse(r.answered_at) - Date.parse(r.waiting_since)) / 1000);
  await pool.query(sql.unsafe`
    INSERT INTO response_times (incidence_id, kind, care_cycle, waiting_since, answered_at, seconds, business_seconds)
    VALUES (${r.incidence_id}, ${r.kind}, 0, ${r.waiting_since}::timestamptz, ${r.answered_at}::timestamptz, ${seconds},
            ${r.business_seconds ?? seconds})`);
}

export async function insertSlaTarget(
  pool: DatabasePool,
  t: {
    incidence_id: string;
    target?: 'FIRST_RESPONSE' | 'NEXT_RESPONSE' | 'RESOLUTION';
    started_at: string;
    due_at: string;
    status: 'ACTIVE' | 'MET' | 'MISSED' | 'CANCELLED';
    settled_at?: string | null;
    policy?: string;
  },
): Promise<void> {
  await pool.query(sql.unsafe`
    INSERT INTO sla_targets (incidence_id, target, started_at, policy, due_at, status, settled_at)
    VALUES (${t.incidence_id}, ${t.target ?? 'FIRST_RESPONSE'}, ${t.started_at}::timestamptz, ${t.policy ?? 'standard'},
            ${t.due_at}::timestamptz, ${t.status}, ${t.settled_at ?? null}::timestamptz)`);
}

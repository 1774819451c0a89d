import { randomUUID } from 'node:crypto';
import { createHmac } from 'node:crypto';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { ADMIN_API_TOKEN } from './signing';

export const ORDERS_SECRET = 'test-orders-secret';

export const ordersSign = (body: string, secret = ORDERS_SECRET): string =>
  createHmac('sha256', secret).update(body).digest('hex');

export interface OrderBody {
  order_id: string;
  user_id: string;
  event: 'PLACED' | 'MODIFIED' | 'CANCELLED';
  value: number;
  placed_at: string;
  event_type?: string | null;
  event_date?: string | null;
}

export async function postOrder(
  baseUrl: string,
  order: OrderBody | string,
  signature?: string | null,
): Promise<{ status: number; json: any }> {
  const body = typeof order === 'string' ? order : JSON.stringify(order);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const sig = signature === undefined ? ordersSign(body) : signature;
  if (sig !== null) headers['x-orders-signature'] = sig;
  const res = await fetch(`${baseUrl}/api/v1/orders`, { method: 'POST', headers, body });
  return { status: res.status, json: await res.json().catch(() => null) };
}

export interface IncidenceFixture {
  user_id?: string | null;
  order_id?: string | null;
  created_at: string;
  resolved_at?: string | null;
  outcome?: 'RESOLVED' | 'DROPPED' | 'CONVERTED' | 'IN_PROGRESS';
  order_impact?: 'PLACED' | 'MODIFIED' | 'LOST' | 'NONE' | null;
  issue_category?: string | null;
  app_screen?: string | null;
}

/** Inserts an incidence directly (report fixtures); time to resolve is derived from the two times. */
export async function insertIncidence(pool: DatabasePool, i: IncidenceFixture): Promise<string> {
  const resolved = i.resolved_at ?? null;
  const ttr = resolved ? Math.floor((Date.parse(resolved) - Date.parse(i.created_at)) / 1000) : null;
  return pool.oneFirst(sql.type(z.object({ id: z.string() }))`
    INSERT INTO incidences (conversation_id, user_id, order_id, stage, channel, trigger, app_screen, outcome, order_impact,
                            issue_category, created_at, resolved_at, time_to_resolve_seconds)
    VALUES (${randomUUID()}, ${i.user_id ?? null}, ${i.order_id ?? null}, ${i.order_id ? 'POST_ORDER' : 'PRE_ORDER'}, 'IN_APP_CHAT',
            'USER_INITIATED', ${i.app_screen ?? null}, ${i.outcome ?? (resolved ? 'RESOLVED' : 'IN_PROGRESS')},
            ${i.order_impact ?? (resolved ? 'NONE' : null)}, ${i.issue_category ?? null}, ${i.created_at}::timestamptz,
            ${resolved}::timestamptz, ${ttr})
    RETURNING id::text`);
}

export async function insertFrictionSignal(
  pool: DatabasePool,
  s: { user_id: string; signal_type: string; screen?: string; created_at: string },
): Promise<void> {
  await pool.query(sql.unsafe`
    INSERT INTO friction_signals (user_id, session_id, signal_type, screen, created_at)
    VALUES (${s.user_id}, 'session', ${s.signal_type}, ${s.screen ?? null}, ${s.created_at}::timestamptz)`);
}

export const adminGet = (baseUrl: string, path: string, token: string | null = ADMIN_API_TOKEN) =>
  fetch(`${baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

export const uniqueUser = (): string => `usr_${randomUUID().slice(0, 8)}`;

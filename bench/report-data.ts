/** The benchmarks' data set (bench:report, bench:export): bulk-loaded with generate_series, seeded. */
import type { Client } from 'pg';

const USERS = 200_000;

/** Incidences spread evenly over the span: 10 % still open, the rest resolved after a skewed 0–4 h. */
export async function loadIncidences(db: Client, n: number, start: string, end: string): Promise<void> {
  await db.query('SELECT setseed(0.42)');
  await db.query(
    `INSERT INTO incidences (conversation_id, user_id, stage, channel, trigger, app_screen, outcome, order_impact, issue_category,
                             created_at, resolved_at, time_to_resolve_seconds, time_to_resolve_business_seconds,
                             cart_value, event_type, agent_id, reopen_count, first_response_seconds,
                             first_response_business_seconds, first_response_at, last_state_change_at)
     SELECT 'bench-' || g, 'u' || (g % $4), 'PRE_ORDER', 'IN_APP_CHAT', 'USER_INITIATED',
            (ARRAY['quote_summary','checkout','platter_customise','order_details','payment','menu'])[1 + g % 6],
            outcome, CASE outcome WHEN 'IN_PROGRESS' THEN NULL WHEN 'CONVERTED' THEN 'PLACED' WHEN 'DROPPED' THEN 'LOST' ELSE 'NONE' END,
            CASE WHEN outcome = 'IN_PROGRESS' THEN NULL ELSE (ARRAY['pricing','menu_customisation','delivery_time','order_change','payment','guest_count','venue','dietary','discount','tasting','invoice','other'])[1 + (g * 7) % 12] END,
            created_at, CASE WHEN outcome = 'IN_PROGRESS' THEN NULL ELSE created_at + make_interval(secs => ttr) END,
            CASE WHEN outcome = 'IN_PROGRESS' THEN NULL ELSE ttr END, CASE WHEN outcome = 'IN_PROGRESS' THEN NULL ELSE ttr / 2 END,
            CASE WHEN g % 8 = 0 THEN NULL ELSE 2000 + (g % 300) * 1000 END, (ARRAY['WEDDING','CORPORATE','BIRTHDAY'])[1 + g % 3],
            'agent-' || (g % 40), CASE WHEN g % 11 = 0 THEN 1 ELSE 0 END,
            CASE WHEN g % 12 = 0 THEN NULL ELSE frs END, CASE WHEN g % 12 = 0 THEN NULL ELSE frs / 2 END,
            CASE WHEN g % 12 = 0 THEN NULL ELSE created_at + make_interval(secs => frs) END, created_at
     FROM (
       SELECT g, $2::timestamptz + random() * ($3::timestamptz - $2::timestamptz) AS created_at, (power(random(), 3) * 14400)::int AS ttr,
              (power(random(), 3) * 3600)::int AS frs,
              CASE WHEN g % 10 = 0 THEN 'IN_PROGRESS' WHEN g % 3 = 0 THEN 'CONVERTED' WHEN g % 7 = 0 THEN 'DROPPED' ELSE 'RESOLVED' END AS outcome
       FROM generate_series(1, $1) AS g
     ) s`,
    [n, start, end, USERS],
  );
}

/**
 * Response times: each first response on record, and a next response for a third of them; SLA targets: a first
 * response target (5 minutes) for every incidence, met or missed by its first response, still active without one.
 */
export async function loadResponses(db: Client): Promise<void> {
  await db.query(
    `INSERT INTO response_times (incidence_id, kind, care_cycle, waiting_since, answered_at, seconds, business_seconds)
     SELECT id, 'FIRST', 0, created_at, first_response_at, first_response_seconds, first_response_business_seconds
     FROM incidences WHERE first_response_at IS NOT NULL
     UNION ALL
     SELECT id, 'NEXT', 0, first_response_at + interval '5 minutes', first_response_at + interval '5 minutes' + make_interval(secs => n), n, n / 2
     FROM (SELECT id, first_response_at, (power(random(), 2) * 1800)::int AS n FROM incidences
           WHERE first_response_at IS NOT NULL AND hashtext(conversation_id) % 3 = 0) x`,
  );
  await db.query(
    `INSERT INTO sla_targets (incidence_id, target, started_at, policy, due_at, status, settled_at)
     SELECT id, 'FIRST_RESPONSE', created_at, 'standard', created_at + interval '5 minutes',
            CASE WHEN first_response_at IS NULL THEN CASE WHEN outcome = 'IN_PROGRESS' THEN 'ACTIVE' ELSE 'CANCELLED' END
                 WHEN first_response_seconds <= 300 THEN 'MET' ELSE 'MISSED' END,
            CASE WHEN first_response_at IS NULL THEN CASE WHEN outcome = 'IN_PROGRESS' THEN NULL ELSE resolved_at END
                 WHEN first_response_seconds <= 300 THEN first_response_at ELSE created_at + interval '5 minutes' END
     FROM incidences`,
  );
}

/**
 * Orders: a third placed by a user within 12 h of one of their resolutions (assisted), the rest spread over the span;
 * 5 % later cancelled, 10 % modified; and one friction signal per five orders.
 */
export async function loadOrders(db: Client, n: number, start: string, end: string): Promise<void> {
  const helped = Math.floor(n / 3);
  await db.query(
    `INSERT INTO orders (order_id, event, user_id, value, event_type, placed_at)
     SELECT 'OA-' || row_number() OVER (), 'PLACED', user_id, 150000, 'WEDDING', resolved_at + random() * interval '12 hours'
     FROM (SELECT user_id, resolved_at FROM incidences WHERE resolved_at IS NOT NULL AND resolved_at < $2::timestamptz - interval '12 hours'
           ORDER BY hashtext(conversation_id) LIMIT $1) s`,
    [helped, end],
  );
  await db.query(
    `INSERT INTO orders (order_id, event, user_id, value, event_type, placed_at)
     SELECT 'O-' || g, 'PLACED', 'u' || ((g * 13) % $4), 10000 + (g % 500) * 1000, 'WEDDING', $2::timestamptz + random() * ($3::timestamptz - $2::timestamptz)
     FROM generate_series(1, $1) AS g`,
    [n - helped, start, end, USERS],
  );
  await db.query(`INSERT INTO orders (order_id, event, user_id, value, event_type, placed_at)
                  SELECT order_id, 'CANCELLED', user_id, value, event_type, placed_at FROM orders WHERE event = 'PLACED' AND hashtext(order_id) % 20 = 0`);
  await db.query(`INSERT INTO orders (order_id, event, user_id, value, event_type, placed_at)
                  SELECT order_id, 'MODIFIED', user_id, value + 500, event_type, placed_at FROM orders WHERE event = 'PLACED' AND hashtext(order_id) % 10 = 1`);
  await db.query(
    `INSERT INTO friction_signals (user_id, session_id, signal_type, screen, created_at)
     SELECT 'u' || (g % $4), 's' || g, (ARRAY['INACTIVITY','BACK_NAV','PRICE_CHECK','PAYMENT_FAILURE'])[1 + g % 4], 'checkout',
            $2::timestamptz + random() * ($3::timestamptz - $2::timestamptz)
     FROM generate_series(1, $1 / 5) AS g`,
    [n, start, end, USERS],
  );
}

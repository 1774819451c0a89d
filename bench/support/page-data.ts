/** Incidences for the pages' benchmark and screenshots, seeded by generate_series in batches. */
import { sql, type DatabasePool, type DatabaseTransactionConnection } from 'slonik';

/** Rows per insert: each batch is its own transaction, so a busy machine slows the seeding without failing it. */
const BATCH = 50_000;

/**
 * `incidences` incidences one every 63 seconds up to now, the newest `open` of them open (those without a reply
 * with a first-response SLA due within 10 minutes), carts to ₹3,00,000, 40 agents, four event types; then ANALYZE.
 * The pool's statement timeout is for serving pages: seeding turns it off in its own transactions.
 */
export async function seedIncidences(pool: DatabasePool, incidences: number, open: number): Promise<void> {
  const unlimited = <T>(work: (tx: DatabaseTransactionConnection) => Promise<T>) =>
    pool.transaction(async (tx) => {
      await tx.query(sql.unsafe`SET LOCAL statement_timeout = 0`);
      return work(tx);
    });
  const firstOpen = incidences - open;
  for (let from = 1; from <= incidences; from += BATCH) {
    const to = Math.min(incidences, from + BATCH - 1);
    // Closed incidences back from now; the newest `open` are open (IN_PROGRESS).
    await unlimited((tx) =>
      tx.query(sql.unsafe`
        INSERT INTO incidences (conversation_id, user_id, stage, channel, trigger, outcome, order_impact, cart_value,
                                event_type, agent_id, issue_category, created_at, resolved_at, time_to_resolve_seconds,
                                first_response_at, first_response_seconds, sla_status)
        SELECT 'conv-' || g, 'usr-' || (g % 50000), 'PRE_ORDER',
               (ARRAY['IN_APP_CHAT','CALL','WHATSAPP'])[1 + g % 3], 'USER_INITIATED',
               CASE WHEN g > ${firstOpen} THEN 'IN_PROGRESS' ELSE (ARRAY['RESOLVED','CONVERTED','DROPPED'])[1 + g % 3] END,
               CASE WHEN g > ${firstOpen} THEN NULL ELSE (ARRAY['PLACED','NONE','LOST'])[1 + g % 3] END,
               CASE WHEN g % 7 = 0 THEN NULL ELSE (g::bigint * 7919) % 300000 END,
               (ARRAY['WEDDING','CORPORATE','RELIGIOUS','BIRTHDAY'])[1 + g % 4],
               CASE WHEN g % 5 = 0 THEN NULL ELSE 'agent-' || (g % 40) END,
               (ARRAY['menu','pricing','delivery','payment'])[1 + g % 4],
               now() - ((${incidences} - g) * interval '63 seconds'),
               CASE WHEN g > ${firstOpen} THEN NULL ELSE now() - ((${incidences} - g) * interval '63 seconds') + interval '20 minutes' END,
               CASE WHEN g > ${firstOpen} THEN NULL ELSE 1200 END,
               CASE WHEN g % 2 = 0 THEN now() - ((${incidences} - g) * interval '63 seconds') + interval '3 minutes' END,
               CASE WHEN g % 2 = 0 THEN 180 END,
               (ARRAY['MET','MISSED','ACTIVE'])[1 + g % 3]
        FROM generate_series(${from}::int, ${to}::int) g`),
    );
  }
  await unlimited((tx) =>
    tx.query(sql.unsafe`
      INSERT INTO sla_targets (incidence_id, target, started_at, policy, due_at, status)
      SELECT id, 'FIRST_RESPONSE', created_at, 'standard', now() + ((row_number() OVER ()) % 600) * interval '1 second', 'ACTIVE'
      FROM incidences WHERE outcome = 'IN_PROGRESS' AND first_response_at IS NULL`),
  );
  await unlimited((tx) => tx.query(sql.unsafe`ANALYZE`));
}

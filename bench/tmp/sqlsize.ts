import { createDatabasePool } from '../../infra/db';
import type { Interceptor } from 'slonik';
import { createPool } from 'slonik';
import { createTestDatabase } from '../../test/support/database';
import { createIncidence } from '../../stores/incidence-store';
import { freshRecord, storeEventGuarded } from '../../stores/guarded-event-write';
import { slaPolicyFile } from '../../domain/sla/sla-policy';
import { ALWAYS_OPEN } from '../../domain/sla/business-hours';
import { readFileSync } from 'node:fs';
import { eventFor } from '../webhook-load';
async function main() {
  const db = await createTestDatabase();
  const log: Interceptor = { name: 'log', beforeQueryExecution: (ctx, q) => { console.log(q.sql.length, q.values.length, q.sql.slice(0, 3000)); return null; } };
  const pool = await createPool(db.url, { interceptors: [log] });
  const event = eventFor('c-1');
  const created = (await createIncidence(pool, 'c-1', { userId: 'u', freshchatUserId: null, orderId: null, appScreen: null, cartValue: 185000, guestCount: 1, eventType: 'WEDDING', frictionScore: null, trigger: 'USER_INITIATED' }, event.occurredAt))!;
  const rules = { policies: slaPolicyFile.parse(JSON.parse(readFileSync('config/sla-policies.json', 'utf8'))), hours: ALWAYS_OPEN, outbound: false };
  const r = await storeEventGuarded(pool, { conversationId: 'c-1', event, linkAssists: true }, freshRecord(created), rules, 3600000, () => new Date().toISOString());
  console.log(JSON.stringify(r).length, r?.sla?.recompute);
  await pool.end(); await db.drop();
}
main();

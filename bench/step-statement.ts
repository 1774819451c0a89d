/**
 * What a new conversation's creating statement costs, in process and without Temporal: the incidence created with its
 * first event (`createWithFirstEvent`, the step's one PostgreSQL round trip for the benchmark's template) against the
 * minimal workflow's one-row insert, on one pooled connection of a scratch database, in alternating rounds. Per
 * statement: this process's CPU, the PostgreSQL backend's CPU (from /proc), and composing the statement alone (the
 * same call with a pool that answers at once: slonik's fragments and the domain's change and SLA rules).
 *   npm run bench:step-statement -- [--statements 3000] [--rounds 3]
 */
import './quiet';
import { Client } from 'pg';
import { sql } from 'slonik';
import { loadConfig } from '../infra/config';
import { settingsFrom } from '../infra/settings';
import { loadSlaConfig } from '../infra/sla-config';
import { createDatabasePool, type DatabasePool } from '../infra/db';
import type { SlaRules } from '../stores/conversation-record';
import { createWithFirstEvent } from '../stores/guarded-event-write';
import type { IncidenceContext } from '../domain/conversation/incidence';
import { MINIMAL_TABLE_DDL } from './minimal/minimal-activities';
import { scratchDatabase } from './scratch';
import { flag, percentile, printCounts } from './table';
import { eventFor } from './webhook-load';
import { cpuMs } from './worker-counters';

const CONTEXT: IncidenceContext = {
  userId: 'usr_bench',
  freshchatUserId: null,
  orderId: null,
  appScreen: 'CHECKOUT',
  cartValue: 185_000,
  guestCount: 350,
  eventType: 'WEDDING',
  frictionScore: 40,
  trigger: 'USER_INITIATED',
};
const ASSISTED_ORDER_WINDOW_MS = 3_600_000;
const now = () => new Date().toISOString();

const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Runs `call` n times in sequence; this process's and the backend's CPU per call. */
async function costOf(n: number, backendPid: number, call: (i: number) => Promise<unknown>) {
  const [own, backend] = [ownCpuMs(), cpuMs(backendPid)];
  for (let i = 0; i < n; i++) await call(i);
  return { nodeMs: (ownCpuMs() - own) / n, postgresMs: (cpuMs(backendPid) - backend) / n };
}

const median = (values: number[]) => percentile(values, 50);
const round3 = (n: number) => Math.round(n * 1000) / 1000;

async function main(): Promise<void> {
  const n = flag('statements', 3000);
  const rounds = flag('rounds', 3);
  const settings = settingsFrom(loadConfig());
  const rules: SlaRules = { ...loadSlaConfig(settings.sla), outbound: true };
  const database = await scratchDatabase('slo_bench_step');
  const pool: DatabasePool = await createDatabasePool(database.url, 1);
  const answering = { maybeOne: async () => null } as unknown as DatabasePool;
  try {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    await client.query(MINIMAL_TABLE_DDL);
    await client.end();
    const backendPid = Number(await pool.oneFirst(sql.unsafe`SELECT pg_backend_pid()`));
    // The events are built before the clock starts: parsing the webhook is the API's work, not the step's.
    const create = (target: DatabasePool, prefix: string) => {
      const inputs = Array.from({ length: Math.max(n, 300) }, (_, i) => {
        const event = eventFor(`${prefix}-${i}`);
        return { conversationId: event.conversationId, event, context: { ...CONTEXT, userId: `usr_${i % 50}` } };
      });
      return async (i: number) => {
        const step = await createWithFirstEvent(target, inputs[i]!, rules, ASSISTED_ORDER_WINDOW_MS, now);
        if (!step && target === pool) throw new Error('the template must create its incidence in one statement');
      };
    };
    const insert = (prefix: string) => (i: number) =>
      pool.query(sql.unsafe`INSERT INTO bench_minimal_rows (id) VALUES (${`${prefix}-${i}`}) ON CONFLICT DO NOTHING`);
    await costOf(300, backendPid, create(pool, 'warm'));
    await costOf(300, backendPid, insert('warm'));

    const creating: Array<{ nodeMs: number; postgresMs: number }> = [];
    const minimal: typeof creating = [];
    const composing: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? ['create', 'insert'] : ['insert', 'create'];
      for (const which of order) {
        if (which === 'create') creating.push(await costOf(n, backendPid, create(pool, `r${r}`)));
        else minimal.push(await costOf(n, backendPid, insert(`r${r}`)));
      }
      composing.push((await costOf(n, backendPid, create(answering, `c${r}`))).nodeMs);
    }
    const figures = {
      statements_per_round: n,
      rounds,
      create_node_cpu_ms: round3(median(creating.map((c) => c.nodeMs))),
      create_postgres_cpu_ms: round3(median(creating.map((c) => c.postgresMs))),
      compose_node_cpu_ms: round3(median(composing)),
      insert_node_cpu_ms: round3(median(minimal.map((c) => c.nodeMs))),
      insert_postgres_cpu_ms: round3(median(minimal.map((c) => c.postgresMs))),
    };
    printCounts(
      Object.fromEntries(Object.entries(figures).map(([what, v]) => [what, Number.isInteger(v) ? v : v.toFixed(3)])),
    );
    console.log(JSON.stringify(figures));
  } finally {
    await pool.end();
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

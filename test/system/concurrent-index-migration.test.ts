import path from 'node:path';
import { Client, Pool } from 'pg';
import { migrate } from '../../infra/migrator';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * A migration marked `-- no-transaction` rebuilds the incidences' large indexes CONCURRENTLY while the webhook path
 * keeps writing and a second migrator waits for the lock: no write waits for the rebuild, and the two do not deadlock.
 */

const fixtures = path.join(__dirname, '..', 'fixtures', 'concurrent-index-migrations');
const ROWS = 300_000;
const WRITERS = 4;
let db: TestDatabase;
let pool: Pool;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = new Pool({ connectionString: db.url, max: WRITERS + 1 });
  // Another test file may cut every connection of the machine (the database recovery tests); a cut idle client is
  // replaced, a cut write is retried below.
  pool.on('error', () => undefined);
  await pool.query(
    `INSERT INTO incidences (user_id, conversation_id, stage, channel, trigger, created_at, outcome, issue_category)
     SELECT 'usr_' || (i % 5000), 'seed-' || i, 'PRE_ORDER', 'IN_APP_CHAT', 'USER_INITIATED',
            now() - (i || ' seconds')::interval, 'RESOLVED', 'menu'
     FROM generate_series(1, $1) AS i`,
    [ROWS],
  );
  await pool.query('ANALYZE incidences');
}, 120_000);
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

/**
 * Watches PostgreSQL while `during` runs: the statements of the migration seen holding a lock that a write of ours
 * waits on (a write the rebuild blocks).
 */
async function writesBlockedByTheMigration<T>(
  during: Promise<T>,
): Promise<{ result: T; blocked: string[]; samples: number }> {
  const watcher = new Client({ connectionString: db.url });
  watcher.on('error', () => undefined);
  await watcher.connect();
  const blocked = new Set<string>();
  let samples = 0;
  let watching = true;
  const watch = (async () => {
    while (watching) {
      try {
        const { rows } = await watcher.query<{ blocker: string }>(
          `SELECT b.query AS blocker
           FROM pg_stat_activity w, unnest(pg_blocking_pids(w.pid)) AS blocking(pid)
           JOIN pg_stat_activity b ON b.pid = blocking.pid
           WHERE w.datname = current_database() AND w.query ~ '^(INSERT INTO|UPDATE) incidences'
             AND b.query ~* '\\mINDEX\\M'`,
        );
        for (const { blocker } of rows) blocked.add(blocker.replace(/\s+/g, ' '));
        samples++;
      } catch {
        // A sample cut from outside (another file cuts connections): the next one tries again.
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  try {
    return { result: await during, blocked: [...blocked], samples };
  } finally {
    watching = false;
    await watch;
    await watcher.end().catch(() => undefined);
  }
}

test('indexes rebuilt concurrently under concurrent writes: no write waits for the rebuild', async () => {
  const waits: Array<{ at: number; ms: number }> = [];
  let writing = true;
  let n = 0;
  const writer = async () => {
    while (writing) {
      const started = performance.now();
      const id = `live-${n++}`;
      try {
        await pool.query(
          `INSERT INTO incidences (user_id, conversation_id, stage, channel, trigger) VALUES ($1, $2, 'PRE_ORDER', 'IN_APP_CHAT', 'USER_INITIATED')`,
          [`usr_${n % 5000}`, id],
        );
        await pool.query(`UPDATE incidences SET outcome = 'RESOLVED', resolved_at = now() WHERE conversation_id = $1`, [
          id,
        ]);
      } catch (error) {
        if ((error as { code?: string }).code === '57P01') continue; // cut from outside: not a wait
        throw error;
      }
      waits.push({ at: started, ms: performance.now() - started });
    }
  };
  const writers = Array.from({ length: WRITERS }, writer);
  await new Promise((r) => setTimeout(r, 200));
  const migrationStarted = performance.now();
  // Two processes migrate at once (a worker starting beside the deploy step): one rebuilds, the other waits.
  const {
    result: results,
    blocked,
    samples,
  } = await writesBlockedByTheMigration(Promise.all([migrate(db.url, fixtures), migrate(db.url, fixtures)]));
  const migrationEnded = performance.now();
  await new Promise((r) => setTimeout(r, 200));
  writing = false;
  await Promise.all(writers);

  expect(results.flatMap((r) => r.applied)).toEqual(['900_rebuild_incidence_indexes.sql']);
  const during = waits.filter((w) => w.at >= migrationStarted && w.at < migrationEnded);
  // The rebuild took long enough for the writers to keep writing through it.
  expect(during.length).toBeGreaterThan(20);
  // Watched from PostgreSQL, not timed: a write the rebuild blocks waits on its lock, however fast the machine is.
  expect(blocked).toEqual([]);
  expect(samples).toBeGreaterThanOrEqual(5); // watched through it

  const indexes = await pool.query<{ name: string; valid: boolean; definition: string }>(
    `SELECT c.relname AS name, i.indisvalid AS valid, pg_get_indexdef(i.indexrelid) AS definition
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE c.relname IN ('idx_incidences_created_at', 'idx_incidences_created_at_next',
                         'idx_incidences_user_created', 'idx_incidences_created_id')`,
  );
  expect(indexes.rows.map((r) => r.name).sort()).toEqual([
    'idx_incidences_created_at',
    'idx_incidences_created_id',
    'idx_incidences_user_created',
  ]);
  expect(indexes.rows.every((r) => r.valid)).toBe(true);
  expect(indexes.rows.find((r) => r.name === 'idx_incidences_created_at')!.definition).toContain('INCLUDE');
  console.log(
    `rebuild ${Math.round(migrationEnded - migrationStarted)} ms over ${ROWS} rows; ${during.length} writes during it, ` +
      `slowest ${Math.round(Math.max(...during.map((w) => w.ms)))} ms`,
  );
}, 120_000);

test('the same migration again is recorded as applied and changes nothing', async () => {
  const again = await migrate(db.url, fixtures);
  expect(again).toEqual({ applied: [], skipped: ['900_rebuild_incidence_indexes.sql'] });
});

import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../../infra/config';
import { ensureDatabase, migrate, migrationStatus } from '../../infra/migrator';
import { createTestDatabase, testRunId, type TestDatabase } from '../support/database';

let db: TestDatabase;
afterEach(async () => {
  await db?.drop();
});

const query = async <T>(url: string, text: string): Promise<T[]> => {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
};

test('migrations create the product tables with PostgreSQL indexes, and a second run applies nothing', async () => {
  db = await createTestDatabase();
  const tables = await query<{ tablename: string }>(
    db.url,
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
  );
  expect(tables.map((t) => t.tablename)).toEqual(
    expect.arrayContaining([
      'incidences',
      'incidence_timeline',
      'friction_signals',
      'analytics_daily',
      'schemaversion',
    ]),
  );
  const indexes = (
    await query<{ indexname: string }>(db.url, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
  ).map((i) => i.indexname);
  expect(indexes).toEqual(
    expect.arrayContaining([
      'idx_incidences_user_id',
      'idx_incidences_created_at',
      'idx_incidences_outcome',
      'idx_incidence_timeline_incidence_id',
      'idx_friction_signals_user_session',
      'uq_incidence_timeline_event',
    ]),
  );
  const again = await migrate(db.url);
  expect(again.applied).toEqual([]);
  expect(again.skipped.length).toBeGreaterThanOrEqual(2);
});

/** An empty database of its own (not migrated), dropped after the test. */
async function emptyDatabase(): Promise<TestDatabase> {
  const admin = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://root@127.0.0.1:5432/test';
  const name = `slo_test_mig_${testRunId().replace(/-/g, '_')}`;
  const url = new URL(admin);
  url.pathname = `/${name}`;
  await ensureDatabase(url.toString());
  await ensureDatabase(url.toString()); // idempotent
  return {
    url: url.toString(),
    name,
    drop: () => query(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => undefined),
  };
}

async function migrateThreeAtOnce(dir?: string) {
  const results = await Promise.all([migrate(db.url, dir), migrate(db.url, dir), migrate(db.url, dir)]);
  expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, results.flatMap((r) => r.applied).length]);
  const rows = await query<{ n: number }>(db.url, 'SELECT count(*)::int AS n FROM schemaversion WHERE version > 0');
  expect(rows[0]!.n).toBe(results.flatMap((r) => r.applied).length);
  return results.flatMap((r) => r.applied);
}

test('concurrent starts (several workers, or a worker and npm run migrate) migrate once', async () => {
  db = await emptyDatabase();
  await migrateThreeAtOnce();
});

test('concurrent starts migrate once when a file builds an index CONCURRENTLY (the others wait outside a transaction)', async () => {
  db = await emptyDatabase();
  const dir = mkdtempSync(path.join(tmpdir(), 'migrations-'));
  cpSync(path.join(__dirname, '..', '..', 'migrations'), dir, { recursive: true });
  // CREATE INDEX CONCURRENTLY waits for every transaction of the database to end, a waiting migrator's included.
  writeFileSync(
    path.join(dir, '990_incidences_by_outcome.sql'),
    '-- no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_test_outcome_created ON incidences (outcome, created_at);\n',
  );
  expect(await migrateThreeAtOnce(dir)).toContain('990_incidences_by_outcome.sql');
  const valid = await query<{ valid: boolean }>(
    db.url,
    "SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'idx_test_outcome_created'::regclass",
  );
  expect(valid).toEqual([{ valid: true }]);
}, 60_000);

test('a failing migration rolls back and names its file', async () => {
  db = await createTestDatabase();
  const dir = path.join(__dirname, '..', 'fixtures', 'bad-migrations');
  await expect(migrate(db.url, dir)).rejects.toThrow(/900_broken\.sql/);
  const tables = await query<{ tablename: string }>(
    db.url,
    "SELECT tablename FROM pg_tables WHERE tablename = 'half_made'",
  );
  expect(tables).toEqual([]);
});

test('.env.example is valid shell (scripts/up.sh sources it) and a valid configuration', () => {
  const root = path.join(__dirname, '..', '..');
  const printed = execFileSync('bash', ['-c', 'set -a; . ./.env.example; env'], { cwd: root, encoding: 'utf8' });
  const env = Object.fromEntries(
    printed
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  expect(env.REPORT_FROM).toBe('Support-led ordering reports <reports@localhost>');
  expect(() => loadConfig(env)).not.toThrow();
});

describe('the migration record', () => {
  const migrationsDir = path.join(__dirname, '..', '..', 'migrations');
  const copyOfMigrations = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'migrations-'));
    cpSync(migrationsDir, dir, { recursive: true });
    return dir;
  };

  test('a database migrated by the former migrator carries on: its applied files are adopted, nothing reruns', async () => {
    db = await createTestDatabase();
    const files = readdirSync(migrationsDir).filter((f) => f.endsWith('.sql'));
    await query(db.url, 'DROP TABLE schemaversion');
    await query(
      db.url,
      'CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW())',
    );
    // 015_sla_clock.sql was applied as 013_sla_clock.sql, before two files shared the number 13.
    const appliedNames = files.map((f) => (f === '015_sla_clock.sql' ? '013_sla_clock.sql' : f));
    await query(
      db.url,
      `INSERT INTO schema_migrations (name) VALUES ${appliedNames.map((f) => `('${f}')`).join(', ')}`,
    );
    const result = await migrate(db.url);
    expect(result.applied).toEqual([]);
    const status = await migrationStatus(db.url);
    expect(status.map((s) => s.state)).toEqual(files.map(() => 'applied'));
  });

  test('status names pending files, and a file edited after it ran stops the next migration', async () => {
    db = await createTestDatabase();
    const dir = copyOfMigrations();
    writeFileSync(path.join(dir, '990_next_step.sql'), 'CREATE TABLE next_step (id int);\n');
    const pending = await migrationStatus(db.url, dir);
    expect(pending.at(-1)).toEqual({ file: '990_next_step.sql', state: 'pending', appliedAt: null });
    expect(pending.slice(0, -1).every((s) => s.state === 'applied' && s.appliedAt)).toBe(true);

    const first = readdirSync(dir).sort()[0]!;
    writeFileSync(path.join(dir, first), `${readFileSync(path.join(dir, first), 'utf8')}\n-- edited\n`);
    expect((await migrationStatus(db.url, dir))[0]).toMatchObject({ file: first, state: 'changed since applied' });
    await expect(migrate(db.url, dir)).rejects.toThrow(/checksum/i);
    const created = await query(db.url, "SELECT 1 FROM pg_tables WHERE tablename = 'next_step'");
    expect(created).toEqual([]);
  });

  test('a file merged later with a number below the newest applied one still runs', async () => {
    db = await createTestDatabase();
    const dir = copyOfMigrations();
    writeFileSync(path.join(dir, '990_later.sql'), 'CREATE TABLE later_step (id int);\n');
    expect((await migrate(db.url, dir)).applied).toEqual(['990_later.sql']);
    writeFileSync(path.join(dir, '980_merged_after.sql'), 'CREATE TABLE merged_after (id int);\n');
    expect((await migrate(db.url, dir)).applied).toEqual(['980_merged_after.sql']);
    expect(await query(db.url, "SELECT 1 FROM pg_tables WHERE tablename = 'merged_after'")).toHaveLength(1);
  });

  test('a file not named NNN_name.sql, or two files with one number, are refused by name', async () => {
    db = await createTestDatabase();
    const dir = copyOfMigrations();
    writeFileSync(path.join(dir, '991-dashes.sql'), 'SELECT 1;\n');
    await expect(migrate(db.url, dir)).rejects.toThrow(/991-dashes\.sql/);
    rmSync(path.join(dir, '991-dashes.sql'));
    writeFileSync(path.join(dir, '001_again.sql'), 'SELECT 1;\n');
    await expect(migrate(db.url, dir)).rejects.toThrow('share a number: 001_again.sql, 001_create_tables.sql');
  });
});

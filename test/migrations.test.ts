import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../infra/config';
import { ensureDatabase, migrate } from '../infra/migrator';
import { createTestDatabase, testRunId, type TestDatabase } from './support/database';

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
      'schema_migrations',
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

test('concurrent starts (several workers, or a worker and npm run migrate) migrate once', async () => {
  const name = `slo_test_mig_${testRunId().replace(/-/g, '_')}`;
  const url = new URL(process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://root@127.0.0.1:5432/test');
  url.pathname = `/${name}`;
  await ensureDatabase(url.toString());
  await ensureDatabase(url.toString()); // idempotent
  db = {
    url: url.toString(),
    name,
    drop: () =>
      query(
        process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://root@127.0.0.1:5432/test',
        `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`,
      ).then(() => undefined),
  };
  const results = await Promise.all([migrate(db.url), migrate(db.url), migrate(db.url)]);
  expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, results.flatMap((r) => r.applied).length]);
  const rows = await query<{ n: number }>(db.url, 'SELECT count(*)::int AS n FROM schema_migrations');
  expect(rows[0]!.n).toBe(results.flatMap((r) => r.applied).length);
});

test('a failing migration rolls back and names its file', async () => {
  db = await createTestDatabase();
  const dir = path.join(__dirname, 'fixtures', 'bad-migrations');
  await expect(migrate(db.url, dir)).rejects.toThrow(/900_broken\.sql/);
  const tables = await query<{ tablename: string }>(
    db.url,
    "SELECT tablename FROM pg_tables WHERE tablename = 'half_made'",
  );
  expect(tables).toEqual([]);
});

test('docker-compose gives api and worker every variable the configuration reads', () => {
  const compose = readFileSync(path.join(__dirname, '..', 'docker-compose.yml'), 'utf8');
  const example = readFileSync(path.join(__dirname, '..', '.env.example'), 'utf8');
  for (const name of [
    'DATABASE_URL',
    'REDIS_URL',
    'TEMPORAL_ADDRESS',
    'TEMPORAL_NAMESPACE',
    'TEMPORAL_TASK_QUEUE',
    'FRESHCHAT_WEBHOOK_SECRET',
    'AGENT_HOURLY_RATE',
    'FRICTION_DETECTION_ENABLED',
    'CHANNEL_ROUTING_ENABLED',
  ]) {
    expect(compose).toContain(`${name}:`);
    expect(example).toMatch(new RegExp(`^${name}=`, 'm'));
  }
  for (const service of ['postgres:', 'redis:', 'temporal:', 'temporal-ui:', 'worker:', 'api:'])
    expect(compose).toContain(`\n  ${service}`);
});

test('.env.example is valid shell (scripts/up.sh sources it) and a valid configuration', () => {
  const root = path.join(__dirname, '..');
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

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { Client } from 'pg';
import Postgrator from 'postgrator';

export const MIGRATIONS_DIR = path.resolve(__dirname, '..', 'migrations');
// Any constant works; it only has to be the same for every process that migrates this database.
const MIGRATION_LOCK_ID = 4_711_2026;
const LOCK_RETRY_MS = 200;
/** Postgrator's record of applied migrations: version, name, md5 of the file, run_at. */
const VERSIONS_TABLE = 'schemaversion';
/** The record this project kept before Postgrator: adopted once, then left as it is. */
const LEGACY_TABLE = 'schema_migrations';
const FILE_NAME = /^(\d+)_([\w-]+)\.sql$/;
/** First line of a migration that must run outside a transaction (CREATE INDEX CONCURRENTLY and the like). */
const NO_TRANSACTION = /^--\s*no-transaction\b/;

export interface MigrationResult {
  applied: string[];
  skipped: string[];
}

interface MigrationFile {
  version: number;
  name: string;
  file: string;
  md5: string;
  sql: string;
}

async function migrationFiles(dir: string): Promise<MigrationFile[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const wrong = files.filter((f) => !FILE_NAME.test(f));
  if (wrong.length) throw new Error(`migration files must be named NNN_name.sql: ${wrong.join(', ')}`);
  const migrations = await Promise.all(
    files.map(async (file) => {
      const [, version, name] = FILE_NAME.exec(file)!;
      const sql = await readFile(path.join(dir, file), 'utf8');
      return { version: Number(version), name: name!, file, sql, md5: createHash('md5').update(sql).digest('hex') };
    }),
  );
  const shared = migrations.filter((m) => migrations.some((n) => n !== m && n.version === m.version));
  if (shared.length) throw new Error(`migration files share a number: ${shared.map((m) => m.file).join(', ')}`);
  return migrations;
}

/**
 * Postgrator over this project's `NNN_name.sql` files. A file runs in a transaction with its record in
 * schemaversion (both commit, or neither), unless its first line is `-- no-transaction`: then each of its
 * statements runs on its own, as CREATE INDEX CONCURRENTLY requires, and the file must be safe to run again.
 */
class ProjectPostgrator extends Postgrator {
  constructor(
    client: Client,
    private readonly files: MigrationFile[],
    private readonly applied: ReadonlySet<number>,
  ) {
    let inTransaction = false;
    super({
      driver: 'pg',
      schemaTable: VERSIONS_TABLE,
      validateChecksums: true,
      execQuery: async (query: string) => {
        const result = await client.query(query);
        // The only query after a migration's script is its record: they commit together.
        if (inTransaction) {
          await client.query('COMMIT');
          inTransaction = false;
        }
        return result;
      },
      execSqlScript: async (script: string) => {
        if (NO_TRANSACTION.test(script)) {
          for (const statement of statementsOf(script)) await client.query(statement);
          return;
        }
        await client.query('BEGIN');
        inTransaction = true;
        try {
          await client.query(script);
        } catch (error) {
          await client.query('ROLLBACK');
          inTransaction = false;
          throw error;
        }
      },
    });
  }

  // Every file not applied yet runs, in order, even one numbered below the newest applied file (branches merge in
  // any order); Postgrator alone would run only those above the highest applied number.
  override getRunnableMigrations() {
    return this.toMigrations(this.files.filter((f) => !this.applied.has(f.version)));
  }

  // Postgrator keeps the list it reads in `migrations` (not in its typings); this project's names are NNN_name.sql.
  override async getMigrations() {
    const migrations = this.toMigrations(this.files);
    (this as unknown as { migrations: typeof migrations }).migrations = migrations;
    return migrations;
  }

  private toMigrations(files: MigrationFile[]) {
    return files.map((m) => ({
      version: m.version,
      action: 'do' as const,
      name: m.name,
      filename: m.file,
      md5: m.md5,
      getSql: () => m.sql,
    }));
  }
}

/** A no-transaction file's statements: each ends with `;` at the end of a line (no functions or DO blocks there). */
const statementsOf = (script: string): string[] =>
  script
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean);

/**
 * Waits for the migration lock between transactions: a process blocked in `pg_advisory_lock` sits inside a
 * statement's transaction, which CREATE INDEX CONCURRENTLY in the lock holder's migration waits for, and PostgreSQL
 * breaks that cycle by failing one of them ("deadlock detected"). Each try here ends at once.
 */
async function takeMigrationLock(client: Client): Promise<void> {
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
      MIGRATION_LOCK_ID,
    ]);
    if (rows[0]!.locked) return;
    await setTimeout(LOCK_RETRY_MS);
  }
}

async function withLockedClient<T>(databaseUrl: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  // A lost connection also rejects the query running on it, which names the failure.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await takeMigrationLock(client);
    return await run(client);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await client.end();
  }
}

/** Databases migrated before Postgrator: their applied files enter schemaversion with the files' checksums. */
async function adoptLegacyRecord(client: Client, files: MigrationFile[]): Promise<void> {
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${VERSIONS_TABLE} (version BIGINT PRIMARY KEY, name TEXT, md5 TEXT, run_at TIMESTAMPTZ)`,
  );
  const legacy = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [
    LEGACY_TABLE,
  ]);
  if (!legacy.rows[0]!.exists) return;
  const applied = await client.query<{ name: string; applied_at: Date }>(
    `SELECT name, applied_at FROM ${LEGACY_TABLE}`,
  );
  for (const row of applied.rows) {
    // Renumbered files (two once shared a number) are known by their name after the number.
    const file = files.find((f) => f.file === row.name) ?? files.find((f) => f.name === FILE_NAME.exec(row.name)?.[2]);
    if (!file) continue;
    await client.query(
      `INSERT INTO ${VERSIONS_TABLE} (version, name, md5, run_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [file.version, file.name, file.md5, row.applied_at],
    );
  }
}

/**
 * Applies every `NNN_name.sql` not applied yet, in order, once per database, after checking that the applied ones
 * did not change (their md5 in schemaversion). An advisory lock makes concurrent starts (several workers, the
 * compose migrate step and a worker) safe; the API does not migrate.
 */
export async function migrate(databaseUrl: string, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const files = await migrationFiles(dir);
  return withLockedClient(databaseUrl, async (client) => {
    await adoptLegacyRecord(client, files);
    const applied = await client.query<{ version: string }>(`SELECT version FROM ${VERSIONS_TABLE}`);
    const postgrator = new ProjectPostgrator(client, files, new Set(applied.rows.map((r) => Number(r.version))));
    let current = '';
    postgrator.on('migration-started', (m: { filename: string }) => (current = m.filename));
    try {
      const applied = await postgrator.migrate();
      const done = new Set(applied.map((m) => m.filename));
      return {
        applied: files.filter((f) => done.has(f.file)).map((f) => f.file),
        skipped: files.filter((f) => !done.has(f.file)).map((f) => f.file),
      };
    } catch (error) {
      throw new Error(`migration ${current || '(checking applied files)'} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  });
}

export interface MigrationStatus {
  file: string;
  state: 'applied' | 'pending' | 'changed since applied';
  appliedAt: string | null;
}

/** Each migration file and whether it is applied, pending, or was edited after it ran (its checksum differs). */
export async function migrationStatus(databaseUrl: string, dir = MIGRATIONS_DIR): Promise<MigrationStatus[]> {
  const files = await migrationFiles(dir);
  return withLockedClient(databaseUrl, async (client) => {
    await adoptLegacyRecord(client, files);
    const rows = await client.query<{ version: string; md5: string | null; run_at: Date | null }>(
      `SELECT version, md5, run_at FROM ${VERSIONS_TABLE} WHERE version > 0`,
    );
    const applied = new Map(rows.rows.map((r) => [Number(r.version), r]));
    return files.map((f) => {
      const row = applied.get(f.version);
      if (!row) return { file: f.file, state: 'pending', appliedAt: null };
      return {
        file: f.file,
        state: row.md5 && row.md5 !== f.md5 ? 'changed since applied' : 'applied',
        appliedAt: row.run_at?.toISOString() ?? null,
      };
    });
  });
}
/** Creates the database named in the URL when it does not exist (connects to `postgres` to do so). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}

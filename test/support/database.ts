import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDatabasePool, type DatabasePool } from '../../infra/db';
import { migrate } from '../../infra/migrator';

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://root@127.0.0.1:5432/test';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database, migrated, just for the calling test file; dropped afterwards. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `slo_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return {
    url: url.toString(),
    name,
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export const testRunId = (): string => `${process.pid}-${randomBytes(3).toString('hex')}`;

/** A migrated database and a pool on it (of `size` connections), for the calling test file's tests. */
export function useTestDatabase(size = 2): { readonly pool: DatabasePool; readonly url: string } {
  let database: TestDatabase | undefined;
  let pool: DatabasePool | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    pool = await createDatabasePool(database.url, size);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });
  return {
    get pool() {
      return pool!;
    },
    get url() {
      return database!.url;
    },
  };
}

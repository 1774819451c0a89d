import { sql } from 'slonik';
import { z } from 'zod';
import { FaultProxy } from '../../bench/chaos/fault-proxy';
import { createDatabasePool, type DatabasePool } from '../../infra/db';
import { createTestDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;
let proxy: FaultProxy;
let pool: DatabasePool;

beforeAll(async () => {
  database = await createTestDatabase();
  proxy = new FaultProxy({ host: '127.0.0.1', port: Number(new URL(database.url).port || 5432) });
  const url = Object.assign(new URL(database.url), { port: String(await proxy.start()) });
  pool = await createDatabasePool(url.toString(), 5);
});
afterAll(async () => {
  // A wedged pool never ends: the wait is bounded, and running out of it fails the file instead of hanging the run.
  let timer: NodeJS.Timeout | undefined;
  const wedged = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the pool did not end within 5 s: a connection is wedged')), 5000);
  });
  await Promise.race([pool.end(), wedged]).finally(() => clearTimeout(timer));
  await proxy.stop();
  await database.drop();
});

const one = () =>
  pool.transaction((t) => t.oneFirst(sql.type(z.object({ x: z.number() }))`SELECT 1 AS x FROM pg_sleep(0.005)`));

test('the pool serves again after every connection was cut mid-query', async () => {
  let stop = false;
  let succeededAfterCut = 0;
  let cutOver = false;
  const lanes = Array.from({ length: 15 }, async () => {
    while (!stop) {
      const ok = await one().then(
        () => true,
        () => false,
      );
      if (ok && cutOver) succeededAfterCut++;
      if (!ok) await new Promise((r) => setTimeout(r, 20));
    }
  });
  await new Promise((r) => setTimeout(r, 300));
  proxy.cut(1500);
  await new Promise((r) => setTimeout(r, 1600));
  cutOver = true;
  const deadline = Date.now() + 10_000;
  while (succeededAfterCut < 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  stop = true;
  await Promise.race([Promise.all(lanes), new Promise((r) => setTimeout(r, 5000))]);
  expect(proxy.cuts).toBe(1);
  expect(succeededAfterCut).toBeGreaterThanOrEqual(50);
  expect(await one()).toBe(1);
}, 30_000);

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

// One cut wedges slonik 47's pool in most runs, not all: three in a row leave it wedged with near certainty.
const CUTS = 3;

test('the pool serves again after every connection was cut mid-query, each of three times', async () => {
  let stop = false;
  let succeeded = 0;
  const lanes = Array.from({ length: 15 }, async () => {
    while (!stop) {
      const ok = await one().then(
        () => true,
        () => false,
      );
      if (ok) succeeded++;
      else await new Promise((r) => setTimeout(r, 20));
    }
  });
  await new Promise((r) => setTimeout(r, 300));
  const afterEachCut: number[] = [];
  for (let i = 0; i < CUTS; i++) {
    proxy.cut(1500);
    await new Promise((r) => setTimeout(r, 1600));
    const before = succeeded;
    const deadline = Date.now() + 10_000;
    while (succeeded - before < 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    afterEachCut.push(succeeded - before);
    if (succeeded - before < 50) break;
  }
  stop = true;
  await Promise.race([Promise.all(lanes), new Promise((r) => setTimeout(r, 5000))]);
  expect(afterEachCut).toHaveLength(CUTS);
  expect(afterEachCut.every((n) => n >= 50)).toBe(true);
  expect(proxy.cuts).toBe(CUTS);
  expect(await one()).toBe(1);
}, 60_000);

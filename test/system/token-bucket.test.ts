import { randomUUID } from 'node:crypto';
import { createRedis } from '../../infra/redis';
import { createTokenBucket } from '../../infra/token-bucket';

const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');
const key = `slo-test:bucket:${randomUUID()}`;
afterAll(async () => {
  await redis.del(key);
  await redis.quit();
});

test('two processes share one bucket, and a Retry-After pause holds both', async () => {
  // Two buckets over the same key stand for two worker processes.
  const a = createTokenBucket(redis, key, { capacity: 2, perMinute: 60 });
  const b = createTokenBucket(redis, key, { capacity: 2, perMinute: 60 });
  expect(await a.tryTake()).toBe(0);
  expect(await b.tryTake()).toBe(0);
  // Empty: a token refills in about a second (60 per minute), whoever asks.
  const wait = await a.tryTake();
  expect(wait).toBeGreaterThan(0);
  expect(wait).toBeLessThanOrEqual(1000);
  await b.pause(30_000);
  expect(await a.tryTake()).toBeGreaterThan(20_000);
  // A shorter pause never shortens a longer one.
  await a.pause(10);
  expect(await b.tryTake()).toBeGreaterThan(20_000);
});

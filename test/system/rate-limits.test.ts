import { randomUUID } from 'node:crypto';
import { sql } from 'slonik';
import { z } from 'zod';
import { ApiClientError, createApiClient } from '../../app-client';
import { appToken } from '../support/signing';
import { startTestSystem, type TestSystem } from '../support/system';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem(
    { RATE_LIMIT_FRICTION_SIGNALS: '3', RATE_LIMIT_CONTEXT_WRITES: '5' },
    { worker: false },
  );
});
afterAll(async () => system?.stop());

const newUser = () => `usr_${randomUUID().slice(0, 8)}`;
async function send(method: string, path: string, userId: string, body?: unknown) {
  const res = await fetch(`${system.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${await appToken(userId)}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    limit: Object.fromEntries(
      ['limit', 'remaining', 'reset', 'policy'].map((h) => [h, res.headers.get(`ratelimit-${h}`)] as const),
    ),
    json: (await res.json()) as unknown,
  };
}
const signal = (userId: string, type: string) =>
  send('POST', `/api/v1/context/${userId}/friction-signal`, userId, { type });
const storedSignals = (userId: string) =>
  system.pool.oneFirst(
    sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM friction_signals WHERE user_id = ${userId}`,
  );

test('friction signals past the per-user limit get 429 with Retry-After and are not stored', async () => {
  const flooder = newUser();
  for (let i = 0; i < 3; i++) expect((await signal(flooder, `SPAM_${i}`)).status).toBe(200);
  const refused = await signal(flooder, 'SPAM_3');
  expect(refused).toMatchObject({ status: 429, json: { error: 'rate_limited' } });
  expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
  expect(await storedSignals(flooder)).toBe(3);
  // Another user is not held back by the flood.
  expect((await signal(newUser(), 'BACK_NAV')).status).toBe(200);
});

test('context writes have their own per-user limit; reads are not limited', async () => {
  const user = newUser();
  const path = `/api/v1/context/${user}`;
  for (let i = 0; i < 5; i++)
    expect((await send('PUT', `${path}/screen`, user, { screen_name: `S_${i}` })).status).toBe(200);
  const refused = await send('PUT', `${path}/cart`, user, { cart_value: 100, items: [] });
  expect(refused.status).toBe(429);
  expect(refused.retryAfter).not.toBeNull();
  expect((await send('PUT', `${path}/profile`, user, { name: 'Asha' })).status).toBe(429);
  for (let i = 0; i < 7; i++) expect((await send('GET', path, user)).status).toBe(200);
  expect((await signal(user, 'BACK_NAV')).status).toBe(200); // signals count separately
});

test('every counted answer shows the limit, what is left and when it resets, before the limit bites', async () => {
  const user = newUser();
  const answers = [];
  for (let i = 0; i < 4; i++) answers.push(await signal(user, `SEEN_${i}`));
  expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
  expect(answers.map((a) => a.limit.remaining)).toEqual(['2', '1', '0', '0']);
  for (const { limit } of answers) {
    expect(limit).toMatchObject({ limit: '3', policy: '3;w=60' });
    expect(Number(limit.reset)).toBeGreaterThanOrEqual(0);
    expect(Number(limit.reset)).toBeLessThanOrEqual(60);
  }
  // Each context write is counted too, and says so.
  const writes = [
    await send('PUT', `/api/v1/context/${user}/screen`, user, { screen_name: 'HOME' }),
    await send('PUT', `/api/v1/context/${user}/cart`, user, { cart_value: 100, items: [] }),
    await send('PUT', `/api/v1/context/${user}/profile`, user, { name: 'Asha' }),
  ];
  expect(writes.map((w) => [w.status, w.limit.limit, w.limit.remaining, w.limit.policy])).toEqual([
    [200, '5', '4', '5;w=60'],
    [200, '5', '3', '5;w=60'],
    [200, '5', '2', '5;w=60'],
  ]);
  // Reads are not limited, so they carry no limit.
  const read = await send('GET', `/api/v1/context/${user}`, user);
  expect(read.limit).toEqual({ limit: null, remaining: null, reset: null, policy: null });
});

test("the app's client hands the app Retry-After and the request id when the limit bites", async () => {
  const user = newUser();
  const client = createApiClient(system.baseUrl, () => appToken(user));
  for (let i = 0; i < 3; i++) await client.sendFrictionSignal(user, { type: `SEEN_${i}` });
  const refused = await client.sendFrictionSignal(user, { type: 'SEEN_3' }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(ApiClientError);
  expect(refused).toMatchObject({ status: 429, code: 'rate_limited' });
  expect((refused as ApiClientError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
  expect((refused as ApiClientError).requestId).toEqual(expect.any(String));
});

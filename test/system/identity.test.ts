import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { createApiClient } from '../../app-client';
import { createFreshchatClient } from '../../clients/freshchat-client';
import { realMessageFor, storedIncidence, uniqueConversationId } from '../support/conversations';
import { eventually } from '../support/eventually';
import { FakeFreshchat } from '../../bench/support/fake-freshchat';
import { ADMIN_API_TOKEN, appToken, postWebhook } from '../support/signing';
import { startTestSystem, type TestSystem } from '../support/system';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
// The one-line form with \n escapes, as environment variables usually carry it.
const PRIVATE_KEY_ONE_LINE = (privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).replace(/\n/g, '\\n');

let system: TestSystem;
const freshchat = new FakeFreshchat();
beforeAll(async () => {
  await freshchat.start();
  system = await startTestSystem({
    FRESHCHAT_API_URL: freshchat.url,
    FRESHCHAT_API_TOKEN: 'identity-token',
    FRESHCHAT_JWT_PRIVATE_KEY: PRIVATE_KEY_ONE_LINE,
    CONTEXT_SYNC_QUIET_PERIOD: '100ms',
  });
});
afterAll(async () => {
  await system?.stop();
  await freshchat.stop();
});

const newUser = () => `usr_${randomUUID().slice(0, 8)}`;
const call = async (method: string, path: string, token: string | null, body?: unknown) => {
  const res = await fetch(`${system.baseUrl}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json().catch(() => null)) as Record<string, unknown> | null };
};

test('the app cannot name the Freshchat user its context is written to', async () => {
  const userId = newUser();
  const res = await call('PUT', `/api/v1/context/${userId}/profile`, await appToken(userId), {
    name: 'Asha',
    freshchat_user_id: 'fc-victim',
  });
  expect(res).toMatchObject({ status: 400, json: { field: 'freshchat_user_id' } });
  expect(String(res.json!.message)).toMatch(/learns the Freshchat user/);
  const screen = await call('PUT', `/api/v1/context/${userId}/screen`, await appToken(userId), {
    screen_name: 'HOME',
    profile: { freshchat_user_id: 'fc-victim' },
  });
  expect(screen.status).toBe(400);
  await new Promise((r) => setTimeout(r, 500));
  expect(freshchat.requests.filter((r) => r.path.startsWith('/users/fc-victim'))).toEqual([]);
});

test('a user_id property set through the SDK does not make a conversation someone else’s', async () => {
  // The victim has no reference_id yet; the attacker set user_id on the victim's Freshchat user.
  const victim = randomUUID();
  freshchat.users.set(victim, { id: victim, properties: [{ name: 'user_id', value: 'usr_attacker' }] });
  const conversationId = uniqueConversationId();
  expect((await postWebhook(system.baseUrl, realMessageFor(conversationId, victim))).status).toBe(200);
  const row = await storedIncidence(system.pool, conversationId);
  expect(row.user_id).not.toBe('usr_attacker');
  expect(row.freshchat_user_id).toBe(victim);
});

test('the context sync writes no identity property', async () => {
  const userId = newUser();
  const freshchatUserId = randomUUID();
  freshchat.users.set(freshchatUserId, { id: freshchatUserId, reference_id: userId, properties: [] });
  expect(
    (await call('PUT', `/api/v1/context/${userId}/screen`, await appToken(userId), { screen_name: 'HOME' })).status,
  ).toBe(200);
  const put = await eventually(async () => {
    const found = freshchat.requests.find((r) => r.method === 'PUT' && r.path === `/users/${freshchatUserId}`);
    expect(found).toBeDefined();
    return found!;
  });
  const names = (put.body as { properties: Array<{ name: string }> }).properties.map((p) => p.name);
  expect(names).toContain('current_screen');
  expect(names).not.toContain('user_id');
});

test('ids that are path segments never reach a Freshchat URL', async () => {
  const client = createFreshchatClient({ baseUrl: freshchat.url, token: 't' });
  const before = freshchat.requests.length;
  for (const id of ['..', '.', '', 'a/../../v1', 'a\\b', 'x\u0000']) {
    await expect(client.getUser(id)).rejects.toMatchObject({ type: 'UnsafeId', nonRetryable: true });
    await expect(client.updateUserProperties(id, { a: '1' })).rejects.toMatchObject({ type: 'UnsafeId' });
    await expect(client.getConversation(id)).rejects.toMatchObject({ type: 'UnsafeId' });
  }
  expect(freshchat.requests.length).toBe(before);
  expect(await client.getUser('Denise_alias.1')).toBeNull(); // dots inside an id are fine: a 404 from Freshchat
});

describe('Freshchat identity token', () => {
  const issue = async (token: string | null, body: unknown = { freshchat_uuid: 'c7f1e0d4-sdk-uuid' }) =>
    call('POST', '/api/v1/freshchat/identity-token', token, body);

  test('is an RS256 JWT with reference_id = the app user, the SDK uuid, iat and a short exp', async () => {
    const userId = newUser();
    const res = await issue(await appToken(userId));
    expect(res.status).toBe(200);
    const token = String(res.json!.token);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', typ: 'JWT' });
    const { payload } = await jwtVerify(token, publicKey, { algorithms: ['RS256'] });
    expect(payload).toMatchObject({ reference_id: userId, freshchat_uuid: 'c7f1e0d4-sdk-uuid' });
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(60);
    expect(Date.parse(String(res.json!.expires_at))).toBe(payload.exp! * 1000);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    await expect(jwtVerify(token, other)).rejects.toThrow();
  });

  test("the app's client fetches one for the chat SDK", async () => {
    const userId = newUser();
    const token = await appToken(userId);
    const api = createApiClient(system.baseUrl, () => token);
    const { token: identity } = await api.freshchatIdentityToken('sdk-uuid-2');
    const { payload } = await jwtVerify(identity, publicKey, { algorithms: ['RS256'] });
    expect(payload).toMatchObject({ reference_id: userId, freshchat_uuid: 'sdk-uuid-2' });
  });

  test('only for an authenticated app user, with the SDK uuid', async () => {
    expect((await issue(null)).status).toBe(401);
    expect((await issue(ADMIN_API_TOKEN)).status).toBe(403);
    expect(await issue(await appToken(newUser()), {})).toMatchObject({
      status: 400,
      json: { field: 'freshchat_uuid' },
    });
  });
});

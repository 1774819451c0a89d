import { resolveIncidenceContext } from '../../activities/resolve-incidence-context';
import { createFreshchatClient } from '../../clients/freshchat-client';
import type { ConversationEvent } from '../../domain/conversation/conversation-event';
import { normaliseWebhook } from '../../domain/conversation/freshchat-payload';
import { logger } from '../../infra/logger';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { sql } from 'slonik';
import { z } from 'zod';
import { createApp } from '../../api/app';
import { createConversationGateway } from '../../gateways/conversation-gateway';
import type { Config } from '../../infra/config';
import { createDatabasePool } from '../../infra/db';
import { redisKeys } from '../../infra/redis-keys';
import { fixtureFor, incidenceOf, storedIncidence, uniqueConversationId } from '../support/conversations';
import { eventually } from '../support/eventually';
import { ADMIN_API_TOKEN, APP_JWT_SECRET, appToken, postWebhook } from '../support/signing';
import { startTestSystem, withApiBeside, type TestSystem } from '../support/system';
import { settingsFrom } from '../../infra/settings';

const WEDDING_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';

const incidenceWhenWritten = (conversationId: string) =>
  eventually(async () => {
    const found = await incidenceOf(system.pool, conversationId);
    expect(found).not.toBeNull();
    return found!;
  });

let system: TestSystem;
beforeAll(async () => {
  // Bursts of hundreds of requests per user test atomicity, not abuse (test/system/rate-limits.test.ts tests the limits).
  system = await startTestSystem({ RATE_LIMIT_CONTEXT_WRITES: '0', RATE_LIMIT_FRICTION_SIGNALS: '0' });
});
afterAll(async () => {
  await system?.stop();
});

const newUser = () => `usr_${randomUUID().slice(0, 8)}`;
type Reply = { status: number; json: any };

async function call(
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
  baseUrl = system.baseUrl,
  contentType = 'application/json',
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = contentType;
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json().catch(() => null) };
}

/** A user with an app token and shortcuts for each endpoint. */
async function appUser(userId = newUser(), baseUrl = system.baseUrl) {
  const token = await appToken(userId);
  return {
    userId,
    token,
    screen: (body: unknown) => call('PUT', `/api/v1/context/${userId}/screen`, token, body, baseUrl),
    cart: (body: unknown) => call('PUT', `/api/v1/context/${userId}/cart`, token, body, baseUrl),
    profile: (body: unknown) => call('PUT', `/api/v1/context/${userId}/profile`, token, body, baseUrl),
    signal: (body: unknown) => call('POST', `/api/v1/context/${userId}/friction-signal`, token, body, baseUrl),
    context: () => call('GET', `/api/v1/context/${userId}`, token, undefined, baseUrl),
    route: (body: unknown) => call('POST', '/api/v1/channel/route', token, body, baseUrl),
  };
}

/** The same system's API, with configuration overrides (flags), on another port. */
const withApi = <T>(overrides: Partial<Config>, run: (baseUrl: string) => Promise<T>) =>
  withApiBeside(system, overrides, run);

const signalRows = (userId: string) =>
  system.pool.any(sql.type(
    z.object({
      signal_type: z.string(),
      value: z.number().nullable(),
      screen: z.string().nullable(),
      session_id: z.string(),
    }),
  )`
    SELECT signal_type, value::float8 AS value, screen, session_id FROM friction_signals WHERE user_id = ${userId} ORDER BY created_at`);

describe('authentication', () => {
  test("missing or invalid token → 401; another user's token → 403", async () => {
    const user = await appUser();
    const other = await appUser();
    const path = `/api/v1/context/${user.userId}/screen`;
    expect(await call('PUT', path, null, { screen_name: 'HOME' })).toMatchObject({
      status: 401,
      json: { error: 'unauthenticated' },
    });
    expect(await call('PUT', path, 'not-a-jwt', { screen_name: 'HOME' })).toMatchObject({
      status: 401,
      json: { error: 'invalid_token' },
    });
    expect(
      (
        await call('PUT', path, await appToken(user.userId, 'some-other-secret-0123456789abcdef'), {
          screen_name: 'HOME',
        })
      ).status,
    ).toBe(401);
    expect(
      (await call('PUT', path, await appToken(user.userId, undefined, '-1m'), { screen_name: 'HOME' })).status,
    ).toBe(401);
    const { SignJWT } = await import('jose');
    const neverExpires = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.userId)
      .sign(new TextEncoder().encode(APP_JWT_SECRET));
    expect(await call('PUT', path, neverExpires, { screen_name: 'HOME' })).toMatchObject({
      status: 401,
      json: { error: 'invalid_token' },
    });
    expect(await call('PUT', path, other.token, { screen_name: 'HOME' })).toMatchObject({
      status: 403,
      json: { error: 'forbidden' },
    });
    expect((await call('GET', `/api/v1/context/${user.userId}`, other.token)).status).toBe(403);
    expect((await call('POST', '/api/v1/channel/route', null, { order_value: 100 })).status).toBe(401);
    expect(await system.redis.exists(redisKeys(system.config.REDIS_KEY_PREFIX).userContext(user.userId))).toBe(0);
  });

  test('the admin token reads any context but does not write one', async () => {
    const user = await appUser();
    expect((await user.screen({ screen_name: 'HOME' })).status).toBe(200);
    const read = await call('GET', `/api/v1/context/${user.userId}`, ADMIN_API_TOKEN);
    expect(read).toMatchObject({ status: 200, json: { user_id: user.userId, current_screen: 'HOME' } });
    expect(
      (await call('PUT', `/api/v1/context/${user.userId}/screen`, ADMIN_API_TOKEN, { screen_name: 'X' })).status,
    ).toBe(403);
    expect(await call('GET', `/api/v1/context/${newUser()}`, ADMIN_API_TOKEN)).toMatchObject({
      status: 404,
      json: { error: 'context_not_found' },
    });
  });
});

describe('validation', () => {
  test.each([
    ['screen', 'screen_name', {}],
    ['screen', 'time_on_previous_seconds', { screen_name: 'HOME', time_on_previous_seconds: -3 }],
    ['screen', 'is_back_navigation', { screen_name: 'HOME', is_back_navigation: 'yes' }],
    ['cart', 'cart_value', { items: [] }],
    ['cart', 'items.0.quantity', { cart_value: 1000, items: [{ id: 'a', name: 'Thali', quantity: 0 }] }],
    ['cart', 'event_date', { cart_value: 1000, event_date: '2026-13-01' }],
    [
      'cart',
      'items',
      { cart_value: 1000, items: Array.from({ length: 201 }, (_, i) => ({ id: `i${i}`, name: 'x', quantity: 1 })) },
    ],
    ['profile', 'email', { email: 'not-an-email' }],
    ['profile', 'past_order_count', { past_order_count: 1.5 }],
    ['signal', 'type', { type: 'inactivity' }],
    ['signal', 'value', { type: 'INACTIVITY', value: Number.MAX_SAFE_INTEGER }],
    ['route', 'order_value', { order_value: 'lots' }],
  ] as const)('%s: bad %s → 400 naming it', async (endpoint, field, body) => {
    const user = await appUser();
    const res = await user[endpoint](body);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: 'invalid_request', field });
    expect(res.json.message).toContain(field);
  });

  test('malformed JSON → 400, wrong content type → 415, no body → 400, oversized → 413', async () => {
    const user = await appUser();
    const path = `/api/v1/context/${user.userId}/screen`;
    expect(await call('PUT', path, user.token, '{"screen_name": ')).toMatchObject({
      status: 400,
      json: { error: 'malformed_json' },
    });
    expect(
      await call('PUT', path, user.token, 'screen_name=HOME', system.baseUrl, 'application/x-www-form-urlencoded'),
    ).toMatchObject({ status: 415 });
    expect(await call('PUT', path, user.token)).toMatchObject({ status: 400, json: { error: 'missing_body' } });
    const huge = { screen_name: 'HOME', padding: 'x'.repeat(200 * 1024) };
    expect(await call('PUT', path, user.token, huge)).toMatchObject({ status: 413, json: { error: 'body_too_large' } });
  });
});

describe('context', () => {
  test('navigation: back navigations counted, time on CHECKOUT accumulated, friction recomputed', async () => {
    const user = await appUser();
    expect(
      (await user.profile({ name: 'Asha', past_order_count: 0, tier: 'gold', language: 'hi' })).json,
    ).toMatchObject({ friction_score: 10 });
    await user.screen({ screen_name: 'CHECKOUT', previous_screen: 'CART', time_on_previous_seconds: 30 });
    await user.screen({
      screen_name: 'CART',
      is_back_navigation: true,
      previous_screen: 'CHECKOUT',
      time_on_previous_seconds: 40,
    });
    // previous screen omitted: the stored current screen (CART) is the one left, so no checkout time
    await user.screen({ screen_name: 'CHECKOUT', time_on_previous_seconds: 15 });
    const last = await user.screen({
      screen_name: 'CHECKOUT',
      is_back_navigation: true,
      time_on_previous_seconds: 25.5,
    });
    // on CHECKOUT with 65.5 s there (30) + first-time user (10)
    expect(last).toMatchObject({
      status: 200,
      json: { status: 'updated', friction_score: 40, should_show_help: false, help_message: null },
    });
    const { json } = await user.context();
    expect(json).toMatchObject({
      user_id: user.userId,
      name: 'Asha',
      tier: 'GOLD',
      past_order_count: 0,
      current_screen: 'CHECKOUT',
      back_navigation_count: 2,
      time_on_checkout_seconds: 65.5,
      friction_score: 40,
      cart_value: 0,
      cart_items: [],
    });
    expect(typeof json.session_start).toBe('string');
    expect(json.version).toBe(5);
  });

  test('200 parallel back navigations for one user end with the count 200', async () => {
    const user = await appUser();
    const replies = await Promise.all(
      Array.from({ length: 200 }, () => user.screen({ screen_name: 'MENU_BROWSE', is_back_navigation: true })),
    );
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const { json } = await user.context();
    expect(json.back_navigation_count).toBe(200);
    expect(json.version).toBe(200);
    expect(json.friction_score).toBe(25);
  });

  test('cart: fields set and cleared; a changed value is a price check; the signal counts after 5', async () => {
    const user = await appUser();
    const item = { id: 'royal-rajasthani', name: 'Royal Rajasthani platter', quantity: 350, unit_price: 520 };
    await user.cart({
      cart_value: 182000,
      items: [item],
      guest_count: 350,
      selected_platter: 'royal-rajasthani',
      event_date: '2026-02-14',
      event_type: 'birthday',
    });
    await user.cart({ cart_value: 182000, items: [item] }); // same value: not a recalculation
    for (const value of [180000, 181000, 182000, 183000, 184000]) await user.cart({ cart_value: value, items: [item] });
    let { json } = await user.context();
    expect(json).toMatchObject({
      cart_value: 184000,
      guest_count: 350,
      event_type: 'BIRTHDAY',
      event_date: '2026-02-14',
      selected_platter: 'royal-rajasthani',
      price_check_count: 5,
      friction_score: 0,
    });
    expect(json.cart_items).toEqual([item]);
    const sixth = await user.cart({ cart_value: 185000, items: [item], selected_platter: null, event_type: 'WEDDING' });
    expect(sixth.json.friction_score).toBe(35); // price checks 20 + high-value event 15
    ({ json } = await user.context());
    expect(json).toMatchObject({ price_check_count: 6, selected_platter: null, event_type: 'WEDDING' });
  });

  test('the context expires after the idle time (USER_CONTEXT_TTL, default 24 h)', async () => {
    const user = await appUser();
    await user.screen({ screen_name: 'HOME' });
    const ttl = await system.redis.pttl(redisKeys(system.config.REDIS_KEY_PREFIX).userContext(user.userId));
    expect(ttl).toBeGreaterThan(23 * 3600_000);
    expect(ttl).toBeLessThanOrEqual(24 * 3600_000);
  });
});

describe('friction signals', () => {
  test('a signal is stored in PostgreSQL and answered with score, help and message', async () => {
    const user = await appUser();
    await user.profile({ past_order_count: 0 });
    const first = await user.signal({ type: 'PAYMENT_FAILURE', screen: 'PAYMENT', value: 1, session_id: 'sess-42' });
    expect(first).toMatchObject({
      status: 200,
      json: { friction_score: 50, should_show_help: false, help_message: null },
    });
    const second = await user.signal({ type: 'INACTIVITY', screen: 'CHECKOUT', value: 75 });
    expect(second).toMatchObject({
      status: 200,
      json: { friction_score: 80, should_show_help: true, help_message: 'Need help completing your order?' },
    });
    const rows = await signalRows(user.userId);
    expect(rows.map((r) => [r.signal_type, r.value, r.screen])).toEqual([
      ['PAYMENT_FAILURE', 1, 'PAYMENT'],
      ['INACTIVITY', 75, 'CHECKOUT'],
    ]);
    expect(rows[0]!.session_id).toBe('sess-42');
    const { json } = await user.context();
    expect(rows[1]!.session_id).toBe(json.session_id);
    expect(json).toMatchObject({ payment_retry_count: 1, time_on_checkout_seconds: 75, friction_score: 80 });
    // the help offer's time is remembered, a day past HELP_OFFER_WINDOW (15 min) so a worker running behind sees it
    const offersKey = redisKeys(system.config.REDIS_KEY_PREFIX).helpOffers(user.userId);
    const offers = await system.redis.zrange(offersKey, '0', '-1', 'WITHSCORES');
    expect(offers.length).toBeGreaterThanOrEqual(2);
    expect(Math.abs(Number(offers[offers.length - 1]) - Date.now())).toBeLessThan(60_000);
    const offerTtl = await system.redis.pttl(offersKey);
    expect(offerTtl).toBeGreaterThan(24 * 3_600_000 + 14 * 60_000);
    expect(offerTtl).toBeLessThanOrEqual(24 * 3_600_000 + 15 * 60_000);
  });

  test('text PostgreSQL would refuse (U+0000, a lone surrogate) is dropped as it enters; the signal is stored', async () => {
    const user = await appUser();
    const body = '{"type":"INACTIVITY","screen":"CHECKOUT","value":5,"session_id":"sess\\u0000-\\ud83d9"}';
    expect(await user.signal(body)).toMatchObject({ status: 200 });
    expect((await signalRows(user.userId)).map((r) => r.session_id)).toEqual(['sess-9']);
  });

  test('a burst of 150 parallel signals: every one is stored and counted', async () => {
    const user = await appUser();
    const replies = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        user.signal({ type: i % 2 ? 'BACK_NAV' : 'PRICE_CHECK', screen: 'MENU_BROWSE' }),
      ),
    );
    expect(replies.filter((r) => r.status === 200)).toHaveLength(150);
    expect(await signalRows(user.userId)).toHaveLength(150);
    expect((await user.context()).json).toMatchObject({
      back_navigation_count: 75,
      price_check_count: 75,
      friction_score: 45,
    });
  });

  test('PostgreSQL unavailable: the signal is answered 503 and not applied, never 200 without its row', async () => {
    const deadPool = await createDatabasePool(system.config.DATABASE_URL, 1);
    await deadPool.end(); // every query now fails
    const config = system.config;
    const app = createApp({
      settings: settingsFrom(config),
      conversations: createConversationGateway(system.client, settingsFrom(config)),
      temporal: system.client,
      pool: deadPool,
      redis: system.redis,
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const user = await appUser(newUser(), `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      expect(await user.signal({ type: 'BACK_NAV' })).toMatchObject({
        status: 503,
        json: { error: 'storage_unavailable' },
      });
      expect((await user.screen({ screen_name: 'HOME' })).status).toBe(200); // Redis-only calls still work
      // the failed signal was not applied, so the app's retry cannot count it twice
      expect((await user.context()).json.back_navigation_count).toBe(0);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  test('an unknown signal type is logged but changes nothing', async () => {
    const user = await appUser();
    expect(await user.signal({ type: 'RAGE_TAP', value: 7, screen: 'GUEST_COUNT' })).toMatchObject({
      status: 200,
      json: { friction_score: 0 },
    });
    expect((await signalRows(user.userId)).map((r) => r.signal_type)).toEqual(['RAGE_TAP']);
  });

  test('FRICTION_DETECTION_ENABLED=false: the score is kept, help is never suggested nor remembered', async () => {
    await withApi({ FRICTION_DETECTION_ENABLED: false }, async (baseUrl) => {
      const user = await appUser(newUser(), baseUrl);
      await user.profile({ past_order_count: 0 });
      const res = await user.signal({ type: 'PAYMENT_FAILURE', screen: 'PAYMENT' });
      await user.signal({ type: 'INACTIVITY', screen: 'CHECKOUT', value: 90 });
      const last = await user.signal({ type: 'BACK_NAV' });
      expect(res.json.should_show_help).toBe(false);
      expect(last.json).toMatchObject({ friction_score: 80, should_show_help: false, help_message: null });
      expect(await system.redis.exists(redisKeys(system.config.REDIS_KEY_PREFIX).helpOffers(user.userId))).toBe(0);
    });
  });
});

describe('channel routing', () => {
  test.each([
    [4999.99, undefined, []],
    [5000, undefined, ['CHAT']],
    [25000, undefined, ['CHAT']],
    [25000.01, undefined, ['CHAT', 'CALL']],
    [1200, 'wedding', ['CHAT', 'CALL']],
  ])('₹%d %s → %j', async (order_value, event_type, channels) => {
    const user = await appUser();
    const res = await user.route({ order_value, event_type });
    expect(res.status).toBe(200);
    expect(res.json.allowed_channels).toEqual(channels);
    expect(Object.keys(res.json).sort()).toEqual([
      'allowed_channels',
      'help_trigger_text',
      'priority',
      'show_faq',
      'show_help_button',
    ]);
  });

  test('the admin token may route too; CHANNEL_ROUTING_ENABLED=false opens chat to every cart', async () => {
    expect((await call('POST', '/api/v1/channel/route', ADMIN_API_TOKEN, { order_value: 100 })).json).toMatchObject({
      allowed_channels: [],
      show_faq: true,
    });
    await withApi({ CHANNEL_ROUTING_ENABLED: false }, async (baseUrl) => {
      const user = await appUser(newUser(), baseUrl);
      expect((await user.route({ order_value: 100 })).json).toMatchObject({
        allowed_channels: ['CHAT'],
        show_help_button: true,
      });
    });
  });

  test('thresholds come from configuration', async () => {
    await withApi(
      { CHANNEL_LOW_THRESHOLD: 100, CHANNEL_HIGH_THRESHOLD: 200, HIGH_IMPORTANCE_EVENTS: 'BIRTHDAY' },
      async (baseUrl) => {
        const user = await appUser(newUser(), baseUrl);
        expect((await user.route({ order_value: 150 })).json.allowed_channels).toEqual(['CHAT']);
        expect((await user.route({ order_value: 201 })).json.allowed_channels).toEqual(['CHAT', 'CALL']);
        expect((await user.route({ order_value: 10, event_type: 'birthday' })).json.priority).toBe('HIGH');
      },
    );
  });
});

describe('help offers and incidences', () => {
  /** A simplified-format first message from `userId` whose properties carry only the user id. */
  const bareMessage = (userId: string) => {
    const conversationId = uniqueConversationId();
    const body = JSON.parse(fixtureFor('simplified-message_create.json', WEDDING_ID, conversationId));
    body.data.user.properties = { user_id: userId };
    return { conversationId, body: JSON.stringify(body) };
  };
  const normalisedMessage = (userId: string): ConversationEvent => {
    const { body } = bareMessage(userId);
    const normalised = normaliseWebhook(JSON.parse(body), Buffer.from(body), new Date().toISOString());
    if (normalised.status !== 'event') throw new Error('the fixture is an event');
    return normalised.event;
  };

  test('a conversation after a help prompt is SYSTEM_INITIATED, with its context from Redis', async () => {
    const user = await appUser();
    await user.cart({ cart_value: 185000, guest_count: 350, event_type: 'WEDDING', items: [] });
    await user.profile({ past_order_count: 0 });
    const help = await user.signal({ type: 'PAYMENT_FAILURE', screen: 'PAYMENT' });
    expect(help.json).toMatchObject({ should_show_help: true, friction_score: 65 });
    const { conversationId, body } = bareMessage(user.userId);
    expect((await postWebhook(system.baseUrl, body)).status).toBe(200);
    const row = await incidenceWhenWritten(conversationId);
    expect(row).toMatchObject({
      user_id: user.userId,
      trigger: 'SYSTEM_INITIATED',
      app_screen: 'PAYMENT',
      cart_value: 185000,
      guest_count: 350,
      event_type: 'WEDDING',
      friction_score: 65,
    });
  });

  test('without a help prompt (or after the window) it is USER_INITIATED', async () => {
    const user = await appUser();
    await user.screen({ screen_name: 'MENU_BROWSE' });
    const { conversationId, body } = bareMessage(user.userId);
    expect((await postWebhook(system.baseUrl, body)).status).toBe(200);
    const row = await incidenceWhenWritten(conversationId);
    expect(row).toMatchObject({
      user_id: user.userId,
      trigger: 'USER_INITIATED',
      app_screen: 'MENU_BROWSE',
      cart_value: null,
    });

    {
      // An offer 16 minutes before the conversation starts is outside the 15-minute window.
      const late = await appUser();
      await late.screen({ screen_name: 'CHECKOUT' });
      const sixteenMinutesAgo = Date.now() - 16 * 60_000;
      await system.redis.zadd(
        redisKeys(system.config.REDIS_KEY_PREFIX).helpOffers(late.userId),
        sixteenMinutesAgo,
        String(sixteenMinutesAgo),
      );
      const next = bareMessage(late.userId);
      expect((await postWebhook(system.baseUrl, next.body)).status).toBe(200);
      const lateRow = await storedIncidence(system.pool, next.conversationId);
      expect(lateRow.trigger).toBe('USER_INITIATED');
    }
  });

  /** What the worker's incidence context needs: this system's Redis, a 15-minute help-offer window. */
  const contextDeps = (keys: ReturnType<typeof redisKeys>) => ({
    redis: system.redis,
    keys,
    freshchat: createFreshchatClient({}),
    logger,
    helpOfferWindowMs: 15 * 60_000,
  });

  test('the window is measured from the conversation start, not from when a worker running behind gets to it', async () => {
    const user = await appUser();
    const keys = redisKeys(system.config.REDIS_KEY_PREFIX);
    const offeredAt = Date.now() - 60 * 60_000; // an hour ago
    await system.redis.zadd(keys.helpOffers(user.userId), offeredAt, String(offeredAt));
    const deps = contextDeps(keys);
    const event = (minutesAfterOffer: number) => ({
      ...normalisedMessage(user.userId),
      occurredAt: new Date(offeredAt + minutesAfterOffer * 60_000).toISOString(),
    });
    expect((await resolveIncidenceContext(deps, 'c-1', event(5))).trigger).toBe('SYSTEM_INITIATED'); // started 5 min after
    expect((await resolveIncidenceContext(deps, 'c-2', event(20))).trigger).toBe('USER_INITIATED');
    expect((await resolveIncidenceContext(deps, 'c-3', event(-1))).trigger).toBe('USER_INITIATED'); // before the offer
  });

  test("a new incidence reads the user's context and their help offer in one Redis command", async () => {
    const user = await appUser();
    const keys = redisKeys(system.config.REDIS_KEY_PREFIX);
    await system.redis.hset(keys.userContext(user.userId), { current_screen: 'checkout', guest_count: '120' });
    await system.redis.zadd(keys.helpOffers(user.userId), Date.now() - 60_000, 'offer');
    const deps = contextDeps(keys);
    const event = { ...normalisedMessage(user.userId), userProperties: { user_id: user.userId } };
    await resolveIncidenceContext(deps, 'c-warm', event); // the script is loaded on its first use
    const sent = jest.spyOn(system.redis, 'sendCommand');
    try {
      const context = await resolveIncidenceContext(deps, 'c-1', event);
      expect(context).toMatchObject({ appScreen: 'checkout', guestCount: 120, trigger: 'SYSTEM_INITIATED' });
      expect(sent).toHaveBeenCalledTimes(1);
    } finally {
      sent.mockRestore();
    }
  });
});

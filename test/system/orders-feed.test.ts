import { linkAssistsOfIncidence } from '../../stores/order-store';
import { sql } from 'slonik';
import { createApp } from '../../api/app';
import { createConversationGateway } from '../../gateways/conversation-gateway';
import { z } from 'zod';
import { fixtureFor, incidenceOf, retarget, uniqueConversationId } from '../support/conversations';
import { insertIncidence, ordersSign, postOrder, uniqueUser, type OrderBody } from '../support/analytics';
import { eventually } from '../support/eventually';
import { postWebhook } from '../support/signing';
import { startTestSystem, type TestSystem } from '../support/system';
import { settingsFrom } from '../../infra/settings';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.stop();
});

const HOUR = 3_600_000;
const at = (iso: string, plusMs = 0) => new Date(Date.parse(iso) + plusMs).toISOString();
let seq = 0;
const order = (o: Partial<OrderBody> = {}): OrderBody => ({
  order_id: `ORD-T-${process.pid}-${++seq}`,
  user_id: uniqueUser(),
  event: 'PLACED',
  value: 185000,
  event_type: 'WEDDING',
  event_date: '2027-02-14',
  placed_at: '2026-11-24T10:00:00+05:30',
  ...o,
});
const orderRows = (orderId: string) =>
  system.pool.any(
    sql.type(
      z.object({ event: z.string(), value: z.number() }),
    )`SELECT event, value::float8 AS value FROM orders WHERE order_id = ${orderId} ORDER BY event`,
  );
const links = (orderId: string) =>
  system.pool.any(
    sql.type(
      z.object({ incidence_id: z.string(), reason: z.string() }),
    )`SELECT incidence_id::text, reason FROM order_assists WHERE order_id = ${orderId} ORDER BY reason`,
  );

describe('POST /api/v1/orders', () => {
  test.each([
    ['placed_at', '0000-01-01T00:00:00Z'],
    ['placed_at', '2026-02-30T10:00:00+05:30'],
    ['event_date', '0000-01-01'],
    ['event_date', '2026-13-01'],
  ])('%s %s, which PostgreSQL cannot store as sent, is a 400 naming the field', async (field, value) => {
    const o = { ...order(), [field]: value };
    const { status, json } = await postOrder(system.baseUrl, o);
    expect(status).toBe(400);
    expect(json.field).toBe(field);
    expect(await orderRows(o.order_id)).toEqual([]);
  });

  test('recorded once per (order, event): a redelivery answers 200 duplicate and changes nothing', async () => {
    const o = order();
    expect(await postOrder(system.baseUrl, o)).toMatchObject({
      status: 201,
      json: { status: 'recorded', duplicate: false, order_id: o.order_id, event: 'PLACED', assisted: false },
    });
    expect(await postOrder(system.baseUrl, { ...o, value: 1 })).toMatchObject({
      status: 200,
      json: { duplicate: true },
    });
    expect(await postOrder(system.baseUrl, { ...o, event: 'MODIFIED', value: 190000 })).toMatchObject({
      status: 201,
      json: { duplicate: false, event: 'MODIFIED' },
    });
    expect(await orderRows(o.order_id)).toEqual([
      { event: 'MODIFIED', value: 190000 },
      { event: 'PLACED', value: 185000 },
    ]);
  });

  test('missing or wrong signature → 401, nothing stored', async () => {
    const o = order();
    const body = JSON.stringify(o);
    expect(await postOrder(system.baseUrl, body, null)).toMatchObject({
      status: 401,
      json: { error: 'invalid_signature' },
    });
    expect(await postOrder(system.baseUrl, body, ordersSign(body, 'wrong'))).toMatchObject({ status: 401 });
    expect(await postOrder(system.baseUrl, body.replace('185000', '185001'), ordersSign(body))).toMatchObject({
      status: 401,
    });
    expect(await orderRows(o.order_id)).toEqual([]);
  });

  test.each([
    ['no order id', { order_id: undefined }, 'order_id'],
    ['an unknown event', { event: 'SHIPPED' }, 'event'],
    ['a negative value', { value: -5 }, 'value'],
    ['a value as text', { value: '100' }, 'value'],
    ['a time without zone', { placed_at: '2026-11-24T10:00:00' }, 'placed_at'],
    ['an impossible event date', { event_date: '2027-02-30' }, 'event_date'],
    ['an unknown field', { coupon: 'X' }, 'coupon'],
  ])('%s → 400 naming the field', async (_name, change, field) => {
    const res = await postOrder(system.baseUrl, JSON.stringify({ ...order(), ...change }));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: 'invalid_order', field });
    expect(res.json.message).toContain(field);
  });

  test('without ORDERS_WEBHOOK_SECRET the feed refuses every call, saying why', async () => {
    const app = createApp({
      settings: settingsFrom({ ...system.config, ORDERS_WEBHOOK_SECRET: undefined }),
      conversations: createConversationGateway(system.client, settingsFrom(system.config)),
      temporal: system.client,
      pool: system.pool,
      redis: system.redis,
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const o = order();
      const res = await postOrder(`http://127.0.0.1:${(server.address() as { port: number }).port}`, o);
      expect(res).toMatchObject({
        status: 401,
        json: { error: 'orders_feed_disabled', message: expect.stringContaining('ORDERS_WEBHOOK_SECRET') },
      });
      expect(await orderRows(o.order_id)).toEqual([]);
    } finally {
      server.close();
    }
  });

  test('malformed JSON → 400', async () => {
    expect(await postOrder(system.baseUrl, '{"order_id":')).toMatchObject({
      status: 400,
      json: { error: 'malformed_json' },
    });
  });
});

describe('assisted orders: the link is decided once and stored', () => {
  const placedAt = '2026-11-24T04:30:00.000Z';

  test('a conversation resolved, reopened weeks later and resolved again claims only orders placed while it was open or just after', async () => {
    const user = uniqueUser();
    const day = (n: number, hour: number) => new Date(Date.UTC(2026, 9, n, hour)).toISOString();
    const id = await insertIncidence(system.pool, { user_id: user, created_at: day(1, 10), resolved_at: day(20, 10) });
    const changes: Array<[string, string]> = [
      ['RESOLVED', day(1, 11)],
      ['REOPENED', day(20, 9)],
      ['RESOLVED', day(20, 10)],
    ];
    for (const [type, time] of changes) {
      await system.pool
        .query(sql.unsafe`INSERT INTO incidence_timeline (incidence_id, event_key, event_type, actor, occurred_at)
        VALUES (${id}, ${`${type}:${time}`}, ${type}, 'AGENT', ${time}::timestamptz)`);
    }
    const orders = { whileOpen: day(1, 10), justAfter: day(1, 20), whileClosed: day(10, 12), afterReopen: day(20, 9) };
    for (const [name, placed] of Object.entries(orders)) {
      await system.pool.query(sql.unsafe`INSERT INTO orders (order_id, event, user_id, value, placed_at)
        VALUES (${`${user}-${name}`}, 'PLACED', ${user}, 1000, ${new Date(Date.parse(placed) + 30 * 60_000).toISOString()}::timestamptz)`);
    }
    await linkAssistsOfIncidence(system.pool, id, 24 * HOUR);
    expect(await links(`${user}-whileOpen`)).toEqual([{ incidence_id: id, reason: 'OPEN_INCIDENCE' }]);
    expect(await links(`${user}-justAfter`)).toEqual([{ incidence_id: id, reason: 'RESOLVED_WITHIN_WINDOW' }]);
    expect(await links(`${user}-whileClosed`)).toEqual([]);
    expect(await links(`${user}-afterReopen`)).toEqual([{ incidence_id: id, reason: 'OPEN_INCIDENCE' }]);
  });

  test('an incidence open when the order was placed → OPEN_INCIDENCE', async () => {
    const user = uniqueUser();
    const id = await insertIncidence(system.pool, { user_id: user, created_at: at(placedAt, -HOUR) });
    const o = order({ user_id: user, placed_at: placedAt });
    expect((await postOrder(system.baseUrl, o)).json).toMatchObject({
      assisted: true,
      assists: [{ incidence_id: id, reason: 'OPEN_INCIDENCE' }],
    });
  });

  test('resolved after the order was placed still counts as open then', async () => {
    const user = uniqueUser();
    const id = await insertIncidence(system.pool, {
      user_id: user,
      created_at: at(placedAt, -HOUR),
      resolved_at: at(placedAt, HOUR),
    });
    expect((await postOrder(system.baseUrl, order({ user_id: user, placed_at: placedAt }))).json.assists).toEqual([
      { incidence_id: id, reason: 'OPEN_INCIDENCE' },
    ]);
  });

  test('resolved 23 h before → RESOLVED_WITHIN_WINDOW; 25 h before, or another user, or started after → not assisted', async () => {
    const user = uniqueUser();
    const within = await insertIncidence(system.pool, {
      user_id: user,
      created_at: at(placedAt, -24 * HOUR),
      resolved_at: at(placedAt, -23 * HOUR),
    });
    expect((await postOrder(system.baseUrl, order({ user_id: user, placed_at: placedAt }))).json.assists).toEqual([
      { incidence_id: within, reason: 'RESOLVED_WITHIN_WINDOW' },
    ]);

    const other = uniqueUser();
    await insertIncidence(system.pool, {
      user_id: other,
      created_at: at(placedAt, -30 * HOUR),
      resolved_at: at(placedAt, -25 * HOUR),
    });
    await insertIncidence(system.pool, { user_id: other, created_at: at(placedAt, 60_000) });
    await insertIncidence(system.pool, { user_id: uniqueUser(), created_at: at(placedAt, -HOUR) });
    expect((await postOrder(system.baseUrl, order({ user_id: other, placed_at: placedAt }))).json).toMatchObject({
      assisted: false,
      assists: [],
    });
  });

  test('an incidence naming the order id → NAMED_ORDER, whoever and whenever', async () => {
    const o = order({ placed_at: placedAt });
    const id = await insertIncidence(system.pool, {
      user_id: uniqueUser(),
      order_id: o.order_id,
      created_at: at(placedAt, 48 * HOUR),
    });
    expect((await postOrder(system.baseUrl, o)).json.assists).toEqual([{ incidence_id: id, reason: 'NAMED_ORDER' }]);
  });

  test('the link is stored: a later change of the incidence does not remove it, a duplicate delivery does not add one', async () => {
    const user = uniqueUser();
    const id = await insertIncidence(system.pool, { user_id: user, created_at: at(placedAt, -HOUR) });
    const o = order({ user_id: user, placed_at: placedAt });
    await postOrder(system.baseUrl, o);
    await system.pool.query(
      sql.unsafe`UPDATE incidences SET created_at = ${at(placedAt, HOUR)}::timestamptz WHERE id = ${id}`,
    );
    expect((await postOrder(system.baseUrl, o)).json).toMatchObject({
      duplicate: true,
      assists: [{ incidence_id: id, reason: 'OPEN_INCIDENCE' }],
    });
    expect(await links(o.order_id)).toHaveLength(1);
  });

  test('through the conversation workflow: an order while the chat is open, and an order named later by a resolution', async () => {
    const WEDDING_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';
    const user = uniqueUser();
    const chat = uniqueConversationId();
    const message = retarget(fixtureFor('simplified-message_create.json', WEDDING_ID, chat), { usr_8F3K2Q: user });
    expect((await postWebhook(system.baseUrl, message)).status).toBe(200);
    const incidence = await eventually(async () => {
      const row = await incidenceOf(system.pool, chat);
      expect(row).not.toBeNull();
      return row!;
    });
    const during = order({ user_id: user, placed_at: new Date(Date.now() + 1000).toISOString() });
    expect((await postOrder(system.baseUrl, during)).json.assists).toEqual([
      { incidence_id: incidence.id, reason: 'OPEN_INCIDENCE' },
    ]);

    // An order reported before any incidence knew of it, then a conversation whose context names it.
    const earlier = order({ placed_at: new Date(Date.now() - 5 * HOUR).toISOString() });
    expect((await postOrder(system.baseUrl, earlier)).json.assisted).toBe(false);
    const later = uniqueConversationId();
    const resolution = retarget(fixtureFor('simplified-conversation_resolution.json', WEDDING_ID, later), {
      'ORD-2026-003982': earlier.order_id,
    });
    expect((await postWebhook(system.baseUrl, resolution)).status).toBe(200);
    const named = await eventually(async () => {
      const [link] = await links(earlier.order_id);
      expect(link).toBeDefined();
      return link!;
    });
    expect(named.reason).toBe('NAMED_ORDER');
    expect(named.incidence_id).toBe((await incidenceOf(system.pool, later))!.id);
  });
});

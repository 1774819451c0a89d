import fc from 'fast-check';
import { z } from 'zod';
import { sql } from 'slonik';
import { eventually } from '../support/eventually';
import { parseJsonBody } from '../../api/raw-body';
import { expectClearRefusal, hostileBodies } from '../support/hostile-input';
import { ADMIN_API_TOKEN, appToken, fixtureText, hmacSign, postWebhook } from '../support/signing';
import { ORDERS_SECRET } from '../support/analytics';
import { orderReportSchema } from '../../domain/reports/order';
import {
  cartBody,
  channelRouteBody,
  frictionSignalBody,
  profileBody,
  screenBody,
} from '../../domain/app-context/app-requests';
import { startTestSystem, type TestSystem } from '../support/system';
import { uniqueConversationId, retarget } from '../support/conversations';

/**
 * Every endpoint that takes a body, with how a legitimate caller authenticates. A new endpoint adds a row;
 * the properties below then hold for it too.
 */
interface Endpoint {
  name: string;
  method: 'POST' | 'PUT';
  path: string;
  validExample: string;
  /** Headers a legitimate caller would send for these exact bytes. */
  authenticate(body: Buffer): Promise<Record<string, string>> | Record<string, string>;
  /** Whether the credentials cover the bytes (a signature), so a replay over altered bytes must fail. */
  signsBody: boolean;
  limitBytes: number;
  /** The endpoint's own schema: a hostile body it happens to accept must get a 2xx, any other a 4xx. */
  schema?: { safeParse(value: unknown): { success: boolean } };
}

const SPEC_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';
const APP_USER = 'usr_fuzz';
const asApp = async () => ({ authorization: `Bearer ${await appToken(APP_USER)}` });
const appEndpoint = (
  name: string,
  method: Endpoint['method'],
  path: string,
  example: object,
  schema: Endpoint['schema'],
): Endpoint => ({
  name,
  method,
  path: `/api/v1${path}`,
  validExample: JSON.stringify(example),
  authenticate: asApp,
  signsBody: false,
  limitBytes: 64 * 1024,
  schema,
});
const ENDPOINTS: Endpoint[] = [
  {
    name: 'Freshchat webhook',
    method: 'POST',
    path: '/webhooks/freshchat',
    validExample: fixtureText('simplified-message_create.json'),
    authenticate: (body) => ({ 'x-freshchat-signature': hmacSign(body) }),
    signsBody: true,
    limitBytes: 1024 * 1024,
  },
  appEndpoint(
    'screen update',
    'PUT',
    `/context/${APP_USER}/screen`,
    { screen_name: 'CHECKOUT', is_back_navigation: true, time_on_previous_seconds: 12 },
    screenBody,
  ),
  appEndpoint(
    'cart update',
    'PUT',
    `/context/${APP_USER}/cart`,
    { cart_value: 185000, items: [{ id: 'p1', name: 'Royal Rajasthani', quantity: 350 }] },
    cartBody,
  ),
  appEndpoint(
    'profile',
    'PUT',
    `/context/${APP_USER}/profile`,
    { name: 'Asha', email: 'asha@example.in', past_order_count: 0 },
    profileBody,
  ),
  appEndpoint(
    'friction signal',
    'POST',
    `/context/${APP_USER}/friction-signal`,
    { type: 'PRICE_CHECK', value: 3, screen: 'CART' },
    frictionSignalBody,
  ),
  {
    name: 'orders feed',
    method: 'POST',
    path: '/api/v1/orders',
    validExample: JSON.stringify({
      order_id: 'ORD-FUZZ-1',
      user_id: APP_USER,
      event: 'PLACED',
      value: 185000,
      placed_at: '2026-11-24T10:15:00+05:30',
    }),
    authenticate: (body) => ({ 'x-orders-signature': hmacSign(body, ORDERS_SECRET) }),
    signsBody: true,
    limitBytes: 64 * 1024,
    schema: orderReportSchema,
  },
  appEndpoint(
    'channel route',
    'POST',
    '/channel/route',
    { order_value: 30000, event_type: 'WEDDING' },
    channelRouteBody,
  ),
];

let system: TestSystem;
beforeAll(async () => {
  // Generated inputs come from one user, far faster than a person: the rate limits are tested on their own.
  system = await startTestSystem(
    { ORDERS_WEBHOOK_SECRET: ORDERS_SECRET, RATE_LIMIT_CONTEXT_WRITES: '0', RATE_LIMIT_FRICTION_SIGNALS: '0' },
    { worker: false },
  );
});
afterAll(() => system?.stop());

/** Every body an endpoint accepted (2xx), by endpoint name: all that may have reached PostgreSQL. */
const accepted = new Map<string, Buffer[]>();

async function send(endpoint: Endpoint, body: Buffer, headers: Record<string, string>) {
  const response = await fetch(system.baseUrl + endpoint.path, {
    method: endpoint.method,
    headers: { 'content-type': 'application/json', ...headers },
    body: new Uint8Array(body),
  });
  if (response.status >= 200 && response.status < 300)
    accepted.set(endpoint.name, [...(accepted.get(endpoint.name) ?? []), body]);
  return { status: response.status, json: (await response.json().catch(() => null)) as { status?: string } | null };
}

const workflowsOnOurQueue = async (): Promise<string[]> => {
  const ids: string[] = [];
  for await (const w of system.client.workflow.list({ query: `TaskQueue = "${system.config.TEMPORAL_TASK_QUEUE}"` }))
    ids.push(w.workflowId);
  return ids.sort();
};
/** The body as the server's own parser reads it; undefined where it refuses. */
const jsonOrUndefined = (body: Buffer): unknown => {
  try {
    return parseJsonBody(body);
  } catch {
    return undefined;
  }
};
const conversationsWithIncidences = () =>
  system.pool.anyFirst(sql.type(z.object({ id: z.string() }))`SELECT conversation_id AS id FROM incidences ORDER BY 1`);
const acceptedJson = (name: string) => (accepted.get(name) ?? []).map((b) => JSON.parse(b.toString('utf8')));

describe.each(ENDPOINTS)('$name refuses bad input clearly', (endpoint) => {
  const bodies = hostileBodies(endpoint.validExample, endpoint.limitBytes);

  test('hostile bodies from a legitimate caller get a 4xx with a JSON error', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const { status, json } = await send(endpoint, body, await endpoint.authenticate(body));
        if (status === 200 && json?.status === 'ignored') return; // a well-formed webhook with an action we do not handle
        if (
          endpoint.schema &&
          body.length < endpoint.limitBytes &&
          endpoint.schema.safeParse(jsonOrUndefined(body)).success
        ) {
          expect(status >= 200 && status < 300).toBe(true); // a mutation that is still valid input
          return;
        }
        expectClearRefusal(status, json);
      }),
      { numRuns: 150 },
    );
  });

  test('forged or missing credentials are refused, whatever the body', async () => {
    const credentials = fc.option(fc.string({ maxLength: 400 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(bodies, fc.constant(Buffer.from(endpoint.validExample))),
        credentials,
        async (body, forged) => {
          const honest = await endpoint.authenticate(Buffer.from('another body'));
          const headers = Object.fromEntries(Object.keys(honest).map((k) => [k, forged ?? ''])) as Record<
            string,
            string
          >;
          const { status, json } = await send(endpoint, body, forged === undefined ? {} : headers);
          expect([401, 403, 413]).toContain(status);
          expectClearRefusal(status, json);
        },
      ),
      { numRuns: 100 },
    );
  });

  test('the valid example itself is accepted, so the refusals above are about the input', async () => {
    const body = Buffer.from(endpoint.validExample);
    const { status } = await send(endpoint, body, await endpoint.authenticate(body));
    expect(status >= 200 && status < 300).toBe(true);
  });

  // Bearer tokens do not cover the body; only signed endpoints can be replayed over altered bytes.
  if (endpoint.signsBody)
    test('a valid request signed for other bytes (a replayed signature) is refused', async () => {
      const valid = Buffer.from(endpoint.validExample);
      await fc.assert(
        fc.asyncProperty(fc.nat(valid.length - 1), async (at) => {
          const altered = Buffer.from(valid);
          altered[at] = altered[at] === 0x20 ? 0x09 : 0x20;
          const { status } = await send(endpoint, altered, await endpoint.authenticate(valid));
          expect(status).toBe(401);
        }),
        { numRuns: 50 },
      );
    });
});

test('after all of that only the honest examples reached a workflow, nothing reached PostgreSQL, and the server still serves', async () => {
  const honest = [`conversation-${SPEC_ID}`, `context-sync-${APP_USER}`];
  for (const id of await workflowsOnOurQueue()) expect(honest).toContain(id);
  expect((await fetch(`${system.baseUrl}/health`)).status).toBe(200);

  // The API's own writes: exactly the orders and friction signals it accepted (valid mutations are accepted too).
  const orders = await system.pool.any(
    sql.type(z.object({ order_id: z.string(), event: z.string() }))`SELECT order_id, event FROM orders ORDER BY 1, 2`,
  );
  const acceptedOrders = new Map(acceptedJson('orders feed').map((o) => [`${o.order_id} ${o.event}`, o]));
  expect(orders.map((o) => `${o.order_id} ${o.event}`)).toEqual([...acceptedOrders.keys()].sort());
  expect(orders.length).toBeGreaterThanOrEqual(1);
  const signals = await system.pool.oneFirst(
    sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM friction_signals`,
  );
  expect(signals).toBe(acceptedJson('friction signal').length);
  expect(signals).toBeGreaterThanOrEqual(1);
  // The workflows' writes: a worker now takes whatever reached a workflow; only the honest conversation becomes an
  // incidence.
  await system.startWorker();
  await eventually(async () => expect(await conversationsWithIncidences()).toContain(SPEC_ID), 30_000);
  expect(await conversationsWithIncidences()).toEqual([SPEC_ID]);

  // The control: one more honest webhook does reach a workflow, so the check above could have failed.
  const id = uniqueConversationId();
  const body = retarget(fixtureText('simplified-message_create.json'), { [SPEC_ID]: id });
  expect((await postWebhook(system.baseUrl, body)).status).toBe(200);
  await eventually(async () => expect(await workflowsOnOurQueue()).toContain(`conversation-${id}`));
});

describe('analytics reads refuse bad parameters clearly', () => {
  const admin = { authorization: `Bearer ${ADMIN_API_TOKEN}` };
  const get = async (path: string) => {
    const response = await fetch(`${system.baseUrl}/api/v1/analytics/${path}`, { headers: admin });
    return { status: response.status, json: await response.json().catch(() => null) };
  };

  test('any week name that is not a stored report gets a 4xx JSON error, in every format', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), fc.constantFrom('', '.html', '.csv'), async (week, format) => {
        const { status, json } = await get(`weekly/${encodeURIComponent(week)}${format}`);
        expectClearRefusal(status, json);
      }),
      { numRuns: 100 },
    );
  });

  test('any malformed daily range gets a 4xx JSON error', async () => {
    const date = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('2026-02-30', '2026-13-01', '1-1-1', ''));
    await fc.assert(
      fc.asyncProperty(date, date, async (from, to) => {
        const { status, json } = await get(`daily?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
        expectClearRefusal(status, json);
      }),
      { numRuns: 100 },
    );
  });
});

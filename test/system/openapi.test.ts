import type Koa from 'koa';
import type Router from '@koa/router';
import { createApiClient } from '../../app-client/api-client';
import { normaliseWebhook } from '../../domain/conversation/freshchat-payload';
import { OPERATIONS, openApiDocument } from '../../api/openapi';
import { startTestSystem, type TestSystem } from '../support/system';
import { contractViolations } from '../support/api-contract';
import { createApp } from '../../api/app';
import { createConversationGateway } from '../../gateways/conversation-gateway';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({}, { worker: false });
});
afterAll(() => system.stop());

const openApiPath = (koaPath: string) => koaPath.replace(/:(\w+)/g, '{$1}');
const documented = () =>
  new Set(
    Object.entries(openApiDocument().paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
    ),
  );

/** Every method + path the app's routers answer (HEAD rides along with GET). */
function registeredRoutes(app: Koa): string[] {
  return app.middleware.flatMap((mw) => {
    const router = (mw as { router?: Router }).router;
    if (!router) return [];
    return router.stack.flatMap((layer) =>
      layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${openApiPath(String(layer.path))}`),
    );
  });
}

test('every route the API registers is in the OpenAPI document, and nothing else is', () => {
  const app = createApp({
    settings: system.settings,
    conversations: createConversationGateway(system.client, system.settings),
    temporal: system.client,
    pool: system.pool,
    redis: system.redis,
  });
  const routes = registeredRoutes(app);
  expect(routes.length).toBeGreaterThanOrEqual(15);
  expect(routes.filter((r) => !documented().has(r))).toEqual([]);
  expect([...documented()].filter((r) => !routes.includes(r))).toEqual([]);
});

test.each(OPERATIONS.filter((op) => op.body).map((op) => [`${op.method.toUpperCase()} ${op.path}`, op] as const))(
  'the example of %s passes its schema',
  (_name, op) => {
    const parsed = op.body!.schema.safeParse(op.body!.example);
    expect(parsed.error?.issues ?? []).toEqual([]);
  },
);

test('the webhook example is a webhook the API accepts as an event', () => {
  const example = OPERATIONS.find((op) => op.path === '/webhooks/freshchat')!.body!.example;
  const raw = Buffer.from(JSON.stringify(example));
  expect(normaliseWebhook(example, raw, new Date().toISOString()).status).toBe('event');
});

test('every operation names its auth scheme, examples and error bodies in the served document', async () => {
  const res = await fetch(`${system.baseUrl}/openapi.json`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as ReturnType<typeof openApiDocument>;
  expect(doc.openapi).toBe('3.1.0');
  expect(Object.keys(doc.components?.securitySchemes ?? {}).sort()).toEqual([
    'admin',
    'appOrAdmin',
    'codec',
    'freshchatSignature',
    'ordersSignature',
    'session',
  ]);
  const cart = doc.paths!['/api/v1/context/{userId}/cart']!.put!;
  expect(cart.security).toEqual([{ appOrAdmin: [] }]);
  expect((cart.requestBody as any).content['application/json'].example).toMatchObject({ cart_value: 185000 });
  expect((cart.responses!['400'] as any).content['application/json'].schema).toEqual({
    $ref: '#/components/schemas/ErrorBody',
  });
  expect((doc.components!.schemas!.ErrorBody as any).properties).toHaveProperty('field');
  expect(doc).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
});

test('the context-write answer is what the API sends: the friction, the help offer, the signals and the version', () => {
  const schemas = openApiDocument().components!.schemas as Record<string, any>;
  expect(Object.keys(schemas.ContextAnswer.properties).sort()).toEqual(
    ['friction_score', 'help_message', 'should_show_help', 'signals', 'version'].sort(),
  );
  expect(schemas.ContextUpdated.allOf).toEqual([
    { $ref: '#/components/schemas/ContextAnswer' },
    expect.objectContaining({ required: ['status'] }),
  ]);
});

const operations = () =>
  Object.entries(openApiDocument().paths!).flatMap(([path, item]) =>
    Object.entries(item as Record<string, any>).map(([method, op]) => ({ name: `${method} ${path}`, op })),
  );

test('every JSON answer has a schema, every answer names X-Request-Id, every limited route documents 429', () => {
  const untyped = operations().flatMap(({ name, op }) =>
    Object.entries(op.responses as Record<string, any>)
      .filter(([status]) => !status.startsWith('3'))
      .filter(([, r]) => !r.content || Object.values(r.content).some((c: any) => !c.schema))
      .map(([status]) => `${name} ${status}`),
  );
  expect(untyped).toEqual([]);
  for (const { op } of operations())
    for (const r of Object.values(op.responses as Record<string, any>))
      expect(r.headers['X-Request-Id']).toMatchObject({ required: true });
  const limited = operations().filter(({ op }) => op.responses['200']?.headers['RateLimit-Limit']);
  expect(limited.map((l) => l.name).sort()).toEqual([
    'post /api/v1/context/{userId}/friction-signal',
    'put /api/v1/context/{userId}/cart',
    'put /api/v1/context/{userId}/profile',
    'put /api/v1/context/{userId}/screen',
  ]);
  for (const { op } of limited)
    expect(Object.keys(op.responses['429'].headers)).toEqual(
      expect.arrayContaining(['Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']),
    );
});

describe('the contract check every test runs on the answers it receives', () => {
  const url = new URL('http://127.0.0.1/api/v1/context/usr_1/friction-signal');
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', 'x-request-id': 'r-1', ...headers },
    });
  const good = { friction_score: 40, should_show_help: true, help_message: 'Need help?', signals: [], version: 3 };

  test('passes an answer that keeps the contract', async () => {
    expect(await contractViolations('post', url, answer(200, good))).toEqual([]);
  });

  test('names a body field the contract does not allow, a missing header and an undocumented status', async () => {
    expect(await contractViolations('post', url, answer(200, { ...good, friction_score: 'high' }))).toEqual([
      expect.stringContaining('/friction_score must be number'),
    ]);
    const noId = new Response(JSON.stringify(good), { headers: { 'content-type': 'application/json' } });
    expect(await contractViolations('post', url, noId)).toEqual([expect.stringContaining('X-Request-Id missing')]);
    expect(await contractViolations('post', url, answer(429, { error: 'rate_limited', message: 'slow down' }))).toEqual(
      expect.arrayContaining([expect.stringContaining('Retry-After missing')]),
    );
    expect(await contractViolations('post', url, answer(418, {}))).toEqual([
      expect.stringContaining('status not documented'),
    ]);
    expect(await contractViolations('get', new URL('http://127.0.0.1/api/v1/nowhere'), answer(200, {}))).toEqual([
      expect.stringContaining('no operation'),
    ]);
  });
});

test('/docs is a page that loads Swagger UI from this API only', async () => {
  const page = await fetch(`${system.baseUrl}/docs`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  const html = await page.text();
  const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  expect(assets.every((a) => a.startsWith('/docs/assets/'))).toBe(true);
  for (const asset of assets) {
    const res = await fetch(`${system.baseUrl}${asset}`);
    expect(res.status).toBe(200);
    // Read whole: an unread bundle holds its connection open past the server's close, and jest's worker with it.
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
  }
});

test('the typed app client calls only documented operations', async () => {
  const calls: string[] = [];
  const fetchStub = (async (url: string | URL, init?: RequestInit) => {
    calls.push(`${init?.method ?? 'GET'} ${new URL(String(url)).pathname}`);
    return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  const client = createApiClient('http://api.test', async () => 'token', { fetch: fetchStub });
  await client.updateScreen('u1', { screen_name: 'home' });
  await client.updateCart('u1', { cart_value: 1 });
  await client.updateProfile('u1', {});
  await client.sendFrictionSignal('u1', { type: 'BACK_NAV' });
  await client.getContext('u1');
  await client.routeChannels({ order_value: 1 });
  const templates = [...documented()].map((op) => new RegExp(`^${op.replace(/\{\w+\}/g, '[^/]+')}$`));
  expect(calls).toHaveLength(6);
  expect(calls.filter((call) => !templates.some((t) => t.test(call)))).toEqual([]);
});

import type Koa from 'koa';
import type Router from '@koa/router';
import { createApiClient } from '../app-client/api-client';
import { normaliseWebhook } from '../domain/freshchat-payload';
import { OPERATIONS, openApiDocument } from '../api/openapi';
import { startTestSystem, type TestSystem } from './support/system';
import { createApp } from '../api/app';
import { createConversationGateway } from '../api/conversation-gateway';

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
  expect((cart.responses!['400'] as any).content['application/json'].schema.properties).toHaveProperty('field');
});

test('/docs is a page that loads Swagger UI from this API only', async () => {
  const page = await fetch(`${system.baseUrl}/docs`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  const html = await page.text();
  const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  expect(assets.every((a) => a.startsWith('/docs/assets/'))).toBe(true);
  for (const asset of assets) expect((await fetch(`${system.baseUrl}${asset}`)).status).toBe(200);
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

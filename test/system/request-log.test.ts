import { createLogger } from '../../infra/logger';
import { createApp } from '../../api/app';
import { createConversationGateway } from '../../gateways/conversation-gateway';
import { startTestSystem, withListening, type TestSystem } from '../support/system';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({}, { worker: false });
});
afterAll(async () => system?.stop());

/** The API with its request lines captured. */
async function withLoggedApi(run: (baseUrl: string, lines: Array<Record<string, unknown>>) => Promise<void>) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
  const app = createApp({
    settings: system.settings,
    conversations: createConversationGateway(system.client, system.settings),
    temporal: system.client,
    pool: system.pool,
    redis: system.redis,
    logger,
  });
  await withListening(app, (baseUrl) => run(baseUrl, lines));
}

const UUID = /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/;

test('every answer carries a request id: the caller’s when usable, else a new one', async () => {
  const generated = await fetch(`${system.baseUrl}/health`);
  expect(generated.headers.get('x-request-id')).toMatch(UUID);
  const other = await fetch(`${system.baseUrl}/health`);
  expect(other.headers.get('x-request-id')).not.toBe(generated.headers.get('x-request-id'));

  const given = await fetch(`${system.baseUrl}/health`, { headers: { 'x-request-id': 'app-7f3c.42' } });
  expect(given.headers.get('x-request-id')).toBe('app-7f3c.42');
  for (const unusable of ['has spaces "and quotes"', 'x'.repeat(129)]) {
    const replaced = await fetch(`${system.baseUrl}/health`, { headers: { 'x-request-id': unusable } });
    expect(replaced.headers.get('x-request-id')).toMatch(UUID);
  }
  // Errors too.
  const refused = await fetch(`${system.baseUrl}/api/v1/context/usr_x`, { headers: { 'x-request-id': 'req-401' } });
  expect(refused.status).toBe(401);
  expect(refused.headers.get('x-request-id')).toBe('req-401');
});

test('each request is logged once with its id, route, status, duration and the caller’s trace id', async () => {
  await withLoggedApi(async (baseUrl, lines) => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await fetch(`${baseUrl}/api/v1/context/usr_logged`, {
      headers: { 'x-request-id': 'req-logged-1', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    await fetch(`${baseUrl}/health`);
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({
      req_id: 'req-logged-1',
      trace_id: traceId,
      method: 'GET',
      route: '/api/v1/context/:userId',
      status: 401,
    });
    expect(typeof requests[0]!.ms).toBe('number');
    expect(requests[1]).toMatchObject({ route: '/health', status: 200, trace_id: null });
    expect(requests[1]!.req_id).toMatch(UUID);
    // The line names the route pattern, never the user id in the path, and no header values.
    expect(JSON.stringify(requests)).not.toContain('usr_logged');
  });
});

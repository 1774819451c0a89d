/**
 * The live overview: open and unattended conversations, SLAs due within 5 minutes, cart value at risk, each
 * conversation linked to its workflow in the Temporal UI; JSON and an HTML page, admin token only.
 */
import type { LinkedOverview } from '../../domain/reports/overview';
import { adminGet } from '../support/analytics';
import { insertSlaTarget, insertSupportIncidence } from '../support/support-rows';
import { startTestSystem, type TestSystem } from '../support/system';

let system: TestSystem;
const UI = 'https://temporal.example.test/';
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

beforeAll(async () => {
  system = await startTestSystem({ TEMPORAL_UI_URL: UI, TEMPORAL_NAMESPACE: 'support' }, { worker: false });
  const pool = system.pool;
  const waiting = await insertSupportIncidence(pool, {
    conversation_id: 'conv-waiting',
    created_at: ago(12),
    cart_value: 300000,
    event_type: 'WEDDING',
  });
  await insertSlaTarget(pool, { incidence_id: waiting, started_at: ago(12), due_at: ago(-2), status: 'ACTIVE' });
  const answered = await insertSupportIncidence(pool, {
    conversation_id: 'conv-answered',
    created_at: ago(30),
    first_response_at: ago(29),
    cart_value: 8000,
    agent_id: 'agent-1',
  });
  await insertSlaTarget(pool, {
    incidence_id: answered,
    target: 'RESOLUTION',
    started_at: ago(30),
    due_at: ago(-60),
    status: 'ACTIVE',
  });
  // Answered before it was resolved and reopened 3 minutes ago: waiting again.
  await insertSupportIncidence(pool, {
    conversation_id: '<reopened & "waiting">',
    created_at: ago(600),
    first_response_at: ago(590),
    reopen_count: 1,
    last_state_change_at: ago(3),
  });
  const closed = await insertSupportIncidence(pool, {
    conversation_id: 'conv-closed',
    created_at: ago(90),
    resolved_at: ago(10),
    cart_value: 99999,
  });
  await insertSlaTarget(pool, { incidence_id: closed, started_at: ago(90), due_at: ago(-1), status: 'ACTIVE' });
});
afterAll(async () => {
  await system?.stop();
});

test('JSON: counts, lists and Temporal UI links', async () => {
  const res = await adminGet(system.baseUrl, '/api/v1/overview');
  expect(res.status).toBe(200);
  const body = (await res.json()) as LinkedOverview;
  expect(body.open.count).toBe(3);
  expect(body.open.conversations.map((c) => c.conversationId)).toEqual([
    'conv-waiting', // largest cart first
    'conv-answered',
    '<reopened & "waiting">',
  ]);
  expect(body.unattended.count).toBe(2);
  expect(body.unattended.conversations.map((c) => c.conversationId)).toEqual([
    'conv-waiting', // waiting 12 minutes
    '<reopened & "waiting">', // waiting since the reopen, 3 minutes
  ]);
  expect(body.breachingSoon).toMatchObject({ count: 1, withinSeconds: 300 });
  expect(body.breachingSoon.targets[0]).toMatchObject({ conversationId: 'conv-waiting', target: 'FIRST_RESPONSE' });
  expect(body.cartValueAtRisk).toMatchObject({ value: 308000, openConversations: 3 });
  expect(body.open.conversations[0]!.temporalUrl).toBe(
    'https://temporal.example.test/namespaces/support/workflows/conversation-conv-waiting',
  );
  expect(body.unattended.conversations[1]!.temporalUrl).toBe(
    `https://temporal.example.test/namespaces/support/workflows/${encodeURIComponent('conversation-<reopened & "waiting">')}`,
  );
});

test('HTML page: tiles and links, every text escaped, no scripts', async () => {
  const res = await adminGet(system.baseUrl, '/api/v1/overview.html');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  const html = await res.text();
  expect(html).toContain('href="https://temporal.example.test/namespaces/support/workflows/conversation-conv-waiting"');
  expect(html).toContain('&lt;reopened &amp; &quot;waiting&quot;&gt;');
  expect(html).not.toContain('<reopened');
  expect(html).not.toMatch(/<script/i);
  expect(html).toMatch(/<b>₹3,08,000<\/b><span>Cart value at risk<\/span>/);
});

test('admin token only', async () => {
  expect((await adminGet(system.baseUrl, '/api/v1/overview', null)).status).toBe(401);
  expect((await adminGet(system.baseUrl, '/api/v1/overview.html', 'wrong')).status).toBe(401);
});

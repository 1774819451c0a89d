import { createApp } from '../../api/app';
import { createConversationGateway } from '../../gateways/conversation-gateway';
import { createTemporalClient } from '../../infra/temporal';
import { conversationWorkflowId } from '../../domain/conversation/conversation-event';
import { stateQuery } from '../../workflows/signals';
import {
  countIncidences,
  fixtureFor,
  incidenceOf,
  retarget,
  timelineOf,
  uniqueConversationId,
} from '../support/conversations';
import { eventually } from '../support/eventually';
import { FakeFreshchat } from '../../bench/support/fake-freshchat';
import { fixture, fixtureText, hmacSign, postWebhook, rsaSign } from '../support/signing';
import { startTestSystem, type TestSystem } from '../support/system';
import { settingsFrom } from '../../infra/settings';

const WEDDING_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';
const CORPORATE_ID = '3c7d1e9a-5b2f-4a8c-9e6d-2f0a8b4c1d93';
const WHITEFIELD_ID = '0a5f3b8d-2c9e-4d4a-b6fa-7e1c4d9a3b82';
const WEDDING_FC_USER = '5d2b8e1f-3c9a-4d7e-b2f6-9a1c4e8d3b05';
const CORPORATE_FC_USER = '6e3c9f2a-4d0b-4e8f-83a7-0b2d5f9e4c16';

let system: TestSystem;
const freshchat = new FakeFreshchat();

beforeAll(async () => {
  await freshchat.start();
  freshchat.users.set(WEDDING_FC_USER, fixture('real-api-get-user-wedding.json'));
  freshchat.users.set(CORPORATE_FC_USER, fixture('real-api-get-user-corporate.json'));
  system = await startTestSystem({
    FRESHCHAT_API_URL: freshchat.url,
    FRESHCHAT_API_TOKEN: 'test-token',
    FRESHCHAT_TAG_PROPERTIES: 'cf_tags,cf_outcome',
  });
});
afterAll(async () => {
  await system?.stop();
  await freshchat.stop();
});

const post = (body: string, signature?: string | null) => postWebhook(system.baseUrl, body, signature);
const postAll = async (bodies: string[]) => {
  for (const body of bodies) expect((await post(body)).status).toBe(200);
};
const settled = (conversationId: string, check: (row: NonNullable<Awaited<ReturnType<typeof incidenceOf>>>) => void) =>
  eventually(async () => {
    const row = await incidenceOf(system.pool, conversationId);
    expect(row).not.toBeNull();
    check(row!);
    return row!;
  });
const weddingEvents = (conversationId: string): string[] =>
  fixture('real-sequence-wedding-order.json').events.map((e: unknown) =>
    retarget(JSON.stringify(e), { [WEDDING_ID]: conversationId }),
  );
const conversationProperties = (conversationId: string, tags: string) =>
  freshchat.conversations.set(conversationId, {
    ...fixture('real-api-get-conversation.json'),
    conversation_id: conversationId,
    properties: { cf_tags: tags },
  });

describe('simplified format (HMAC)', () => {
  test('the corporate sequence ends as one DROPPED incidence with its full timeline', async () => {
    const id = uniqueConversationId();
    const { events } = fixture('simplified-sequence-corporate-dropped.json');
    await postAll(events.map((e: unknown) => retarget(JSON.stringify(e), { [CORPORATE_ID]: id })));
    const row = await settled(id, (r) => expect(r.outcome).toBe('DROPPED'));
    expect(row).toMatchObject({
      user_id: 'usr_5T9LPA',
      stage: 'PRE_ORDER',
      trigger: 'USER_INITIATED',
      order_impact: 'LOST',
      issue_category: 'pricing',
      cart_value: 96000,
      guest_count: 200,
      event_type: 'CORPORATE',
      friction_score: 78,
      app_screen: 'quote_summary',
    });
    expect(row.time_to_resolve_seconds).toBeGreaterThanOrEqual(0);
    const timeline = await timelineOf(system.pool, id);
    expect(timeline.map((t) => `${t.event_type}/${t.actor}`).sort()).toEqual([
      'MESSAGE/AGENT',
      'MESSAGE/USER',
      'MESSAGE/USER',
      'RESOLVED/AGENT',
    ]);
    expect(timeline.filter((t) => t.event_type === 'MESSAGE').map((t) => t.content)).toEqual(
      expect.arrayContaining([expect.stringContaining('Diwali office party')]),
    );
  });

  test('wedding: messages, assignment and an order_placed resolution → CONVERTED / PLACED with the agent', async () => {
    const id = uniqueConversationId();
    await postAll(
      [
        'simplified-message_create.json',
        'simplified-message_create-agent.json',
        'simplified-conversation_assignment.json',
        'simplified-conversation_resolution.json',
      ].map((f) => fixtureFor(f, WEDDING_ID, id)),
    );
    const row = await settled(id, (r) => expect(r.outcome).toBe('CONVERTED'));
    expect(row).toMatchObject({
      order_impact: 'PLACED',
      issue_category: 'menu_customisation',
      agent_id: 'a3f9c2d8-6e1b-4a7c-9d5e-8b2f1c0e4a67',
      event_type: 'WEDDING',
      cart_value: 185000,
      user_id: 'usr_8F3K2Q',
    });
    expect((await timelineOf(system.pool, id)).map((t) => t.event_type).sort()).toEqual([
      'AGENT_ASSIGNED',
      'MESSAGE',
      'MESSAGE',
      'RESOLVED',
    ]);
  });

  test('a resolution with ordinary tags → RESOLVED / NONE; with no tags, no category', async () => {
    const id = uniqueConversationId();
    const body = JSON.parse(fixtureFor('simplified-conversation_resolution.json', WEDDING_ID, id));
    body.data.conversation.tags = [{ name: 'Delivery_Time' }];
    await postAll([fixtureFor('simplified-message_create.json', WEDDING_ID, id), JSON.stringify(body)]);
    const row = await settled(id, (r) => expect(r.outcome).toBe('RESOLVED'));
    expect(row).toMatchObject({ order_impact: 'NONE', issue_category: 'Delivery_Time' });

    const bare = uniqueConversationId();
    const noTags = JSON.parse(fixtureFor('simplified-conversation_resolution.json', WEDDING_ID, bare));
    delete noTags.data.conversation.tags;
    await postAll([JSON.stringify(noTags)]);
    expect(await settled(bare, (r) => expect(r.outcome).toBe('RESOLVED'))).toMatchObject({
      issue_category: null,
      stage: 'POST_ORDER',
      order_id: 'ORD-2026-003982',
    });
  });
});

describe('real Freshchat format (RSA, context from Freshchat REST)', () => {
  test('the wedding sequence: context from GET /users, tags from the conversation, private note kept', async () => {
    const id = uniqueConversationId();
    freshchat.conversations.set(id, { ...fixture('real-api-get-conversation.json'), conversation_id: id });
    await postAll(weddingEvents(id));
    const row = await settled(id, (r) => expect(r.outcome).toBe('CONVERTED'));
    expect(row).toMatchObject({
      user_id: 'usr_8F3K2Q',
      freshchat_user_id: WEDDING_FC_USER,
      cart_value: 185000,
      guest_count: 350,
      event_type: 'WEDDING',
      friction_score: 64.5,
      app_screen: 'platter_customise',
      order_impact: 'PLACED',
      stage: 'PRE_ORDER',
    });
    expect(Date.parse(row.created_at)).toBe(Date.parse('2026-01-16T13:42:07.301Z'));
    expect(Date.parse(row.resolved_at!)).toBe(Date.parse('2026-01-16T14:04:01.219Z'));
    expect(row.time_to_resolve_seconds).toBe(
      Math.floor((Date.parse('2026-01-16T14:04:01.219Z') - Date.parse('2026-01-16T13:42:07.301Z')) / 1000),
    );
    const timeline = await timelineOf(system.pool, id);
    expect(timeline).toHaveLength(8);
    expect(timeline.find((t) => t.metadata?.message_type === 'private')).toMatchObject({
      actor: 'AGENT',
      event_type: 'MESSAGE',
    });
    expect(
      freshchat.requests.some((r) => r.path === `/users/${WEDDING_FC_USER}` && r.authorization === 'Bearer test-token'),
    ).toBe(true);
  });

  test('every event delivered twice and shuffled is stored once', async () => {
    const id = uniqueConversationId();
    conversationProperties(id, 'pricing,dropped');
    const events = weddingEvents(id);
    const deliveries = [...events, ...events]
      .map((body) => ({ body, order: Math.random() }))
      .sort((a, b) => a.order - b.order);
    await postAll(deliveries.map((d) => d.body));
    await settled(id, (r) => expect(r.outcome).toBe('DROPPED'));
    await eventually(async () => expect(await timelineOf(system.pool, id)).toHaveLength(8));
    // The last duplicate can still wait in the workflow's queue when the eighth row lands.
    await eventually(async () => {
      const state = await system.client.workflow.getHandle(conversationWorkflowId(id)).query(stateQuery);
      expect(state.duplicatesSkipped).toBeGreaterThanOrEqual(8);
    });
    expect(await countIncidences(system.pool, id)).toBe(1);
  });

  test('a resolution that arrives before any message still yields one correct incidence', async () => {
    const id = uniqueConversationId();
    conversationProperties(id, 'order_change');
    const events = weddingEvents(id);
    await postAll([events[7]!]);
    await settled(id, (r) => expect(r.outcome).toBe('RESOLVED'));
    await postAll(events.slice(0, 7));
    await eventually(async () => expect(await timelineOf(system.pool, id)).toHaveLength(8));
    // The tags are read back beside the loop: the category lands when they are.
    const row = await settled(id, (r) => {
      expect(Date.parse(r.created_at)).toBe(Date.parse('2026-01-16T13:42:07.301Z'));
      expect(r.issue_category).toBe('order_change');
    });
    expect(row).toMatchObject({
      outcome: 'RESOLVED',
      issue_category: 'order_change',
      user_id: 'usr_8F3K2Q',
      agent_id: 'a3f9c2d8-6e1b-4a7c-9d5e-8b2f1c0e4a67',
    });
    expect(row.time_to_resolve_seconds).toBe(1313);
    expect(await countIncidences(system.pool, id)).toBe(1);
  });

  test('resolve, reopen the next day, resolve again: time to resolve keeps the days', async () => {
    const id = uniqueConversationId();
    conversationProperties(id, 'delivery_time');
    const swap = { [WHITEFIELD_ID]: id };
    const resolveAgain = JSON.parse(retarget(fixtureText('real-conversation_resolution.json'), swap));
    resolveAgain.action_time = '2026-01-22T09:30:00.000Z';
    await postAll([
      retarget(fixtureText('real-message_create.json'), swap),
      retarget(fixtureText('real-conversation_resolution.json'), swap),
    ]);
    await settled(id, (r) => expect(r.outcome).toBe('RESOLVED'));
    await postAll([retarget(fixtureText('real-conversation_reopen.json'), swap)]);
    await settled(id, (r) => expect(r).toMatchObject({ outcome: 'IN_PROGRESS', reopen_count: 1, resolved_at: null }));
    await postAll([JSON.stringify(resolveAgain)]);
    const row = await settled(id, (r) => expect(r.outcome).toBe('RESOLVED'));
    expect(row.time_to_resolve_seconds).toBe(
      Math.floor((Date.parse('2026-01-22T09:30:00.000Z') - Date.parse('2026-01-20T04:18:33.497Z')) / 1000),
    );
    expect(row.time_to_resolve_seconds).toBeGreaterThan(2 * 86400);
    expect(row).toMatchObject({
      user_id: 'usr_2M7XWD',
      stage: 'POST_ORDER',
      order_id: 'ORD-2026-004719',
      event_type: 'CORPORATE',
    });
  });

  test('a worker restarted mid-conversation loses nothing', async () => {
    const id = uniqueConversationId();
    conversationProperties(id, 'order_placed');
    const events = weddingEvents(id);
    await postAll(events.slice(0, 3));
    await eventually(async () => expect(await timelineOf(system.pool, id)).toHaveLength(3));
    await system.stopWorker();
    await postAll(events.slice(3)); // accepted by Temporal while no worker runs
    await new Promise((r) => setTimeout(r, 300));
    expect(await timelineOf(system.pool, id)).toHaveLength(3);
    await system.startWorker();
    await settled(id, (r) => expect(r.outcome).toBe('CONVERTED'));
    await eventually(async () => expect(await timelineOf(system.pool, id)).toHaveLength(8));
  });

  test('the conversation is queryable and findable by search attributes', async () => {
    const id = uniqueConversationId();
    conversationProperties(id, 'pricing,dropped');
    await postAll(weddingEvents(id));
    await settled(id, (r) => expect(r.outcome).toBe('DROPPED'));
    const handle = system.client.workflow.getHandle(conversationWorkflowId(id));
    // The tags are read beside the loop, so the state follows the stored outcome a moment later.
    await eventually(async () =>
      expect(await handle.query(stateQuery)).toMatchObject({
        outcome: 'DROPPED',
        userId: 'usr_8F3K2Q',
        eventType: 'WEDDING',
        cartValue: 185000,
        stage: 'PRE_ORDER',
        pendingEvents: 0,
      }),
    );
    const query = `WorkflowId = '${conversationWorkflowId(id)}' AND Outcome = 'DROPPED' AND EventType = 'WEDDING' AND CartValue > 25000`;
    await eventually(async () => {
      const found: string[] = [];
      for await (const w of system.client.workflow.list({ query })) found.push(w.workflowId);
      expect(found).toEqual([conversationWorkflowId(id)]);
    });
  });
});

describe('the webhook refuses what it must', () => {
  const body = () => fixtureFor('simplified-message_create.json', WEDDING_ID, uniqueConversationId());

  test('missing or wrong signature: 401 JSON, nothing signalled', async () => {
    const text = body();
    const id = JSON.parse(text).data.conversation.id;
    expect(await post(text, null)).toMatchObject({ status: 401, json: { error: 'invalid_signature' } });
    expect(await post(text, hmacSign(text, 'wrong-secret'))).toMatchObject({ status: 401 });
    expect(await post(text.replace('350 guests', '351 guests'), hmacSign(text))).toMatchObject({ status: 401 });
    expect(await post(text, rsaSign(text + ' '))).toMatchObject({ status: 401 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await countIncidences(system.pool, id)).toBe(0);
    await expect(system.client.workflow.getHandle(conversationWorkflowId(id)).describe()).rejects.toThrow();
  });

  test('both schemes are accepted', async () => {
    const text = body();
    expect((await post(text, hmacSign(text))).status).toBe(200);
    const real = fixtureFor('real-message_create.json', WHITEFIELD_ID, uniqueConversationId());
    expect(await post(real, rsaSign(real))).toMatchObject({ status: 200, json: { status: 'accepted' } });
  });

  test.each([
    ['malformed JSON', '{"action": "message_create", ', 'malformed_json'],
    ['not an object', '[1,2,3]', 'invalid_payload'],
    ['no action', '{"data": {}}', 'invalid_payload'],
    [
      'message without conversation id',
      '{"action":"message_create","data":{"message":{"id":"m","actor_type":"user","message_parts":[]}}}',
      'invalid_payload',
    ],
    [
      'resolution without conversation',
      '{"action":"conversation_resolution","data":{"resolve":{"resolver":"agent"}}}',
      'invalid_payload',
    ],
  ])('%s → 400 naming the problem', async (_name, text, code) => {
    const res = await post(text, hmacSign(text));
    expect(res.status).toBe(400);
    expect(res.json.error).toBe(code);
    expect(typeof res.json.message).toBe('string');
  });

  test('invalid UTF-8 → 400; an oversized body → 413', async () => {
    const bad = Buffer.concat([
      Buffer.from('{"action":"message_create","x":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    const res = await fetch(`${system.baseUrl}/webhooks/freshchat`, {
      method: 'POST',
      headers: { 'x-freshchat-signature': hmacSign(bad) },
      body: bad,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_utf8');
    const huge = JSON.stringify({ action: 'message_create', padding: 'x'.repeat(2 * 1024 * 1024) });
    const big = await fetch(`${system.baseUrl}/webhooks/freshchat`, {
      method: 'POST',
      headers: { 'x-freshchat-signature': hmacSign(huge) },
      body: huge,
    });
    expect(big.status).toBe(413);
  });

  test('unknown actions: 200 and ignored', async () => {
    const text = JSON.stringify({ action: 'conversation_csat', data: { csat: { rating: 5 } } });
    expect(await post(text, hmacSign(text))).toMatchObject({
      status: 200,
      json: { status: 'ignored', action: 'conversation_csat' },
    });
  });

  test('503 when Temporal is unreachable, so Freshchat retries', async () => {
    // A short hand-off timeout: the same 503, without waiting the default 5 s for a server that is not there.
    const deadConfig = { ...system.config, TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_HANDOFF_TIMEOUT: 500 };
    const deadClient = createTemporalClient({ address: deadConfig.TEMPORAL_ADDRESS, namespace: 'default' });
    const app = createApp({
      settings: settingsFrom(deadConfig),
      conversations: createConversationGateway(deadClient, settingsFrom(deadConfig)),
      temporal: deadClient,
      pool: system.pool,
      redis: system.redis,
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const text = body();
      const { port } = server.address() as { port: number };
      const res = await postWebhook(`http://127.0.0.1:${port}`, text, hmacSign(text));
      expect(res).toMatchObject({ status: 503, json: { error: 'temporal_unavailable' } });
    } finally {
      server.close();
    }
  });
});

test('Freshchat refusing the tag lookup (401) resolves without tags instead of failing the conversation', async () => {
  const id = uniqueConversationId();
  const swap = { [WHITEFIELD_ID]: id };
  await postAll([retarget(fixtureText('real-message_create.json'), swap)]);
  await settled(id, (r) => expect(r.outcome).toBe('IN_PROGRESS'));
  freshchat.route((r) =>
    r.method === 'GET' && r.path.startsWith(`/conversations/${id}`)
      ? { status: 401, body: { message: 'token revoked' } }
      : undefined,
  );
  await postAll([retarget(fixtureText('real-conversation_resolution.json'), swap)]);
  // The tags are read beside the resolution, which is applied first (TAGS_PENDING): judged once the read has ended.
  const row = await settled(id, (r) => expect(r.resolution_type).toBe('TAGS_UNAVAILABLE'));
  expect(row).toMatchObject({ outcome: 'RESOLVED', order_impact: 'NONE', issue_category: null });
  const tagReads = freshchat.requests.filter((r) => r.method === 'GET' && r.path.startsWith(`/conversations/${id}`));
  // A 401 is final: read once, not retried.
  expect(tagReads).toHaveLength(1);
  const handle = system.client.workflow.getHandle(conversationWorkflowId(id));
  expect((await handle.describe()).status.name).toBe('RUNNING');
  const { events } = await handle.fetchHistory();
  expect(events!.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
  // And the conversation goes on: a reopen after it is applied.
  await postAll([retarget(fixtureText('real-conversation_reopen.json'), swap)]);
  await settled(id, (r) => expect(r.reopen_count).toBe(1));
});

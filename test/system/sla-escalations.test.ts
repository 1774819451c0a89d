import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { sql } from 'slonik';
import { z } from 'zod';
import { createSlaActivities, noteMarker, type SlaEscalationRequest } from '../../activities/sla-activities';
import { createFreshchatClient } from '../../clients/freshchat-client';
import { ALWAYS_OPEN } from '../../domain/sla/business-hours';
import { mergeContexts } from '../../domain/conversation/incidence-context';
import { createOutboundEventSender } from '../../clients/outbound-events';
import { upsertIncidence } from '../../stores/incidence-store';
import { fixtureFor, incidenceOf, uniqueConversationId } from '../support/conversations';
import { eventually } from '../support/eventually';
import { FakeFreshchat } from '../../bench/support/fake-freshchat';
import { postWebhook } from '../support/signing';
import { startTestSystem, type TestSystem } from '../support/system';

// Breach escalations through Freshchat's REST API (a real HTTP fake that keeps Freshchat's state), checked against
// the stored incidence when they are delivered.
const WEDDING_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';
const freshchat = new FakeFreshchat();
let system: TestSystem;
beforeAll(async () => {
  await freshchat.start();
  system = await startTestSystem({
    SLA_TIMERS_ENABLED: 'true',
    SLA_POLICY_FILE: 'test/fixtures/sla/fast-policies.json',
    FRESHCHAT_API_URL: freshchat.url,
    FRESHCHAT_API_TOKEN: 'test-token',
  });
});
afterAll(async () => {
  await system?.stop();
  await freshchat.stop();
});
beforeEach(() => {
  freshchat.down = false;
});

/** The escalation activity as the worker has it, with a client whose requests time out after `timeoutMs`. */
const escalations = (timeoutMs = 5000) =>
  createSlaActivities({
    pool: system.pool,
    freshchat: createFreshchatClient({ baseUrl: freshchat.url, token: 'test-token', timeoutMs }),
    logger: pino({ level: 'silent' }),
    slaConfig: { policies: { policies: [] }, hours: ALWAYS_OPEN },
    outbound: createOutboundEventSender({}),
  });

/** An open incidence whose FIRST_RESPONSE target (started a minute ago) was missed; Freshchat knows the conversation. */
async function breached(conversationId = uniqueConversationId()) {
  const startedAt = new Date(Date.now() - 60_000).toISOString();
  const incidence = await upsertIncidence(
    system.pool,
    conversationId,
    { ...mergeContexts({ userId: `usr_${randomUUID()}` }), freshchatUserId: null, trigger: 'USER_INITIATED' },
    startedAt,
  );
  await target(incidence.incidenceId, 'FIRST_RESPONSE', startedAt, 'MISSED');
  freshchat.know(conversationId, { status: 'assigned', assigned_agent_id: 'agent-1' });
  return {
    conversationId,
    breach: { incidenceId: incidence.incidenceId, target: 'FIRST_RESPONSE' as const, startedAt },
  };
}

const target = (incidenceId: string, kind: string, startedAt: string, status: string) =>
  system.pool.query(sql.unsafe`
    INSERT INTO sla_targets (incidence_id, target, started_at, policy, due_at, status, settled_at)
    VALUES (${incidenceId}, ${kind}, ${startedAt}::timestamptz, 'test', ${startedAt}::timestamptz + interval '2 seconds',
            ${status}, ${status === 'ACTIVE' ? null : startedAt}::timestamptz + interval '2 seconds')`);

const requestsFor = (conversationId: string) =>
  freshchat.requests.filter((r) => r.path.startsWith(`/conversations/${conversationId}`));

test('a reassignment that outlives a Freshchat outage gives up once the conversation was resolved, and never reopens it', async () => {
  const id = uniqueConversationId();
  freshchat.know(id, { status: 'new' });
  freshchat.down = true;
  expect((await postWebhook(system.baseUrl, fixtureFor('simplified-message_create.json', WEDDING_ID, id))).status).toBe(
    200,
  );
  // The wedding policy's first response is due after 2 s; its escalation (REASSIGN) is retried while Freshchat is down.
  const breach = await eventually(async () => {
    const row = await system.pool.maybeOne(sql.type(z.object({ incidence_id: z.string(), started_at: z.string() }))`
      SELECT t.incidence_id::text AS incidence_id, to_json(t.started_at)#>>'{}' AS started_at
      FROM sla_targets t JOIN incidences i ON i.id = t.incidence_id
      WHERE i.conversation_id = ${id} AND t.target = 'FIRST_RESPONSE' AND t.status = 'MISSED'`);
    expect(row).not.toBeNull();
    return row!;
  });
  await eventually(async () => expect(requestsFor(id).some((r) => r.method === 'PUT')).toBe(true));

  // The agent resolves just after the breach: Freshchat and our record both say resolved before the retry lands.
  freshchat.conversation(id)!.status = 'resolved';
  const resolution = fixtureFor('simplified-conversation_resolution.json', WEDDING_ID, id);
  expect((await postWebhook(system.baseUrl, resolution)).status).toBe(200);
  await eventually(async () => expect((await incidenceOf(system.pool, id))?.outcome).not.toBe('IN_PROGRESS'));
  freshchat.down = false;

  const delivery = system.client.workflow.getHandle(
    `sla-delivery-escalation:${breach.incidence_id}:FIRST_RESPONSE:${new Date(breach.started_at).toISOString()}`,
  );
  const outcome = await delivery.result();
  expect(freshchat.conversation(id)).toMatchObject({ status: 'resolved' });
  expect(freshchat.messages.get(id)!.filter((m) => m.meta_data?.isReopen)).toEqual([]);
  expect(outcome).toBe('SKIPPED_CLOSED');
}, 60_000);

test('a reassignment hands the conversation to the priority group and sends no status', async () => {
  const { conversationId, breach } = await breached();
  freshchat.conversation(conversationId)!.status = 'resolved'; // Freshchat alone knows (its webhook is late)
  const request: SlaEscalationRequest = {
    conversationId,
    escalation: { action: 'REASSIGN', groupId: 'priority-weddings' },
    note: '',
    breach,
  };
  const outcome = await escalations().escalateSlaBreach(request);
  expect(requestsFor(conversationId)).toEqual([
    expect.objectContaining({ method: 'PUT', body: { assigned_group_id: 'priority-weddings' } }),
  ]);
  expect(freshchat.conversation(conversationId)).toMatchObject({
    status: 'resolved',
    assigned_group_id: 'priority-weddings',
  });
  expect(outcome).toBe('ESCALATED');
});

test('an escalation whose target was followed by a later one of its kind is skipped, Freshchat untouched', async () => {
  const { conversationId, breach } = await breached();
  await target(breach.incidenceId, 'FIRST_RESPONSE', new Date().toISOString(), 'ACTIVE');
  const outcomes = [];
  for (const escalation of [
    { action: 'REASSIGN' as const, groupId: 'priority' },
    { action: 'PRIVATE_NOTE' as const, actorId: 'sla-bot' },
  ])
    outcomes.push(await escalations().escalateSlaBreach({ conversationId, escalation, note: 'late', breach }));
  expect(requestsFor(conversationId)).toEqual([]);
  expect(outcomes).toEqual(['SKIPPED_SUPERSEDED', 'SKIPPED_SUPERSEDED']);
});

test('a private note whose POST timed out after Freshchat stored it is not posted again by the retry', async () => {
  const { conversationId, breach } = await breached();
  const request: SlaEscalationRequest = {
    conversationId,
    escalation: { action: 'PRIVATE_NOTE', actorId: 'sla-bot' },
    note: 'SLA breached: first response was due 10:02 (policy wedding).',
    breach,
  };
  const activities = escalations(300);
  // The note search answers at once; the POST is stored but answered after the client gave up.
  freshchat.answerLate((r) => r.method === 'POST' && r.path.startsWith(`/conversations/${conversationId}/`), 1_000);
  const posts = () => requestsFor(conversationId).filter((r) => r.method === 'POST');
  await expect(activities.escalateSlaBreach(request)).rejects.toThrow();
  expect(posts()).toHaveLength(1);

  const outcome = await activities.escalateSlaBreach(request);
  const notes = freshchat.messages.get(conversationId)!.filter((m) => m.message_type === 'private');
  expect(notes).toHaveLength(1);
  expect(notes[0]).toMatchObject({
    actor_type: 'agent',
    actor_id: 'sla-bot',
    message_parts: [{ text: { content: `${request.note} ${noteMarker(breach)}` } }],
  });
  expect(posts()).toHaveLength(1);
  expect(outcome).toBe('NOTE_ALREADY_POSTED');
});

test('an escalation Freshchat cannot place (unknown conversation, or no API configured) is dropped, not retried', async () => {
  const { breach } = await breached();
  const reassign = { action: 'REASSIGN' as const, groupId: 'priority' };
  const before = freshchat.requests.length;
  expect(
    await escalations().escalateSlaBreach({ conversationId: 'gone', escalation: reassign, note: '', breach }),
  ).toBe('SKIPPED_UNKNOWN_CONVERSATION');
  expect(freshchat.requests.slice(before)).toEqual([
    expect.objectContaining({ method: 'PUT', path: '/conversations/gone' }),
  ]);
  const unconfigured = createSlaActivities({
    pool: system.pool,
    freshchat: createFreshchatClient({}),
    logger: pino({ level: 'silent' }),
    slaConfig: { policies: { policies: [] }, hours: ALWAYS_OPEN },
    outbound: createOutboundEventSender({}),
  });
  expect(await unconfigured.escalateSlaBreach({ conversationId: 'x', escalation: reassign, note: '', breach })).toBe(
    'SKIPPED_NOT_CONFIGURED',
  );
  expect(freshchat.requests.length).toBe(before + 1);
});

test('Freshchat down (5xx) makes the escalation retryable', async () => {
  const { conversationId, breach } = await breached();
  freshchat.failNext({ status: 503 });
  await expect(
    escalations().escalateSlaBreach({
      conversationId,
      escalation: { action: 'REASSIGN', groupId: 'g' },
      note: '',
      breach,
    }),
  ).rejects.toMatchObject({ nonRetryable: false });
});

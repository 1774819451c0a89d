import { workflowMetadataQuery } from '@temporalio/workflow';
import { sql } from 'slonik';
import { z } from 'zod';
import { OUTBOUND_HEADERS, signOutboundEvent } from '../../clients/outbound-events';
import { conversationWorkflowId } from '../../domain/conversation/conversation-event';
import { fixtureFor, timelineOf, uniqueConversationId } from '../support/conversations';
import { eventually } from '../support/eventually';
import { FakeFreshchat } from '../../bench/support/fake-freshchat';
import { OutboundReceiver } from '../support/outbound-receiver';
import { postWebhook } from '../support/signing';
import { startTestSystem, type TestSystem } from '../support/system';

const WEDDING_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';
const CORPORATE_ID = '0a5f3b8d-2c9e-4d4a-b6fa-7e1c4d9a3b82';
const SECRET = 'outbound-test-secret';

const freshchat = new FakeFreshchat();
const receiver = new OutboundReceiver();
let system: TestSystem;
beforeAll(async () => {
  await Promise.all([freshchat.start(), receiver.start()]);
  freshchat.route((r) =>
    (r.method === 'PUT' || r.method === 'POST') && r.path.startsWith('/conversations/')
      ? { status: 200, body: {} }
      : undefined,
  );
  system = await startTestSystem({
    SLA_TIMERS_ENABLED: 'true',
    SLA_POLICY_FILE: 'test/fixtures/sla/fast-policies.json',
    FRESHCHAT_API_URL: freshchat.url,
    FRESHCHAT_API_TOKEN: 'test-token',
    OUTBOUND_EVENTS_URL: receiver.url,
    OUTBOUND_EVENTS_SECRET: SECRET,
  });
});
afterAll(async () => {
  await system?.stop();
  await Promise.all([freshchat.stop(), receiver.stop()]);
});

const post = async (body: string) => expect((await postWebhook(system.baseUrl, body)).status).toBe(200);

const targetRow = z.object({
  target: z.string(),
  policy: z.string(),
  status: z.string(),
  due_at: z.string(),
  started_at: z.string(),
});
const targetsOf = (conversationId: string) =>
  system.pool.any(sql.type(targetRow)`
    SELECT t.target, t.policy, t.status, to_json(t.due_at)#>>'{}' AS due_at, to_json(t.started_at)#>>'{}' AS started_at
    FROM sla_targets t JOIN incidences i ON i.id = t.incidence_id
    WHERE i.conversation_id = ${conversationId} ORDER BY t.started_at, t.target`);
const slaFieldsOf = (conversationId: string) =>
  system.pool.one(sql.type(
    z.object({
      id: z.string(),
      sla_policy: z.string().nullable(),
      sla_status: z.string().nullable(),
      sla_next_due_at: z.string().nullable(),
      first_response_seconds: z.number().nullable(),
      first_response_at: z.string().nullable(),
      time_to_resolve_business_seconds: z.number().nullable(),
      time_to_resolve_seconds: z.number().nullable(),
    }),
  )`
    SELECT id, sla_policy, sla_status, to_json(sla_next_due_at)#>>'{}' AS sla_next_due_at, first_response_seconds,
           to_json(first_response_at)#>>'{}' AS first_response_at, time_to_resolve_business_seconds, time_to_resolve_seconds
    FROM incidences WHERE conversation_id = ${conversationId}`);

test('an unanswered wedding customer: the first-response breach is stored, searchable, escalated and announced', async () => {
  const id = uniqueConversationId();
  await post(fixtureFor('simplified-message_create.json', WEDDING_ID, id));

  const targets = await eventually(async () => {
    const rows = await targetsOf(id);
    expect(rows.find((t) => t.target === 'FIRST_RESPONSE')).toMatchObject({ status: 'MISSED', policy: 'wedding-fast' });
    return rows;
  });
  expect(targets.map((t) => [t.target, t.status])).toEqual(
    expect.arrayContaining([
      ['FIRST_RESPONSE', 'MISSED'],
      ['RESOLUTION', 'ACTIVE'],
    ]),
  );
  const first = targets.find((t) => t.target === 'FIRST_RESPONSE')!;
  expect(Date.parse(first.due_at) - Date.parse(first.started_at)).toBe(2000);

  const breach = (await timelineOf(system.pool, id)).find((t) => t.event_type === 'SLA_BREACHED');
  expect(breach).toMatchObject({ actor: 'SYSTEM', content: 'FIRST_RESPONSE', metadata: { policy: 'wedding-fast' } });
  const incidence = await eventually(async () => {
    const row = await slaFieldsOf(id);
    expect(row).toMatchObject({ sla_policy: 'wedding-fast', sla_status: 'MISSED' });
    return row;
  });
  expect(incidence.sla_next_due_at).not.toBeNull(); // the resolution target still runs

  // Escalation: the conversation is handed to the priority group through Freshchat's REST API.
  await eventually(async () =>
    expect(freshchat.requests).toContainEqual(
      expect.objectContaining({
        method: 'PUT',
        path: `/conversations/${id}`,
        body: { assigned_group_id: 'priority-weddings' },
      }),
    ),
  );

  // Outbound events: created, then breached; signed over "<timestamp>.<body>".
  const breached = await eventually(async () => {
    const found = receiver.received.find((r) => r.body.includes('"sla.breached"') && r.body.includes(incidence.id));
    expect(found).toBeDefined();
    return found!;
  });
  const timestamp = Number(breached.headers[OUTBOUND_HEADERS.timestamp]);
  expect(breached.headers[OUTBOUND_HEADERS.signature]).toBe(signOutboundEvent(SECRET, timestamp, breached.body));
  const event = JSON.parse(breached.body);
  expect(breached.headers[OUTBOUND_HEADERS.deliveryId]).toBe(event.id);
  expect(event).toMatchObject({
    type: 'sla.breached',
    data: { conversation_id: id, event_type: 'WEDDING', sla: { target: 'FIRST_RESPONSE', status: 'MISSED' } },
  });
  await eventually(async () =>
    expect(receiver.events('incidence.created').some((e) => e.data.conversation_id === id)).toBe(true),
  );

  // The Temporal UI: breaching conversations are one query away; the details show the SLA.
  await eventually(async () => {
    const found: string[] = [];
    for await (const w of system.client.workflow.list({
      query: `SlaStatus = 'MISSED' AND WorkflowId = '${conversationWorkflowId(id)}'`,
    }))
      found.push(w.workflowId);
    expect(found).toEqual([conversationWorkflowId(id)]);
  });
  const handle = system.client.workflow.getHandle(conversationWorkflowId(id));
  const metadata = await handle.query(workflowMetadataQuery);
  expect(metadata.currentDetails).toMatch(/\*\*SLA\*\* wedding-fast: MISSED/);
  expect(metadata.currentDetails).toMatch(/usr_8F3K2Q/);
  expect(metadata.currentDetails).toMatch(/next target due/);
  expect(await (await handle.describe()).staticSummary()).toBe(`Freshchat conversation \`${id}\``);
});

test('an answered and resolved conversation: targets met, response times stored, met and resolved events sent', async () => {
  const id = uniqueConversationId();
  await post(fixtureFor('simplified-message_create.json', WEDDING_ID, id).replace('"WEDDING"', '"CORPORATE"'));
  await eventually(async () => expect((await targetsOf(id)).map((t) => t.target)).toContain('FIRST_RESPONSE'));
  await post(fixtureFor('simplified-message_create-agent.json', WEDDING_ID, id).replace('"WEDDING"', '"CORPORATE"'));
  await eventually(async () =>
    expect((await targetsOf(id)).find((t) => t.target === 'FIRST_RESPONSE')?.status).toBe('MET'),
  );
  await post(fixtureFor('simplified-conversation_resolution.json', WEDDING_ID, id).replace('"WEDDING"', '"CORPORATE"'));

  const incidence = await eventually(async () => {
    const row = await slaFieldsOf(id);
    expect(row).toMatchObject({ sla_policy: 'patient', sla_status: 'MET', sla_next_due_at: null });
    expect(row.time_to_resolve_business_seconds).not.toBeNull();
    return row;
  });
  expect((await targetsOf(id)).map((t) => [t.target, t.status])).toEqual([
    ['FIRST_RESPONSE', 'MET'],
    ['RESOLUTION', 'MET'],
  ]);
  expect(incidence.first_response_seconds).toEqual(expect.any(Number));
  expect(incidence.first_response_at).not.toBeNull();
  const responses = await system.pool.any(sql.type(z.object({ kind: z.string(), care_cycle: z.number() }))`
    SELECT kind, care_cycle FROM response_times WHERE incidence_id = ${incidence.id}`);
  expect(responses).toEqual([{ kind: 'FIRST', care_cycle: 0 }]);
  const cycles = await system.pool.any(
    sql.type(
      z.object({ care_cycle: z.number(), resolved: z.boolean(), seconds: z.number().nullable() }),
    )`SELECT care_cycle, resolved_at IS NOT NULL AS resolved, seconds FROM care_cycles WHERE incidence_id = ${incidence.id}`,
  );
  expect(cycles).toEqual([{ care_cycle: 0, resolved: true, seconds: expect.any(Number) }]);
  await eventually(async () => {
    expect(
      receiver
        .events('sla.met')
        .filter((e) => e.data.incidence_id === incidence.id)
        .map((e) => e.data.sla.target)
        .sort(),
    ).toEqual(['FIRST_RESPONSE', 'RESOLUTION']);
    expect(receiver.events('incidence.resolved').some((e) => e.data.incidence_id === incidence.id)).toBe(true);
  });
  // No breach, so nobody was escalated.
  expect(freshchat.requests.some((r) => r.path === `/conversations/${id}` && r.method === 'PUT')).toBe(false);
});

test('an outbound event the receiver fails is retried until delivered, with the same delivery id and body', async () => {
  receiver.failNext(500, 503);
  const id = uniqueConversationId();
  await post(fixtureFor('simplified-message_create.json', WEDDING_ID, id).replace('"WEDDING"', '"CORPORATE"'));
  const attempts = await eventually(async () => {
    const created = receiver.received.filter((r) => r.body.includes(id) && r.body.includes('"incidence.created"'));
    expect(created.map((r) => r.status)).toEqual([500, 503, 204]);
    return created;
  }, 30_000);
  expect(new Set(attempts.map((a) => a.headers[OUTBOUND_HEADERS.deliveryId])).size).toBe(1);
  expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
});

test('the policy is applied again when the context changes: a wedding cart learned later re-times the running target', async () => {
  const id = uniqueConversationId();
  const assignment = JSON.parse(fixtureFor('real-conversation_assignment.json', CORPORATE_ID, id));
  assignment.action_time = new Date().toISOString();
  await post(JSON.stringify(assignment)); // no user yet: no cart, so the catch-all policy
  await eventually(async () =>
    expect((await targetsOf(id)).map((t) => [t.target, t.policy])).toEqual([['RESOLUTION', 'patient']]),
  );
  await post(fixtureFor('simplified-message_create.json', WEDDING_ID, id)); // the wedding customer writes
  const targets = await eventually(async () => {
    const rows = await targetsOf(id);
    expect(rows.find((t) => t.target === 'FIRST_RESPONSE')?.status).toBe('MISSED');
    return rows;
  });
  const resolution = targets.find((t) => t.target === 'RESOLUTION')!;
  expect(resolution).toMatchObject({ policy: 'wedding-fast', status: 'ACTIVE' });
  expect(Date.parse(resolution.due_at) - Date.parse(resolution.started_at)).toBe(3_600_000);
});

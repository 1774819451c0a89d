import { sql } from 'slonik';
import { z } from 'zod';
import { ActivityFaults } from '../../bench/chaos/activity-faults';
import { conversationWorkflowId } from '../../domain/conversation/conversation-event';
import { fixtureFor, incidenceOf, timelineOf, uniqueConversationId } from '../support/conversations';
import { eventually } from '../support/eventually';
import { FakeFreshchat } from '../../bench/support/fake-freshchat';
import { OutboundReceiver } from '../support/outbound-receiver';
import { postWebhook } from '../support/signing';
import { startTestSystem, type TestSystem } from '../support/system';

// The conversation core on a real worker, Temporal and PostgreSQL: the stored record drives every state change and
// SLA step, whatever order, run or retry the events arrive in. Wedding customers get the fast policy
// (test/fixtures/sla/fast-policies.json: first and next response 2 s, resolution 1 h, REASSIGN).
const WEDDING_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';

/** Incidences whose silence close commits but loses its result (once each). */
const loseSilenceCloseOf = new Set<string>();
const faults = new ActivityFaults();
faults.add(({ type, args }) => {
  const input = args[0] as { incidenceId?: string; close?: { incidenceId: string } };
  const incidenceId = input?.close?.incidenceId ?? input?.incidenceId;
  return type === 'closeForSilence' && incidenceId && loseSilenceCloseOf.delete(incidenceId)
    ? { kind: 'lose-result' }
    : undefined;
});

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
  system = await startTestSystem(
    {
      SLA_TIMERS_ENABLED: 'true',
      SLA_POLICY_FILE: 'test/fixtures/sla/fast-policies.json',
      CONVERSATION_SILENCE_TIMEOUT: '6s',
      CONVERSATION_REOPEN_WINDOW: '2s',
      FRESHCHAT_API_URL: freshchat.url,
      FRESHCHAT_API_TOKEN: 'test-token',
      OUTBOUND_EVENTS_URL: receiver.url,
      OUTBOUND_EVENTS_SECRET: 'outbound-test-secret-of-32-bytes-or-more',
    },
    { interceptors: faults.interceptors() },
  );
});
afterAll(async () => {
  await system?.stop();
  await Promise.all([freshchat.stop(), receiver.stop()]);
});

const iso = (ms: number) => new Date(ms).toISOString();
type Actor = 'user' | 'agent';
/** A signed simplified-format webhook with its own event id and time. */
async function send(file: string, id: string, eventId: string, at: number, edit?: (doc: any) => void) {
  const doc = { ...JSON.parse(fixtureFor(file, WEDDING_ID, id)), event_id: eventId, event_time: iso(at) };
  edit?.(doc);
  expect((await postWebhook(system.baseUrl, JSON.stringify(doc))).status).toBe(200);
}
const message = (id: string, key: string, at: number, actor: Actor = 'user') =>
  send('simplified-message_create.json', id, key, at, (d) => (d.data.message.actor_type = actor));
const resolution = (id: string, key: string, at: number, tags: string[]) =>
  send('simplified-conversation_resolution.json', id, key, at, (d) => {
    d.data.conversation.tags = tags.map((name) => ({ name }));
  });
const reopen = (id: string, key: string, at: number) =>
  send('simplified-conversation_reopen.json', id, key, at, (d) => (d.data.conversation.id = id));

const targetRow = z.object({
  target: z.string(),
  status: z.string(),
  due_at: z.string(),
  settled_at: z.string().nullable(),
});
const targetsOf = (id: string) =>
  system.pool.any(sql.type(targetRow)`
    SELECT t.target, t.status, to_json(t.due_at)#>>'{}' AS due_at, to_json(t.settled_at)#>>'{}' AS settled_at
    FROM sla_targets t JOIN incidences i ON i.id = t.incidence_id
    WHERE i.conversation_id = ${id} ORDER BY t.started_at, t.target`);
const slaOf = (id: string) =>
  system.pool.one(sql.type(z.object({ sla_status: z.string().nullable(), sla_next_due_at: z.string().nullable() }))`
    SELECT sla_status, to_json(sla_next_due_at)#>>'{}' AS sla_next_due_at FROM incidences WHERE conversation_id = ${id}`);
const eventTypes = async (id: string) => (await timelineOf(system.pool, id)).map((t) => t.event_type);
const announced = (incidenceId: string, type: string) =>
  receiver.received.filter((r) => r.body.includes(`"${type}"`) && r.body.includes(incidenceId));
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a new run of a closed conversation continues its stored SLA: no target restarts, MISSED stays MISSED', async () => {
  const id = uniqueConversationId();
  const start = Date.now() - 60_000;
  await message(id, 'm-1', start); // its first response was due 58 s ago: breached as soon as the run is idle
  await eventually(async () => expect((await slaOf(id)).sla_status).toBe('MISSED'));
  await resolution(id, 'r-1', Date.now(), ['order_placed']);
  // The run ends with the reopen window; an agent's message afterwards starts a new run of the closed conversation.
  await system.client.workflow.getHandle(conversationWorkflowId(id)).result();
  const incidence = (await incidenceOf(system.pool, id))!;
  const created = announced(incidence.id, 'incidence.created').length;
  await message(id, 'm-2', Date.now(), 'agent');
  await eventually(async () => expect(await eventTypes(id)).toContain('MESSAGE'));
  await eventually(async () => expect((await eventTypes(id)).filter((t) => t === 'MESSAGE')).toHaveLength(2));
  await pause(1_000);
  expect((await targetsOf(id)).filter((t) => t.status === 'ACTIVE')).toEqual([]);
  expect(await slaOf(id)).toEqual({ sla_status: 'MISSED', sla_next_due_at: null });
  expect(await incidenceOf(system.pool, id)).toMatchObject({ outcome: 'CONVERTED' });
  expect(announced(incidence.id, 'incidence.created')).toHaveLength(created);
}, 60_000);

test('an answer after the due time is MISSED, though its event was queued before the breach was recorded', async () => {
  const id = uniqueConversationId();
  const start = Date.now() - 10 * 60_000;
  // Both reach the run back to back (a worker backlog): the answer came 5 s after the customer, 3 s late.
  await message(id, 'm-1', start);
  await message(id, 'm-2', start + 5_000, 'agent');
  const first = await eventually(async () => {
    const found = (await targetsOf(id)).find((t) => t.target === 'FIRST_RESPONSE');
    expect(found?.status).toMatch(/MET|MISSED/);
    return found!;
  });
  expect(first.status).toBe('MISSED');
  expect((await slaOf(id)).sla_status).toBe('MISSED');
}, 30_000);

test('a customer message older than the latest agent reply opens no wait', async () => {
  const id = uniqueConversationId();
  const start = Date.now();
  await message(id, 'm-1', start);
  await message(id, 'm-2', start + 500, 'agent');
  await eventually(async () =>
    expect((await targetsOf(id)).find((t) => t.target === 'FIRST_RESPONSE')?.status).toBe('MET'),
  );
  // Repaired later (a lost webhook, a dead-letter replay): the customer wrote before the agent's reply.
  await message(id, 'm-0', start + 200);
  await eventually(async () => expect((await eventTypes(id)).filter((t) => t === 'MESSAGE')).toHaveLength(3));
  await pause(3_500); // a next-response wait opened at start + 200 ms would have breached by now
  expect((await targetsOf(id)).map((t) => t.target)).not.toContain('NEXT_RESPONSE');
  expect(await eventTypes(id)).not.toContain('SLA_BREACHED');
  expect((await slaOf(id)).sla_status).toBe('ACTIVE');
}, 30_000);

test('a resolution or reopen recorded twice under two keys (a repair and the webhook) is applied once', async () => {
  const id = uniqueConversationId();
  const start = Date.now();
  await message(id, 'm-1', start);
  await message(id, 'm-2', start + 500, 'agent');
  await resolution(id, 'r-webhook', start + 1_000, ['order_placed']);
  // The repair keys the same resolution on the marker message's time, 3 ms later, and knows no tags.
  await resolution(id, 'r-repair', start + 1_003, []);
  await reopen(id, 'o-webhook', start + 2_000);
  await reopen(id, 'o-repair', start + 2_003);
  await eventually(async () => expect(await eventTypes(id)).toHaveLength(6));
  const incidence = (await incidenceOf(system.pool, id))!;
  expect(incidence).toMatchObject({ outcome: 'IN_PROGRESS', reopen_count: 1 });
  // Closed once: one announcement, and the close was CONVERTED until the reopen (not overwritten with RESOLVED). The
  // announcement is delivered beside the run, so it is waited for; the pause gives a second one time to show.
  await eventually(async () => expect(announced(incidence.id, 'incidence.resolved').length).toBeGreaterThan(0));
  await pause(500);
  const resolved = announced(incidence.id, 'incidence.resolved');
  expect(resolved).toHaveLength(1);
  expect(JSON.parse(resolved[0]!.body).data.outcome).toBe('CONVERTED');
}, 30_000);

test('a silence close whose result was lost is still this close: its SLA targets settle and the run ends', async () => {
  const id = uniqueConversationId();
  await message(id, 'm-1', Date.now());
  await message(id, 'm-2', Date.now() + 100, 'agent');
  const incidence = await eventually(async () => {
    const found = await incidenceOf(system.pool, id);
    expect(found).not.toBeNull();
    return found!;
  });
  loseSilenceCloseOf.add(incidence.id);
  const state = await system.client.workflow.getHandle(conversationWorkflowId(id)).result();
  expect(loseSilenceCloseOf.size).toBe(0);
  expect(state.outcome).toBe('DROPPED');
  expect(await incidenceOf(system.pool, id)).toMatchObject({ outcome: 'DROPPED', resolution_type: 'WENT_SILENT' });
  // The resolution target (due in an hour) was settled by the close, not left running on a dropped incidence.
  expect((await targetsOf(id)).filter((t) => t.status === 'ACTIVE')).toEqual([]);
  expect((await slaOf(id)).sla_next_due_at).toBeNull();
}, 60_000);

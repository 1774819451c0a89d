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
import { fixtureText, postWebhook } from '../support/signing';
import { startTestSystem, type TestSystem } from '../support/system';

const WEDDING_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';
const WHITEFIELD_ID = '0a5f3b8d-2c9e-4d4a-b6fa-7e1c4d9a3b82';

let system: TestSystem;
beforeAll(async () => {
  // Short windows so the lifecycle plays out within a test.
  system = await startTestSystem({
    CONVERSATION_REOPEN_WINDOW: '2s',
    CONVERSATION_SILENCE_TIMEOUT: '5s',
    WORKFLOW_HISTORY_LIMIT: '60',
  });
});
afterAll(async () => {
  await system?.stop();
});

const postAll = async (bodies: string[]) => {
  for (const body of bodies) expect((await postWebhook(system.baseUrl, body)).status).toBe(200);
};
const runs = async (conversationId: string) => {
  const found: string[] = [];
  for await (const w of system.client.workflow.list({
    query: `WorkflowId = '${conversationWorkflowId(conversationId)}'`,
  }))
    found.push(`${w.runId}:${w.status.name}`);
  return found;
};

test('after the reopen window the run completes; a later reopen starts a new run on the same incidence', async () => {
  const id = uniqueConversationId();
  await postAll([
    fixtureFor('simplified-message_create.json', WEDDING_ID, id),
    fixtureFor('simplified-conversation_resolution.json', WEDDING_ID, id),
  ]);
  const handle = system.client.workflow.getHandle(conversationWorkflowId(id));
  const firstRun = await handle.result();
  expect(firstRun.outcome).toBe('CONVERTED');

  await postAll([fixtureFor('simplified-conversation_reopen.json', WHITEFIELD_ID, id)]);
  await eventually(async () =>
    expect(await incidenceOf(system.pool, id)).toMatchObject({ outcome: 'IN_PROGRESS', reopen_count: 1 }),
  );
  const state = await system.client.workflow.getHandle(conversationWorkflowId(id)).query(stateQuery);
  expect(state).toMatchObject({ outcome: 'IN_PROGRESS', reopenCount: 1, userId: 'usr_8F3K2Q' });
  expect(await countIncidences(system.pool, id)).toBe(1);
  await eventually(async () => expect((await runs(id)).length).toBe(2));
});

test('a conversation silent past the timeout is closed as DROPPED / WENT_SILENT', async () => {
  const id = uniqueConversationId();
  await postAll([fixtureFor('simplified-message_create.json', WEDDING_ID, id)]);
  const row = await eventually(async () => {
    const r = await incidenceOf(system.pool, id);
    expect(r).toMatchObject({ outcome: 'DROPPED', resolution_type: 'WENT_SILENT', order_impact: 'NONE' });
    return r!;
  }, 20_000);
  // Nobody resolved it: no time to resolve, so silence never counts as agent time in the weekly report.
  expect(row.time_to_resolve_seconds).toBeNull();
  expect(row.resolved_at).not.toBeNull();
  expect((await timelineOf(system.pool, id)).map((t) => t.event_type)).toEqual(['MESSAGE', 'WENT_SILENT']);
});

test('a long conversation continues as new without losing a message', async () => {
  const id = uniqueConversationId();
  const template = JSON.parse(retarget(fixtureText('real-message_create.json'), { [WHITEFIELD_ID]: id }));
  const bodies = Array.from({ length: 60 }, (_, i) => {
    const body = structuredClone(template);
    body.data.message.id = `msg-${i}`;
    body.data.message.created_time = new Date(Date.parse('2026-01-20T04:00:00Z') + i * 1000).toISOString();
    body.data.message.message_parts[0].text.content = `message ${i}`;
    return JSON.stringify(body);
  });
  await Promise.all(bodies.map((b) => postWebhook(system.baseUrl, b)));
  await eventually(async () => expect(await timelineOf(system.pool, id)).toHaveLength(60), 30_000);
  await eventually(async () => expect((await runs(id)).some((r) => r.endsWith('CONTINUED_AS_NEW'))).toBe(true));
  expect(new Set((await timelineOf(system.pool, id)).map((t) => t.content)).size).toBe(60);
  const history = await system.client.workflow.getHandle(conversationWorkflowId(id)).fetchHistory();
  expect(history.events!.length).toBeLessThan(200);
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { conversationWorkflowId, type ConversationEvent } from '../../domain/conversation/conversation-event';
import { at, conversationSettings, deliver, events, fakeIncidences, stateOf } from '../support/conversation-fakes';
import { eventually } from '../support/eventually';
import { replayHistoryFile } from '../support/replay';
import { USER_LOOKUP_NAMES_USER_ONLY, WOKEN_AT_WINDOW_END } from '../../workflows/conversation-workflow';
import { reopenWindowAfterTagRead, tagReadAnsweredLater, timerFired } from '../support/window-end';

// Plain payloads (no codec): the replay subprocess decodes the recorded history as the SDK's default converter does.
let client: Client;
let native: NativeConnection;
beforeAll(async () => {
  const address = process.env.TEMPORAL_TEST_ADDRESS ?? '127.0.0.1:7233';
  native = await NativeConnection.connect({ address });
  client = new Client({ connection: await Connection.connect({ address }) });
});
afterAll(async () => {
  await client?.connection.close();
  await native?.close();
});

/** Every call takes its own few milliseconds, so steps beside the loop finish in varying order against its own. */
type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;

/** The patch ids a history recorded (the SDK's patch markers), in order. */
const patchesIn = (history: History): string[] =>
  (history.events ?? []).flatMap((event) => {
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') return [];
    const data = marker.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data).toString()) as { id: string }).id] : [];
  });

/** Replays a fetched history with this checkout's workflow code, in a process of its own. */
function expectReplays(history: History, id: string): void {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'replay-')), `${id}.pb`);
  writeFileSync(file, temporal.api.history.v1.History.encode(history as never).finish());
  const run = replayHistoryFile(file, conversationWorkflowId(id));
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
}

const jittered = <T extends object>(activities: T): T =>
  Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      async (...args: unknown[]) => {
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 40)));
        return (fn as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as T;

test('conversations whose steps finished in varying order replay with the same code', async () => {
  const policy = {
    name: 'quick',
    thresholds: { FIRST_RESPONSE: 1, NEXT_RESPONSE: 1, RESOLUTION: 3600 },
    hours: 'calendar' as const,
    escalation: { action: 'NONE' as const },
  };
  const store = fakeIncidences({ policy, tags: ['order_placed'] });
  const activities = jittered(store.activities);
  const ids = Array.from({ length: 6 }, (_, i) => `replay-jitter-${Date.now()}-${i}`);
  // SLA timers on: the loop alone issues commands (steps, breaches at a timer, deliveries, the weekly report
  // hand-off), so however the steps' durations vary, a replay issues them in the recorded order.
  const settings = conversationSettings({ slaTimers: true });
  // The replayer runs on this task queue, and the weekly report child's id holds the queue name.
  const taskQueue = 'fake_replay_queue-0';
  const worker = await Worker.create({
    connection: native,
    taskQueue,
    workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
    activities,
  });
  // Half the conversations happened days ago (every target is overdue when its step runs: the breach is recorded as
  // the loop falls idle); the other half happen now, and their next-response timer fires before the resolution.
  const converse = async (id: string, live: boolean) => {
    const time = (minute: number) => (live ? new Date().toISOString() : at(minute));
    const send = (event: ConversationEvent) => deliver(client, taskQueue, event, settings);
    await send(events.message(id, 'message:1', time(1)));
    await send({ ...events.message(id, 'message:2', time(2)), actor: 'AGENT' });
    await send(events.message(id, 'message:3', time(3)));
    if (live) await new Promise((r) => setTimeout(r, 2500));
    // Half resolve without tags (Freshchat's real format): the tags are read back beside the loop and their outcome
    // and report hand-off are queued for it, while the next events' steps run.
    await send(events.resolution(id, 'resolution:1', time(4), live ? null : ['order_placed']));
    await send(events.reopen(id, 'reopen:1', time(5)));
    await send({ ...events.message(id, 'message:6', time(6)), actor: 'AGENT' });
    await eventually(async () => expect((await stateOf(client, id)).eventsApplied).toBe(6), 30_000);
  };
  const live = (i: number) => i % 2 === 1;
  await worker.runUntil(Promise.all(ids.map((id, i) => converse(id, live(i)))));
  // The timer path ran (a live conversation's next response breached while idle), not only the overdue one.
  const breachesOf = (id: string) =>
    store.slaProgress.filter((p) => p.incidenceId === store.incidence(id)!.incidenceId).flatMap((p) => p.breaches);
  const timerBreached = ids.filter((id, i) => live(i) && breachesOf(id).some((b) => b.content === 'NEXT_RESPONSE'));
  expect(timerBreached.length).toBeGreaterThan(0);
  for (const id of ids) expectReplays(await client.workflow.getHandle(conversationWorkflowId(id)).fetchHistory(), id);
}, 120_000);

test('a user named beside the loop after a reopen (patched to name the user only) replays with the same code', async () => {
  const store = fakeIncidences();
  const id = `replay-lookup-${Date.now()}`;
  const settings = conversationSettings({ reopenWindowMs: 500, silenceTimeoutMs: 1_000 });
  const unnamed = { userProperties: null, freshchatUserId: null };
  const taskQueue = 'fake_replay_queue-0';
  const worker = await Worker.create({
    connection: native,
    taskQueue,
    workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
    activities: {
      ...store.activities,
      // Named once the conversation was resolved; the answer reaches the run after its reopen.
      async resolveIncidenceUser(conversationId: string) {
        await eventually(async () => expect(store.incidence(conversationId)?.outcome).toBe('CONVERTED'), 20_000);
        store.incidence(conversationId)!.userId = 'usr_named';
        const read = { ...store.incidence(conversationId)! };
        await eventually(async () => expect((await stateOf(client, id)).reopenCount).toBe(1), 20_000);
        return read;
      },
    },
  });
  const handle = client.workflow.getHandle(conversationWorkflowId(id));
  const state = await worker.runUntil(async () => {
    const send = (event: ConversationEvent) => deliver(client, taskQueue, event, settings);
    await send({ ...events.message(id, 'message:1', new Date().toISOString()), ...unnamed, freshchatUserId: 'fc' });
    await send({ ...events.resolution(id, 'resolution:2', new Date().toISOString(), ['order_placed']), ...unnamed });
    await eventually(async () => expect((await stateOf(client, id)).outcome).toBe('CONVERTED'));
    await send({ ...events.reopen(id, 'reopen:3', new Date().toISOString()), ...unnamed });
    return handle.result();
  });
  expect(state).toMatchObject({ userId: 'usr_named', outcome: 'DROPPED', reopenCount: 1 });
  const history = await handle.fetchHistory();
  // Decided where it applies: recorded by the lookup's answer, not at the run's start.
  expect(patchesIn(history)).toContain(USER_LOOKUP_NAMES_USER_ONLY);
  expectReplays(history, id);
}, 60_000);

test('tags that arrive in the task where the reopen window ends (patched to be taken) replay with the same code', async () => {
  const store = fakeIncidences();
  const id = `replay-window-end-${Date.now()}`;
  const settings = conversationSettings({ reopenWindowMs: 1_000 });
  const taskQueue = 'fake_replay_queue-0';
  const tagRead = tagReadAnsweredLater(client);
  const activities = {
    ...store.activities,
    // Freshchat answers after this worker has stopped: the read is completed from outside, later.
    fetchResolutionTags: tagRead.fetchResolutionTags,
  };
  const workerOf = () =>
    Worker.create({
      connection: native,
      taskQueue,
      workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
      activities,
    });
  const handle = client.workflow.getHandle(conversationWorkflowId(id));
  await (
    await workerOf()
  ).runUntil(async () => {
    await deliver(client, taskQueue, events.message(id, 'message:1', new Date().toISOString()), settings);
    await deliver(client, taskQueue, events.resolution(id, 'resolution:2', new Date().toISOString(), null), settings);
    await tagRead.started();
    await reopenWindowAfterTagRead(client, id);
  });
  await timerFired(client, id);
  await tagRead.answer(['order_placed']);
  const state = await (await workerOf()).runUntil(handle.result());
  expect(state).toMatchObject({ outcome: 'CONVERTED' });
  const history = await handle.fetchHistory();
  expect(patchesIn(history)).toEqual([WOKEN_AT_WINDOW_END]);
  expectReplays(history, id);
}, 90_000);

test('a conversation that reaches no patched branch records no patch marker, and replays', async () => {
  const store = fakeIncidences();
  const id = `replay-unpatched-${Date.now()}`;
  const settings = conversationSettings({ reopenWindowMs: 500, silenceTimeoutMs: 60_000 });
  const taskQueue = 'fake_replay_queue-0';
  const worker = await Worker.create({
    connection: native,
    taskQueue,
    workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
    activities: store.activities,
  });
  const handle = client.workflow.getHandle(conversationWorkflowId(id));
  await worker.runUntil(async () => {
    const send = (event: ConversationEvent) => deliver(client, taskQueue, event, settings);
    await send(events.message(id, 'message:1', new Date().toISOString()));
    await send({ ...events.message(id, 'message:2', new Date().toISOString()), actor: 'AGENT' });
    await send(events.resolution(id, 'resolution:3', new Date().toISOString(), ['order_placed']));
    return handle.result();
  });
  const history = await handle.fetchHistory();
  // Each marker costs every new conversation a command and a history event.
  expect(patchesIn(history)).toEqual([]);
  expectReplays(history, id);
}, 60_000);

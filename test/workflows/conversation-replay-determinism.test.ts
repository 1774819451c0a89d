import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { ALWAYS_OPEN } from '../../domain/business-hours';
import { conversationWorkflowId } from '../../domain/conversation-event';
import { at, conversationSettings, deliver, events, fakeIncidences, stateOf } from '../support/conversation-fakes';
import { eventually } from '../support/eventually';
import { replayHistoryFile } from '../support/replay';

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

test('conversations whose steps finished in varying order replay with the same code (no nondeterminism)', async () => {
  const store = fakeIncidences();
  const policy = {
    name: 'quick',
    thresholds: { FIRST_RESPONSE: 600, NEXT_RESPONSE: 600, RESOLUTION: 3600 },
    hours: 'calendar' as const,
    escalation: { action: 'NONE' as const },
  };
  const activities = jittered({
    ...store.activities,
    planSla: async () => ({ policy, hours: ALWAYS_OPEN, outbound: false }),
  });
  const ids = Array.from({ length: 6 }, (_, i) => `replay-jitter-${Date.now()}-${i}`);
  // SLA timers on: their steps run in the event loop (one coroutine issues every command), so breaches recorded while
  // idle and the steps after each event replay in the recorded order. Events stored in one step stay off: with it on
  // this fails with a nondeterminism error (steps beside the event loop interleave with it in another order on replay).
  const settings = conversationSettings({ slaTimers: true, eventsInOneStep: false });
  const dir = mkdtempSync(path.join(tmpdir(), 'replay-jitter-'));
  // The replayer runs on this task queue, and the weekly report child's id holds the queue name.
  const taskQueue = 'fake_replay_queue-0';
  const worker = await Worker.create({
    connection: native,
    taskQueue,
    workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
    activities,
  });
  await worker.runUntil(async () => {
    await Promise.all(
      ids.map(async (id) => {
        const agent = { ...events.message(id, 'message:2', at(2)), actor: 'AGENT' as const };
        for (const event of [
          events.message(id, 'message:1', at(1)),
          agent,
          events.message(id, 'message:3', at(3)),
          events.resolution(id, 'resolution:1', at(4), ['order_placed']),
          events.reopen(id, 'reopen:1', at(5)),
          { ...events.message(id, 'message:6', at(6)), actor: 'AGENT' as const },
        ])
          await deliver(client, taskQueue, event, settings);
        await eventually(async () => expect((await stateOf(client, id)).eventsApplied).toBe(6), 30_000);
      }),
    );
  });
  for (const id of ids) {
    const history = await client.workflow.getHandle(conversationWorkflowId(id)).fetchHistory();
    const file = path.join(dir, `${id}.pb`);
    writeFileSync(file, temporal.api.history.v1.History.encode(history as never).finish());
    const run = replayHistoryFile(file, conversationWorkflowId(id));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  }
}, 120_000);

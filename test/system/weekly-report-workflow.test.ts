import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { sql } from 'slonik';
import { z } from 'zod';
import { isoWeekOf } from '../../domain/reports/iso-week';
import { weeklyReportWorkflowId } from '../../domain/reports/weekly-report';
import { conversationWorkflowId } from '../../domain/conversation/conversation-event';
import { weeklyReportStateQuery } from '../../workflows/signals';
import { fixtureFor, incidenceOf, timelineOf, uniqueConversationId } from '../support/conversations';
import { eventually } from '../support/eventually';
import { postWebhook } from '../support/signing';
import { startTestSystem, type TestSystem } from '../support/system';

const WEDDING_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';
let system: TestSystem;

// The week's computation waits at this gate until the test opens it, so its run is certainly still running when the
// test terminates its parent (whatever the machine's load), and the idle timeout can be short.
let openGate: () => void = () => undefined;
const gate = new Promise<void>((resolve) => (openGate = resolve));
const computationGate: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      if (ctx.info.activityType === 'computeWeeklyReport') await gate;
      return next(input);
    },
  },
});

beforeAll(async () => {
  // The worker starts in the first test, once its resolutions are all waiting: their hand-offs then come together,
  // a fraction of a second apart, well inside the quiet period, even on a loaded machine (the suite runs two test
  // files at once).
  system = await startTestSystem(
    { WEEKLY_REPORT_QUIET_PERIOD: '2s', WEEKLY_REPORT_IDLE_TIMEOUT: '1s' },
    { worker: false, interceptors: { activity: [computationGate] } },
  );
});
afterAll(async () => {
  openGate();
  await system?.stop();
});
let workerStarted = false;
const startWorker = async () => {
  if (!workerStarted) await system.startWorker();
  workerStarted = true;
};

const resolve = async (): Promise<string> => {
  const id = uniqueConversationId();
  const res = await postWebhook(system.baseUrl, fixtureFor('simplified-conversation_resolution.json', WEDDING_ID, id));
  expect(res.status).toBe(200);
  return id;
};
const computations = (isoWeek: string) =>
  system.pool.maybeOneFirst(
    sql.type(
      z.object({ computations: z.number() }),
    )`SELECT computations FROM weekly_reports WHERE iso_week = ${isoWeek}`,
  );
const executions = async (workflowId: string) => {
  const runs: string[] = [];
  for await (const w of system.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(w.runId);
  return runs;
};

test('resolutions of one week coalesce into one durable run and one computation; it outlives its parent', async () => {
  // Five resolutions delivered while no worker runs: the conversations wait for the worker, then hand off together.
  const conversations = await Promise.all(Array.from({ length: 5 }, () => resolve()));
  await startWorker();
  const resolvedAt = await Promise.all(
    conversations.map((id) =>
      eventually(async () => {
        const row = await incidenceOf(system.pool, id);
        expect(row?.resolved_at).toBeTruthy();
        return row!.resolved_at!;
      }),
    ),
  );
  const isoWeek = isoWeekOf(resolvedAt[0]!);
  expect(new Set(resolvedAt.map(isoWeekOf))).toEqual(new Set([isoWeek]));
  const workflowId = weeklyReportWorkflowId(isoWeek, system.config.TEMPORAL_TASK_QUEUE);
  const handle = system.client.workflow.getHandle(workflowId);
  // One run heard all five (the first started it, four signalled it) before computing.
  await eventually(async () => expect((await handle.query(weeklyReportStateQuery)).signals).toBe(4));

  // Its parent (the conversation that started it) is terminated while it waits to compute: the week's run carries
  // on (ParentClosePolicy.ABANDON).
  const description = await handle.describe();
  const parent = description.parentExecution?.workflowId;
  expect(conversations.map(conversationWorkflowId)).toContain(parent);
  await system.client.workflow.getHandle(parent!).terminate('test: the parent goes away');
  expect((await handle.describe()).status.name).toBe('RUNNING');
  openGate();

  await eventually(async () => expect(await computations(isoWeek)).toBe(1), 30_000);
  expect(await handle.query(weeklyReportStateQuery)).toEqual({ isoWeek, signals: 4, computations: 1, pending: false });
  await eventually(async () => expect(await executions(workflowId)).toHaveLength(1));

  // Idle for WEEKLY_REPORT_IDLE_TIMEOUT → it completes, having computed once for five resolutions.
  expect(await handle.result()).toEqual({ computations: 1, signals: 4 });

  // The next resolution of that week starts a new run with the same id, which computes again.
  await resolve();
  await eventually(async () => expect(await computations(isoWeek)).toBe(2), 30_000);
  await eventually(async () => expect(await executions(workflowId)).toHaveLength(2));
}, 120_000);

test('a resolution decides the repeat-friction flag: the same user back with the same category within 30 days', async () => {
  await startWorker();
  const user = `usr_repeat_${Date.now()}`;
  const resolveFor = async (): Promise<string> => {
    const id = uniqueConversationId();
    for (const file of ['simplified-message_create.json', 'simplified-conversation_resolution.json']) {
      const body = fixtureFor(file, WEDDING_ID, id).split('usr_8F3K2Q').join(user);
      expect((await postWebhook(system.baseUrl, body)).status).toBe(200);
    }
    await eventually(async () => expect((await incidenceOf(system.pool, id))?.outcome).toBe('CONVERTED'));
    return id;
  };
  const flag = (id: string) =>
    system.pool.oneFirst(
      sql.type(
        z.object({ repeat_friction: z.boolean() }),
      )`SELECT repeat_friction FROM incidences WHERE conversation_id = ${id}`,
    );
  const first = await resolveFor();
  const second = await resolveFor();
  expect(await flag(first)).toBe(false);
  expect(await flag(second)).toBe(true); // menu_customisation again, started minutes after the first
});

test('continuing an old resolved conversation in a new run does not recompute its old week', async () => {
  await startWorker();
  const hasHandOff = async (runId?: string) => {
    const history = await system.client.workflow.getHandle(conversationWorkflowId(id), runId).fetchHistory();
    return (history.events ?? []).some(
      (e) =>
        e.startChildWorkflowExecutionInitiatedEventAttributes ||
        e.signalExternalWorkflowExecutionInitiatedEventAttributes,
    );
  };
  const id = await resolve();
  const first = await system.client.workflow.getHandle(conversationWorkflowId(id)).describe();
  await eventually(async () => expect(await hasHandOff(first.runId)).toBe(true)); // the control: a resolution hands off
  await system.client.workflow.getHandle(conversationWorkflowId(id)).terminate('test: the run ended long ago');

  const message = fixtureFor('simplified-message_create.json', WEDDING_ID, id);
  expect((await postWebhook(system.baseUrl, message)).status).toBe(200);
  await eventually(async () =>
    expect((await timelineOf(system.pool, id)).map((t) => t.event_type)).toContain('MESSAGE'),
  );
  const second = await system.client.workflow.getHandle(conversationWorkflowId(id)).describe();
  expect(second.runId).not.toBe(first.runId);
  expect((await incidenceOf(system.pool, id))?.outcome).toBe('CONVERTED'); // the new run continued the incidence
  expect(await hasHandOff(second.runId)).toBe(false);
}, 60_000);

import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { MockActivityEnvironment } from '@temporalio/testing';
import { CancelledFailure } from '@temporalio/common';
import pino from 'pino';
import { sql } from 'slonik';
import { z } from 'zod';
import { createReconciliationActivities } from '../../activities/reconciliation-activities';
import { createConversationGateway } from '../../gateways/conversation-gateway';
import { createFreshchatClient } from '../../clients/freshchat-client';
import type { ReconciliationInput, ReconciliationSummary } from '../../domain/reconciliation/reconciliation-pass';
import { createTokenBucket } from '../../infra/token-bucket';
import {
  ensureReconciliationSchedule,
  reconciliationInput,
  reconciliationScheduleId,
} from '../../gateways/reconciliation-schedule';
import { passById } from '../../stores/reconciliation-store';
import { computeAndStoreWeeklyReport } from '../../activities/weekly-report';
import { readWeeklyReport } from '../../stores/weekly-report-store';
import type { reconciliationWorkflow } from '../../workflows/reconciliation-workflow';
import { incidenceOf, timelineOf, uniqueConversationId } from '../support/conversations';
import { eventually } from '../support/eventually';
import { FakeFreshchat } from '../../bench/support/fake-freshchat';
import {
  minutesAfter,
  realAssignment,
  realMessage,
  realReopen,
  realResolution,
  type RealWebhook,
} from '../../bench/support/freshchat-events';
import { postWebhook, TEST_PAYLOAD_KEYS } from '../support/signing';
import { startTestSystem, type TestSystem } from '../support/system';

let system: TestSystem;
let freshchat: FakeFreshchat;

beforeAll(async () => {
  freshchat = await new FakeFreshchat().start();
  system = await startTestSystem({
    FRESHCHAT_API_URL: freshchat.url,
    FRESHCHAT_API_TOKEN: 'test-token',
    // A 429 asking for an hour is cut to this.
    FRESHCHAT_RETRY_AFTER_CAP: '1s',
    FRESHCHAT_RATE_LIMIT: '60000',
    FRESHCHAT_RATE_BURST: '100',
  });
});
afterAll(async () => {
  await system?.stop();
  await freshchat?.stop();
});
beforeEach(() => {
  freshchat.down = false;
  freshchat.pageSize = 50;
  freshchat.scrambleMessages = false;
});

const BASE = '2026-11-20T09:00:00.000Z';

/** Freshchat learns every event; only those not dropped are delivered, and the record is waited for. */
async function happen(events: RealWebhook[], dropped: RealWebhook[] = [], properties: Record<string, string> = {}) {
  for (const event of events) freshchat.learn(event, properties);
  const delivered = events.filter((e) => !dropped.includes(e));
  for (const event of delivered) expect((await postWebhook(system.baseUrl, JSON.stringify(event))).status).toBe(200);
  const conversationIds = [...new Set(delivered.map(conversationOf))];
  await eventually(async () => {
    const rows = (await Promise.all(conversationIds.map((id) => timelineOf(system.pool, id)))).flat();
    expect(rows.length).toBe(delivered.length);
  });
}

const conversationOf = (event: RealWebhook): string =>
  event.data.message?.conversation_id ??
  (event.data.assignment ?? event.data.resolve ?? event.data.reopen).conversation.conversation_id;

async function pass(overrides: Partial<ReconciliationInput> = {}): Promise<ReconciliationSummary> {
  return system.client.workflow.execute<typeof reconciliationWorkflow>('reconciliationWorkflow', {
    taskQueue: system.config.TEMPORAL_TASK_QUEUE,
    workflowId: `reconciliation-test-${randomUUID()}`,
    args: [{ ...reconciliationInput(system.settings, 'MANUAL'), ...overrides }],
  });
}

/** Passes until one repairs nothing (the workflows apply repairs asynchronously, so a pass may see them pending). */
async function settledPass(): Promise<ReconciliationSummary> {
  return eventually(async () => {
    const summary = await pass();
    expect(summary).toMatchObject({ eventsRepaired: 0, error: null });
    return summary;
  }, 30_000);
}

const keysOf = async (conversationId: string) =>
  (await timelineOf(system.pool, conversationId)).map((t) => t.event_key);

/** Within the look-back of every pass (a day): for what discovery must find. */
const recently = () => new Date(Date.now() - 3 * 3_600_000).toISOString();

function conversation(messages = 2, base = BASE, userId = `fc-user-${randomUUID()}`) {
  const id = uniqueConversationId();
  const events = Array.from({ length: messages }, (_, i) =>
    realMessage({
      conversationId: id,
      id: `msg-${id}-${i}`,
      userId,
      at: minutesAfter(base, i),
      text: `message ${i}`,
      actor: i % 2 ? 'agent' : 'user',
    }),
  );
  return { id, userId, events };
}

test('a lost resolution is filled in with the key the webhook would have had; the next pass repairs nothing', async () => {
  const c = conversation(3);
  const resolution = realResolution({ conversationId: c.id, at: minutesAfter(BASE, 10) });
  await happen([...c.events, resolution], [resolution], { cf_tags: 'order_placed' });
  expect(await incidenceOf(system.pool, c.id)).toMatchObject({ outcome: 'IN_PROGRESS' });

  const summary = await pass();
  expect(summary).toMatchObject({ error: null, stoppedAt: null, repaired: { resolution: 1, message: 0 } });
  const row = await eventually(async () => {
    const r = await incidenceOf(system.pool, c.id);
    expect(r).toMatchObject({ outcome: 'CONVERTED', order_impact: 'PLACED' });
    return r!;
  });
  // The resolution time is the marker message's time, so time to resolve runs from the first message to it.
  expect(row.time_to_resolve_seconds).toBe(600);
  expect(await keysOf(c.id)).toContain(`conversation_resolution:${c.id}:${resolution.action_time}`);
  await settledPass();
  // A late redelivery of the lost webhook is a duplicate, not a second resolution.
  expect((await postWebhook(system.baseUrl, JSON.stringify(resolution))).status).toBe(200);
  await eventually(async () =>
    expect((await timelineOf(system.pool, c.id)).filter((t) => t.event_type === 'RESOLVED')).toHaveLength(1),
  );
});

test('a lost reopen reopens the incidence; a lost assignment and lost messages are filled in', async () => {
  const c = conversation(2);
  const assignment = realAssignment({ conversationId: c.id, agentId: 'agent-42', at: minutesAfter(BASE, 1) });
  const resolution = realResolution({ conversationId: c.id, at: minutesAfter(BASE, 5) });
  const reopen = realReopen({ conversationId: c.id, at: minutesAfter(BASE, 60), userId: c.userId });
  const late = realMessage({
    conversationId: c.id,
    id: `msg-${c.id}-late`,
    userId: c.userId,
    at: minutesAfter(BASE, 61),
    text: 'again',
  });
  await happen([...c.events, assignment, resolution, reopen, late], [assignment, reopen, late]);
  expect(await incidenceOf(system.pool, c.id)).toMatchObject({ outcome: 'RESOLVED', reopen_count: 0, agent_id: null });

  const summary = await pass();
  expect(summary.repaired).toEqual({ message: 1, assignment: 1, resolution: 0, reopen: 1 });
  await eventually(async () =>
    expect(await incidenceOf(system.pool, c.id)).toMatchObject({
      outcome: 'IN_PROGRESS',
      reopen_count: 1,
      agent_id: 'agent-42',
      resolved_at: null,
    }),
  );
  const keys = await keysOf(c.id);
  expect(keys).toEqual(
    expect.arrayContaining([`conversation_reopen:${c.id}:${reopen.action_time}`, `message:msg-${c.id}-late`]),
  );
  await settledPass();
});

test('an assignee repaired, then another, then the first again: each repaired once, stored, and counted once', async () => {
  const c = conversation(2);
  const toA = realAssignment({ conversationId: c.id, agentId: 'agent-a', at: minutesAfter(BASE, 5) });
  await happen([...c.events, toA], [toA]);
  expect((await pass()).repaired.assignment).toBe(1);
  await eventually(async () => expect(await incidenceOf(system.pool, c.id)).toMatchObject({ agent_id: 'agent-a' }));

  const toB = realAssignment({ conversationId: c.id, agentId: 'agent-b', at: minutesAfter(BASE, 6) });
  freshchat.learn(toB);
  expect((await postWebhook(system.baseUrl, JSON.stringify(toB))).status).toBe(200);
  await eventually(async () => expect(await incidenceOf(system.pool, c.id)).toMatchObject({ agent_id: 'agent-b' }));
  freshchat.learn(realAssignment({ conversationId: c.id, agentId: 'agent-a', at: minutesAfter(BASE, 7) })); // lost

  // The pass returns once its repairs are stored: the record has A again, and A counted once.
  const again = await pass();
  expect(await incidenceOf(system.pool, c.id)).toMatchObject({ agent_id: 'agent-a' });
  expect(again.conversations?.find((r) => r.conversationId === c.id)?.repaired).toMatchObject({ assignment: 1 });
  expect((await keysOf(c.id)).filter((k) => k.includes(':reconciled:agent:agent-a:'))).toHaveLength(2);
  // Nothing left to repair, so nothing more is counted.
  await settledPass();
});

test('a conversation handed back to a group queue (no agent) is repaired as an unassignment', async () => {
  const c = conversation(2);
  const assigned = realAssignment({ conversationId: c.id, agentId: 'agent-q', at: minutesAfter(BASE, 3) });
  const queued = realAssignment({ conversationId: c.id, agentId: '', at: minutesAfter(BASE, 4) });
  queued.data.assignment.to_group_id = 'weddings-queue';
  await happen([...c.events, assigned, queued], [queued]);
  expect(await incidenceOf(system.pool, c.id)).toMatchObject({ agent_id: 'agent-q' });

  const summary = await pass();
  expect(summary.conversations?.find((r) => r.conversationId === c.id)?.repaired).toMatchObject({ assignment: 1 });
  expect(await incidenceOf(system.pool, c.id)).toMatchObject({ agent_id: null });
  const groupOf = await system.pool.oneFirst(sql.type(z.object({ group_id: z.string().nullable() }))`
    SELECT group_id FROM incidences WHERE conversation_id = ${c.id}`);
  expect(groupOf).toBe('weddings-queue');
  await settledPass();
});

test('a conversation never delivered at all is discovered through its user and gets its incidence', async () => {
  const start = recently();
  const known = conversation(1, start);
  await happen(known.events);
  const lost = { id: uniqueConversationId() };
  const lostEvents = [
    realMessage({
      conversationId: lost.id,
      id: `msg-${lost.id}-0`,
      userId: known.userId,
      at: minutesAfter(start, 30),
      text: 'hello again',
    }),
    realMessage({
      conversationId: lost.id,
      id: `msg-${lost.id}-1`,
      userId: known.userId,
      at: minutesAfter(start, 31),
      text: 'hi',
      actor: 'agent',
    }),
    realResolution({ conversationId: lost.id, at: minutesAfter(start, 40) }),
  ];
  await happen(lostEvents, lostEvents, { cf_tags: 'menu_question, dropped' });
  expect(await incidenceOf(system.pool, lost.id)).toBeNull();

  const summary = await pass();
  expect(summary).toMatchObject({ conversationsDiscovered: 1, repaired: { message: 2, resolution: 1 }, error: null });
  const found = await eventually(async () => {
    const row = await incidenceOf(system.pool, lost.id);
    expect(row).toMatchObject({ outcome: 'DROPPED', issue_category: 'menu_question', freshchat_user_id: known.userId });
    return row!;
  });
  expect(Date.parse(found.created_at)).toBe(Date.parse(minutesAfter(start, 30)));
  expect(await keysOf(lost.id)).toHaveLength(3);
  await settledPass();
});

test("discovery takes only a user's conversations active within the look-back, never their older history", async () => {
  const known = conversation(1, recently());
  await happen(known.events);
  // Before launch (days before the look-back): Freshchat has it, we never had it, and it stays that way.
  const old = conversation(2, minutesAfter(recently(), -3 * 24 * 60), known.userId);
  const oldResolution = realResolution({ conversationId: old.id, at: minutesAfter(old.events[1]!.action_time, 5) });
  const recent = conversation(2, minutesAfter(recently(), 60), known.userId);
  await happen([...old.events, oldResolution, ...recent.events], [...old.events, oldResolution, ...recent.events]);

  const summary = await pass();
  expect(await incidenceOf(system.pool, old.id)).toBeNull();
  expect(summary).toMatchObject({ conversationsDiscovered: 1, repaired: { message: 2, resolution: 0 }, error: null });
  expect(summary.conversations?.map((c) => c.conversationId)).toEqual([recent.id]);
  await eventually(async () => expect(await keysOf(recent.id)).toHaveLength(2));
  await settledPass();
  expect(await incidenceOf(system.pool, old.id)).toBeNull();
});

test('messages out of order across pages all land, and the incidence starts at the earliest', async () => {
  freshchat.pageSize = 2;
  freshchat.scrambleMessages = true;
  const c = conversation(7);
  const [delivered] = c.events.slice(4);
  await happen(
    c.events,
    c.events.filter((e) => e !== delivered),
  );
  const summary = await pass();
  expect(summary.repaired.message).toBe(6);
  // The pass names the conversation it repaired (the report's "events repaired" leads to its incidence).
  const repairs = await system.pool.any(sql.unsafe`
    SELECT conversation_id, events FROM reconciliation_repairs WHERE pass_id = ${summary.passId}`);
  expect(repairs).toEqual([{ conversation_id: c.id, events: 6 }]);
  await eventually(async () => expect(await keysOf(c.id)).toHaveLength(7));
  expect((await incidenceOf(system.pool, c.id))!.created_at).toMatch(/^2026-11-20T09:00:00/);
  // Every page was read: 4 pages of 2.
  expect(freshchat.requests.filter((r) => r.path.startsWith(`/conversations/${c.id}/messages`))).toHaveLength(4);
  await settledPass();
});

test('a 429 storm during a pass is waited out (Retry-After capped) and the pass still repairs everything', async () => {
  const c = conversation(3);
  await happen(c.events, [c.events[1]!]);
  freshchat.rateLimit(6, 3600);
  const summary = await pass();
  expect(summary).toMatchObject({ error: null, rateLimited: 6, repaired: { message: 1 } });
  await eventually(async () => expect(await keysOf(c.id)).toHaveLength(3));
  const stored = await passById(system.pool, summary.passId);
  expect(stored).toMatchObject({ rateLimited: 6, eventsRepaired: 1 });
});

test('Freshchat down during a pass: the error is recorded, the half-read conversation is unchanged, the next pass repairs it', async () => {
  freshchat.pageSize = 2;
  const c = conversation(6);
  await happen(c.events, [c.events[0]!]);
  const before = await keysOf(c.id);
  // Freshchat answers the conversation and its first page of messages, then goes down.
  let served = 0;
  freshchat.route((request) => {
    if (!request.path.startsWith(`/conversations/${c.id}`)) return undefined;
    return ++served > 2
      ? { status: 503, body: { code: 503, status: 'SERVICE_UNAVAILABLE', message: 'down' } }
      : undefined;
  });
  const failed = await pass();
  expect(failed.error).toMatch(/Freshchat unreachable.*503/);
  expect(failed.finishedAt).not.toBeNull();
  expect(await keysOf(c.id)).toEqual(before);
  expect((await passById(system.pool, failed.passId))?.error).toBe(failed.error);

  freshchat.down = true;
  const down = await pass();
  expect(down).toMatchObject({ eventsRepaired: 0, conversationsChecked: 0 });
  expect(down.error).toMatch(/503/);

  served = -1_000_000;
  freshchat.down = false;
  expect((await pass()).repaired.message).toBe(1);
  await eventually(async () => expect(await keysOf(c.id)).toHaveLength(6));
});

test('a scheduled pass that runs out of time stops at its cursor; the next resumes there and finishes the sweep', async () => {
  await settledPass();
  const lost = [conversation(2), conversation(2), conversation(2)];
  for (const c of lost) await happen(c.events, [c.events[1]!]);
  const open = await system.pool.oneFirst(
    sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM incidences`,
  );

  // A budget of 1 ms: the pass stops after its first batch.
  const scheduled = { ...reconciliationInput(system.settings, 'SCHEDULE'), batchSize: 2, spreadMs: 0, budgetMs: 1 };
  const passes: ReconciliationSummary[] = [];
  for (let i = 0; i < 40; i++) {
    const summary = await pass(scheduled);
    passes.push(summary);
    if (summary.stoppedAt === null) break;
  }
  expect(passes.length).toBeGreaterThan(2);
  expect(passes[0]!.resumedFrom).toBe('conversations:');
  for (let i = 1; i < passes.length; i++) expect(passes[i]!.resumedFrom).toBe(passes[i - 1]!.stoppedAt);
  expect(passes.every((p) => p.error === null)).toBe(true);
  // Every conversation in the window was checked exactly once over the sweep, and every lost message repaired.
  expect(passes.reduce((n, p) => n + p.conversationsChecked, 0)).toBe(open);
  expect(passes.reduce((n, p) => n + p.repaired.message, 0)).toBe(3);
  for (const c of lost) await eventually(async () => expect(await keysOf(c.id)).toHaveLength(2));
  // The sweep is complete: the next scheduled pass starts from the beginning.
  expect((await pass(scheduled)).resumedFrom).toBe('conversations:');
});

test('the schedule runs a pass every 15 minutes, catching up missed ones, spread over the interval', async () => {
  const id = reconciliationScheduleId(system.config.TEMPORAL_TASK_QUEUE);
  try {
    expect(await ensureReconciliationSchedule(system.client, system.settings)).toBe(id);
    expect(await ensureReconciliationSchedule(system.client, system.settings)).toBe(id); // a restart updates in place
    const schedule = await system.client.schedule.getHandle(id).describe();
    expect(schedule.spec.intervals).toMatchObject([{ every: 15 * 60_000 }]);
    expect(schedule.policies).toMatchObject({ overlap: 'BUFFER_ONE', catchupWindow: 24 * 3_600_000 });
    expect(schedule.action).toMatchObject({ workflowType: 'reconciliationWorkflow' });
    expect((schedule.action as { args: unknown[] }).args[0]).toMatchObject({
      trigger: 'SCHEDULE',
      spreadMs: 12 * 60_000,
      budgetMs: 15 * 60_000,
    });
  } finally {
    await system.client.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
  }
});

test('npm run reconcile runs one pass through the worker and prints what it repaired', async () => {
  const c = conversation(2);
  await happen(c.events, [c.events[1]!]);
  const root = path.resolve(__dirname, '..', '..');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/reconcile.ts', '--lookback', '1h'],
    {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: system.config.DATABASE_URL,
        TEMPORAL_ADDRESS: system.config.TEMPORAL_ADDRESS,
        TEMPORAL_TASK_QUEUE: system.config.TEMPORAL_TASK_QUEUE,
        TEMPORAL_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
      },
    },
  );
  expect(stdout).toMatch(/repaired 1 events \(1 message, 0 assignments, 0 resolutions, 0 reopens\).*complete/);
  expect(stdout).toContain(c.id);
  await eventually(async () => expect(await keysOf(c.id)).toHaveLength(2));
}, 60_000);

test('the weekly report shows how many events reconciliation repaired in the week', async () => {
  // Passes of its own, in a past week (2026-W10: India-time Monday 2 to Sunday 8 March) and around it: the figure
  // depends neither on the tests before nor on today's date.
  const passes: Array<[string, number]> = [
    ['2026-03-04T06:00:00Z', 7],
    ['2026-03-01T19:00:00Z', 1], // 00:30 on Monday in India: this week
    ['2026-03-08T18:00:00Z', 2], // 23:30 on Sunday in India: this week
    ['2026-03-01T18:00:00Z', 5], // 23:30 on the Sunday before: the week before
    ['2026-02-25T06:00:00Z', 4],
    ['2026-03-10T06:00:00Z', 100],
  ];
  for (const [i, [at, messages]] of passes.entries())
    await system.pool.query(sql.unsafe`
      INSERT INTO reconciliation_passes (run_id, trigger, started_at, finished_at, messages_repaired, reopens_repaired)
      VALUES (${`weekly-figure-${i}`}, 'MANUAL', ${at}, ${at}, ${messages - 1}, 1)`);
  await computeAndStoreWeeklyReport(system.pool, '2026-W10', 150);
  const stored = await readWeeklyReport(system.pool, '2026-W10');
  expect(stored?.report.metrics.eventsRepaired).toEqual({ value: 10 });
  expect(stored?.report.previousWeek.metrics.eventsRepaired).toEqual({ value: 9 });
  expect(stored?.html).toContain('Events repaired by reconciliation');
});

/** An activity run as Temporal's worker would run it (heartbeats, cancellation), typed by what it returns. */
const runActivity = <A extends unknown[], R>(
  environment: MockActivityEnvironment,
  activity: (...args: A) => Promise<R>,
  ...args: A
): Promise<R> => environment.run(activity, ...args) as Promise<R>;

describe('a batch that outlives its attempt', () => {
  const lookbackMs = 24 * 3_600_000;
  const batchActivities = () =>
    createReconciliationActivities({
      pool: system.pool,
      logger: pino({ level: 'silent' }),
      reconciliation: {
        freshchat: createFreshchatClient({ baseUrl: freshchat.url, token: 'test-token' }),
        bucket: createTokenBucket(system.redis, `test-bucket-${randomUUID()}`, { capacity: 100, perMinute: 60_000 }),
        retryAfterCapMs: 1000,
        deliver: createConversationGateway(system.client, system.settings).deliver,
      },
    });
  const startBatch = async (activities: ReturnType<typeof batchActivities>) => {
    const { passId, cursor } = await runActivity(new MockActivityEnvironment(), activities.startReconciliationPass, {
      runId: randomUUID(),
      trigger: 'MANUAL' as const,
      lookbackMs,
    });
    return { passId, trigger: 'MANUAL' as const, cursor, lookbackMs, batchSize: 500 };
  };
  const inWindow = () =>
    system.pool.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM incidences`);

  test('two attempts of one batch (a timed-out one still running beside its retry) are counted once', async () => {
    await settledPass();
    const c = conversation(3);
    await happen(c.events, [c.events[1]!]);
    const activities = batchActivities();
    const batch = await startBatch(activities);
    const attempts = await Promise.all([
      runActivity(new MockActivityEnvironment({ attempt: 1 }), activities.reconcileBatch, batch),
      runActivity(new MockActivityEnvironment({ attempt: 2 }), activities.reconcileBatch, batch),
    ]);
    expect(attempts.map((a) => a.cursor)).toEqual([
      { phase: 'users', after: null },
      { phase: 'users', after: null },
    ]);
    const stored = await passById(system.pool, batch.passId);
    expect(stored).toMatchObject({ conversationsChecked: await inWindow(), repaired: { message: 1 } });
    expect(stored?.stoppedAt).toBe('users:');
    expect(await keysOf(c.id)).toHaveLength(3);
  });

  test('a batch cancelled (its attempt timed out) stops at its next step and records nothing', async () => {
    await settledPass();
    for (const c of [conversation(2), conversation(2)]) await happen(c.events, [c.events[1]!]);
    const activities = batchActivities();
    const batch = await startBatch(activities);
    const before = freshchat.requests.length;
    // Freshchat answers the first conversation read slowly; the attempt is cancelled meanwhile.
    freshchat.answerLate((r) => r.path.startsWith('/conversations/'), 1_000);
    const environment = new MockActivityEnvironment();
    const running = environment.run(activities.reconcileBatch, batch);
    await eventually(async () => expect(freshchat.requests.length).toBeGreaterThan(before));
    environment.cancel('TIMED_OUT');
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    // One conversation read at most (the one in flight): the rest of the batch was not read.
    expect(freshchat.requests.length - before).toBeLessThanOrEqual(2);
    expect(await passById(system.pool, batch.passId)).toMatchObject({
      conversationsChecked: 0,
      stoppedAt: 'conversations:',
    });
  });
});

test('the batch activity heartbeats, so a batch whose worker died or that timed out is retried within a minute', async () => {
  const workflowId = `reconciliation-test-${randomUUID()}`;
  await system.client.workflow.execute<typeof reconciliationWorkflow>('reconciliationWorkflow', {
    taskQueue: system.config.TEMPORAL_TASK_QUEUE,
    workflowId,
    args: [reconciliationInput(system.settings, 'MANUAL')],
  });
  const history = await system.client.workflow.getHandle(workflowId).fetchHistory();
  const batches = (history.events ?? [])
    .map((e) => e.activityTaskScheduledEventAttributes)
    .filter((a) => a?.activityType?.name === 'reconcileBatch');
  expect(batches.length).toBeGreaterThan(0);
  for (const batch of batches) expect(Number(batch!.heartbeatTimeout?.seconds)).toBe(60);
});

import { randomUUID } from 'node:crypto';
import { tsToMs } from '@temporalio/common';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { createContextSyncGateway } from '../../gateways/context-sync-gateway';
import { createConversationGateway } from '../../gateways/conversation-gateway';
import { contextSyncWorkflowId } from '../../domain/app-context/context-sync-settings';
import type { contextSyncWorkflow } from '../../workflows/context-sync-workflow';
import { contextChangedSignal, contextSyncStateQuery } from '../../workflows/signals';
import { createTemporalClient } from '../../infra/temporal';
import { redisKeys } from '../../infra/redis-keys';
import { realMessageFor, storedIncidence, uniqueConversationId } from '../support/conversations';
import { eventually } from '../support/eventually';
import { waitsOf } from '../support/timing';
import { FakeFreshchat, type RecordedRequest } from '../../bench/support/fake-freshchat';
import { appToken, postWebhook } from '../support/signing';
import { startTestSystem, withApiBeside, type TestSystem } from '../support/system';
import { settingsFrom } from '../../infra/settings';

let system: TestSystem;
const freshchat = new FakeFreshchat();
const QUIET_PERIOD_MS = 400;
const MAX_DELAY_MS = 1500;

beforeAll(async () => {
  await freshchat.start();
  system = await startTestSystem({
    FRESHCHAT_API_URL: freshchat.url,
    FRESHCHAT_API_TOKEN: 'sync-token',
    CONTEXT_SYNC_QUIET_PERIOD: `${QUIET_PERIOD_MS}ms`,
    CONTEXT_SYNC_MAX_DELAY: `${MAX_DELAY_MS}ms`,
  });
});
afterAll(async () => {
  await system?.stop();
  await freshchat.stop();
});

const newUser = () => `usr_${randomUUID().slice(0, 8)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function putJson(baseUrl: string, path: string, token: string, body: unknown) {
  const started = performance.now();
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, ms: performance.now() - started };
}

/** An app user whom Freshchat knows by reference_id (its Freshchat id is the same string, to keep paths short). */
async function appUser(userId = newUser(), baseUrl = system.baseUrl) {
  freshchat.users.set(userId, { id: userId, reference_id: userId, properties: [] });
  const token = await appToken(userId);
  return {
    userId,
    screen: (screen_name: string) => putJson(baseUrl, `/api/v1/context/${userId}/screen`, token, { screen_name }),
    cart: (body: unknown) => putJson(baseUrl, `/api/v1/context/${userId}/cart`, token, body),
    profile: (body: unknown) => putJson(baseUrl, `/api/v1/context/${userId}/profile`, token, body),
  };
}

const putsFor = (freshchatUserId: string): RecordedRequest[] =>
  freshchat.requests.filter((r) => r.method === 'PUT' && r.path === `/users/${freshchatUserId}`);
const propertiesOf = (request: RecordedRequest): Record<string, string> =>
  Object.fromEntries(
    ((request.body as { properties: Array<{ name: string; value: string }> }).properties ?? []).map((p) => [
      p.name,
      p.value,
    ]),
  );
const syncState = (userId: string) =>
  system.client.workflow.getHandle(contextSyncWorkflowId(userId)).query(contextSyncStateQuery);

test('a burst of navigation becomes a few PUTs carrying the final values', async () => {
  const user = await appUser();
  /** Each change's request, from sent to answered (epoch ms): the change reached the sync somewhere between. */
  const changes: Array<{ sent: number; answered: number }> = [];
  const timed = async (change: () => Promise<{ status: number }>) => {
    const sent = Date.now();
    const { status } = await change();
    changes.push({ sent, answered: Date.now() });
    return { status };
  };
  for (let i = 0; i < 30; i++) expect((await timed(() => user.screen(`SCREEN_${i}`))).status).toBe(200);
  expect(
    (
      await timed(() =>
        user.cart({
          cart_value: 185000,
          guest_count: 350,
          event_type: 'WEDDING',
          event_date: '2026-02-14',
          selected_platter: 'royal-rajasthani',
          items: [],
        }),
      )
    ).status,
  ).toBe(200);
  await eventually(async () => {
    const last = putsFor(user.userId).at(-1);
    expect(last).toBeDefined();
    expect(propertiesOf(last!)).toEqual({
      current_screen: 'SCREEN_29',
      cart_value: '185000',
      guest_count: '350',
      event_type: 'WEDDING',
      event_date: '2026-02-14',
      selected_platter: 'royal-rajasthani',
      friction_score: '15',
    });
  });
  // Counted once the sync is idle (no change waiting, no PUT in flight): no further PUT can come for this burst.
  await eventually(async () => {
    expect((await syncState(user.userId)).pendingChanges).toBe(false);
    const { raw } = await system.client.workflow.getHandle(contextSyncWorkflowId(user.userId)).describe();
    expect(raw.pendingActivities ?? []).toEqual([]);
  });
  // 31 changes; a PUT more only for each pause that may have been a quiet period, or each maximum delay the burst
  // lasted (both from the recorded request times, counted generously).
  const pauses = changes.slice(1).filter((c, i) => c.answered - changes[i]!.sent >= QUIET_PERIOD_MS).length;
  const maxDelays = Math.floor((changes.at(-1)!.answered - changes[0]!.sent) / MAX_DELAY_MS);
  const puts = putsFor(user.userId);
  expect(puts.length).toBeGreaterThanOrEqual(1);
  expect(puts.length).toBeLessThanOrEqual(1 + pauses + maxDelays);
  expect(puts[0]!.authorization).toBe('Bearer sync-token');
});

test('changes no agent sees (a second identical update, a profile name) nudge no sync and cause no PUT', async () => {
  const user = await appUser();
  await user.screen('MENU_BROWSE');
  await eventually(async () => expect(putsFor(user.userId)).toHaveLength(1));
  await user.screen('MENU_BROWSE');
  await user.profile({ name: 'Asha' });
  // A change agents see, after them: once its PUT is in, a nudge for the earlier ones would have come before it.
  await user.screen('CHECKOUT');
  await eventually(async () => expect(propertiesOf(putsFor(user.userId).at(-1)!).current_screen).toBe('CHECKOUT'));
  expect(putsFor(user.userId)).toHaveLength(2);
  // The sync heard of two changes only (a nudge for the unseen ones would be a signal of its own, or a follow-up).
  const { events } = await system.client.workflow.getHandle(contextSyncWorkflowId(user.userId)).fetchHistory();
  expect(events!.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(2);
});

test('a steady stream of changes is still synced within the maximum delay', async () => {
  const maxDelayMs = MAX_DELAY_MS;
  const user = await appUser();
  const changes: number[] = [];
  for (let i = 0, end = Date.now() + 3500; Date.now() < end; i++) {
    changes.push(Date.now());
    await user.screen(`STREAM_${i}`);
    await sleep(100); // never 400 ms of quiet
  }
  const last = `STREAM_${changes.length - 1}`;
  await eventually(async () => expect(propertiesOf(putsFor(user.userId).at(-1)!).current_screen).toBe(last));
  const puts = putsFor(user.userId).map((p) => p.at);
  // The first PUT waited for the maximum delay (the stream was never quiet)...
  expect(puts[0]! - changes[0]!).toBeGreaterThanOrEqual(maxDelayMs - 50);
  // ...and no change waited more than twice it to reach Freshchat (a tolerance of the delay's own size).
  expect(Math.max(...waitsOf(changes, puts))).toBeLessThan(maxDelayMs * 2);
});

test('Freshchat answering 500, then 429 with Retry-After: retried and delivered; the app never waits', async () => {
  const user = await appUser();
  const before = freshchat.requests.length;
  // Failures for this user only: other users' syncs may still be running.
  const failures = [
    { status: 500, body: { code: 500, status: 'INTERNAL_ERROR', message: 'boom' } },
    { status: 429, headers: { 'retry-after': '1' }, body: { code: 429, status: 'TOO_MANY_REQUESTS' } },
  ];
  freshchat.route((r) => (r.method === 'PUT' && r.path === `/users/${user.userId}` ? failures.shift() : undefined));
  const res = await user.cart({ cart_value: 12000, items: [] });
  expect(res.status).toBe(200);
  await eventually(async () => {
    const puts = freshchat.requests.slice(before).filter((r) => r.path === `/users/${user.userId}`);
    expect(puts).toHaveLength(3); // 500, 429, then 200
    expect(propertiesOf(puts[2]!).cart_value).toBe('12000');
  });
  // The sync is counted when the workflow sees the activity's result, just after Freshchat answered.
  await eventually(async () => expect((await syncState(user.userId)).syncs).toBe(1));
});

test('the sync writes to the Freshchat user whose reference_id is the app user, found once and remembered', async () => {
  const userId = newUser();
  const freshchatUserId = randomUUID();
  freshchat.users.set(freshchatUserId, { id: freshchatUserId, reference_id: userId, properties: [] });
  const token = await appToken(userId);
  const screen = (screen_name: string) =>
    putJson(system.baseUrl, `/api/v1/context/${userId}/screen`, token, { screen_name });
  await screen('GUEST_COUNT');
  await eventually(async () =>
    expect(propertiesOf(putsFor(freshchatUserId).at(-1)!).current_screen).toBe('GUEST_COUNT'),
  );
  await screen('MENU_BROWSE');
  await eventually(async () =>
    expect(propertiesOf(putsFor(freshchatUserId).at(-1)!).current_screen).toBe('MENU_BROWSE'),
  );
  const lookups = freshchat.requests.filter((r) => r.path === `/users?reference_id=${userId}`);
  expect(lookups).toHaveLength(1);
  expect(putsFor(userId)).toHaveLength(0);
});

test('Freshchat down (connection refused) or Temporal unreachable never fails the app request', async () => {
  const dead = createTemporalClient({ address: '127.0.0.1:1', namespace: 'default' });
  // A short hand-off timeout: the signal is given up sooner (the app's answer never waited for it anyway).
  const handOffTimeoutMs = 2000;
  const config = { ...system.config, TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_HANDOFF_TIMEOUT: handOffTimeoutMs };
  const gateway = createContextSyncGateway(dead, settingsFrom(config));
  const app = createApp({
    settings: settingsFrom(config),
    conversations: createConversationGateway(dead, settingsFrom(config)),
    temporal: dead,
    pool: system.pool,
    redis: system.redis,
    contextSync: gateway,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const user = await appUser(newUser(), `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const res = await user.screen('CHECKOUT');
    expect(res.status).toBe(200);
    // Half the hand-off's timeout: an answer that waited for the hand-off would take all of it.
    expect(res.ms).toBeLessThan(handOffTimeoutMs / 2);
  } finally {
    await new Promise((r) => server.close(r));
    await gateway.idle();
  }

  // Freshchat itself unreachable: the worker's PUTs fail and are retried; the app is answered at once.
  const down = new FakeFreshchat();
  await down.start();
  await down.stop();
  const quietPeriodMs = 2000;
  const downSystem = await startTestSystem({
    FRESHCHAT_API_URL: down.url,
    FRESHCHAT_API_TOKEN: 't',
    CONTEXT_SYNC_QUIET_PERIOD: `${quietPeriodMs}ms`,
  });
  try {
    const user = await appUser(newUser(), downSystem.baseUrl);
    const answeredAt: number[] = [];
    for (const screen of ['HOME', 'MENU_BROWSE', 'CHECKOUT']) {
      const res = await user.screen(screen);
      expect(res.status).toBe(200);
      answeredAt.push(Date.now());
    }
    const handle = downSystem.client.workflow.getHandle(contextSyncWorkflowId(user.userId));
    await eventually(async () => {
      const description = await handle.describe();
      expect(description.raw.pendingActivities?.[0]?.attempt ?? 0).toBeGreaterThanOrEqual(2);
    });
    // Every answer came before the sync was first tried (the quiet period after the last change leaves that much
    // room on a busy machine): an answer that waited for Freshchat would come after it.
    const { events } = await handle.fetchHistory();
    const firstTry = tsToMs(events!.find((e) => e.activityTaskScheduledEventAttributes)!.eventTime);
    expect(Math.max(...answeredAt)).toBeLessThan(firstTry);
  } finally {
    await downSystem.stop();
  }
});

test('a real-format conversation takes its context from Redis when Freshchat properties lack it', async () => {
  const user = await appUser();
  const freshchatUserId = randomUUID();
  const conversationId = uniqueConversationId();
  freshchat.users.set(freshchatUserId, { id: freshchatUserId, reference_id: user.userId, properties: [] });
  await user.cart({ cart_value: 96000, guest_count: 200, event_type: 'CORPORATE', items: [] });
  await user.screen('QUOTE_SUMMARY');
  expect((await postWebhook(system.baseUrl, realMessageFor(conversationId, freshchatUserId))).status).toBe(200);
  const row = await storedIncidence(system.pool, conversationId);
  // The webhook taught the server who this app user is in Freshchat.
  expect(await system.redis.get(redisKeys(system.config.REDIS_KEY_PREFIX).freshchatUser(user.userId))).toBe(
    freshchatUserId,
  );
  expect(row).toMatchObject({
    user_id: user.userId,
    freshchat_user_id: freshchatUserId,
    app_screen: 'QUOTE_SUMMARY',
    cart_value: 96000,
    guest_count: 200,
    event_type: 'CORPORATE',
    friction_score: 15,
    trigger: 'USER_INITIATED',
  });
});

test('the sync workflow ends after the idle timeout; the next change starts a new run', async () => {
  // An API whose context sync idles after 1 s, beside the system's own (same worker: the settings travel with the
  // workflow's start).
  const config = { ...system.config, CONTEXT_SYNC_QUIET_PERIOD: 100, CONTEXT_SYNC_IDLE_TIMEOUT: 1000 };
  const gateway = createContextSyncGateway(system.client, settingsFrom(config));
  try {
    await withApiBeside(
      system,
      config,
      async (baseUrl) => {
        const user = await appUser(newUser(), baseUrl);
        await user.screen('HOME');
        const handle = system.client.workflow.getHandle(contextSyncWorkflowId(user.userId));
        const first = await eventually(async () => {
          const description = await handle.describe();
          expect(description.status.name).toBe('COMPLETED');
          return description.runId;
        });
        expect(await handle.result()).toMatchObject({ userId: user.userId, syncs: 1, pendingChanges: false });
        await user.screen('MENU_BROWSE');
        await eventually(async () =>
          expect(propertiesOf(putsFor(user.userId).at(-1)!).current_screen).toBe('MENU_BROWSE'),
        );
        expect((await system.client.workflow.getHandle(contextSyncWorkflowId(user.userId)).describe()).runId).not.toBe(
          first,
        );
      },
      gateway,
    );
  } finally {
    await gateway.idle();
  }
});

test('a long-lived sync continues as new, carrying what it last sent', async () => {
  const user = await appUser();
  await user.screen('HOME');
  const handle = await system.client.workflow.signalWithStart<typeof contextSyncWorkflow, []>('contextSyncWorkflow', {
    workflowId: `${contextSyncWorkflowId(user.userId)}-short`,
    taskQueue: system.config.TEMPORAL_TASK_QUEUE,
    args: [
      {
        userId: user.userId,
        settings: { quietPeriodMs: 50, maxDelayMs: 200, idleTimeoutMs: 60_000, historyLimit: 25 },
      },
    ],
    signal: contextChangedSignal,
    signalArgs: [],
  });
  const firstRun = (await handle.describe()).runId;
  for (let i = 0; i < 6; i++) {
    await user.screen(`STEP_${i}`);
    await handle.signal(contextChangedSignal);
    await sleep(250);
  }
  await eventually(async () => {
    const state = await handle.query(contextSyncStateQuery);
    expect(state.lastSynced?.properties.current_screen).toBe('STEP_5');
    expect(state.syncs).toBeGreaterThanOrEqual(2); // counted across runs
  });
  expect((await handle.describe()).runId).not.toBe(firstRun);
  await eventually(async () => {
    const runs: string[] = [];
    for await (const w of system.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` }))
      runs.push(w.status.name);
    expect(runs.filter((s) => s === 'CONTINUED_AS_NEW').length).toBeGreaterThanOrEqual(1);
  });
  await handle.terminate('test done');
});

import type { ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { Client } from 'pg';
import { sql } from 'slonik';
import { z } from 'zod';
import { startNodeProcess } from '../../bench/scratch';
import { conversationWorkflowId } from '../../domain/conversation/conversation-event';
import { fixtureFor, uniqueConversationId } from '../support/conversations';
import { drained, eventually } from '../support/eventually';
import { ACTIVITY_RUNS_TABLE, CREATE_ACTIVITY_RUNS } from '../support/recording-worker';
import { hmacSign, HMAC_SECRET } from '../support/signing';
import { startTestSystem, type TestSystem } from '../support/system';

const SPEC_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';
const LANES = 4;

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

const exitOf = (child: ChildProcess) =>
  new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));

/**
 * Waits until `child` answers 200 at `url`; fails as soon as it exits. No deadline of its own: on a busy machine a
 * process starts slowly rather than not at all (the test's timeout bounds a hang).
 */
async function answering(child: ChildProcess, url: string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before answering ${url}`);
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const causeCode = (error: unknown): string => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(error);
};

const post = (baseUrl: string, body: string) =>
  fetch(`${baseUrl}/webhooks/freshchat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-freshchat-signature': hmacSign(body) },
    body,
  });

interface AcceptedEvent {
  conversationId: string;
  eventKey: string;
}

/** The accepted events whose timeline row is not stored yet. */
async function notStored(events: readonly AcceptedEvent[]): Promise<AcceptedEvent[]> {
  const keys = await system.pool.anyFirst(
    sql.type(z.object({ event_key: z.string() }))`
      SELECT t.event_key FROM incidence_timeline t JOIN incidences i ON i.id = t.incidence_id
      WHERE i.conversation_id = ANY(${sql.array(
        events.map((e) => e.conversationId),
        'text',
      )})`,
  );
  const stored = new Set(keys);
  return events.filter((e) => !stored.has(e.eventKey));
}

/** A conversation started (its first event accepted), whose next event's write a test can hold. */
async function conversationToHold(baseUrl: string) {
  const conversationId = uniqueConversationId();
  const res = await post(baseUrl, fixtureFor('simplified-message_create.json', SPEC_ID, conversationId));
  expect(res.status).toBe(200);
  const { event_key: eventKey } = (await res.json()) as { event_key: string };
  const incidenceId = await eventually(
    () =>
      system.pool.oneFirst(sql.type(z.object({ id: z.string() }))`
      SELECT id FROM incidences WHERE conversation_id = ${conversationId}`),
    60_000,
  );
  return { conversationId, incidenceId, first: { conversationId, eventKey } };
}

/**
 * Holds the write of a stored conversation's next event: our transaction locks the incidence row, which every step
 * that stores an event locks or updates, so the worker's step waits on it (seen waiting on a lock in PostgreSQL).
 * `release` ends ours, so the worker's step goes through; `stored` counts the conversation's messages.
 */
async function holdAnEventsWrite(
  baseUrl: string,
  { conversationId, incidenceId }: { conversationId: string; incidenceId: string },
) {
  const db = new Client({ connectionString: system.config.DATABASE_URL });
  await db.connect();
  await db.query('BEGIN');
  await db.query('SELECT id FROM incidences WHERE id = $1 FOR UPDATE', [incidenceId]);
  const reply = fixtureFor('simplified-message_create-agent.json', SPEC_ID, conversationId);
  expect((await post(baseUrl, reply)).status).toBe(200);
  await eventually(async () => {
    const { rows } = await db.query(
      `SELECT query FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(1);
  }, 30_000);
  return {
    release: async () => {
      await db.query('COMMIT');
      await db.end();
    },
    stored: () =>
      system.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
        SELECT count(*)::int AS n FROM incidence_timeline WHERE incidence_id = ${incidenceId} AND event_type = 'MESSAGE'`),
  };
}

const activityRun = z.object({
  pid: z.number(),
  workflow_id: z.string(),
  activity_type: z.string(),
  started_at: z.number(),
  ended_at: z.number().nullable(),
  outcome: z.string().nullable(),
});
/** The activities a process ran, as the recording worker stored them (times in epoch ms, PostgreSQL's clock). */
const activityRunsOf = (pid: number) =>
  system.pool.any(sql.type(activityRun)`
    SELECT pid, workflow_id, activity_type, outcome,
           (extract(epoch FROM started_at) * 1000)::float8 AS started_at,
           (extract(epoch FROM ended_at) * 1000)::float8 AS ended_at
    FROM ${sql.identifier([ACTIVITY_RUNS_TABLE])} WHERE pid = ${pid} ORDER BY id`);
const databaseNow = () =>
  system.pool.oneFirst(sql.type(z.object({ now: z.number() }))`
    SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now`);

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({}, { worker: false });
  const db = new Client({ connectionString: system.config.DATABASE_URL });
  await db.connect();
  await db.query(CREATE_ACTIVITY_RUNS);
  await db.end();
});
const started: ChildProcess[] = [];
afterAll(async () => {
  // A failed run leaves no worker or API behind.
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await system.stop();
});

test('SIGTERM under load: the worker drains (a step in flight finishes in the old process) and exits 0, the API finishes every request it took and exits 0; no accepted webhook is lost and no request is reset', async () => {
  const [apiPort, metricsPort, healthPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    DATABASE_URL: system.config.DATABASE_URL,
    TEMPORAL_ADDRESS: system.config.TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: system.config.TEMPORAL_TASK_QUEUE,
    REDIS_KEY_PREFIX: system.config.REDIS_KEY_PREFIX,
    FRESHCHAT_WEBHOOK_SECRET: HMAC_SECRET,
    ANALYTICS_SCHEDULES_ENABLED: 'false',
    SHUTDOWN_TIMEOUT: '15s',
    LOG_LEVEL: 'error',
  };
  // The real worker, recording which process ran each activity and when it ended.
  const worker = startNodeProcess('test/support/recording-worker.ts', {
    ...env,
    WORKFLOW_BUNDLE_PATH: process.env.TEST_WORKFLOW_BUNDLE!,
    WORKER_METRICS_PORT: String(metricsPort),
    WORKER_HEALTH_PORT: String(healthPort),
  });
  started.push(worker);
  const workerExit = exitOf(worker);
  const api = startNodeProcess('api/server.ts', { ...env, PORT: String(apiPort), API_METRICS_PORT: '0' });
  started.push(api);
  const apiExit = exitOf(api);
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  await answering(api, `${baseUrl}/health`);
  await answering(worker, `http://127.0.0.1:${healthPort}/health`); // polling its task queue
  // Started before the load, so its incidence is not queued behind it.
  const toHold = await conversationToHold(baseUrl);

  const accepted: AcceptedEvent[] = [];
  const refused: string[] = [];
  const failures: string[] = [];
  let apiGone = false;
  let paused: Promise<void> | null = null;
  let resume = () => undefined as void;
  let inFlight = 0;
  const lane = async () => {
    while (!apiGone) {
      while (paused) await paused;
      const conversationId = uniqueConversationId();
      const body = fixtureFor('simplified-message_create.json', SPEC_ID, conversationId);
      inFlight++;
      try {
        const res = await fetch(`${baseUrl}/webhooks/freshchat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-freshchat-signature': hmacSign(body) },
          body,
        });
        const json = (await res.json()) as { event_key?: string };
        if (res.status === 200) accepted.push({ conversationId, eventKey: json.event_key! });
        else failures.push(`status ${res.status}`);
      } catch (error) {
        // A refused connection is a clean "not taken, send elsewhere"; anything else (reset, hang-up) is a failure.
        if (causeCode(error) === 'ECONNREFUSED') {
          refused.push(conversationId);
          apiGone = true;
        } else failures.push(causeCode(error));
      } finally {
        inFlight--;
      }
    }
  };
  /** Stops the lanes; returns once no request of theirs is in flight. */
  const pause = async () => {
    paused = new Promise((r) => (resume = r));
    do await new Promise((r) => setTimeout(r, 20));
    while (inFlight > 0);
  };
  const goOn = () => {
    paused = null;
    resume();
  };
  const until = async (n: number) => {
    while (accepted.length < n && !apiGone) await new Promise((r) => setTimeout(r, 20));
  };
  const load = Promise.all(Array.from({ length: LANES }, lane));

  // The worker's Prometheus endpoint serves the SDK's runtime metrics and the project's counters.
  await until(20);
  // The load pauses while the held event reaches the worker. It would otherwise queue behind every event accepted
  // so far, a backlog as large as the API is faster than the worker on a busy machine (minutes behind a full suite):
  // the worker first stores everything accepted, so the held event is the only one it has to take.
  await pause();
  await eventually(async () => {
    const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
    expect(text).toMatch(/slo_events_applied\{[^}]*event_type="MESSAGE/);
    // Recorded when a workflow task completes, which can be after the first event is applied.
    expect(text).toContain('temporal_workflow_task_execution_latency');
  }, 30_000);

  await drained(() => notStored([toHold.first, ...accepted]));

  // An event's write held in flight: a transaction of ours locks its incidence row, so the worker's step waits on it.
  // SIGTERM comes while it waits, under load; only the old process can finish the write, since no other worker runs
  // until it has exited.
  const held = await holdAnEventsWrite(baseUrl, toHold);
  goOn();
  await until(accepted.length + 10);
  const signalledAt = await databaseNow();
  worker.kill('SIGTERM');
  // Released once the worker has begun its shutdown (its health endpoint no longer says RUNNING), so the held write
  // finishes during the drain, not before it.
  await eventually(async () => {
    const state = await fetch(`http://127.0.0.1:${healthPort}/health`).then(
      async (r) => ((await r.json()) as { state: string }).state,
      () => 'gone',
    );
    expect(state).not.toBe('RUNNING');
  }, 30_000);
  const releasedAt = await databaseNow();
  await held.release();
  expect(await workerExit).toBe(0);
  // The drain, as the old process recorded it: the held step, running when SIGTERM came, ended after the release and
  // completed in that process; and nothing the old process started was left unfinished for a replacement to redo.
  const oldRuns = await activityRunsOf(worker.pid!);
  const heldRuns = oldRuns.filter(
    (r) => r.workflow_id === conversationWorkflowId(toHold.conversationId) && r.started_at < signalledAt,
  );
  expect(heldRuns.filter((r) => r.ended_at === null || r.ended_at > releasedAt)).toEqual([
    expect.objectContaining({ outcome: 'completed', ended_at: expect.any(Number) }),
  ]);
  expect(oldRuns.filter((r) => r.outcome !== 'completed')).toEqual([]);
  expect(await held.stored()).toBe(2); // the first message and the held reply, stored before any replacement runs
  await system.startWorker(); // its replacement

  await until(accepted.length + 40);
  api.kill('SIGTERM');
  expect(await apiExit).toBe(0);
  await load;

  expect(failures).toEqual([]);
  expect(accepted.length).toBeGreaterThanOrEqual(60);
  expect(refused.length).toBeGreaterThanOrEqual(1);
  // Every accepted webhook is stored: the wait fails if the worker stops storing them while some are missing.
  await drained(() => notStored(accepted));
}, 400_000);

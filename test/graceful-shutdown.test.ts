import type { ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { sql } from 'slonik';
import { z } from 'zod';
import { startNodeProcess, waitForHttp } from '../bench/scratch';
import { fixtureFor, uniqueConversationId } from './support/conversations';
import { eventually } from './support/eventually';
import { hmacSign, HMAC_SECRET } from './support/signing';
import { startTestSystem, type TestSystem } from './support/system';

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

const causeCode = (error: unknown): string => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(error);
};

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({}, { worker: false });
});
afterAll(() => system.stop());

test('SIGTERM under load: the worker drains and exits 0, the API finishes every request it took and exits 0; no accepted webhook is lost and no request is reset', async () => {
  const [apiPort, metricsPort] = [await freePort(), await freePort()];
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
  const worker = startNodeProcess('worker.ts', {
    ...env,
    WORKFLOW_BUNDLE_PATH: process.env.TEST_WORKFLOW_BUNDLE!,
    WORKER_METRICS_PORT: String(metricsPort),
  });
  const workerExit = exitOf(worker);
  const api = startNodeProcess('api/server.ts', { ...env, PORT: String(apiPort) });
  const apiExit = exitOf(api);
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  await waitForHttp(`${baseUrl}/health`);

  const accepted: { conversationId: string; eventKey: string }[] = [];
  const refused: string[] = [];
  const failures: string[] = [];
  let apiGone = false;
  const lane = async () => {
    while (!apiGone) {
      const conversationId = uniqueConversationId();
      const body = fixtureFor('simplified-message_create.json', SPEC_ID, conversationId);
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
      }
    }
  };
  const until = async (n: number) => {
    while (accepted.length < n && !apiGone) await new Promise((r) => setTimeout(r, 20));
  };
  const load = Promise.all(Array.from({ length: LANES }, lane));

  // The worker's Prometheus endpoint serves the SDK's runtime metrics and the project's counters.
  await until(20);
  await eventually(async () => {
    const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
    expect(text).toMatch(/slo_events_applied\{[^}]*event_type="MESSAGE/);
    // Recorded when a workflow task completes, which can be after the first event is applied.
    expect(text).toContain('temporal_workflow_task_execution_latency');
  }, 30_000);

  worker.kill('SIGTERM');
  expect(await workerExit).toBe(0);
  await system.startWorker(); // its replacement

  await until(accepted.length + 40);
  api.kill('SIGTERM');
  expect(await apiExit).toBe(0);
  await load;

  expect(failures).toEqual([]);
  expect(accepted.length).toBeGreaterThanOrEqual(60);
  expect(refused.length).toBeGreaterThanOrEqual(1);
  const stored = async () => {
    const keys = await system.pool.anyFirst(
      sql.type(z.object({ event_key: z.string() }))`
        SELECT t.event_key FROM incidence_timeline t JOIN incidences i ON i.id = t.incidence_id
        WHERE i.conversation_id = ANY(${sql.array(
          accepted.map((a) => a.conversationId),
          'text',
        )})`,
    );
    return new Set(keys);
  };
  await eventually(async () => {
    const keys = await stored();
    expect(accepted.filter((a) => !keys.has(a.eventKey))).toEqual([]);
  }, 90_000);
}, 240_000);

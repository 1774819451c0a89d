/**
 * Webhook throughput against the raw Temporal ceiling, in one run on one private dev server:
 *   (a) a Temporal client calling signalWithStart directly, one new conversation per call;
 *   (b) signed webhooks through the real API (a child process) with autocannon, one new conversation per request;
 * then the time from each webhook to its incidence row. The worker runs as its own process throughout.
 *   npm run bench:webhooks -- --conversations 2000 --connections 32 [--profile]
 */
import 'dotenv/config';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { Client, Connection, WorkflowIdReusePolicy } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { conversationWorkflowId } from '../domain/conversation-event';
import { normaliseWebhook } from '../domain/freshchat-payload';
import { loadSettings, type Settings } from '../infra/settings';
import { SIGNAL_BY_KIND } from '../workflows/signals';
import { summariseProfiles } from './profile-summary';
import {
  buildWorkflowBundle,
  freePort,
  ROOT,
  scratchDatabase,
  startNodeProcess,
  stopProcess,
  temporalServer,
  waitForHttp,
} from './scratch';
import { flag, percentile, printCounts, printTable, type BenchRow } from './table';

const template = readFileSync(
  path.join(ROOT, 'test', 'fixtures', 'freshchat', 'simplified-message_create.json'),
  'utf8',
);
const TEMPLATE_ID = '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71';
const bodyFor = (conversationId: string) =>
  JSON.stringify(JSON.parse(template.split(TEMPLATE_ID).join(conversationId)));

async function main(): Promise<void> {
  const conversations = flag('conversations', 2000);
  const concurrency = flag('connections', 32);
  const profile = process.argv.includes('--profile');
  const runId = randomBytes(3).toString('hex');
  const temporal = await temporalServer(process.env.BENCH_TEMPORAL_ADDRESS);
  const db = await scratchDatabase('slo_bench');
  const profileDir = path.join(ROOT, '.run', 'profiles', runId);
  const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const port = await freePort();
  const env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: `bench-${runId}`,
    REDIS_KEY_PREFIX: `slo-bench:${runId}:`,
    FRESHCHAT_WEBHOOK_SECRET: randomBytes(16).toString('hex'),
    LOG_LEVEL: 'error',
    PORT: String(port),
  };
  const worker = startNodeProcess('worker.ts', { ...env, WORKFLOW_BUNDLE_PATH: await buildWorkflowBundle() }, nodeArgs);
  const api = startNodeProcess('api/server.ts', env, nodeArgs);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${baseUrl}/health`);
    const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
    const workerCpuStart = cpuMs(worker.pid!);
    const drainStart = performance.now();
    const ceiling = await signalWithStartCeiling(
      client,
      loadSettings({ ...process.env, ...env }),
      `ceiling-${runId}`,
      conversations,
      concurrency,
    );
    await client.connection.close();
    await rowsWritten(db.url, `ceiling-${runId}-%`, conversations);
    const workerRate = conversations / ((performance.now() - drainStart) / 1000);
    const workerCpuPerConversation = (cpuMs(worker.pid!) - workerCpuStart) / conversations;
    const apiCpuStart = cpuMs(api.pid!);
    const sentAt = new Map<string, number>();
    const through = await webhooksThroughApi(
      baseUrl,
      env.FRESHCHAT_WEBHOOK_SECRET,
      `api-${runId}`,
      conversations,
      concurrency,
      sentAt,
    );
    const apiCpuPerWebhook = (cpuMs(api.pid!) - apiCpuStart) / conversations;
    const toRowUnderLoad = await webhookToRow(
      db.url,
      sentAt,
      `api-${runId}`,
      '(b) webhook → incidence row, under that load',
    );
    const paced = new Map<string, number>();
    await webhooksOneByOne(baseUrl, env.FRESHCHAT_WEBHOOK_SECRET, `paced-${runId}`, flag('paced', 100), db.url, paced);
    const toRowPaced = await webhookToRow(
      db.url,
      paced,
      `paced-${runId}`,
      '(c) webhook → incidence row, one at a time',
    );
    printTable([ceiling, through, toRowUnderLoad, toRowPaced]);
    printCounts({
      'throughput ratio (b)/(a)': through.reqPerSec! / ceiling.reqPerSec!,
      'worker: new conversations → rows per second': workerRate,
      'worker CPU ms per new conversation (all threads)': workerCpuPerConversation,
      'API CPU ms per webhook (all threads)': apiCpuPerWebhook,
      conversations,
      connections: concurrency,
    });
  } finally {
    await stopProcess(api);
    await stopProcess(worker);
    await temporal.stop();
    await db.drop();
  }
  if (profile) summariseProfiles(profileDir);
}

/** (a) The ceiling: what Temporal itself accepts, with the same arguments the API's gateway sends. */
async function signalWithStartCeiling(
  client: Client,
  appSettings: Settings,
  prefix: string,
  n: number,
  concurrency: number,
): Promise<BenchRow> {
  const events = Array.from({ length: n }, (_, i) => {
    const raw = Buffer.from(bodyFor(`${prefix}-${i}`));
    const normalised = normaliseWebhook(JSON.parse(raw.toString()), raw, new Date().toISOString());
    if (normalised.status !== 'event') throw new Error('the template must be an event');
    return normalised.event;
  });
  const settings = appSettings.conversation;
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < events.length) {
        const event = events[next++]!;
        const t0 = performance.now();
        await client.workflow.signalWithStart('conversationWorkflow', {
          workflowId: conversationWorkflowId(event.conversationId),
          taskQueue: appSettings.temporal.taskQueue,
          args: [{ conversationId: event.conversationId, settings }],
          signal: SIGNAL_BY_KIND[event.kind] as never,
          signalArgs: [event],
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { name: '(a) signalWithStart, direct', requests: n, reqPerSec: n / seconds, ...latencyOf(latencies) };
}

/** (b) Signed webhooks through the API, each for a new conversation. */
async function webhooksThroughApi(
  baseUrl: string,
  secret: string,
  prefix: string,
  n: number,
  connections: number,
  sentAt: Map<string, number>,
): Promise<BenchRow> {
  let i = 0;
  const latencies: number[] = [];
  let failures = 0;
  let finish!: (result: autocannon.Result) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => ((finish = resolve), (fail = reject)));
  const instance = autocannon(
    {
      url: baseUrl,
      connections,
      amount: n,
      requests: [
        {
          method: 'POST',
          path: '/webhooks/freshchat',
          setupRequest: (request) => {
            const conversationId = `${prefix}-${i++}`;
            const body = bodyFor(conversationId);
            sentAt.set(conversationId, Date.now());
            const signature = createHmac('sha256', secret).update(body).digest('hex');
            return {
              ...request,
              body,
              headers: { 'content-type': 'application/json', 'x-freshchat-signature': signature },
            };
          },
        },
      ],
    },
    (error, result) => (error ? fail(error) : finish(result)),
  );
  instance.on('response', (_client, status, _bytes, responseTime) => {
    if (status !== 200) failures++;
    latencies.push(responseTime);
  });
  const result = await done;
  if (failures > 0 || result.non2xx > 0) throw new Error(`${failures || result.non2xx} webhooks were not accepted`);
  return {
    name: '(b) signed webhook through the API',
    requests: n,
    reqPerSec: n / (result.duration || 1),
    ...latencyOf(latencies),
  };
}

/** Waits until `n` incidences whose conversation id is LIKE `pattern` exist. */
async function rowsWritten(databaseUrl: string, pattern: string, n: number, pollMs = 250): Promise<void> {
  const db = new PgClient({ connectionString: databaseUrl });
  await db.connect();
  try {
    const deadline = Date.now() + 600_000;
    for (;;) {
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM incidences WHERE conversation_id LIKE $1',
        [pattern],
      );
      if (rows[0]!.n >= n) return;
      if (Date.now() > deadline) throw new Error(`only ${rows[0]!.n} of ${n} incidences arrived`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    await db.end();
  }
}

/** (c) One webhook at a time, each waiting for its row: the latency without any queue. */
async function webhooksOneByOne(
  baseUrl: string,
  secret: string,
  prefix: string,
  n: number,
  databaseUrl: string,
  sentAt: Map<string, number>,
): Promise<void> {
  for (let i = 0; i < n; i++) {
    const conversationId = `${prefix}-${i}`;
    const body = bodyFor(conversationId);
    const signature = createHmac('sha256', secret).update(body).digest('hex');
    sentAt.set(conversationId, Date.now());
    const response = await fetch(`${baseUrl}/webhooks/freshchat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-freshchat-signature': signature },
      body,
    });
    if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
    await rowsWritten(databaseUrl, conversationId, 1, 2);
  }
}

/** Webhook sent → incidence row written (its transaction's start time), once every `prefix` row is there. */
async function webhookToRow(
  databaseUrl: string,
  sentAt: Map<string, number>,
  prefix: string,
  name: string,
): Promise<BenchRow> {
  const ids = [...sentAt.keys()];
  await rowsWritten(databaseUrl, `${prefix}-%`, ids.length);
  const db = new PgClient({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ conversation_id: string; written: string }>(
      'SELECT conversation_id, (extract(epoch FROM updated_at) * 1000)::float8 AS written FROM incidences WHERE conversation_id = ANY($1)',
      [ids],
    );
    const delays = rows.map((r) => Number(r.written) - sentAt.get(r.conversation_id)!);
    return { name, requests: delays.length, ...latencyOf(delays) };
  } finally {
    await db.end();
  }
}

/** CPU time (user + system, every thread) a process has used so far: robust to other load on the machine. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100) ticks
}

const latencyOf = (ms: number[]) => ({ p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99) });

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

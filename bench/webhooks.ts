/**
 * The worker's cost per conversation and the API's throughput, in one run on one private dev server, with the
 * worker and the API as their own processes:
 *   (a) a Temporal client calling signalWithStart directly (the API's arguments), one new conversation per call:
 *       Temporal's ceiling, and the worker's CPU, activations and sandbox entries per conversation and drain rate;
 *   (m) the same for a minimal workflow (one signal, one local activity inserting one row, then waiting) on the same
 *       worker: the ceiling for any workflow here. (a) and (m) alternate for --rounds rounds; medians are reported;
 *   (e) one later message for each (a) conversation: cost per later event;
 *   (b) signed webhooks through the API with autocannon, as fast as it answers, one new conversation each;
 *   (s) a sustained --rate webhooks/s for --seconds, and the time from each webhook to its incidence row;
 *   (c) one webhook at a time, each waiting for its row.
 *   npm run bench:webhooks -- [--conversations 1000] [--rounds 3] [--connections 32] [--rate 100] [--seconds 30]
 *     [--paced 50] [--cache N] [--profile] [--tracing] [--json]
 * With --tracing both processes export OpenTelemetry spans to a stand-in OTLP collector (bench/otlp-sink.ts) and the
 * worker's bundle carries the workflow tracing module. With --json the last line printed is one JSON object of the
 * headline figures.
 */
import 'dotenv/config';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import { Client, Connection, WorkflowIdReusePolicy } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { conversationWorkflowId } from '../domain/conversation-event';
import { loadSettings, type Settings } from '../infra/settings';
import { messageSignal, SIGNAL_BY_KIND } from '../workflows/signals';
import { MINIMAL_TABLE_DDL } from './minimal/minimal-activities';
import { minimalSignal } from './minimal/minimal-workflow';
import { summariseProfiles } from './profile-summary';
import { startOtlpSink } from './otlp-sink';
import { WORKFLOW_TRACING_MODULE } from '../infra/tracing';
import { buildWorkflowBundle, freePort, ROOT, scratchDatabase, startNodeProcess, stopProcess } from './scratch';
import { temporalServer, waitForHttp } from './scratch';
import { flag, percentile, printCounts, printTable, type BenchRow } from './table';
import { COUNT_INCIDENCES, COUNT_MINIMAL, COUNT_TIMELINE, eventFor, inParallel, latencyOf } from './webhook-load';
import { rowsWritten, webhooksOneByOne, webhooksThroughApi, webhookToRow } from './webhook-load';
import { cpuMs, historyShape, perItem, rssMb, settledCounters, type WorkerProbe } from './worker-counters';

/** Worker settings a run may take from the environment (the rest are the benchmark's). */
const WORKER_SETTINGS = [
  'WORKER_MAX_WORKFLOW_TASKS',
  'WORKER_WORKFLOW_POLLERS',
  'WORKFLOW_DEADLOCK_GUARD',
  'WORKFLOW_STACK_TRACES',
];

type Cost = ReturnType<typeof perItem> & { drainPerS: number };

async function main(): Promise<void> {
  const n = flag('conversations', 1000);
  const rounds = flag('rounds', 3);
  const connections = flag('connections', 32);
  const rate = flag('rate', 100);
  const seconds = flag('seconds', 30);
  const paced = flag('paced', 50);
  const profile = process.argv.includes('--profile');
  const otlp = process.argv.includes('--tracing') ? await startOtlpSink() : undefined;
  const runId = randomBytes(3).toString('hex');
  const loadBefore = loadavg()[0]!;
  const temporal = await temporalServer(process.env.BENCH_TEMPORAL_ADDRESS);
  const db = await scratchDatabase('slo_bench');
  await onDatabase(db.url, MINIMAL_TABLE_DDL);
  const profileDir = path.join(ROOT, '.run', 'profiles', runId);
  const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const port = await freePort();
  const metricsPort = await freePort();
  const sandboxFile = path.join(ROOT, '.run', 'bench', `sandbox-entries-${runId}.json`);
  // Every workflow the run opens stays open (waiting for silence): a cache that holds them all means no eviction and
  // no replay, as in production with a cache sized to the open conversations (docs/worker-performance.md).
  const opened = n * rounds * 2 + n + rate * seconds + paced;
  const env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: `bench-${runId}`,
    REDIS_KEY_PREFIX: `slo-bench:${runId}:`,
    FRESHCHAT_WEBHOOK_SECRET: randomBytes(16).toString('hex'),
    LOG_LEVEL: 'error',
    PORT: String(port),
    ...(otlp && { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint }),
  };
  const workerEnv = {
    ...env,
    WORKFLOW_BUNDLE_PATH: await buildWorkflowBundle(
      path.join(ROOT, 'bench', 'minimal', 'workflows.ts'),
      otlp ? [WORKFLOW_TRACING_MODULE] : [],
    ),
    WORKER_METRICS_PORT: String(metricsPort),
    WORKER_MAX_CACHED_WORKFLOWS: String(flag('cache', opened + 100)),
    SANDBOX_ENTRIES_FILE: sandboxFile,
    ...pick(process.env, WORKER_SETTINGS),
  };
  const preload = ['--require', path.join(ROOT, 'bench', 'sandbox-entries.js')];
  const worker = startNodeProcess('bench/minimal/worker.ts', workerEnv, [...nodeArgs, ...preload]);
  const api = startNodeProcess('api/server.ts', env, nodeArgs);
  const probe: WorkerProbe = { pid: worker.pid!, sandboxFile, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
  const baseUrl = `http://127.0.0.1:${port}`;
  const settings = loadSettings({ ...process.env, ...env });
  let headline: Record<string, unknown> | undefined;
  try {
    await waitForHttp(`${baseUrl}/health`);
    const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
    const start = { client, settings, db: db.url, probe, n, connections };
    const conversation: Cost[] = [];
    const minimal: Cost[] = [];
    const ceilings: BenchRow[] = [];
    for (let r = 0; r < rounds; r++) {
      const pair = [() => startConversations(start, `a${r}-${runId}`), () => startMinimal(start, `m${r}-${runId}`)];
      for (const phase of r % 2 === 0 ? pair : pair.reverse()) {
        const { cost, ceiling } = await phase();
        console.error(JSON.stringify({ round: r, phase: ceiling ? '(a)' : '(m)', ...cost }));
        (ceiling ? conversation : minimal).push(cost);
        if (ceiling) ceilings.push(ceiling);
      }
    }
    const sample = Array.from({ length: 5 }, (_, i) => conversationWorkflowId(`a0-${runId}-${i}`));
    const history = await historyShape(client, sample);
    const later = await laterEvents(start, `a0-${runId}`);
    await client.connection.close();

    const load = { baseUrl, secret: env.FRESHCHAT_WEBHOOK_SECRET, connections };
    const apiCpuStart = cpuMs(api.pid!);
    const burst = new Map<string, number>();
    const through = await webhooksThroughApi(
      { ...load, prefix: `b-${runId}`, amount: n },
      '(b) signed webhook through the API',
      burst,
    );
    const apiCpuPerWebhook = (cpuMs(api.pid!) - apiCpuStart) / n;
    const burstToRow = await webhookToRow(
      db.url,
      burst,
      `b-${runId}`,
      '(b) webhook → incidence row, under that load',
      through.requests,
    );
    const steady = new Map<string, number>();
    const sustained = await webhooksThroughApi(
      { ...load, prefix: `s-${runId}`, rate, seconds },
      `(s) ${rate} webhooks/s for ${seconds} s`,
      steady,
    );
    const sustainedToRow = await webhookToRow(
      db.url,
      steady,
      `s-${runId}`,
      '(s) webhook → incidence row',
      sustained.requests,
    );
    const oneByOne = new Map<string, number>();
    await webhooksOneByOne({ ...load, prefix: `c-${runId}` }, paced, db.url, oneByOne);
    const pacedToRow = await webhookToRow(db.url, oneByOne, `c-${runId}`, '(c) webhook → incidence row, one at a time');

    const median = (costs: Cost[], key: keyof Cost) =>
      percentile(
        costs.map((c) => c[key]),
        50,
      );
    const ceiling = percentile(
      ceilings.map((c) => c.reqPerSec!),
      50,
    );
    const summary = {
      ceiling_rps: ceiling,
      api_rps: through.reqPerSec!,
      ratio: through.reqPerSec! / ceiling,
      worker_cpu_ms_per_conversation: median(conversation, 'cpuMs'),
      drain_per_s: median(conversation, 'drainPerS'),
      minimal_cpu_ms_per_conversation: median(minimal, 'cpuMs'),
      minimal_drain_per_s: median(minimal, 'drainPerS'),
      cpu_ratio_to_minimal: percentile(
        conversation.map((c, i) => minimal[i]!.cpuMs / c.cpuMs),
        50,
      ),
      drain_ratio_to_minimal: percentile(
        conversation.map((c, i) => c.drainPerS / minimal[i]!.drainPerS),
        50,
      ),
      row_p50_ms: sustainedToRow.p50,
      row_p95_ms: sustainedToRow.p95,
      row_rate_per_s: sustained.reqPerSec!,
      row_seconds: seconds,
      activations_per_conversation: median(conversation, 'activations'),
      sandbox_entries_per_conversation: median(conversation, 'sandboxEntries'),
      workflow_tasks_per_conversation: median(conversation, 'workflowTasks'),
      minimal_activations_per_conversation: median(minimal, 'activations'),
      minimal_sandbox_entries_per_conversation: median(minimal, 'sandboxEntries'),
      activations_per_later_event: later.activations,
      sandbox_entries_per_later_event: later.sandboxEntries,
      worker_cpu_ms_per_later_event: later.cpuMs,
      history_events_per_conversation: history.events,
      history_markers_per_conversation: history.markers,
      api_cpu_ms_per_webhook: apiCpuPerWebhook,
      evictions_per_conversation: median(conversation, 'evictions'),
      replays_per_conversation: median(conversation, 'replays'),
      worker_rss_mb: rssMb(worker.pid!),
      tracing: Boolean(otlp),
      otlp_exports: otlp?.received.requests ?? 0,
      otlp_kb: (otlp?.received.bytes ?? 0) / 1024,
      conversations_per_phase: n,
      rounds,
      load_average_before: loadBefore,
      load_average_after: loadavg()[0]!,
      worker_settings: Object.entries(pick(process.env, WORKER_SETTINGS))
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
      commit: gitCommit(),
    };
    printTable([...ceilings, through, burstToRow, sustained, sustainedToRow, pacedToRow]);
    console.table([
      ...conversation.map((c) => ({ phase: '(a)', ...c })),
      ...minimal.map((c) => ({ phase: '(m)', ...c })),
    ]);
    printCounts(summary);
    headline = rounded(summary);
  } finally {
    await stopProcess(api);
    await stopProcess(worker);
    await temporal.stop();
    await db.drop();
    await otlp?.stop();
  }
  if (profile) summariseProfiles(profileDir);
  if (headline && process.argv.includes('--json')) console.log(JSON.stringify(headline)); // the last line
}

interface Start {
  client: Client;
  settings: Settings;
  db: string;
  probe: WorkerProbe;
  n: number;
  connections: number;
}

/** (a) n new conversations through signalWithStart, with the API's arguments; until every incidence row is there. */
async function startConversations(s: Start, prefix: string) {
  const events = Array.from({ length: s.n }, (_, i) => eventFor(`${prefix}-${i}`));
  const before = await settledCounters(s.probe);
  const sent = await inParallel(events, s.connections, (event) =>
    s.client.workflow.signalWithStart('conversationWorkflow', {
      workflowId: conversationWorkflowId(event.conversationId),
      taskQueue: s.settings.temporal.taskQueue,
      args: [{ conversationId: event.conversationId, settings: s.settings.conversation }],
      signal: SIGNAL_BY_KIND[event.kind] as never,
      signalArgs: [event],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    }),
  );
  const cost = await drained(s, before, sent.seconds, COUNT_INCIDENCES, `${prefix}-%`, s.n);
  const ceiling: BenchRow = {
    name: '(a) signalWithStart, direct',
    requests: s.n,
    reqPerSec: s.n / sent.seconds,
    ...latencyOf(sent.latencies),
  };
  return { cost, ceiling };
}

/** (m) n minimal workflows, started the same way; until every row is there. */
async function startMinimal(s: Start, prefix: string) {
  const ids = Array.from({ length: s.n }, (_, i) => `${prefix}-${i}`);
  const before = await settledCounters(s.probe);
  const sent = await inParallel(ids, s.connections, (id) =>
    s.client.workflow.signalWithStart('minimalWorkflow', {
      workflowId: `minimal-${id}`,
      taskQueue: s.settings.temporal.taskQueue,
      args: [{ silenceTimeoutMs: s.settings.conversation.silenceTimeoutMs }],
      signal: minimalSignal,
      signalArgs: [id],
    }),
  );
  return { cost: await drained(s, before, sent.seconds, COUNT_MINIMAL, `${prefix}-%`, s.n), ceiling: undefined };
}

/** Drain rate from the first send to the last row; the worker's counters once it is idle again. */
async function drained(s: Start, before: Awaited<ReturnType<typeof settledCounters>>, ...wait: DrainArgs) {
  const [sendSeconds, count, pattern, n] = wait;
  const t0 = performance.now() - sendSeconds * 1000;
  await rowsWritten(s.db, count, pattern, n);
  const drainPerS = n / ((performance.now() - t0) / 1000);
  return { ...perItem(before, await settledCounters(s.probe), n), drainPerS };
}
type DrainArgs = [sendSeconds: number, count: string, pattern: string, n: number];

/** (e) One more message for each conversation of a round: the cost of a later event. */
async function laterEvents(s: Start, prefix: string) {
  const ids = Array.from({ length: s.n }, (_, i) => `${prefix}-${i}`);
  const before = await settledCounters(s.probe);
  await inParallel(ids, s.connections, (id) =>
    s.client.workflow
      .getHandle(conversationWorkflowId(id))
      .signal(messageSignal, eventFor(id, 'And could the dessert be sugar-free?') as never),
  );
  await rowsWritten(s.db, COUNT_TIMELINE, `${prefix}-%`, 2 * s.n);
  return perItem(before, await settledCounters(s.probe), s.n);
}

async function onDatabase(url: string, statement: string): Promise<void> {
  const client = new PgClient({ connectionString: url });
  await client.connect();
  await client.query(statement).finally(() => client.end());
}

const pick = (env: NodeJS.ProcessEnv, names: string[]) =>
  Object.fromEntries(names.filter((k) => env[k]).map((k) => [k, env[k]!]));

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const rounded = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 100) / 100 : v]));

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

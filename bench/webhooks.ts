/**
 * The worker's cost per conversation and the API's throughput, in one run on one private dev server, with the
 * worker and the API as their own processes:
 *   (a) a Temporal client calling signalWithStart directly through the API's gateway (its arguments, summary and
 *       payload codec), one new conversation per call:
 *       Temporal's ceiling, and the worker's CPU, activations and sandbox entries per conversation and drain rate;
 *   (m) the same for a minimal workflow (one signal, one local activity inserting one row, then waiting) on a worker
 *       process of its own (this checkout's worker, its own task queue and database): the ceiling for any workflow
 *       here, its phases' figures untouched by the conversations (a) left open and cached, and (a)'s by its own;
 *   (b) N signed webhooks through the API with autocannon, as fast as it answers, one new conversation each: ingest
 *       (req/s, and its ratio to (a) in the same round) and the API's CPU per webhook, after a warm-up burst.
 *   (a0) with --base-worker DIR: (a) on the worker of another checkout (DIR, a worktree of another commit with its
 *       node_modules), its own task queue and database, beside this one: the same figures, measured the same way;
 *   (a), (m), (a0) and (b) alternate for --rounds rounds, each round starting with another, each phase once the
 *       machine is quiet; medians are reported;
 *   (e) one later message for each (a) conversation: cost per later event;
 *   (s) a sustained --rate webhooks/s for --seconds, and the time from each webhook to its incidence row;
 *   (c) one webhook at a time, each waiting for its row.
 *   npm run bench:webhooks -- [--conversations 1000] [--rounds 3] [--connections 32] [--rate 100] [--seconds 30]
 *     [--paced 50] [--cache N] [--heap MB] [--drain-wait S] [--skip b,c,e,s] [--sla quiet|product] [--profile]
 *     [--tracing] [--base-worker DIR] [--policies template|mix] [--warm-up 200] [--json]
 * Every phase reports the worker's RSS growth per workflow it opened (each stays open, cached: what one holds).
 * --rate takes a list (`--rate 25,50`): one (s) phase per rate, each of --seconds, in order. During (s) the worker's
 * CPU, RSS and the backlog (accepted webhooks without their row) are sampled every 10 s; after it, the run waits at
 * most --drain-wait seconds for the rows (default 900) and reports what is still missing.
 * --sla quiet (the default) runs the product's SLA policies with every threshold at one day: each event still takes
 * its SLA step (policy, targets, response clocks), but no breach falls due inside the run, where it would land in a
 * later phase's figures. --sla product uses the product's policy file (unanswered conversations breach after 2 min,
 * with an escalation workflow each).
 * --policies template (the default) sends every conversation the fixture's cart, a high-value wedding under the
 * calendar-hours policy; --policies mix gives a third each the product's policies, two of them in business hours.
 * With --tracing both processes export OpenTelemetry spans to a stand-in OTLP collector (bench/otlp-sink.ts) and the
 * worker's bundle carries the workflow tracing module. With --json the last line printed is one JSON object of the
 * headline figures.
 */
import 'dotenv/config';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createConversationGateway } from '../gateways/conversation-gateway';
import { payloadDataConverter } from '../infra/payload-codec';
import { Client as PgClient } from 'pg';
import { conversationWorkflowId } from '../domain/conversation/conversation-event';
import { loadSettings, type Settings } from '../infra/settings';
import type { ConversationSettings } from '../domain/conversation/conversation-state';
import { messageSignal } from '../workflows/signals';
import { MINIMAL_TABLE_DDL } from './minimal/minimal-activities';
import { minimalSignal } from './minimal/minimal-workflow';
import { summariseProfiles } from './profile-summary';
import { benchSlaPolicies } from './quiet-sla-policies';
import { startOtlpSink } from './otlp-sink';
import { WORKFLOW_TRACING_MODULE } from '../infra/tracing';
import { buildWorkflowBundle, freePort, ROOT, scratchDatabase, startNodeProcess, stopProcess } from './scratch';
import { temporalServer, waitForHttp } from './scratch';
import { flag, percentile, printCounts, printTable, type BenchRow } from './table';
import { COUNT_MINIMAL, COUNT_TIMELINE, eventFor, inParallel, latencyOf, mixPolicies } from './webhook-load';
import { rowCount, rowsWritten, webhooksOneByOne, webhooksThroughApi, webhookToRow } from './webhook-load';
import {
  cpuMs,
  historyShape,
  perItem,
  quietMachine,
  readCounters,
  rssMb,
  settledCounters,
  type WorkerProbe,
} from './worker-counters';

/** Worker settings a run may take from the environment (the rest are the benchmark's). */
const WORKER_SETTINGS = [
  'WORKER_MAX_WORKFLOW_TASKS',
  'WORKER_WORKFLOW_POLLERS',
  'WORKFLOW_DEADLOCK_GUARD',
  'WORKFLOW_STACK_TRACES',
];

type Cost = ReturnType<typeof perItem> & { drainPerS: number };
/** A phase of a round: (a) our workflow, (m) the minimal one, (b) webhooks through the API. */
type Phase = [name: string, run: () => Promise<{ cost: Cost; ceiling?: BenchRow; apiCpuMs?: number }>];
/** Webhooks sent through the API before the rounds, not counted. */
const WARM_UP = 200;
/**
 * Workflows each worker runs before the rounds, not counted (--warm-up): they compile its code and open its
 * connections, and stay open, so a larger warm-up also measures a worker that holds more open workflows.
 */
const WORKER_WARM_UP = 200;

/** One round's ingest: (b) through the API against (a) signalWithStart direct, and the API's CPU per webhook. */
interface Ingest {
  round: number;
  ceiling_rps: number;
  api_rps: number;
  ratio: number;
  api_cpu_ms_per_webhook: number;
}

function ingestOf(round: number, direct: BenchRow, through: BenchRow, apiCpuMs: number): Ingest {
  return {
    round,
    ceiling_rps: round2(direct.reqPerSec!),
    api_rps: round2(through.reqPerSec!),
    ratio: round2(through.reqPerSec! / direct.reqPerSec!),
    api_cpu_ms_per_webhook: round2(apiCpuMs),
  };
}

async function main(): Promise<void> {
  const n = flag('conversations', 1000);
  const rounds = flag('rounds', 3);
  const connections = flag('connections', 32);
  const rates = listFlag('rate', [100]);
  const rate = rates[0]!;
  const skip = new Set(listFlag('skip', [], String));
  const drainWaitMs = flag('drain-wait', 900) * 1000;
  const seconds = flag('seconds', 30);
  const paced = flag('paced', 50);
  const profile = process.argv.includes('--profile');
  const otlp = process.argv.includes('--tracing') ? await startOtlpSink() : undefined;
  const runId = randomBytes(3).toString('hex');
  const loadBefore = loadavg()[0]!;
  const temporal = await temporalServer(process.env.BENCH_TEMPORAL_ADDRESS);
  const db = await scratchDatabase('slo_bench');
  const profileDir = path.join(ROOT, '.run', 'profiles', runId);
  const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const slaPolicyFile = benchSlaPolicies(runId, listFlag('sla', ['quiet'], String)[0]!);
  const policies = listFlag('policies', ['template'], String)[0]!;
  if (!['template', 'mix'].includes(policies)) throw new Error('--policies takes template or mix');
  mixPolicies(policies === 'mix');
  const port = await freePort();
  const metricsPort = await freePort();
  const sandboxFile = path.join(ROOT, '.run', 'bench', `sandbox-entries-${runId}.json`);
  // Every workflow the run opens stays open (waiting for silence): a cache that holds them all means no eviction and
  // no replay, as in production with a cache sized to the open conversations (docs/worker-performance.md).
  const baseDir = listFlag<string>('base-worker', [], String)[0];
  const phasesPerRound = 2 + (skip.has('b') ? 0 : 1);
  const workerWarmUp = flag('warm-up', WORKER_WARM_UP);
  const opened =
    n * rounds * phasesPerRound + WARM_UP + workerWarmUp * 3 + n + rates.reduce((a, r) => a + r, 0) * seconds + paced;
  const heap = flag('heap', 0);
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
    GC_REQUEST_FILE: `${sandboxFile}.gc`,
    ...(slaPolicyFile && { SLA_POLICY_FILE: slaPolicyFile }),
    ...pick(process.env, WORKER_SETTINGS),
  };
  const preload = ['--expose-gc', '--require', path.join(ROOT, 'bench', 'sandbox-entries.js')];
  if (heap > 0) preload.push(`--max-old-space-size=${heap}`);
  const worker = startNodeProcess('bench/minimal/worker.ts', workerEnv, [...nodeArgs, ...preload]);
  const api = startNodeProcess('api/server.ts', { ...env, API_METRICS_PORT: '0' }, nodeArgs);
  const sideArgs = [...nodeArgs, ...preload];
  const base = baseDir ? await startSideWorker({ name: 'base', dir: baseDir }, runId, workerEnv, sideArgs) : undefined;
  const minimalSide = { name: 'minimal', dir: ROOT, bundle: workerEnv.WORKFLOW_BUNDLE_PATH, ddl: MINIMAL_TABLE_DDL };
  const minimalWorker = await startSideWorker(minimalSide, runId, workerEnv, sideArgs);
  const probe: WorkerProbe = {
    pid: worker.pid!,
    sandboxFile,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    gcFile: workerEnv.GC_REQUEST_FILE,
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const settings = loadSettings({ ...process.env, ...env });
  let headline: Record<string, unknown> | undefined;
  try {
    await waitForHttp(`${baseUrl}/health`);
    const client = new Client({
      connection: await Connection.connect({ address: temporal.address }),
      dataConverter: payloadDataConverter(settings.temporal.payloadKeys),
    });
    const start = { client, settings, db: db.url, probe, n, connections };
    await minimalWorker.ready();
    if (base) await base.ready();
    const load = { baseUrl, secret: env.FRESHCHAT_WEBHOOK_SECRET, connections };
    const api_: ApiStart = { ...start, load, apiPid: api.pid!, sentAt: new Map(), rows: new Map() };
    const conversation: Cost[] = [];
    const minimal: Cost[] = [];
    const throughApi: Cost[] = [];
    const baseline: Cost[] = [];
    const ceilings: BenchRow[] = [];
    const ingest: Ingest[] = [];
    // The API's first requests compile its code and open its connections: a long-lived API has paid that already.
    if (!skip.has('b')) await webhooksIntoApi(api_, `w-${runId}`, WARM_UP, '(b) warm-up, not counted');
    // So has a long-lived worker: the first phase of the run would pay the JIT and the pool's connections alone.
    const warm = { ...start, n: workerWarmUp };
    await startConversations(warm, `wa-${runId}`);
    await startMinimal(minimalWorker.start(warm), `wm-${runId}`);
    if (base) await startConversations(base.start(warm), `wb-${runId}`);
    for (let r = 0; r < rounds; r++) {
      const phases: Phase[] = [
        ['(a)', () => startConversations(start, `a${r}-${runId}`)],
        ['(m)', () => startMinimal(minimalWorker.start(start), `m${r}-${runId}`)],
      ];
      if (base) phases.push(['(a0)', () => startConversations(base.start(start), `base${r}-${runId}`)]);
      if (!skip.has('b'))
        phases.push(['(b)', () => webhooksIntoApi(api_, `b${r}-${runId}`, n, `(b) through the API, round ${r}`)]);
      // Each round starts with another phase, so drift from other load on the machine hits every phase alike.
      const round: Partial<Record<string, { cost: Cost; ceiling?: BenchRow; apiCpuMs?: number }>> = {};
      for (const [name, phase] of [...phases.slice(r % phases.length), ...phases.slice(0, r % phases.length)]) {
        await quietMachine();
        const result = await phase();
        round[name] = result;
        console.error(JSON.stringify({ round: r, phase: name, ...result.cost }));
        ({ '(a)': conversation, '(m)': minimal, '(a0)': baseline, '(b)': throughApi })[name]!.push(result.cost);
        if (result.ceiling && name === '(a)') ceilings.push(result.ceiling);
      }
      const [a, b] = [round['(a)']!, round['(b)']];
      if (b) {
        const figures = ingestOf(r, a.ceiling!, b.ceiling!, b.apiCpuMs!);
        console.error(JSON.stringify(figures));
        ingest.push(figures);
      }
    }
    const sample = Array.from({ length: 5 }, (_, i) => conversationWorkflowId(`a0-${runId}-${i}`));
    const history = await historyShape(client, sample);
    const later = skip.has('e') ? undefined : await laterEvents(start, `a0-${runId}`);
    await client.connection.close();

    const burstToRow = skip.has('b')
      ? undefined
      : await webhookToRow(
          db.url,
          api_.sentAt.get(`b0-${runId}`)!,
          `b0-${runId}`,
          '(b) webhook → incidence row, round 0',
        );
    const sustainedRuns: Sustained[] = [];
    for (const [i, r] of skip.has('s') ? [] : rates.entries()) {
      const run = await sustainedPhase(
        { load, probe, db: db.url, prefix: `s${i}-${runId}`, rate: r, seconds },
        drainWaitMs,
      );
      console.error(JSON.stringify({ phase: '(s)', ...run }));
      sustainedRuns.push(run);
    }
    const sustained = sustainedRuns[0];
    const oneByOne = new Map<string, number>();
    if (!skip.has('c')) await webhooksOneByOne({ ...load, prefix: `c-${runId}` }, paced, db.url, oneByOne);
    const pacedToRow = skip.has('c')
      ? undefined
      : await webhookToRow(db.url, oneByOne, `c-${runId}`, '(c) webhook → incidence row, one at a time');

    const median = (costs: Cost[], key: Exclude<keyof Cost, 'threadsMs'>) =>
      percentile(
        costs.map((c) => c[key]),
        50,
      );
    const ingestMedian = (key: keyof Ingest) =>
      percentile(
        ingest.map((x) => x[key]),
        50,
      );
    const summary = {
      // Ingest: medians over the rounds; ratio and CPU are taken within each round (per round in `ingest_rounds`).
      ceiling_rps: percentile(
        ceilings.map((c) => c.reqPerSec!),
        50,
      ),
      api_rps: ingestMedian('api_rps'),
      ratio: ingestMedian('ratio'),
      api_cpu_ms_per_webhook: ingestMedian('api_cpu_ms_per_webhook'),
      api_warm_up_webhooks: skip.has('b') ? 0 : WARM_UP,
      worker_warm_up_workflows: workerWarmUp,
      api_worker_cpu_ms_per_conversation: median(throughApi, 'cpuMs'),
      worker_cpu_ms_per_conversation: median(conversation, 'cpuMs'),
      drain_per_s: median(conversation, 'drainPerS'),
      minimal_cpu_ms_per_conversation: median(minimal, 'cpuMs'),
      database_cpu_ms_per_conversation: median(conversation, 'databaseCpuMs'),
      minimal_database_cpu_ms_per_conversation: median(minimal, 'databaseCpuMs'),
      server_cpu_ms_per_conversation: median(conversation, 'serverCpuMs'),
      minimal_server_cpu_ms_per_conversation: median(minimal, 'serverCpuMs'),
      minimal_drain_per_s: median(minimal, 'drainPerS'),
      cpu_ratio_to_minimal: percentile(
        conversation.map((c, i) => minimal[i]!.cpuMs / c.cpuMs),
        50,
      ),
      drain_ratio_to_minimal: percentile(
        conversation.map((c, i) => c.drainPerS / minimal[i]!.drainPerS),
        50,
      ),
      // What each open (cached) workflow holds: the worker's RSS growth over a phase, per workflow it opened.
      worker_rss_kb_per_open_conversation: median(conversation, 'rssKb'),
      minimal_worker_rss_kb_per_open_workflow: median(minimal, 'rssKb'),
      ...(base && {
        base_worker: baseDir,
        base_worker_cpu_ms_per_conversation: median(baseline, 'cpuMs'),
        base_drain_per_s: median(baseline, 'drainPerS'),
        base_activations_per_conversation: median(baseline, 'activations'),
        base_worker_rss_kb_per_open_conversation: median(baseline, 'rssKb'),
        // Ours ÷ the base worker's, within each round.
        cpu_ratio_to_base: percentile(
          conversation.map((c, i) => c.cpuMs / baseline[i]!.cpuMs),
          50,
        ),
        rss_ratio_to_base: percentile(
          conversation.map((c, i) => c.rssKb / baseline[i]!.rssKb),
          50,
        ),
      }),
      row_p50_ms: sustained?.toRow.p50 ?? NaN,
      row_p95_ms: sustained?.toRow.p95 ?? NaN,
      row_p99_ms: sustained?.toRow.p99 ?? NaN,
      row_rate_per_s: sustained?.accepted.reqPerSec ?? NaN,
      row_offered_per_s: rate,
      row_seconds: seconds,
      row_backlog_at_end_of_load: sustained?.backlogAtEnd ?? NaN,
      row_backlog_after_wait: sustained?.toRow.backlog ?? NaN,
      sustained_drain_per_s: sustained?.drainPerS ?? NaN,
      sustained_worker_cpu_ms_per_conversation: sustained?.cpuMsPerConversation ?? NaN,
      sustained_evictions_per_conversation: sustained?.evictionsPerConversation ?? NaN,
      sustained_replays_per_conversation: sustained?.replaysPerConversation ?? NaN,
      sustained_activations_per_conversation: sustained?.activationsPerConversation ?? NaN,
      worker_rss_mb_max: sustained?.rssMaxMb ?? NaN,
      worker_cache: Number(workerEnv.WORKER_MAX_CACHED_WORKFLOWS),
      worker_heap_mb: heap || 'default',
      sla_policies: slaPolicyFile ? 'quiet' : 'product',
      policies,
      activations_per_conversation: median(conversation, 'activations'),
      sandbox_entries_per_conversation: median(conversation, 'sandboxEntries'),
      workflow_tasks_per_conversation: median(conversation, 'workflowTasks'),
      minimal_activations_per_conversation: median(minimal, 'activations'),
      minimal_sandbox_entries_per_conversation: median(minimal, 'sandboxEntries'),
      activations_per_later_event: later?.activations ?? NaN,
      sandbox_entries_per_later_event: later?.sandboxEntries ?? NaN,
      worker_cpu_ms_per_later_event: later?.cpuMs ?? NaN,
      history_events_per_conversation: history.events,
      history_markers_per_conversation: history.markers,
      evictions_per_conversation: median(conversation, 'evictions'),
      replays_per_conversation: median(conversation, 'replays'),
      worker_rss_mb: rssMb(worker.pid!),
      ingest_rounds: ingest,
      sustained: sustainedRuns.map((run) => ({
        rate: run.rate,
        accepted_per_s: round2(run.accepted.reqPerSec!),
        row_p50_ms: Math.round(run.toRow.p50),
        row_p95_ms: Math.round(run.toRow.p95),
        row_p99_ms: Math.round(run.toRow.p99),
        backlog_at_end: run.backlogAtEnd,
        backlog_after_wait: run.toRow.backlog,
        drain_per_s: round2(run.drainPerS),
        cpu_ms_per_conversation: round2(run.cpuMsPerConversation),
        samples: run.samples,
      })),
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
    const throughApiRows = [...api_.rows.values()];
    printTable(
      [
        ...ceilings,
        ...throughApiRows,
        burstToRow,
        ...sustainedRuns.flatMap((run) => [run.accepted, run.toRow]),
        pacedToRow,
      ].filter((row): row is BenchRow => row !== undefined),
    );
    for (const run of sustainedRuns) console.table(run.samples);
    console.table([
      ...conversation.map((c) => ({ phase: '(a)', ...c })),
      ...minimal.map((c) => ({ phase: '(m)', ...c })),
      ...baseline.map((c) => ({ phase: '(a0)', ...c })),
      ...throughApi.map((c) => ({ phase: '(b)', ...c })),
    ]);
    if (ingest.length) console.table(ingest);
    const { sustained: _series, ingest_rounds: _ingest, ...counts } = summary;
    printCounts(counts);
    headline = rounded(summary);
  } finally {
    await stopProcess(api);
    await stopProcess(worker);
    await base?.stop();
    await minimalWorker.stop();
    await temporal.stop();
    await db.drop();
    await otlp?.stop();
  }
  if (profile) summariseProfiles(profileDir);
  if (headline && process.argv.includes('--json')) console.log(JSON.stringify(headline)); // the last line
}

/**
 * A worker process of its own, on its own task queue and database (it migrates its own), with this run's settings
 * otherwise: another checkout's (`dir`, e.g. a worktree of the baseline commit: (a0) measures it as (a) measures this
 * one), or this checkout's for the minimal workflow ((m): each phase's worker then holds only the workflows of its own
 * kind, so what one phase left open and cached does not weigh on the other's figures).
 */
async function startSideWorker(
  side: { name: string; dir: string; bundle?: string; ddl?: string },
  runId: string,
  workerEnv: Record<string, string>,
  nodeArgs: string[],
) {
  const db = await scratchDatabase(`slo_bench_${side.name}`, false);
  if (side.ddl) await onDatabase(db.url, side.ddl);
  const metricsPort = await freePort();
  const taskQueue = `bench-${side.name}-${runId}`;
  const sandboxFile = path.join(ROOT, '.run', 'bench', `sandbox-entries-${side.name}-${runId}.json`);
  const env = {
    ...workerEnv,
    DATABASE_URL: db.url,
    TEMPORAL_TASK_QUEUE: taskQueue,
    WORKER_METRICS_PORT: String(metricsPort),
    SANDBOX_ENTRIES_FILE: sandboxFile,
    GC_REQUEST_FILE: `${sandboxFile}.gc`,
    WORKFLOW_BUNDLE_PATH:
      side.bundle ?? (await buildWorkflowBundle(path.join(side.dir, 'bench', 'minimal', 'workflows.ts'), [], side.dir)),
  };
  const worker = startNodeProcess('bench/minimal/worker.ts', env, nodeArgs, side.dir);
  const probe: WorkerProbe = {
    pid: worker.pid!,
    sandboxFile,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    gcFile: env.GC_REQUEST_FILE,
  };
  return {
    /** Until its migrations ran and it serves its metrics. */
    async ready() {
      await waitForHttp(probe.metricsUrl, 120_000);
      const deadline = Date.now() + 120_000;
      while (!(await tableExists(db.url, 'incidence_timeline'))) {
        if (Date.now() > deadline) throw new Error(`the worker in ${side.dir} did not migrate its database`);
        await new Promise((r) => setTimeout(r, 500));
      }
    },
    start: (s: Start): Start => ({
      ...s,
      db: db.url,
      probe,
      settings: { ...s.settings, temporal: { ...s.settings.temporal, taskQueue } },
    }),
    async stop() {
      await stopProcess(worker);
      await db.drop();
    },
  };
}

async function tableExists(url: string, table: string): Promise<boolean> {
  const client = new PgClient({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [table]);
    return result.rows[0]!.found;
  } finally {
    await client.end();
  }
}

interface Start {
  client: Client;
  settings: Settings;
  db: string;
  probe: WorkerProbe;
  n: number;
  connections: number;
}

/**
 * (a) n new conversations through signalWithStart, with the API's arguments, summary and payload codec (its gateway);
 * until every event is stored.
 */
async function startConversations(s: Start, prefix: string, settings: Partial<ConversationSettings> = {}) {
  const events = Array.from({ length: s.n }, (_, i) => eventFor(`${prefix}-${i}`));
  const before = await settledCounters(s.probe);
  // The API's own gateway (arguments, summary, deadline) on a client with its payload codec: (b) minus HTTP.
  const gateway = createConversationGateway(s.client, {
    ...s.settings,
    conversation: { ...s.settings.conversation, ...settings },
  });
  const sent = await inParallel(events, s.connections, (event) => gateway.deliver(event));
  const cost = await drained(s, before, sent.seconds, COUNT_TIMELINE, `${prefix}-%`, s.n);
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

interface ApiStart extends Start {
  load: { baseUrl: string; secret: string; connections: number };
  apiPid: number;
  /** Per prefix: when each webhook was sent, and the phase's row. */
  sentAt: Map<string, Map<string, number>>;
  rows: Map<string, BenchRow>;
}

/** (b) `amount` signed webhooks through the API, one new conversation each; until every event is stored. */
async function webhooksIntoApi(s: ApiStart, prefix: string, amount: number, name: string) {
  const sentAt = new Map<string, number>();
  s.sentAt.set(prefix, sentAt);
  const before = await settledCounters(s.probe);
  const cpuBefore = cpuMs(s.apiPid);
  const t0 = performance.now();
  const row = await webhooksThroughApi({ ...s.load, prefix, amount }, name, sentAt);
  const apiCpuMs = (cpuMs(s.apiPid) - cpuBefore) / amount;
  s.rows.set(prefix, row);
  const cost = await drained(s, before, (performance.now() - t0) / 1000, COUNT_TIMELINE, `${prefix}-%`, amount);
  return { cost, ceiling: row, apiCpuMs };
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

interface SustainedLoad {
  load: { baseUrl: string; secret: string; connections: number };
  probe: WorkerProbe;
  db: string;
  prefix: string;
  rate: number;
  seconds: number;
}

interface Sample {
  t_s: number;
  worker_cpu_pct: number;
  worker_rss_mb: number;
  accepted: number;
  rows: number;
  backlog: number;
}

type Sustained = Awaited<ReturnType<typeof sustainedPhase>>;

/**
 * (s) `rate` webhooks/s for `seconds`, sampling every 10 s the worker's CPU (% of one core), RSS and the backlog
 * (webhooks sent without their incidence row), until the rows are in or `drainWaitMs` after the load has passed.
 */
async function sustainedPhase(s: SustainedLoad, drainWaitMs: number) {
  const sentAt = new Map<string, number>();
  const progress = { accepted: 0 };
  const pattern = `${s.prefix}-%`;
  const samples: Sample[] = [];
  const t0 = performance.now();
  let last = { t: t0, cpu: cpuMs(s.probe.pid) };
  const sample = async () => {
    const now = { t: performance.now(), cpu: cpuMs(s.probe.pid) };
    const rows = await rowCount(s.db, COUNT_TIMELINE, pattern);
    samples.push({
      t_s: Math.round((now.t - t0) / 1000),
      worker_cpu_pct: Math.round((100 * (now.cpu - last.cpu)) / (now.t - last.t)),
      worker_rss_mb: Math.round(rssMb(s.probe.pid)),
      accepted: progress.accepted,
      rows,
      backlog: progress.accepted - rows,
    });
    last = now;
  };
  const sampler = setInterval(() => void sample().catch(() => undefined), 10_000);
  const before = await readCounters(s.probe);
  try {
    const accepted = await webhooksThroughApi(
      { ...s.load, prefix: s.prefix, rate: s.rate, seconds: s.seconds, progress },
      `(s) ${s.rate} webhooks/s for ${s.seconds} s`,
      sentAt,
    );
    const loadEnded = performance.now();
    const backlogAtEnd = accepted.requests - (await rowCount(s.db, COUNT_TIMELINE, pattern));
    const toRow = await webhookToRow(
      s.db,
      sentAt,
      s.prefix,
      `(s) webhook → incidence row at ${s.rate}/s`,
      accepted.requests,
      drainWaitMs,
      1000, // a count over tens of thousands of rows: polled once a second, not to load PostgreSQL
    );
    const drainedIn = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    await sample();
    const written = toRow.requests; // stored, including webhooks answered after the timed run ended
    const after = await readCounters(s.probe);
    const cost = perItem(before, after, written);
    return {
      rate: s.rate,
      accepted,
      toRow,
      backlogAtEnd,
      drainPerS: written / drainedIn,
      drainWaitedS: Math.round((performance.now() - loadEnded) / 1000),
      cpuMsPerConversation: cost.cpuMs,
      activationsPerConversation: cost.activations,
      evictionsPerConversation: cost.evictions,
      replaysPerConversation: cost.replays,
      rssMaxMb: Math.max(...samples.map((x) => x.worker_rss_mb)),
      samples,
    };
  } finally {
    clearInterval(sampler);
  }
}

/** `--name a,b,c` as a list (numbers unless `parse` says otherwise). */
function listFlag<T = number>(name: string, fallback: T[], parse: (v: string) => T = Number as never): T[] {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || process.argv[i + 1] === undefined) return fallback;
  return process.argv[i + 1]!.split(',').map(parse);
}

const round2 = (x: number) => Math.round(x * 100) / 100;

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

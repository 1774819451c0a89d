/**
 * The highest sustained webhook rate at which webhook → incidence row stays under a bound (p95 under 1 s by default),
 * for this checkout or another commit's worktree, the product's own worker and API as processes.
 *   npm run bench:sustained -- [--checkouts DIR,DIR] [--rates 10,20,…] [--start 20] [--precision 0.15] [--max 400]
 *     [--seconds 300] [--connections 32] [--p95-ms 1000] [--cache N] [--budget-minutes 38] [--json]
 * Each rate is one step on a fresh private dev server, scratch database, worker and API (its earlier steps' open
 * conversations neither help nor burden it): a warm-up of 100 webhooks at 20/s, not counted, then webhooks for new
 * conversations at the rate, one every 1/rate seconds (open loop), for --seconds. A step passes when the p95 of
 * webhook (its due time) → its event's timeline row is under --p95-ms, every webhook was answered 200 and every row
 * arrived. The run stops a step early once more than 5 % of its webhooks are already later than the bound (its p95
 * cannot pass any more). Without --rates it searches: from --start, doubling while steps pass (halving while they
 * fail), then halving the bracket until its ends are within --precision of each other or the budget is spent;
 * the answer is the highest passing rate. --sla quiet (the default) as in bench:webhooks.
 * --checkouts (default: this one) takes other commits' worktrees: their searches take turns, one step each, each round
 * starting with another, so the machine's drift falls on all alike; the budget is shared.
 * The checkout's worker migrates the database and bundles its own workflows, so any commit's worktree with
 * node_modules runs as it would be deployed; the load and the measurement are this checkout's.
 */
import 'dotenv/config';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import type * as TemporalWorker from '@temporalio/worker';
import { benchSlaPolicies } from './quiet-sla-policies';
import {
  bundleOptionsOf,
  freePort,
  ROOT,
  scratchDatabase,
  startNodeProcess,
  stopProcess,
  temporalServer,
  waitForHttp,
} from './scratch';
import { flag, percentile } from './table';
import { COUNT_TIMELINE, rowsWritten, webhooksAtRate } from './webhook-load';
import { cpuMs, rssMb } from './worker-counters';

interface Options {
  checkout: string;
  bundle: string;
  slaPolicyFile?: string;
  seconds: number;
  connections: number;
  boundMs: number;
  cache: number;
}

interface Step {
  rate: number;
  passed: boolean;
  /** Why it failed, if it did. */
  verdict: string;
  sent: number;
  accepted: number;
  seconds: number;
  row_p50_ms: number;
  row_p95_ms: number;
  row_p99_ms: number;
  answer_p95_ms: number;
  late_share: number;
  missing_rows: number;
  worker_cpu_pct: number;
  worker_rss_mb_max: number;
  api_cpu_ms_per_webhook: number;
  load_average: number;
}

const WARM_UP = { rate: 20, seconds: 5 };
/** Share of a step's webhooks later than the bound at which the step stops: its p95 can no longer pass. */
const LATE_SHARE = 0.05;
/** How long after the load the rows may still come (longer is already past any bound measured here). */
const ROW_WAIT_MS = 60_000;

async function main(): Promise<void> {
  const c = process.argv.indexOf('--checkouts');
  const checkouts = c >= 0 ? process.argv[c + 1]!.split(',').map((d) => path.resolve(d)) : [ROOT];
  const runId = randomBytes(3).toString('hex');
  const s = process.argv.indexOf('--sla');
  const sla = s >= 0 ? process.argv[s + 1]! : 'quiet';
  const searches: Search[] = [];
  for (const checkout of checkouts)
    searches.push({
      options: {
        checkout,
        bundle: await bundleOf(checkout),
        slaPolicyFile: benchSlaPolicies(`${runId}-${searches.length}`, sla, checkout),
        seconds: flag('seconds', 300),
        connections: flag('connections', 32),
        boundMs: flag('p95-ms', 1000),
        cache: flag('cache', 0),
      },
      bracket: { low: 0, high: Infinity, next: flag('start', 20) },
      steps: [],
    });
  const deadline = Date.now() + flag('budget-minutes', 38) * 60_000;
  const r = process.argv.indexOf('--rates');
  const fixed = r >= 0 ? process.argv[r + 1]!.split(',').map(Number) : undefined;
  const limits = { precision: flag('precision', 0.15), max: flag('max', 400) };
  let n = 0;
  const run = async (search: Search, rate: number) => {
    const result = await step(search.options, rate, `${runId}-${n++}`);
    console.error(JSON.stringify({ checkout: path.basename(search.options.checkout), ...result }));
    search.steps.push(result);
    return result.passed;
  };
  // The checkouts take turns, step by step, each round starting with another, so drift falls on all alike.
  for (let round = 0; Date.now() < deadline; round++) {
    const turn = [...searches.slice(round % searches.length), ...searches.slice(0, round % searches.length)];
    const due = turn.filter((x) => (fixed ? round < fixed.length : x.bracket.next !== undefined));
    if (due.length === 0) break;
    for (const search of due) {
      const rate = fixed ? fixed[round]! : search.bracket.next!;
      const passed = await run(search, rate);
      if (!fixed) search.bracket = narrowed(search.bracket, rate, passed, limits);
      if (Date.now() >= deadline) break;
    }
  }
  const results = searches.map(summaryOf);
  for (const x of searches)
    console.table(x.steps.map(({ rate, passed, verdict, ...rest }) => ({ rate, passed, verdict, ...rest })));
  for (const x of results)
    console.log(
      `${x.checkout} (${x.commit}): highest rate passing ${x.highest_passing_rate}/s, lowest failing ${x.lowest_failing_rate}/s`,
    );
  if (process.argv.includes('--json'))
    console.log(JSON.stringify({ ...results[0], checkouts: results, load_average_after: loadavg()[0] }));
}

interface Search {
  options: Options;
  bracket: Bracket;
  steps: Step[];
}

function summaryOf({ options, steps }: Search) {
  const passing = steps.filter((x) => x.passed).map((x) => x.rate);
  const best = passing.length ? Math.max(...passing) : 0;
  const failingAbove = steps.filter((x) => !x.passed && x.rate > best).map((x) => x.rate);
  return {
    checkout: path.basename(options.checkout),
    commit: gitCommit(options.checkout),
    highest_passing_rate: best,
    lowest_failing_rate: failingAbove.length ? Math.min(...failingAbove) : null,
    bound_p95_ms: options.boundMs,
    step_seconds: options.seconds,
    connections: options.connections,
    worker_cache: options.cache || 'default',
    sla_policies: options.slaPolicyFile ? 'quiet' : 'product',
    steps,
  };
}

/** Passing rates below, failing above; `next` is the rate to try, none once the search is done. */
interface Bracket {
  low: number;
  high: number;
  next?: number;
}

/**
 * From the start, doubling while steps pass or halving while they fail, until a passing rate sits below a failing one;
 * then bisecting until the ends are within `precision` (a share of the lower end) of each other.
 */
function narrowed(b: Bracket, rate: number, passed: boolean, limits: { precision: number; max: number }) {
  const low = passed ? Math.max(b.low, rate) : b.low;
  const high = passed ? b.high : Math.min(b.high, rate);
  const done = { low, high };
  if (high === Infinity) return low >= limits.max ? done : { ...done, next: Math.min(low * 2, limits.max) };
  if (low === 0) return high <= 1 ? done : { ...done, next: Math.floor(high / 2) };
  if ((high - low) / low <= limits.precision) return done;
  return { ...done, next: Math.round(((low + high) / 2) * 10) / 10 };
}

/** One rate on a fresh dev server, database, worker and API. */
async function step(o: Options, rate: number, id: string): Promise<Step> {
  const temporal = await temporalServer();
  const db = await scratchDatabase('slo_sustained', false);
  const port = await freePort();
  const env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: `sustained-${id}`,
    REDIS_KEY_PREFIX: `slo-sustained:${id}:`,
    FRESHCHAT_WEBHOOK_SECRET: randomBytes(16).toString('hex'),
    LOG_LEVEL: 'error',
    PORT: String(port),
  };
  const workerEnv = {
    ...env,
    WORKFLOW_BUNDLE_PATH: o.bundle,
    ...(o.slaPolicyFile && { SLA_POLICY_FILE: o.slaPolicyFile }),
    ...(o.cache && { WORKER_MAX_CACHED_WORKFLOWS: String(o.cache) }),
  };
  const worker = startNodeProcess('worker.ts', workerEnv, [], o.checkout);
  const api = startNodeProcess('api/server.ts', { ...env, API_METRICS_PORT: '0' }, [], o.checkout);
  const load = {
    baseUrl: `http://127.0.0.1:${port}`,
    secret: env.FRESHCHAT_WEBHOOK_SECRET,
    connections: o.connections,
  };
  try {
    await waitForHttp(`${load.baseUrl}/health`, 120_000);
    // Until the worker has migrated, bundled and is polling, and the API's code paths are warm: not counted.
    const warm = new Set<string>();
    await webhooksAtRate({ ...load, prefix: `w${id}`, ...WARM_UP }, new Map(), warm);
    await migrated(db.url);
    await rowsWritten(db.url, COUNT_TIMELINE, `w${id}-%`, warm.size, 200, 300_000);
    return await measured(o, { load, db: db.url, rate, prefix: `s${id}`, workerPid: worker.pid!, apiPid: api.pid! });
  } finally {
    await stopProcess(api);
    await stopProcess(worker);
    await temporal.stop();
    await db.drop();
  }
}

interface Measured {
  load: { baseUrl: string; secret: string; connections: number };
  db: string;
  rate: number;
  prefix: string;
  workerPid: number;
  apiPid: number;
}

/** The timed load at `rate`, each webhook's row watched for as it comes; stopped early once the bound is lost. */
async function measured(o: Options, m: Measured): Promise<Step> {
  const sentAt = new Map<string, number>();
  const accepted = new Set<string>();
  const written = new Map<string, number>();
  const planned = Math.round(m.rate * o.seconds);
  const stop = new AbortController();
  const watch = new PgClient({ connectionString: m.db });
  await watch.connect();
  const cpu0 = { worker: cpuMs(m.workerPid), api: cpuMs(m.apiPid), t: performance.now() };
  let rssMax = 0;
  let late = 0;
  const poll = async () => {
    const now = Date.now();
    const waiting = [...sentAt.keys()].filter((k) => !written.has(k));
    if (waiting.length > 0) {
      const { rows } = await watch.query<{ conversation_id: string; written: number }>(ROWS_OF, [waiting]);
      for (const row of rows) written.set(row.conversation_id, Number(row.written));
    }
    late = [...sentAt].filter(([k, due]) => (written.get(k) ?? now) - due > o.boundMs).length;
    rssMax = Math.max(rssMax, rssMb(m.workerPid));
    if (late > LATE_SHARE * planned + o.connections) stop.abort();
  };
  let polling = Promise.resolve();
  const timer = setInterval(() => {
    polling = polling.then(poll).catch(() => undefined);
  }, 2000);
  try {
    const sent = await webhooksAtRate(
      { ...m.load, prefix: m.prefix, rate: m.rate, seconds: o.seconds, stop: stop.signal },
      sentAt,
      accepted,
    );
    const loadEnded = Date.now();
    const elapsedMs = performance.now() - cpu0.t;
    const workerCpu = (100 * (cpuMs(m.workerPid) - cpu0.worker)) / elapsedMs;
    const apiCpu = (cpuMs(m.apiPid) - cpu0.api) / Math.max(1, sent.sent);
    clearInterval(timer);
    await polling;
    while (!stop.signal.aborted && written.size < accepted.size && Date.now() - loadEnded < ROW_WAIT_MS) {
      await poll();
      await new Promise((r) => setTimeout(r, 500));
    }
    await poll();
    const now = Date.now();
    const delays = [...sentAt].map(([k, due]) => (written.get(k) ?? now) - due);
    const missing = [...accepted].filter((k) => !written.has(k)).length;
    const p95 = percentile(delays, 95);
    const verdict = stop.signal.aborted
      ? `stopped after ${Math.round(sent.seconds)} s: ${late} webhooks later than ${o.boundMs} ms`
      : sent.refused > 0
        ? `${sent.refused} webhooks not accepted`
        : missing > 0
          ? `${missing} rows missing ${ROW_WAIT_MS / 1000} s after the load`
          : p95 >= o.boundMs
            ? `p95 ${Math.round(p95)} ms`
            : 'ok';
    return {
      rate: m.rate,
      passed: verdict === 'ok',
      verdict,
      sent: sent.sent,
      accepted: accepted.size,
      seconds: Math.round(sent.seconds),
      row_p50_ms: Math.round(percentile(delays, 50)),
      row_p95_ms: Math.round(p95),
      row_p99_ms: Math.round(percentile(delays, 99)),
      answer_p95_ms: Math.round(sent.p95),
      late_share: Math.round((1000 * late) / Math.max(1, sentAt.size)) / 1000,
      missing_rows: missing,
      worker_cpu_pct: Math.round(workerCpu),
      worker_rss_mb_max: Math.round(Math.max(rssMax, rssMb(m.workerPid))),
      api_cpu_ms_per_webhook: Math.round(apiCpu * 100) / 100,
      load_average: Math.round(loadavg()[0]! * 10) / 10,
    };
  } finally {
    clearInterval(timer);
    await watch.end();
  }
}

/** Waits until the worker has migrated the database (it does so on start, before it polls). */
async function migrated(url: string): Promise<void> {
  const db = new PgClient({ connectionString: url });
  await db.connect();
  try {
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline) {
      const { rows } = await db.query<{ t: string | null }>(`SELECT to_regclass('incidence_timeline')::text AS t`);
      if (rows[0]!.t) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error('the worker did not migrate the database within 5 minutes');
  } finally {
    await db.end();
  }
}

/** Each given conversation's first stored event (its timeline row's transaction start), ms since the epoch. */
const ROWS_OF = `SELECT i.conversation_id, (extract(epoch FROM min(t.created_at)) * 1000)::float8 AS written
  FROM incidences i JOIN incidence_timeline t ON t.incidence_id = i.id AND t.event_type <> 'SLA_BREACHED'
  WHERE i.conversation_id = ANY($1) GROUP BY i.conversation_id`;

/** The checkout's workflows bundled once, by its own SDK, so each step's worker starts polling at once. */
async function bundleOf(checkout: string): Promise<string> {
  const sdk = createRequire(__filename)(
    path.join(checkout, 'node_modules', '@temporalio', 'worker'),
  ) as typeof TemporalWorker;
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error };
  const { code } = await sdk.bundleWorkflowCode({
    ...bundleOptionsOf(checkout),
    workflowsPath: path.join(checkout, 'workflows'),
    logger: quiet,
  });
  const dir = path.join(ROOT, '.run', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `workflow-bundle-${path.basename(checkout)}-${randomBytes(3).toString('hex')}.js`);
  writeFileSync(file, code);
  return file;
}

function gitCommit(dir: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * The API's ingest alone, for this checkout and any others (e.g. git worktrees of older commits), in one run on one
 * private dev server with no worker, so nothing but Temporal and the API shares the machine with the load:
 *   (a) a Temporal client calling signalWithStart directly with the API's arguments, N new conversations;
 *   (b) per checkout, its own API (`api/server.ts` started from that checkout) after a warm-up burst: N signed
 *       webhooks, one new conversation each, as fast as it answers; req/s, ratio to (a) in the same round, and the
 *       API process's CPU per webhook (/proc, all threads).
 * Each round runs (a) and every checkout's (b), starting with another each round; medians are reported.
 *   npm run bench:ingest -- [--checkouts DIR,DIR] [--webhooks 1000] [--rounds 3] [--connections 32] [--warm-up 200]
 *     [--log-level error|info] [--json]
 * --log-level info runs the APIs as production does, each request's log line written to a file under .run/bench.
 * The webhook body is this checkout's simplified-format template (older APIs accept it too).
 */
import 'dotenv/config';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createConversationGateway } from '../gateways/conversation-gateway';
import { loadSettings } from '../infra/settings';
import { freePort, ROOT, scratchDatabase, stopProcess, temporalServer, waitForHttp } from './scratch';
import { flag, percentile, printTable, type BenchRow } from './table';
import { eventFor, inParallel, latencyOf, webhooksThroughApi } from './webhook-load';
import { cpuMs } from './worker-counters';

interface Figures {
  round: number;
  checkout: string;
  ceiling_rps: number;
  api_rps: number;
  ratio: number;
  api_cpu_ms_per_webhook: number;
}

async function main(): Promise<void> {
  const n = flag('webhooks', 1000);
  const rounds = flag('rounds', 3);
  const connections = flag('connections', 32);
  const warmUp = flag('warm-up', 200);
  const i = process.argv.indexOf('--checkouts');
  const checkouts = [ROOT, ...(i >= 0 ? process.argv[i + 1]!.split(',').map((d) => path.resolve(d)) : [])];
  const runId = randomBytes(3).toString('hex');
  const l = process.argv.indexOf('--log-level');
  const logLevel = l >= 0 ? process.argv[l + 1]! : 'error';
  const temporal = await temporalServer(process.env.BENCH_TEMPORAL_ADDRESS);
  const db = await scratchDatabase('slo_bench_ingest');
  const env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: `bench-ingest-${runId}`,
    REDIS_KEY_PREFIX: `slo-bench:${runId}:`,
    FRESHCHAT_WEBHOOK_SECRET: randomBytes(16).toString('hex'),
    LOG_LEVEL: logLevel,
  };
  mkdirSync(path.join(ROOT, '.run', 'bench'), { recursive: true });
  const settings = loadSettings({ ...process.env, ...env });
  const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  const gateway = createConversationGateway(client, settings);
  const figures: Figures[] = [];
  const rows: BenchRow[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      let ceiling = NaN;
      const direct = async () => {
        const events = Array.from({ length: n }, (_, k) => eventFor(`a${r}-${runId}-${k}`));
        const sent = await inParallel(events, connections, (event) => gateway.deliver(event));
        ceiling = n / sent.seconds;
        rows.push({
          name: `(a) round ${r}: signalWithStart direct`,
          requests: n,
          reqPerSec: ceiling,
          ...latencyOf(sent.latencies),
        });
      };
      const through: Through[] = [];
      const phases = [
        direct,
        ...checkouts.map((dir, c) => async () => {
          through.push(await throughApi({ dir, env, connections, warmUp, n, prefix: `${r}c${c}-${runId}`, rows }));
        }),
      ];
      for (const phase of [...phases.slice(r % phases.length), ...phases.slice(0, r % phases.length)]) await phase();
      for (const t of through) {
        const f = {
          round: r,
          checkout: path.basename(t.checkout),
          ceiling_rps: round2(ceiling),
          api_rps: round2(t.rps),
          ratio: round2(t.rps / ceiling),
          api_cpu_ms_per_webhook: round2(t.cpuMs),
        };
        console.error(JSON.stringify(f));
        figures.push(f);
      }
    }
  } finally {
    await client.connection.close();
    await temporal.stop();
    await db.drop();
  }
  printTable(rows);
  console.table(figures);
  const medians = checkouts.map((dir) => {
    const mine = figures.filter((f) => f.checkout === path.basename(dir));
    const median = (key: keyof Figures) =>
      percentile(
        mine.map((f) => f[key] as number),
        50,
      );
    return {
      checkout: path.basename(dir),
      ceiling_rps: median('ceiling_rps'),
      api_rps: median('api_rps'),
      ratio: median('ratio'),
      api_cpu_ms_per_webhook: median('api_cpu_ms_per_webhook'),
    };
  });
  console.table(medians);
  const [here] = medians;
  if (process.argv.includes('--json'))
    console.log(
      JSON.stringify({
        ...here,
        log_level: logLevel,
        webhooks: n,
        rounds,
        connections,
        warm_up: warmUp,
        checkouts: medians,
        rounds_figures: figures,
      }),
    );
}

interface Through {
  checkout: string;
  rps: number;
  cpuMs: number;
}

interface ApiRun {
  dir: string;
  env: Record<string, string>;
  connections: number;
  warmUp: number;
  n: number;
  prefix: string;
  rows: BenchRow[];
}

/** (b) The API of checkout `dir` as its own process: a warm-up burst, then n webhooks, timed, with its CPU. */
async function throughApi(s: ApiRun): Promise<Through> {
  const port = await freePort();
  const log = openSync(path.join(ROOT, '.run', 'bench', `api-${s.prefix}.log`), 'w');
  const api = spawn(process.execPath, ['--import', 'tsx', path.join(s.dir, 'api', 'server.ts')], {
    cwd: s.dir,
    env: { ...process.env, ...s.env, PORT: String(port), API_METRICS_PORT: '0' },
    stdio: ['ignore', log, 'inherit'],
  });
  closeSync(log); // the child holds its own copy
  try {
    const load = {
      baseUrl: `http://127.0.0.1:${port}`,
      secret: s.env.FRESHCHAT_WEBHOOK_SECRET!,
      connections: s.connections,
    };
    await waitForHttp(`${load.baseUrl}/health`);
    if (s.warmUp > 0)
      await webhooksThroughApi({ ...load, prefix: `w${s.prefix}`, amount: s.warmUp }, 'warm-up', new Map());
    const before = cpuMs(api.pid!);
    const name = `(b) ${s.prefix.split('-')[0]}: ${path.basename(s.dir)}`;
    const row = await webhooksThroughApi({ ...load, prefix: `b${s.prefix}`, amount: s.n }, name, new Map());
    s.rows.push(row);
    return { checkout: s.dir, rps: row.reqPerSec!, cpuMs: (cpuMs(api.pid!) - before) / s.n };
  } finally {
    await stopProcess(api);
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

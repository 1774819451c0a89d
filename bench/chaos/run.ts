import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { Client as PgClient } from 'pg';
import { createApp } from '../../api/app';
import { createConversationGateway } from '../../api/conversation-gateway';
import { loadConfig } from '../../infra/config';
import { createDatabasePool } from '../../infra/db';
import { createRedis } from '../../infra/redis';
import { createTemporalClient } from '../../infra/temporal';
import { buildWorkflowBundle, scratchDatabase, startNodeProcess, stopProcess, waitForHttp } from '../scratch';
import { FaultProxy } from './fault-proxy';
import { describePass, type ReconciliationSummary } from '../../domain/reconciliation-pass';
import { chaosPlan, type PlanOptions } from './plan';
import { realChaosPlan } from './real-plan';
import { freshchatFor, reconciliationPass, signingFor } from './reconciliation-step';
import { verifyChaos, type ChaosVerdict } from './verify';
import { settingsFrom } from '../../infra/settings';

export interface ChaosOptions extends Omit<PlanOptions, 'runId'> {
  temporalAddress: string;
  concurrency: number;
  /** Share of deliveries sent before the worker is killed with SIGKILL. */
  killWorkerAt: number;
  /** Share of deliveries sent before the worker's database connections are cut. */
  cutDatabaseAt: number;
  cutDatabaseForMs: number;
  settleTimeoutMs: number;
  /**
   * Scale-out: two worker processes and two API processes on the same task queue, one of each SIGKILLed (and not
   * restarted) mid-run; deliveries refused by the dead API go to the other, as a load balancer would send them.
   */
  scaleOut?: { killApiAt: number };
  /**
   * Share of distinct events never delivered (Freshchat's real format; 0: the simplified format). One
   * reconciliation pass then has to bring them in.
   */
  dropShare?: number;
  /** A workflow bundle already built (jest's global set-up has one). */
  workflowBundlePath?: string;
  log(line: string): void;
}

export interface ChaosReport {
  verdict: ChaosVerdict;
  deliveries: number;
  redeliveriesAfterRefusal: number;
  workerProcesses: number;
  apiProcesses: number;
  workerKills: number;
  workerRestarts: number;
  apiKills: number;
  databaseCuts: number;
  sendSeconds: number;
  settleSeconds: number;
  droppedEvents: number;
  /** The reconciliation pass of a run with dropped deliveries. */
  reconciliation?: ReconciliationSummary & { seconds: number };
}

/** Sends the plan through the real API while the worker is killed and its database cut, then judges PostgreSQL. */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const runId = randomBytes(4).toString('hex');
  const dropShare = options.dropShare ?? 0;
  const plan = dropShare > 0 ? realChaosPlan({ ...options, runId, dropShare }) : chaosPlan({ ...options, runId });
  const signing = signingFor(plan);
  const freshchat = await freshchatFor(plan);
  const db = await scratchDatabase('slo_chaos');
  const proxy = new FaultProxy({ host: '127.0.0.1', port: Number(new URL(db.url).port || 5432) });
  const proxyUrl = Object.assign(new URL(db.url), { port: String(await proxy.start()) }).toString();
  const taskQueue = `chaos-${runId}`;
  const bundlePath = options.workflowBundlePath ?? (await buildWorkflowBundle());
  const scaleOut = options.scaleOut;
  const workerEnv = {
    DATABASE_URL: proxyUrl,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    REDIS_KEY_PREFIX: `slo-chaos:${runId}:`,
    WORKFLOW_BUNDLE_PATH: bundlePath,
    ...freshchat.env,
  };
  const workers = Array.from({ length: scaleOut ? 2 : 1 }, (_, i) =>
    superviseWorker(workerEnv, options.log, { name: `worker ${i + 1}`, restart: !scaleOut }),
  );
  const apiEnv = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    ...signing.env,
    REDIS_KEY_PREFIX: `slo-chaos:${runId}:`,
  };
  const apis = scaleOut
    ? await Promise.all([startApiProcess(apiEnv, options.log), startApiProcess(apiEnv, options.log)])
    : [await startApi(apiEnv)];
  // The worker that is not killed (in scale-out) or the one restarted gets its database cut.
  const worker = workers.at(-1)!;
  try {
    const faults = [
      { at: Math.floor(plan.deliveries.length * options.killWorkerAt), run: () => workers[0]!.kill() },
      { at: Math.floor(plan.deliveries.length * options.cutDatabaseAt), run: () => cut() },
      ...(scaleOut
        ? [{ at: Math.floor(plan.deliveries.length * scaleOut.killApiAt), run: () => apis[0]!.kill() }]
        : []),
    ];
    // The cut must hit a running worker (one still starting up after the kill just exits and is restarted).
    let cutDone: Promise<void> = Promise.resolve();
    const cut = () => {
      cutDone = worker.runningFor(3000).then(() => {
        options.log(`cutting the worker's database connections for ${options.cutDatabaseForMs} ms`);
        proxy.cut(options.cutDatabaseForMs);
      });
    };
    const sendStart = performance.now();
    const redeliveries = await deliver(
      apis.map((a) => a.url),
      plan.deliveries,
      signing.sign,
      options.concurrency,
      (sent) => faults.filter((f) => f.at === sent).forEach((f) => f.run()),
    );
    const sendSeconds = (performance.now() - sendStart) / 1000;
    await cutDone;
    const delivered = plan.distinctEvents - plan.droppedEvents;
    options.log(
      `sent ${plan.deliveries.length} deliveries in ${sendSeconds.toFixed(1)} s; waiting for ${delivered} events in PostgreSQL`,
    );
    const settleStart = performance.now();
    await settle(db.url, `chaos-${runId}-`, delivered, options.settleTimeoutMs, options.log);
    const settleSeconds = (performance.now() - settleStart) / 1000;
    let reconciliation: ChaosReport['reconciliation'];
    if (plan.droppedEvents > 0) {
      options.log(`${plan.droppedEvents} events were never delivered; one reconciliation pass`);
      const passStart = performance.now();
      const summary = await reconciliationPass(options.temporalAddress, taskQueue);
      reconciliation = { ...summary, seconds: (performance.now() - passStart) / 1000 };
      options.log(`reconciliation: ${describePass(summary)}`);
      await settle(db.url, `chaos-${runId}-`, plan.distinctEvents, options.settleTimeoutMs, options.log);
    }
    const verdict = await verifyChaos(db.url, plan, `chaos-${runId}-`);
    return {
      verdict,
      deliveries: plan.deliveries.length,
      redeliveriesAfterRefusal: redeliveries,
      workerProcesses: workers.length,
      apiProcesses: apis.length,
      workerKills: workers.reduce((n, w) => n + w.kills, 0),
      workerRestarts: workers.reduce((n, w) => n + w.restarts, 0),
      apiKills: apis.reduce((n, a) => n + a.kills, 0),
      databaseCuts: proxy.cuts,
      sendSeconds,
      settleSeconds,
      droppedEvents: plan.droppedEvents,
      reconciliation,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await Promise.all(apis.map((a) => a.stop()));
    await proxy.stop();
    await freshchat.stop();
    await db.drop();
  }
}

/** The worker as a real process, restarted whenever it dies (as systemd or Kubernetes would) unless told not to. */
function superviseWorker(
  env: Record<string, string>,
  log: (line: string) => void,
  options: { name: string; restart: boolean },
) {
  let child: ChildProcess;
  let startedAt = 0;
  let stopping = false;
  const state = { kills: 0, restarts: 0 };
  const spawnWorker = () => {
    startedAt = Date.now();
    child = startNodeProcess('worker.ts', env);
    child.once('exit', (code, signal) => {
      if (stopping || !options.restart) return;
      log(`${options.name} exited (${signal ?? code}); restarting`);
      state.restarts++;
      setTimeout(spawnWorker, 500);
    });
  };
  spawnWorker();
  return {
    get kills() {
      return state.kills;
    },
    get restarts() {
      return state.restarts;
    },
    kill() {
      state.kills++;
      log(`killing ${options.name} (pid ${child.pid}) with SIGKILL`);
      child.kill('SIGKILL');
    },
    /** Resolves once the current worker process has been alive for `ms`. */
    async runningFor(ms: number) {
      while (Date.now() - startedAt < ms) await new Promise((r) => setTimeout(r, 100));
    },
    async stop() {
      stopping = true;
      await stopProcess(child);
    },
  };
}

/** The API as a real process (scale-out mode), killable with SIGKILL. */
async function startApiProcess(env: Record<string, string>, log: (line: string) => void) {
  const port = await freePort();
  const child = startNodeProcess('api/server.ts', { ...env, PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`, 120_000);
  let kills = 0;
  return {
    url,
    get kills() {
      return kills;
    },
    kill() {
      kills++;
      log(`killing the API at ${url} (pid ${child.pid}) with SIGKILL`);
      child.kill('SIGKILL');
    },
    stop: () => stopProcess(child),
  };
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

async function startApi(env: Record<string, string>) {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'error', ...env });
  const pool = await createDatabasePool(config.DATABASE_URL, 2);
  const redis = createRedis(config.REDIS_URL);
  const temporal = createTemporalClient({
    address: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    payloadKeys: config.TEMPORAL_PAYLOAD_KEYS,
  });
  const app = createApp({
    settings: settingsFrom(config),
    conversations: createConversationGateway(temporal, settingsFrom(config)),
    temporal,
    pool,
    redis,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    kills: 0,
    kill: () => undefined,
    async stop() {
      await new Promise((r) => server.close(r));
      await Promise.allSettled([pool.end(), redis.quit(), temporal.connection.close()]);
    },
  };
}

/** Posts every delivery, `concurrency` at a time, redelivering any that is refused (as Freshchat retries). */
async function deliver(
  baseUrls: string[],
  deliveries: string[],
  sign: (body: string) => string,
  concurrency: number,
  onSent: (sent: number) => void,
): Promise<number> {
  let next = 0;
  let sent = 0;
  let redeliveries = 0;
  let turn = 0;
  const post = async (body: string) => {
    const signature = sign(body);
    // Round robin over the APIs; a refused or failed delivery is sent again to the next one.
    for (let api = turn++; ; api++) {
      const status = await fetch(`${baseUrls[api % baseUrls.length]}/webhooks/freshchat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-freshchat-signature': signature },
        body,
      })
        .then(async (r) => (await r.arrayBuffer(), r.status))
        .catch(() => 0);
      if (status === 200) return;
      if (status >= 400 && status < 500) throw new Error(`a valid delivery was refused with ${status}`);
      redeliveries++;
      // Straight to the other API when this one is gone; a 5xx (Temporal or storage trouble) waits a little.
      await new Promise((r) => setTimeout(r, status === 0 && baseUrls.length > 1 ? 20 : 200));
    }
  };
  const lane = async () => {
    while (next < deliveries.length) {
      const body = deliveries[next++]!;
      await post(body);
      onSent(++sent);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return redeliveries;
}

async function settle(
  databaseUrl: string,
  prefix: string,
  expected: number,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<void> {
  const db = new PgClient({ connectionString: databaseUrl });
  await db.connect();
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  try {
    for (;;) {
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM incidence_timeline t JOIN incidences i ON i.id = t.incidence_id WHERE i.conversation_id LIKE $1',
        [`${prefix}%`],
      );
      const n = rows[0]!.n;
      if (n >= expected || Date.now() > deadline) return;
      if (n !== last && Math.floor(n / 1000) !== Math.floor(last / 1000)) log(`${n}/${expected} events in PostgreSQL`);
      last = n;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await db.end();
  }
}

import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { Client as PgClient } from 'pg';
import { createApp } from '../../api/app';
import { createConversationGateway } from '../../gateways/conversation-gateway';
import { loadConfig } from '../../infra/config';
import { createDatabasePool } from '../../infra/db';
import { createRedis } from '../../infra/redis';
import { createTemporalClient } from '../../infra/temporal';
import { buildWorkflowBundle, scratchDatabase, startNodeProcess, stopProcess, waitForHttp } from '../scratch';
import { FaultProxy } from './fault-proxy';
import { describePass, type ReconciliationSummary } from '../../domain/reconciliation/reconciliation-pass';
import { chaosPlan, conversationOfBody, type PlanOptions } from './plan';
import { realChaosPlan } from './real-plan';
import { freshchatFor, reconciliationPass, signingFor } from './reconciliation-step';
import { startOutboundSink } from './outbound-sink';
import { verifyChaos, type ChaosVerdict } from './verify';
import type { FakeFreshchat } from '../support/fake-freshchat';
import { settingsFrom } from '../../infra/settings';
import { COUNT_TIMELINE } from '../webhook-load';

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
  /**
   * The long-horizon mode: whole lifecycles with short silence and reopen windows, and faults at the commit boundary
   * (results lost after the step committed; the worker SIGKILLed right after a commit). Judged after the windows.
   */
  lostResults?: {
    loseShare: number;
    killAfterCommitShare: number;
    /** At most this many kills after a commit over the whole run (restarts included); unlimited when absent. */
    maxKillsAfterCommit?: number;
    silenceMs: number;
    reopenMs: number;
    /** Share of conversations in Freshchat's real format: the worker asks Freshchat for their users and tags. */
    realShare?: number;
    /**
     * Freshchat misbehaving for `ms` once `at` of the deliveries are sent: 429 (with this Retry-After), 500, 503 in
     * turn, and a 200 that is not JSON to user lookups.
     */
    freshchatStorm?: { at: number; ms: number; retryAfterSeconds: number };
  };
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
  /** SIGKILLs sent by the run. */
  workerKills: number;
  /** SIGKILLs the worker gave itself right after a commit (--lost-results). */
  commitBoundaryKills: number;
  /** Exits nobody caused: a worker that crashed (for example on a database cut while starting up). */
  workerCrashes: number;
  /** Every restart, whatever the cause. */
  workerRestarts: number;
  apiKills: number;
  databaseCuts: number;
  /** The cut hit a worker that had applied events since it started, and the same process applied events after it. */
  cutHitRunningWorker: boolean;
  sameWorkerAppliedAfterCut: boolean;
  sendSeconds: number;
  settleSeconds: number;
  droppedEvents: number;
  /** What the misbehaving Freshchat answered, and for how long (--lost-results with a storm). */
  freshchatStorm?: FakeFreshchat['stormAnswers'] & { seconds: number };
  /** The reconciliation pass of a run with dropped deliveries. */
  reconciliation?: ReconciliationSummary & { seconds: number };
}

/** Sends the plan through the real API while the worker is killed and its database cut, then judges PostgreSQL. */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const runId = randomBytes(4).toString('hex');
  const dropShare = options.dropShare ?? 0;
  const lost = options.lostResults;
  const plan =
    dropShare > 0
      ? realChaosPlan({ ...options, runId, dropShare })
      : chaosPlan({ ...options, runId, lifecycle: Boolean(lost), realShare: lost?.realShare });
  const signing = signingFor(plan);
  const freshchat = await freshchatFor(plan);
  const db = await scratchDatabase('slo_chaos');
  const proxy = new FaultProxy({ host: '127.0.0.1', port: Number(new URL(db.url).port || 5432) });
  const proxyUrl = Object.assign(new URL(db.url), { port: String(await proxy.start()) }).toString();
  const taskQueue = `chaos-${runId}`;
  const bundlePath = options.workflowBundlePath ?? (await buildWorkflowBundle());
  const scaleOut = options.scaleOut;
  const slaFile = plan.sla && (await slaPolicyFileOf(plan.sla.file));
  // Lifecycles: the worker's outbound events are received, so a resolution announced twice is seen.
  const outbound = lost ? await startOutboundSink() : undefined;
  const faultEnv: Record<string, string> = lost
    ? {
        ...(slaFile && { SLA_POLICY_FILE: slaFile.path }),
        ...(outbound && { OUTBOUND_EVENTS_URL: outbound.url, OUTBOUND_EVENTS_SECRET: 'chaos-outbound-secret' }),
        CHAOS_LOSE_RESULTS: String(lost.loseShare),
        CHAOS_KILL_AFTER_COMMIT: String(lost.killAfterCommitShare),
        CHAOS_SEED: String(options.seed),
        CONVERSATION_SILENCE_TIMEOUT: `${lost.silenceMs}ms`,
        CONVERSATION_REOPEN_WINDOW: `${lost.reopenMs}ms`,
      }
    : {};
  const workerEnv = {
    ...faultEnv,
    DATABASE_URL: proxyUrl,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    REDIS_KEY_PREFIX: `slo-chaos:${runId}:`,
    WORKFLOW_BUNDLE_PATH: bundlePath,
    ...freshchat.env,
  };
  const workers = Array.from({ length: scaleOut ? 2 : 1 }, (_, i) =>
    superviseWorker(lost ? 'bench/chaos/faulty-worker.ts' : 'worker.ts', workerEnv, options.log, {
      name: `worker ${i + 1}`,
      restart: !scaleOut,
      killsAfterCommit: lost?.maxKillsAfterCommit,
    }),
  );
  const apiEnv = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    ...signing.env,
    REDIS_KEY_PREFIX: `slo-chaos:${runId}:`,
    // Conversation settings travel with the workflow's start, from the API.
    ...faultEnv,
  };
  const apis = scaleOut
    ? await Promise.all([startApiProcess(apiEnv, options.log), startApiProcess(apiEnv, options.log)])
    : [await startApi(apiEnv)];
  // The worker that is not killed (in scale-out) or the one restarted gets its database cut.
  const worker = workers.at(-1)!;
  const rows = timelineCounter(db.url, `chaos-${runId}-`);
  const storm =
    lost?.freshchatStorm && freshchat.fake && freshchatStorm(freshchat.fake, lost.freshchatStorm, options.log);
  try {
    const faults = [
      { at: Math.floor(plan.deliveries.length * options.killWorkerAt), run: () => workers[0]!.kill() },
      { at: Math.floor(plan.deliveries.length * options.cutDatabaseAt), run: () => cut() },
      ...(scaleOut
        ? [{ at: Math.floor(plan.deliveries.length * scaleOut.killApiAt), run: () => apis[0]!.kill() }]
        : []),
      ...(storm ? [{ at: Math.floor(plan.deliveries.length * storm.at), run: () => storm.start() }] : []),
    ];
    // The cut must hit a running worker that is applying events (one still migrating after the kill would only
    // crash and restart, proving restarts, not that a running worker's pool recovers), and the same process must
    // apply events after it.
    let cutDone: Promise<void> = Promise.resolve();
    const cutReport = { hitRunningWorker: false, sameWorkerAfter: false };
    const cut = () => {
      cutDone = (async () => {
        const pid = await worker.applyingEvents(rows.count, 60_000);
        if (pid === undefined) return options.log('no worker applied events within a minute: no database cut');
        cutReport.hitRunningWorker = true;
        options.log(`cutting the database connections of worker ${pid} for ${options.cutDatabaseForMs} ms`);
        proxy.cut(options.cutDatabaseForMs);
        await new Promise((r) => setTimeout(r, options.cutDatabaseForMs));
        cutReport.sameWorkerAfter = await worker.sameProcessApplies(pid, rows.count, 60_000);
      })();
    };
    const sendStart = performance.now();
    const redeliveries = await deliver(
      apis.map((a) => a.url),
      plan.deliveries,
      signing.sign,
      options.concurrency,
      Boolean(lost),
      (sent) => faults.filter((f) => f.at === sent).forEach((f) => f.run()),
    );
    const sendSeconds = (performance.now() - sendStart) / 1000;
    await cutDone;
    await storm?.ended();
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
    const judge = () => verifyChaos(db.url, plan, `chaos-${runId}-`, { deliveries: outbound?.deliveries });
    let verdict = await judge();
    // Lifecycles end after their silence and reopen windows: judge once they have passed (or the time is up).
    const deadline = Date.now() + options.settleTimeoutMs;
    while (lost && !verdict.ok && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      verdict = await judge();
    }
    return {
      verdict,
      deliveries: plan.deliveries.length,
      redeliveriesAfterRefusal: redeliveries,
      workerProcesses: workers.length,
      apiProcesses: apis.length,
      workerKills: workers.reduce((n, w) => n + w.kills, 0),
      commitBoundaryKills: workers.reduce((n, w) => n + w.commitKills, 0),
      workerCrashes: workers.reduce((n, w) => n + w.crashes, 0),
      workerRestarts: workers.reduce((n, w) => n + w.restarts, 0),
      apiKills: apis.reduce((n, a) => n + a.kills, 0),
      databaseCuts: proxy.cuts,
      cutHitRunningWorker: cutReport.hitRunningWorker,
      sameWorkerAppliedAfterCut: cutReport.sameWorkerAfter,
      sendSeconds,
      settleSeconds,
      droppedEvents: plan.droppedEvents,
      ...(freshchat.fake && storm && { freshchatStorm: { ...freshchat.fake.stormAnswers, seconds: storm.seconds } }),
      reconciliation,
    };
  } finally {
    storm?.stop();
    await rows.end();
    await Promise.all(workers.map((w) => w.stop()));
    await Promise.all(apis.map((a) => a.stop()));
    await proxy.stop();
    await freshchat.stop();
    await db.drop();
    await slaFile?.remove();
    await outbound?.stop();
  }
}

/** The run's SLA policy as a file of its own, for the worker's SLA_POLICY_FILE. */
async function slaPolicyFileOf(content: unknown) {
  const dir = await mkdtemp(join(tmpdir(), 'slo-chaos-sla-'));
  const path = join(dir, 'sla-policies.json');
  await writeFile(path, JSON.stringify(content));
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Answers each kind of request (user lookups, tag reads) gets before Freshchat may recover: each failure once. */
const STORM_ANSWERS_EACH = 4;
/** Never longer than this, whatever was seen. */
const STORM_CAP_MS = 120_000;

/**
 * Freshchat misbehaving for a while: at least `ms`, and until user lookups and tag reads have each met every failure
 * (garbage only to user lookups: a tag read's garbage is final by design). Tag reads all start within the storm, and
 * it ends within `ms` of its start or a few reads after the first tag read, well before 8 reads run out.
 */
function freshchatStorm(
  fake: FakeFreshchat,
  window: { ms: number; retryAfterSeconds: number; at: number },
  log: (line: string) => void,
) {
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let since = 0;
  let lastedMs = 0;
  let over: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (over = resolve));
  const stop = () => {
    clearInterval(timer);
    if (started && lastedMs === 0) lastedMs = Date.now() - since;
    fake.recover();
    over();
  };
  return {
    at: window.at,
    /** Resolves once Freshchat has recovered (at once if it never misbehaved). */
    ended: () => (started ? done : Promise.resolve()),
    start() {
      started = true;
      since = Date.now();
      log(`Freshchat answers 429/5xx/garbage for at least ${window.ms} ms`);
      fake.misbehave(window.retryAfterSeconds, (path) => path.startsWith('/users/'));
      timer = setInterval(() => {
        const { userReads, conversationReads } = fake.stormAnswers;
        const seen = Math.min(userReads, conversationReads) >= STORM_ANSWERS_EACH;
        const elapsed = Date.now() - since;
        if (!(elapsed >= window.ms && seen) && elapsed < STORM_CAP_MS) return;
        log(`Freshchat recovered after ${elapsed} ms: ${JSON.stringify(fake.stormAnswers)}`);
        stop();
      }, 100);
    },
    stop,
    get seconds() {
      return lastedMs / 1000;
    },
  };
}

/** Counts the run's timeline rows straight from PostgreSQL (not through the fault proxy). */
function timelineCounter(databaseUrl: string, prefix: string) {
  const db = new PgClient({ connectionString: databaseUrl });
  const connected = db.connect();
  return {
    async count(): Promise<number> {
      await connected;
      const { rows } = await db.query<{ n: number }>(COUNT_TIMELINE, [`${prefix}%`]);
      return rows[0]!.n;
    },
    end: () => connected.then(() => db.end()),
  };
}

/** The worker as a real process, restarted whenever it dies (as systemd or Kubernetes would) unless told not to. */
function superviseWorker(
  entry: string,
  env: Record<string, string>,
  log: (line: string) => void,
  options: { name: string; restart: boolean; killsAfterCommit?: number },
) {
  let child: ChildProcess;
  let stopping = false;
  let killedByUs = false;
  const state = { kills: 0, commitKills: 0, crashes: 0, restarts: 0 };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const spawnWorker = () => {
    killedByUs = false;
    const killsLeft = (options.killsAfterCommit ?? Infinity) - state.commitKills;
    child = startNodeProcess(entry, { ...env, CHAOS_KILLS_LEFT: String(killsLeft) });
    child.once('exit', (code, signal) => {
      if (stopping) return;
      if (killedByUs) log(`${options.name} killed (${signal ?? code})`);
      else if (signal === 'SIGKILL') state.commitKills++;
      else {
        state.crashes++;
        log(`${options.name} crashed (${signal ?? code})`);
      }
      if (!options.restart) return;
      state.restarts++;
      setTimeout(spawnWorker, 500);
    });
  };
  spawnWorker();
  /** Whether `pid` is still the worker and the timeline grows while it is, within `ms`. */
  const progresses = async (pid: number | undefined, count: () => Promise<number>, ms: number) => {
    const before = await count();
    for (const deadline = Date.now() + ms; Date.now() < deadline && child.pid === pid; await sleep(200)) {
      if ((await count()) > before && child.pid === pid) return true;
    }
    return false;
  };
  return {
    get kills() {
      return state.kills;
    },
    get commitKills() {
      return state.commitKills;
    },
    get crashes() {
      return state.crashes;
    },
    get restarts() {
      return state.restarts;
    },
    kill() {
      state.kills++;
      killedByUs = true;
      log(`killing ${options.name} (pid ${child.pid}) with SIGKILL`);
      child.kill('SIGKILL');
    },
    /** Resolves with the pid of the current worker once it has applied events (the timeline grew while it ran). */
    async applyingEvents(count: () => Promise<number>, ms: number): Promise<number | undefined> {
      for (const deadline = Date.now() + ms; Date.now() < deadline;) {
        const pid = child.pid;
        if (await progresses(pid, count, 5000)) return pid;
      }
      return undefined;
    },
    /** Whether the same process applies events within `ms` (it was not restarted and its pool recovered). */
    sameProcessApplies: (pid: number, count: () => Promise<number>, ms: number) => progresses(pid, count, ms),
    async stop() {
      stopping = true;
      await stopProcess(child);
    },
  };
}

/** The API as a real process (scale-out mode), killable with SIGKILL. */
async function startApiProcess(env: Record<string, string>, log: (line: string) => void) {
  const port = await freePort();
  const child = startNodeProcess('api/server.ts', { ...env, PORT: String(port), API_METRICS_PORT: '0' });
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
  inOrderPerConversation: boolean,
  onSent: (sent: number) => void,
): Promise<number> {
  // Lifecycles are sent in order per conversation (a reopen before its resolution would only reach the timeline).
  const previous = new Map<string, Promise<void>>();
  const conversationOf = conversationOfBody;
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
      if (inOrderPerConversation) {
        const id = conversationOf(body);
        const done = (previous.get(id) ?? Promise.resolve()).then(() => post(body));
        previous.set(id, done);
        await done;
      } else await post(body);
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
      const { rows } = await db.query<{ n: number }>(COUNT_TIMELINE, [`${prefix}%`]);
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

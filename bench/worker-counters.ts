import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/**
 * What the benchmark's worker process has done so far: CPU (all threads, from /proc, robust to other load on the
 * machine), calls into the workflow sandbox by SDK function (bench/sandbox-entries.js; `concludeActivation` is one
 * per activation) and the SDK's own Prometheus counters (workflow tasks, sticky cache hits, misses and evictions).
 */
export interface WorkerCounters {
  cpuMs: number;
  /** CPU once RSS was read (after the wait and the GC it takes): where the next phase's CPU is counted from. */
  restedCpuMs?: number;
  rssMb: number;
  /** CPU by thread name (the main thread, the workflow threads, V8's helpers, the SDK core's runtime...). */
  threads: Record<string, number>;
  /** CPU of every PostgreSQL process on this machine (the benchmark's database server is local). */
  databaseCpuMs: number;
  sandbox: Record<string, number>;
  metrics: Record<string, number>;
}

export interface WorkerProbe {
  pid: number;
  sandboxFile: string;
  metricsUrl: string;
  /** Touched to make every thread of the worker collect its garbage (bench/sandbox-entries.js, --expose-gc). */
  gcFile?: string;
}

export async function readCounters(probe: WorkerProbe): Promise<WorkerCounters> {
  const sandbox = existsSync(probe.sandboxFile)
    ? (JSON.parse(readFileSync(probe.sandboxFile, 'utf8')) as Record<string, number>)
    : {};
  return {
    cpuMs: cpuMs(probe.pid),
    rssMb: rssMb(probe.pid),
    threads: threadCpuMs(probe.pid),
    databaseCpuMs: postgresCpuMs(),
    sandbox,
    metrics: await sdkMetrics(probe.metricsUrl),
  };
}

/**
 * Waits until the worker is idle (no sandbox call for two seconds), then reads its counters, its RSS after a full
 * garbage collection when the probe can ask for one, once the memory a burst of work leaves behind was given back.
 */
export async function settledCounters(probe: WorkerProbe): Promise<WorkerCounters> {
  let last = await readCounters(probe);
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 2000));
    const now = await readCounters(probe);
    if (entries(now) !== entries(last)) {
      last = now;
      continue;
    }
    if (!probe.gcFile) return now;
    const rss = await rssAfterGc(probe);
    return { ...now, rssMb: rss, restedCpuMs: cpuMs(probe.pid) };
  }
  return last;
}

/**
 * A worker that just drained a burst keeps native memory (not JavaScript heap) that it gives back about ten seconds
 * after the work stops, with every workflow still open and cached: read sooner, RSS counts the burst, not what each
 * open workflow holds (docs/worker-performance.md).
 */
const RSS_SETTLE_MS = 15_000;

async function rssAfterGc(probe: WorkerProbe): Promise<number> {
  await new Promise((r) => setTimeout(r, RSS_SETTLE_MS));
  writeFileSync(probe.gcFile!, String(Date.now()));
  await new Promise((r) => setTimeout(r, 1500));
  return rssMb(probe.pid);
}

const entries = (c: WorkerCounters) => Object.values(c.sandbox).reduce((a, b) => a + b, 0);

/** Per-item figures between two readings. */
export function perItem(before: WorkerCounters, after: WorkerCounters, items: number) {
  const metric = (name: string) => ((after.metrics[name] ?? 0) - (before.metrics[name] ?? 0)) / items;
  const sandbox = (fn: string) => ((after.sandbox[fn] ?? 0) - (before.sandbox[fn] ?? 0)) / items;
  return {
    cpuMs: (after.cpuMs - (before.restedCpuMs ?? before.cpuMs)) / items,
    /** The worker's RSS growth per item, at rest after a full GC: what each workflow left open (cached) holds. */
    rssKb: ((after.rssMb - before.rssMb) * 1024) / items,
    /** PostgreSQL's CPU per item (from the phase's start). */
    databaseCpuMs: (after.databaseCpuMs - before.databaseCpuMs) / items,
    /** CPU per item by thread name (counted from the phase's start, not from the rest after the last one). */
    threadsMs: Object.fromEntries(
      Object.entries(after.threads)
        .map(([name, ms]) => [name, Math.round(((ms - (before.threads[name] ?? 0)) / items) * 100) / 100] as const)
        .filter(([, ms]) => ms > 0),
    ),
    activations: sandbox('concludeActivation'),
    sandboxEntries: (entries(after) - entries(before)) / items,
    workflowTasks: metric('temporal_workflow_task_execution_latency_count'),
    stickyCacheMisses: metric('temporal_sticky_cache_miss'),
    evictions: metric('temporal_sticky_cache_total_forced_eviction'),
    replays: metric('temporal_workflow_task_replay_latency_count'),
  };
}

/** Sums every Prometheus series by metric name (labels ignored); `_total` suffixes dropped. */
async function sdkMetrics(url: string): Promise<Record<string, number>> {
  const text = await fetch(url).then(
    (r) => r.text(),
    () => '',
  );
  const sums: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!match) continue;
    const name = match[1]!.replace(/_total$/, '');
    sums[name] = (sums[name] ?? 0) + Number(match[2]);
  }
  return sums;
}

/** CPU time (user + system, every thread) a process has used so far. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100) ticks
}

/** CPU time of every process named postgres (the server and its backends), including ended backends' share. */
function postgresCpuMs(): number {
  let ms = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (!readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('postgres')) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      // utime, stime, and the children's (backends that ended count in the postmaster's cutime and cstime)
      ms += ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 1000) / 100;
    } catch {
      // the process ended meanwhile
    }
  }
  return ms;
}

/** CPU time by thread name, summed over the threads of that name. */
function threadCpuMs(pid: number): Record<string, number> {
  const byName: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat
        .slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
        .replace(/[0-9]+$/, '')
        .trim();
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      byName[name] = (byName[name] ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
      // the thread ended meanwhile
    }
  }
  return byName;
}

export function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? NaN) / 1024;
}

const { EventType } = temporal.api.enums.v1;

/** Average history of the given workflows: events, workflow tasks and markers (local-activity results, patches). */
export async function historyShape(client: Client, workflowIds: string[]) {
  let events = 0;
  let workflowTasks = 0;
  let markers = 0;
  for (const id of workflowIds) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    for (const event of history.events ?? []) {
      events++;
      if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) workflowTasks++;
      if (event.eventType === EventType.EVENT_TYPE_MARKER_RECORDED) markers++;
    }
  }
  const n = workflowIds.length;
  return { events: events / n, workflowTasks: workflowTasks / n, markers: markers / n };
}

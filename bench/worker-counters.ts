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
  /** CPU of the Temporal dev server (every process named temporal: one runs at a time). */
  serverCpuMs: number;
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
    databaseCpuMs: processesCpuMs('postgres'),
    serverCpuMs: processesCpuMs('temporal'),
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
    /** The Temporal server's CPU per item (from the phase's start). */
    serverCpuMs: (after.serverCpuMs - before.serverCpuMs) / items,
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

/** A /proc stat file's name and CPU time in ms: user + system, and with `children` that of its ended children too. */
function statOf(file: string, children = false): { name: string; ms: number } {
  const stat = readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  const ticks = [11, 12, ...(children ? [13, 14] : [])].reduce((sum, i) => sum + Number(fields[i]), 0);
  return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ms: (ticks * 1000) / 100 }; // USER_HZ 100
}

/** Sums `read` over the entries of a /proc folder, skipping those that ended meanwhile. */
function sumOver(dir: string, read: (entry: string) => void): void {
  for (const entry of readdirSync(dir).filter((name) => /^\d+$/.test(name))) {
    try {
      read(entry);
    } catch {
      // the process or thread ended meanwhile
    }
  }
}

/** CPU time (user + system, every thread) a process has used so far. */
export const cpuMs = (pid: number): number => statOf(`/proc/${pid}/stat`).ms;

/** CPU time of every process whose name starts with `name`, with that of its ended children (PostgreSQL's backends). */
function processesCpuMs(name: string): number {
  let ms = 0;
  sumOver('/proc', (pid) => {
    const stat = statOf(`/proc/${pid}/stat`, true);
    if (stat.name.startsWith(name)) ms += stat.ms;
  });
  return ms;
}

/** CPU time by thread name (digits at its end dropped), summed over the threads of that name. */
function threadCpuMs(pid: number): Record<string, number> {
  const byName: Record<string, number> = {};
  sumOver(`/proc/${pid}/task`, (tid) => {
    const stat = statOf(`/proc/${pid}/task/${tid}/stat`);
    const name = stat.name.replace(/[0-9]+$/, '').trim();
    byName[name] = (byName[name] ?? 0) + stat.ms;
  });
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

/** The machine's busy and total CPU time so far (all cores, from /proc/stat), in USER_HZ ticks. */
function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = fields[3]! + (fields[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/**
 * Waits until the whole machine is quiet (under `busyShare` of its CPU for two seconds in a row, at most `maxMs`):
 * a phase then starts with nothing left of the one before it (the dev server's visibility and timer work, a
 * worker's garbage collection), whichever phase that was.
 */
export async function quietMachine(busyShare = 0.15, maxMs = 60_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let quietSeconds = 0;
  while (quietSeconds < 2 && Date.now() < deadline) {
    const before = machineTicks();
    await new Promise((r) => setTimeout(r, 1000));
    const after = machineTicks();
    const share = (after.busy - before.busy) / Math.max(1, after.total - before.total);
    quietSeconds = share < busyShare ? quietSeconds + 1 : 0;
  }
}

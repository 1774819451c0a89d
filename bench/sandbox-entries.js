/**
 * Preloaded (node --require) into the benchmark's worker process: counts every call into a workflow sandbox
 * (`vm.Script#runInContext`) on the workflow thread, by the SDK function it enters, and writes the totals to
 * SANDBOX_ENTRIES_FILE once a second. Preloads run in worker threads too, so the workflow thread counts itself.
 * Also collects garbage on request (below).
 */
const { isMainThread } = require('node:worker_threads');
const { renameSync, writeFileSync } = require('node:fs');
const vm = require('node:vm');

const file = process.env.SANDBOX_ENTRIES_FILE;
if (file && !isMainThread) {
  const counts = {};
  let dirty = false; // other threads (tsx's module hooks) never enter a sandbox, so never write
  const runInContext = vm.Script.prototype.runInContext;
  vm.Script.prototype.runInContext = function (context, options) {
    const fn = (context && context.__temporal_args && context.__temporal_args[1]) || 'other';
    counts[fn] = (counts[fn] || 0) + 1;
    dirty = true;
    return runInContext.call(this, context, options);
  };
  const flush = () => {
    if (!dirty) return;
    dirty = false;
    writeFileSync(`${file}.tmp`, JSON.stringify(counts));
    renameSync(`${file}.tmp`, file); // readers never see half a file
  };
  setInterval(flush, 1000).unref();
}

/**
 * BENCH_HEAP_STATS=<path prefix> (a diagnostic): the RSS and main-thread heap every 2 s (`<prefix>.<pid>.rss`), and each
 * thread's V8 heap after every requested GC (`<prefix>.<pid>.<threadId>`): what of the worker's memory is JavaScript
 * heap, per thread, and what is native.
 */
if (process.env.BENCH_HEAP_STATS && isMainThread) {
  setInterval(() => {
    const m = process.memoryUsage();
    require('node:fs').appendFileSync(
      `${process.env.BENCH_HEAP_STATS}.${process.pid}.rss`,
      `${Date.now()} ${m.rss >> 20} ${m.heapUsed >> 20}\n`,
    );
  }, 2000).unref();
}

/**
 * With --expose-gc: each thread runs a full garbage collection whenever GC_REQUEST_FILE is touched, so the benchmark
 * reads the worker's RSS without the garbage a phase left (what open workflows hold, not when V8 last collected).
 */
const gcFile = process.env.GC_REQUEST_FILE;
if (gcFile && typeof globalThis.gc === 'function') {
  const { statSync } = require('node:fs');
  let seen = 0;
  setInterval(() => {
    let touched = 0;
    try {
      touched = statSync(gcFile).mtimeMs;
    } catch {
      return;
    }
    if (touched === seen) return;
    seen = touched;
    globalThis.gc();
    if (process.env.BENCH_HEAP_STATS) {
      const v8 = require('node:v8');
      const { threadId } = require('node:worker_threads');
      const line = JSON.stringify({
        t: Date.now(),
        threadId,
        heap: v8.getHeapStatistics(),
        mem: process.memoryUsage(),
      });
      require('node:fs').appendFileSync(`${process.env.BENCH_HEAP_STATS}.${process.pid}.${threadId}`, line + '\n');
    }
  }, 200).unref();
}

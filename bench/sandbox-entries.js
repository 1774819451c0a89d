/**
 * Preloaded (node --require) into the benchmark's worker process: counts every call into a workflow sandbox
 * (`vm.Script#runInContext`) on the workflow thread, by the SDK function it enters, and writes the totals to
 * SANDBOX_ENTRIES_FILE once a second. Preloads run in worker threads too, so the workflow thread counts itself.
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

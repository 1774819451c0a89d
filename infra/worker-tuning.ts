import { readFileSync } from 'node:fs';
import type { WorkerOptions } from '@temporalio/worker';
import { ConfigError } from './config';
import type { Settings } from './settings';

/**
 * Read by the SDK's workflow thread (a local patch of @temporalio/worker, see patches/): `per-thread` enters the
 * workflow sandbox without Node's per-call watchdog and guards the whole thread instead.
 */
export const DEADLOCK_GUARD_ENV = 'TEMPORAL_SANDBOX_DEADLOCK_GUARD';
/** Read by the same patch: `off` skips the promise hook behind the workflow stack-trace query. */
export const STACK_TRACES_ENV = 'TEMPORAL_WORKFLOW_STACK_TRACES';

/** Worker options from WORKER_* settings; each one unset keeps the SDK's default. */
export function workerTuning(worker: Settings['worker']): Partial<WorkerOptions> {
  const options: Partial<WorkerOptions> = {};
  if (worker.maxCachedWorkflows) options.maxCachedWorkflows = worker.maxCachedWorkflows;
  if (worker.maxWorkflowTasks) options.maxConcurrentWorkflowTaskExecutions = worker.maxWorkflowTasks;
  if (worker.workflowPollers) {
    options.workflowTaskPollerBehavior = { type: 'simple-maximum', maximum: worker.workflowPollers };
  }
  return options;
}

/** Must run before the worker is created: the SDK reads these when it starts the workflow thread. */
export function applySandboxSettings(worker: Settings['worker']): void {
  if ((worker.deadlockGuard === 'per-thread' || !worker.stackTraces) && !sdkPatched()) {
    throw new ConfigError([
      'WORKFLOW_DEADLOCK_GUARD=per-thread and WORKFLOW_STACK_TRACES=false need the patched SDK (npm ci applies patches/)',
    ]);
  }
  process.env[DEADLOCK_GUARD_ENV] = worker.deadlockGuard;
  process.env[STACK_TRACES_ENV] = worker.stackTraces ? 'on' : 'off';
}

const sdkPatched = () =>
  readFileSync(require.resolve('@temporalio/worker/lib/workflow/threaded-vm.js'), 'utf8').includes(DEADLOCK_GUARD_ENV);

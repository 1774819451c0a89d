import { readFileSync } from 'node:fs';
import type { RuntimeOptions, WorkerOptions } from '@temporalio/worker';
import { ConfigError, type Config } from './config';

/**
 * Read by the SDK's workflow thread (a local patch of @temporalio/worker, see patches/): `per-thread` enters the
 * workflow sandbox without Node's per-call watchdog and guards the whole thread instead.
 */
export const DEADLOCK_GUARD_ENV = 'TEMPORAL_SANDBOX_DEADLOCK_GUARD';
/** Read by the same patch: `off` skips the promise hook behind the workflow stack-trace query. */
export const STACK_TRACES_ENV = 'TEMPORAL_WORKFLOW_STACK_TRACES';

/** Worker options from WORKER_* settings; each one unset keeps the SDK's default. */
export function workerTuning(config: Config): Partial<WorkerOptions> {
  const options: Partial<WorkerOptions> = {};
  if (config.WORKER_MAX_CACHED_WORKFLOWS) options.maxCachedWorkflows = config.WORKER_MAX_CACHED_WORKFLOWS;
  if (config.WORKER_MAX_WORKFLOW_TASKS) options.maxConcurrentWorkflowTaskExecutions = config.WORKER_MAX_WORKFLOW_TASKS;
  if (config.WORKER_WORKFLOW_POLLERS) {
    options.workflowTaskPollerBehavior = { type: 'simple-maximum', maximum: config.WORKER_WORKFLOW_POLLERS };
  }
  return options;
}

/** The SDK runtime's telemetry: Prometheus metrics when WORKER_METRICS_ADDRESS is set. */
export function workerTelemetry(config: Config): RuntimeOptions['telemetryOptions'] {
  if (!config.WORKER_METRICS_ADDRESS) return undefined;
  return { metrics: { prometheus: { bindAddress: config.WORKER_METRICS_ADDRESS } } };
}

/** Must run before the worker is created: the SDK reads these when it starts the workflow thread. */
export function applySandboxSettings(config: Config): void {
  if ((config.WORKFLOW_DEADLOCK_GUARD === 'per-thread' || !config.WORKFLOW_STACK_TRACES) && !sdkPatched()) {
    throw new ConfigError([
      'WORKFLOW_DEADLOCK_GUARD=per-thread and WORKFLOW_STACK_TRACES=false need the patched SDK (npm ci applies patches/)',
    ]);
  }
  process.env[DEADLOCK_GUARD_ENV] = config.WORKFLOW_DEADLOCK_GUARD;
  process.env[STACK_TRACES_ENV] = config.WORKFLOW_STACK_TRACES ? 'on' : 'off';
}

const sdkPatched = () =>
  readFileSync(require.resolve('@temporalio/worker/lib/workflow/threaded-vm.js'), 'utf8').includes(DEADLOCK_GUARD_ENV);

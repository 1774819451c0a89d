import { ConfigError, loadConfig } from '../../infra/config';
import { workerTelemetry, workerTuning } from '../../infra/worker-tuning';

test('worker settings left unset keep every SDK default', () => {
  const config = loadConfig({});
  expect(workerTuning(config)).toEqual({});
  expect(workerTelemetry(config)).toBeUndefined();
  expect(config).toMatchObject({ WORKFLOW_DEADLOCK_GUARD: 'per-call', WORKFLOW_STACK_TRACES: true });
});

test('worker settings become the SDK options they name', () => {
  const config = loadConfig({
    WORKER_MAX_CACHED_WORKFLOWS: '5000',
    WORKER_MAX_WORKFLOW_TASKS: '10',
    WORKER_WORKFLOW_POLLERS: '5',
    WORKER_METRICS_ADDRESS: '127.0.0.1:9464',
  });
  expect(workerTuning(config)).toEqual({
    maxCachedWorkflows: 5000,
    maxConcurrentWorkflowTaskExecutions: 10,
    workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 5 },
  });
  expect(workerTelemetry(config)).toEqual({ metrics: { prometheus: { bindAddress: '127.0.0.1:9464' } } });
});

test.each([
  ['WORKER_MAX_CACHED_WORKFLOWS', 'lots'],
  ['WORKER_WORKFLOW_POLLERS', '0'],
  ['WORKFLOW_DEADLOCK_GUARD', 'none'],
])('%s=%s is refused, naming the setting', (name, value) => {
  expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
  expect(() => loadConfig({ [name]: value })).toThrow(name);
});

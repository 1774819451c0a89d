import { ConfigError, loadConfig } from '../../infra/config';
import { settingsFrom } from '../../infra/settings';
import { workerTuning } from '../../infra/worker-tuning';

const workerSettings = (env: Record<string, string>) => settingsFrom(loadConfig(env)).worker;

test('worker settings left unset keep every SDK default', () => {
  const worker = workerSettings({});
  expect(workerTuning(worker)).toEqual({});
  expect(worker).toMatchObject({ deadlockGuard: 'per-call', stackTraces: false });
});

test('worker settings become the SDK options they name', () => {
  const worker = workerSettings({
    WORKER_MAX_CACHED_WORKFLOWS: '5000',
    WORKER_MAX_WORKFLOW_TASKS: '10',
    WORKER_WORKFLOW_POLLERS: '5',
    WORKFLOW_DEADLOCK_GUARD: 'per-thread',
    WORKFLOW_STACK_TRACES: 'true',
  });
  expect(workerTuning(worker)).toEqual({
    maxCachedWorkflows: 5000,
    maxConcurrentWorkflowTaskExecutions: 10,
    workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 5 },
  });
  expect(worker).toMatchObject({ deadlockGuard: 'per-thread', stackTraces: true });
});

test.each([
  ['WORKER_MAX_CACHED_WORKFLOWS', 'lots'],
  ['WORKER_WORKFLOW_POLLERS', '0'],
  ['WORKFLOW_DEADLOCK_GUARD', 'none'],
])('%s=%s is refused, naming the setting', (name, value) => {
  expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
  expect(() => loadConfig({ [name]: value })).toThrow(name);
});

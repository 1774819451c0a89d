import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { DEADLOCK_GUARD_ENV } from '../../infra/worker-tuning';

// WORKFLOW_DEADLOCK_GUARD=per-thread enters the sandbox without Node's per-call watchdog; the guard that remains
// must still stop a workflow that holds the workflow thread, failing its task and stopping the worker.
test('with the per-thread deadlock guard, a workflow that never yields stops the worker with a deadlock error', async () => {
  const address = process.env.TEMPORAL_TEST_ADDRESS!;
  const taskQueue = `deadlock-${randomUUID()}`;
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, '..', 'fixtures', 'workflows', 'stuck-workflow.ts'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  const connection = await NativeConnection.connect({ address });
  const previous = process.env[DEADLOCK_GUARD_ENV];
  process.env[DEADLOCK_GUARD_ENV] = 'per-thread';
  const worker = await Worker.create({ connection, taskQueue, workflowBundle: { code } }).finally(() => {
    process.env[DEADLOCK_GUARD_ENV] = previous;
  });
  const client = new Client({ connection: await Connection.connect({ address }) });
  try {
    const running = worker.run();
    await client.workflow.start('stuckWorkflow', { taskQueue, workflowId: taskQueue });
    await expect(running).rejects.toThrow(/Potential deadlock detected/);
  } finally {
    await client.workflow
      .getHandle(taskQueue)
      .terminate('test over')
      .catch(() => undefined);
    await client.connection.close();
    await connection.close();
  }
});

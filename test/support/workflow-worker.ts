import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { payloadDataConverter } from '../../infra/payload-codec';
import { loadConfig } from '../../infra/config';
import { testRunId } from './database';
import { TEST_PAYLOAD_KEYS } from './signing';

/**
 * Workflow tests with mocked activities, on the dev server the suite already runs (Temporal samples' pattern): the
 * workflow code is the real bundle; every activity is a plain function of the test. No PostgreSQL, Redis or HTTP.
 */
export interface WorkflowHarness {
  client: Client;
  /**
   * Runs `body` while a worker with these activities polls a task queue of its own (passed to `body`), or the one
   * given (work sent to it before the worker runs waits for it).
   */
  withWorker<T>(activities: object, body: (taskQueue: string) => Promise<T>, taskQueue?: string): Promise<T>;
  close(): Promise<void>;
}

export async function workflowHarness(): Promise<WorkflowHarness> {
  const address = process.env.TEMPORAL_TEST_ADDRESS ?? '127.0.0.1:7233';
  const native = await NativeConnection.connect({ address });
  // Payloads are encrypted here too, as in production and in the system tests.
  const dataConverter = payloadDataConverter(
    loadConfig({ TEMPORAL_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS }).TEMPORAL_PAYLOAD_KEYS,
  );
  const client = new Client({ connection: await Connection.connect({ address }), dataConverter });
  return {
    client,
    async withWorker(activities, body, taskQueue = `wf-${testRunId()}`) {
      const worker = await Worker.create({
        connection: native,
        taskQueue,
        workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
        activities,
        dataConverter,
      });
      return worker.runUntil(body(taskQueue));
    },
    async close() {
      await client.connection.close();
      await native.close();
    },
  };
}

/** One harness for the calling test file: connected before its tests, closed after them. */
export function useWorkflowHarness(): WorkflowHarness {
  let harness: WorkflowHarness | undefined;
  beforeAll(async () => {
    harness = await workflowHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });
  return {
    get client() {
      return harness!.client;
    },
    withWorker: (activities, body, taskQueue) => harness!.withWorker(activities, body, taskQueue),
    close: async () => harness?.close(),
  };
}

/** Resolves after `ms` of wall time: the windows under test are a few hundred milliseconds of workflow time. */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

import type { AddressInfo } from 'node:net';
import { createsSearchAttributes } from '../../infra/settings';
import { serveWorkerHealth } from '../../infra/worker-health';

test('on Temporal Cloud the worker leaves search attributes to tcld or Terraform, unless told otherwise', () => {
  expect(createsSearchAttributes('auto', 'temporal:7233')).toBe(true);
  expect(createsSearchAttributes('auto', 'support-led.a1b2c.tmprl.cloud:7233')).toBe(false);
  expect(createsSearchAttributes('auto', 'ap-south-1.aws.api.temporal.io:7233')).toBe(false);
  expect(createsSearchAttributes('create', 'support-led.a1b2c.tmprl.cloud:7233')).toBe(true);
  expect(createsSearchAttributes('skip', '127.0.0.1:7233')).toBe(false);
});

test("the worker's health endpoint answers 200 while it runs and 503 otherwise", async () => {
  let state = 'RUNNING';
  const server = await serveWorkerHealth({ getState: () => state as never }, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const running = await fetch(`${url}/health`);
    expect(running.status).toBe(200);
    expect(await running.json()).toEqual({ status: 'ok', state: 'RUNNING' });
    state = 'DRAINING';
    expect((await fetch(`${url}/health`)).status).toBe(503);
    expect((await fetch(`${url}/other`)).status).toBe(404);
  } finally {
    server.close();
  }
});

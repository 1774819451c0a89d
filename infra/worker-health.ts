import { createServer, type Server } from 'node:http';
import type { Worker } from '@temporalio/worker';

/**
 * The worker's health endpoint for orchestrators (compose healthcheck, Kubernetes probes): GET /health answers 200
 * with the worker's state while it runs (polls its task queue), 503 otherwise (starting, draining, stopped, failed).
 */
export async function serveWorkerHealth(
  worker: Pick<Worker, 'getState'>,
  port: number,
  host = '0.0.0.0',
): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/health') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    const state = worker.getState();
    res
      .writeHead(state === 'RUNNING' ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify({ status: state === 'RUNNING' ? 'ok' : 'unavailable', state }));
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return server;
}

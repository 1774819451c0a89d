import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import type Koa from 'koa';

export interface GracefulServer {
  server: Server;
  port: number;
  /** True from the start of shutdown(): /ready answers 503 and every response closes its connection. */
  draining(): boolean;
  /**
   * Stops accepting connections, lets requests in flight finish (up to `deadlineMs`), then closes every
   * connection. Open keep-alive connections are not cut while idle: each gets `Connection: close` on its next
   * response, so no client sees a reset on a request it already sent.
   */
  shutdown(deadlineMs: number): Promise<{ forced: boolean }>;
}

/** How long no new request must have started before idle keep-alive connections are closed. */
const QUIET_MS = 250;

export function listenGracefully(app: Koa, port: number, host?: string): Promise<GracefulServer> {
  let draining = false;
  const inFlight = new Set<ServerResponse>();
  let lastRequestAt = 0;
  const closeAfterResponse = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('connection', 'close');
  };
  const handle = app.callback();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    inFlight.add(res);
    lastRequestAt = Date.now();
    res.once('close', () => inFlight.delete(res));
    if (draining) closeAfterResponse(res);
    void handle(req, res);
  });

  async function shutdown(deadlineMs: number): Promise<{ forced: boolean }> {
    draining = true;
    inFlight.forEach(closeAfterResponse);
    const deadline = Date.now() + deadlineMs;
    // net.Server's close stops listening; http.Server's would also drop idle keep-alive sockets a client may be
    // sending on this very moment (it sees a reset).
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
    while (Date.now() < deadline && (inFlight.size > 0 || Date.now() - lastRequestAt < QUIET_MS))
      await new Promise((r) => setTimeout(r, 25));
    const forced = inFlight.size > 0;
    if (forced) server.closeAllConnections();
    else server.closeIdleConnections();
    await closed;
    return { forced };
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({ server, port: (server.address() as AddressInfo).port, draining: () => draining, shutdown });
    });
  });
}

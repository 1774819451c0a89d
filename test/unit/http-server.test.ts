import { request, Agent } from 'node:http';
import Koa from 'koa';
import { listenGracefully } from '../../api/http-server';

/** An app answering /fast at once, /slow after 400 ms, /hang never. */
function app(): Koa {
  const koa = new Koa();
  koa.use(async (ctx) => {
    if (ctx.path === '/slow') await new Promise((r) => setTimeout(r, 400));
    if (ctx.path === '/hang') await new Promise(() => undefined);
    ctx.body = { path: ctx.path };
  });
  return koa;
}

const get = (port: number, path: string, agent?: Agent) =>
  new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
    })
      .on('error', reject)
      .end();
  });

test('shutdown: no new connections; requests in flight and on open keep-alive connections are answered, with Connection: close', async () => {
  const http = await listenGracefully(app(), 0, '127.0.0.1');
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
  expect(await get(http.port, '/fast', keepAlive)).toEqual({ status: 200, connection: 'keep-alive' });
  const slow = get(http.port, '/slow');
  await new Promise((r) => setTimeout(r, 50));

  const stopped = http.shutdown(5000);
  expect(http.draining()).toBe(true);
  await expect(get(http.port, '/fast')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  // The keep-alive connection that was idle when shutdown began still carries the client's next request.
  expect(await get(http.port, '/fast', keepAlive)).toEqual({ status: 200, connection: 'close' });
  expect(await slow).toEqual({ status: 200, connection: 'close' });
  expect(await stopped).toEqual({ forced: false });
  keepAlive.destroy();
});

test('shutdown: a request still running at the deadline is cut and reported as forced', async () => {
  const http = await listenGracefully(app(), 0, '127.0.0.1');
  const hung = get(http.port, '/hang').catch((error: NodeJS.ErrnoException) => error.code);
  await new Promise((r) => setTimeout(r, 50));
  const started = Date.now();
  expect(await http.shutdown(300)).toEqual({ forced: true });
  expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  expect(await hung).toBe('ECONNRESET');
});

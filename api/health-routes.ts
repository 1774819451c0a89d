import Router from '@koa/router';

/** Resolves when the dependency answers; rejects (or never settles) when it does not. */
export type DependencyCheck = () => Promise<unknown>;

export interface HealthDeps {
  /** PostgreSQL, Redis and Temporal, by the name the 503 reports. */
  checks: Record<string, DependencyCheck>;
  timeoutMs: number;
  /** True once SIGTERM arrived: /ready answers 503 so load balancers stop sending new requests. */
  draining: () => boolean;
}

const withTimeout = (check: DependencyCheck, ms: number): Promise<unknown> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([Promise.resolve().then(check), timeout]).finally(() => clearTimeout(timer));
};

/** GET /health: the process answers. GET /ready: every dependency answers within the timeout (503 names those that do not). */
export function healthRouter(deps: HealthDeps): Router {
  const router = new Router();
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/ready', async (ctx) => {
    ctx.set('cache-control', 'no-store');
    if (deps.draining()) {
      ctx.status = 503;
      ctx.body = { error: 'shutting_down', message: 'the API is shutting down', failing: [], checks: {} };
      return;
    }
    const names = Object.keys(deps.checks);
    const results = await Promise.allSettled(names.map((name) => withTimeout(deps.checks[name]!, deps.timeoutMs)));
    const checks = Object.fromEntries(
      results.map((r, i) => [names[i], r.status === 'fulfilled' ? 'ok' : errorText(r.reason)]),
    );
    const failing = names.filter((_, i) => results[i]!.status === 'rejected');
    if (failing.length === 0) {
      ctx.body = { status: 'ready', checks };
      return;
    }
    ctx.status = 503;
    ctx.body = {
      error: 'dependency_unavailable',
      message: `not ready: ${failing.map((name) => `${name} (${checks[name]})`).join(', ')}`,
      failing,
      checks,
    };
  });
  return router;
}

const errorText = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200) || 'failed';

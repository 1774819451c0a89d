import Router from '@koa/router';
import { logger } from '../infra/logger';

/** Resolves when the dependency answers; rejects (or never settles) when it does not. */
export type DependencyCheck = () => Promise<unknown>;

export interface HealthDeps {
  /** PostgreSQL, Redis and Temporal, by the name the 503 reports. */
  checks: Record<string, DependencyCheck>;
  timeoutMs: number;
  /** True once SIGTERM arrived: /ready answers 503 so load balancers stop sending new requests. */
  draining: () => boolean;
}

/** A dependency's state as /ready reports it: never the driver's error, which names users, hosts and ports. */
export type DependencyState = 'ok' | 'failing' | 'no_answer';

class NoAnswer extends Error {}

const withTimeout = (check: DependencyCheck, ms: number): Promise<unknown> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new NoAnswer(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([Promise.resolve().then(check), timeout]).finally(() => clearTimeout(timer));
};

/**
 * GET /health: the process answers. GET /ready: every dependency answers within the timeout; a 503 names those that
 * do not and their state only (the error itself goes to the log).
 */
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
    const checks: Record<string, DependencyState> = Object.fromEntries(
      results.map((r, i) => [names[i], r.status === 'fulfilled' ? 'ok' : stateOf(names[i]!, r.reason)]),
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

function stateOf(dependency: string, error: unknown): DependencyState {
  logger.warn({ dependency, err: error }, 'readiness check failed');
  return error instanceof NoAnswer ? 'no_answer' : 'failing';
}

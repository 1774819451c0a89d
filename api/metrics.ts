import Koa, { type Context, type Next } from 'koa';
import { Counter, Histogram } from 'prom-client';
import { LATENCY_BUCKETS, registry } from '../infra/metrics-registry';

/** The API's Prometheus metrics (served at GET /metrics on API_METRICS_PORT), in the process's one registry. */

const requests = new Counter({
  name: 'http_requests_total',
  help: 'HTTP requests by route pattern, method and status',
  labelNames: ['route', 'method', 'status'],
  registers: [registry],
});
const requestSeconds = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request latency by route pattern, method and status',
  labelNames: ['route', 'method', 'status'],
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});
const webhooks = new Counter({
  name: 'slo_webhooks_total',
  help: 'Freshchat webhooks by action and result (accepted, ignored, or the error code answered)',
  labelNames: ['action', 'result'],
  registers: [registry],
});
const signatureFailures = new Counter({
  name: 'slo_signature_failures_total',
  help: 'Requests refused for a missing or wrong signature, by feed (freshchat, orders)',
  labelNames: ['feed'],
  registers: [registry],
});
const rateLimitRefusals = new Counter({
  name: 'slo_rate_limit_refusals_total',
  help: 'Requests refused with 429 by a rate limit, by route pattern',
  labelNames: ['route'],
  registers: [registry],
});

export const apiMetrics = {
  webhook: (action: string, result: string) => webhooks.inc({ action, result }),
  signatureFailure: (feed: 'freshchat' | 'orders') => signatureFailures.inc({ feed }),
};

/** Koa middleware, outermost: every request counted by its route pattern (never its raw path: ids would explode the series). */
export async function requestMetrics(ctx: Context, next: Next): Promise<void> {
  const start = process.hrtime.bigint();
  try {
    await next();
  } finally {
    const route = (ctx as Context & { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
    const labels = { route: String(route), method: ctx.method, status: String(ctx.status) };
    requests.inc(labels);
    requestSeconds.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    if (ctx.status === 429) rateLimitRefusals.inc({ route: labels.route });
  }
}

/**
 * The API's metrics on a port of their own (API_METRICS_PORT), never on the published one: only GET /metrics, for
 * Prometheus inside the deployment's network.
 */
export function createMetricsApp(): Koa {
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.method !== 'GET' || ctx.path !== '/metrics') {
      ctx.status = 404;
      return;
    }
    ctx.set('content-type', registry.contentType);
    ctx.body = await registry.metrics();
  });
  return app;
}

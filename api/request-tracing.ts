import { context, propagation, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { Context, Middleware, Next } from 'koa';

/** Probes and scrapes, every few seconds from every orchestrator and Prometheus: spans would only be noise. */
const UNTRACED = new Set(['/health', '/ready']);

/**
 * A server span per request, named by its route pattern (never the raw path), active while the request is
 * handled: the Temporal client's signal spans become its children. A `traceparent` from the caller is continued.
 */
export function requestTracing(tracer: Tracer): Middleware {
  return async (ctx: Context, next: Next) => {
    if (UNTRACED.has(ctx.path)) return next();
    const parent = propagation.extract(context.active(), ctx.headers);
    const span = tracer.startSpan(
      ctx.method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': ctx.method } },
      parent,
    );
    ctx.state.traceId = span.spanContext().traceId;
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      const route = (ctx as Context & { _matchedRoute?: string })._matchedRoute;
      if (route !== undefined)
        span.updateName(`${ctx.method} ${String(route)}`).setAttribute('http.route', String(route));
      span.setAttribute('http.response.status_code', ctx.status);
      if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };
}

import { randomUUID } from 'node:crypto';
import type { Context, Middleware, Next } from 'koa';
import type { Logger } from '../infra/logger';

/** A caller's id is kept when it is short and plain (no spaces or quotes to smuggle into logs). */
const USABLE_ID = /^[\w.:@/+=-]{1,128}$/;
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

/**
 * Outermost middleware: a request id (the caller's X-Request-Id, or a new UUID) in ctx.state and in the answer's
 * X-Request-Id, and one log line per request with it, the route, status, duration and trace id. The line is built
 * only when the logger's level lets it through.
 */
export function requestLog(logger: Logger): Middleware {
  return async (ctx: Context, next: Next) => {
    const given = ctx.get('x-request-id');
    const requestId = USABLE_ID.test(given) ? given : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      if (logger.isLevelEnabled('info')) {
        logger.info(
          {
            req_id: requestId,
            trace_id: traceIdOf(ctx),
            method: ctx.method,
            route: (ctx as Context & { _matchedRoute?: string })._matchedRoute ?? null,
            status: ctx.status,
            ms: Math.round((performance.now() - started) * 10) / 10,
          },
          'request',
        );
      }
    }
  };
}

/** The trace this request belongs to: its server span's (api/request-tracing.ts), else the caller's traceparent. */
function traceIdOf(ctx: Context): string | null {
  if (typeof ctx.state.traceId === 'string') return ctx.state.traceId;
  return TRACEPARENT.exec(ctx.get('traceparent'))?.[1] ?? null;
}

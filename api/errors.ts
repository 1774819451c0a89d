import type { Context, Next } from 'koa';
import { logger } from '../infra/logger';

/** An error the client should see: its status, a machine-readable code and a sentence naming the problem. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Every error leaves as JSON `{error, message, field?}`; unexpected ones as a 500 without internals. */
export async function jsonErrors(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined)
      throw new ApiError(404, 'not_found', `no route for ${ctx.method} ${ctx.path}`);
  } catch (error) {
    const known = asApiError(error);
    if (known.status === 500) logger.error({ err: error, path: ctx.path, req_id: ctx.state.requestId }, known.message);
    ctx.status = known.status;
    ctx.body = { error: known.code, message: known.message, ...(known.field ? { field: known.field } : {}) };
  }
}

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const status =
    (error as { status?: number; statusCode?: number })?.status ?? (error as { statusCode?: number })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const type = (error as { type?: string }).type;
    if (status === 413 || type === 'entity.too.large')
      return new ApiError(413, 'body_too_large', 'request body is larger than allowed');
    return new ApiError(status, 'bad_request', (error as Error).message);
  }
  return new ApiError(500, 'internal_error', 'internal error');
}

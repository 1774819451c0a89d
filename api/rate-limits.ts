import type { Redis } from 'ioredis';
import type { Context, Next } from 'koa';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { logger } from '../infra/logger';
import type { Caller } from './auth';
import { ApiError } from './errors';

const WINDOW_SECONDS = 60;

/**
 * Koa middleware after authentication: at most `perMinute` requests a minute per app user (fixed windows counted
 * in Redis by rate-limiter-flexible, so every API instance shares them). Counted answers carry the limit's state in
 * RateLimit-Limit, -Remaining, -Reset and -Policy (the IETF draft's fields); over the limit: 429 with Retry-After.
 * 0 turns the limit off. Admin calls are not counted.
 */
export function perUserRateLimit(redis: Redis, options: { name: string; perMinute: number; keyPrefix: string }) {
  const limiter =
    options.perMinute > 0
      ? new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `${options.keyPrefix}rate-limit:${options.name}`,
          points: options.perMinute,
          duration: WINDOW_SECONDS,
        })
      : undefined;
  return async (ctx: Context, next: Next) => {
    const caller = ctx.state.caller as Caller | undefined;
    if (limiter && caller?.kind === 'user') await consume(ctx, limiter, caller.userId, options);
    await next();
  };
}

async function consume(
  ctx: Context,
  limiter: RateLimiterRedis,
  userId: string,
  options: { name: string; perMinute: number },
) {
  try {
    setRateLimitHeaders(ctx, options.perMinute, await limiter.consume(userId));
  } catch (outcome) {
    if (!(outcome instanceof RateLimiterRes)) {
      logger.error({ err: outcome, limit: options.name }, 'rate limit not checked: Redis failed');
      throw new ApiError(503, 'storage_unavailable', 'the request could not be checked; retry later');
    }
    setRateLimitHeaders(ctx, options.perMinute, outcome);
    ctx.set('Retry-After', String(Math.max(1, Math.ceil(outcome.msBeforeNext / 1000))));
    throw new ApiError(
      429,
      'rate_limited',
      `more than ${options.perMinute} ${options.name} a minute for this user; retry later`,
    );
  }
}

function setRateLimitHeaders(ctx: Context, limit: number, state: RateLimiterRes): void {
  ctx.set('RateLimit-Limit', String(limit));
  ctx.set('RateLimit-Remaining', String(Math.max(0, state.remainingPoints)));
  ctx.set('RateLimit-Reset', String(Math.max(0, Math.ceil(state.msBeforeNext / 1000))));
  ctx.set('RateLimit-Policy', `${limit};w=${WINDOW_SECONDS}`);
}

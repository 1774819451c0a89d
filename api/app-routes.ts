import Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import { createAppContext, type AppContext } from './app-context';
import { createUserContextStore } from '../stores/user-context-store';
import {
  cartBody,
  channelRouteBody,
  frictionSignalBody,
  profileBody,
  screenBody,
  userIdParam,
} from '../domain/app-context/app-requests';
import { routeChannels, type ChannelRules } from '../domain/app-context/channel-route';
import { logger } from '../infra/logger';
import { redisKeys } from '../infra/redis-keys';
import { authenticated, requireUser, type Caller } from './auth';
import type { AuthSettings, Settings } from '../infra/settings';
import type { Redis } from 'ioredis';
import type { DatabasePool } from 'slonik';
import type { ContextSyncNotifier } from '../gateways/context-sync-gateway';
import { ApiError } from './errors';
import { jsonBody, validate } from './json-body';
import { perUserRateLimit } from './rate-limits';

export interface AppApiDeps {
  context: AppContext;
  /** Per-user limits (429 + Retry-After); absent in unit wiring: no limit. */
  limits?: { contextWrites: Middleware; frictionSignals: Middleware };
  auth: AuthSettings;
  bodyLimit: number;
  channelRules: ChannelRules;
}

const callerOf = (ctx: Context): Caller => ctx.state.caller as Caller;
const userIdOf = (ctx: Context): string => validate(userIdParam, ctx.params.userId);

/** The user's own token: admins (agents, tools) may read any context but not write one. */
function ownUser(ctx: Context): string {
  const userId = userIdOf(ctx);
  const caller = callerOf(ctx);
  if (caller.kind === 'admin')
    throw new ApiError(403, 'forbidden', 'the admin token may read contexts, not change them');
  requireUser(caller, userId);
  return userId;
}

/** Redis or PostgreSQL failing is a 503 the app can retry, not an opaque 500. */
async function storageErrors(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } catch (error) {
    if (error instanceof ApiError || (error as { status?: number }).status) throw error;
    logger.error({ err: error, path: ctx.path }, 'context storage failed');
    throw new ApiError(503, 'storage_unavailable', 'the context could not be stored; retry later');
  }
}

/** The mobile app's API (docs/app-api.md): validate, authenticate, hand to the context use cases. */
export function appApiRouter(deps: AppApiDeps): Router {
  const router = new Router({ prefix: '/api/v1' });
  const auth = authenticated(deps.auth);
  const pass: Middleware = (_ctx, next) => next();
  const writes = deps.limits?.contextWrites ?? pass;
  const signals = deps.limits?.frictionSignals ?? pass;
  const body = <S extends Parameters<typeof jsonBody>[1]>(ctx: Context, schema: S) =>
    jsonBody(ctx, schema, deps.bodyLimit);

  router.put('/context/:userId/screen', auth, writes, storageErrors, async (ctx) => {
    const userId = ownUser(ctx);
    ctx.body = { status: 'updated', ...(await deps.context.screen(userId, await body(ctx, screenBody))) };
  });

  router.put('/context/:userId/cart', auth, writes, storageErrors, async (ctx) => {
    const userId = ownUser(ctx);
    ctx.body = { status: 'updated', ...(await deps.context.cart(userId, await body(ctx, cartBody))) };
  });

  router.put('/context/:userId/profile', auth, writes, storageErrors, async (ctx) => {
    const userId = ownUser(ctx);
    ctx.body = { status: 'updated', ...(await deps.context.profile(userId, await body(ctx, profileBody))) };
  });

  router.post('/context/:userId/friction-signal', auth, signals, storageErrors, async (ctx) => {
    const userId = ownUser(ctx);
    ctx.body = await deps.context.signal(userId, await body(ctx, frictionSignalBody));
  });

  router.get('/context/:userId', auth, storageErrors, async (ctx) => {
    const userId = userIdOf(ctx);
    requireUser(callerOf(ctx), userId);
    const context = await deps.context.read(userId);
    if (!context)
      throw new ApiError(404, 'context_not_found', `no context for user ${userId} (none yet, or it expired)`);
    ctx.body = context;
  });

  router.post('/channel/route', auth, async (ctx) => {
    const request = await body(ctx, channelRouteBody);
    ctx.body = routeChannels(request.order_value, request.event_type, deps.channelRules);
  });

  return router;
}

/** The app API wired from the API's dependencies. */
export function appApiRouterFor(deps: {
  settings: Settings;
  pool: DatabasePool;
  redis: Redis;
  contextSync?: ContextSyncNotifier;
}): Router {
  const { settings } = deps;
  const store = createUserContextStore(deps.redis, redisKeys(settings.redis.keyPrefix), settings.userContext);
  return appApiRouter({
    context: createAppContext({ store, pool: deps.pool, friction: settings.friction, sync: deps.contextSync }),
    auth: settings.auth,
    bodyLimit: settings.http.bodyLimits.api,
    channelRules: settings.channels,
    limits: {
      contextWrites: perUserRateLimit(deps.redis, {
        name: 'context writes',
        perMinute: settings.rateLimits.contextWritesPerMinute,
        keyPrefix: settings.redis.keyPrefix,
      }),
      frictionSignals: perUserRateLimit(deps.redis, {
        name: 'friction signals',
        perMinute: settings.rateLimits.frictionSignalsPerMinute,
        keyPrefix: settings.redis.keyPrefix,
      }),
    },
  });
}

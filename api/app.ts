import Koa from 'koa';
import Router from '@koa/router';
import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { DatabasePool } from 'slonik';
import type { Config } from '../infra/config';
import type { ConversationGateway } from './conversation-gateway';
import type { ContextSyncNotifier } from '../use-cases/app-context';
import { appApiRouterFor } from './app-routes';
import { jsonErrors } from './errors';
import { createWebhookVerifier } from './webhooks/signature';
import { freshchatWebhookRouter } from './webhooks/freshchat';
import { ordersRouter } from './orders-routes';
import { analyticsRouter } from './analytics-routes';
import { authSettings } from './auth';

export interface ApiDeps {
  config: Config;
  conversations: ConversationGateway;
  temporal: Client;
  pool: DatabasePool;
  redis: Redis;
  /** Nudges the per-user Freshchat context sync; absent: context changes stay in Redis only. */
  contextSync?: ContextSyncNotifier;
}

/** The Koa app: validation, authentication and hand-off only; rules live in domain/, I/O in stores/ and clients/. */
export function createApp(deps: ApiDeps): Koa {
  const app = new Koa();
  app.proxy = true;
  app.use(jsonErrors);

  const health = new Router();
  health.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  app.use(health.routes());

  const webhooks = freshchatWebhookRouter({
    verify: createWebhookVerifier({
      secret: deps.config.FRESHCHAT_WEBHOOK_SECRET,
      publicKey: deps.config.FRESHCHAT_WEBHOOK_PUBLIC_KEY,
    }),
    conversations: deps.conversations,
    bodyLimit: deps.config.WEBHOOK_BODY_LIMIT,
  });
  const orders = ordersRouter({
    pool: deps.pool,
    secret: deps.config.ORDERS_WEBHOOK_SECRET,
    assistedWindowMs: deps.config.ASSISTED_ORDER_WINDOW,
    bodyLimit: deps.config.ORDERS_BODY_LIMIT,
  });
  const analytics = analyticsRouter({ pool: deps.pool, auth: authSettings(deps.config) });
  for (const router of [webhooks, appApiRouterFor(deps), orders, analytics])
    app.use(router.routes()).use(router.allowedMethods());
  return app;
}

import Koa from 'koa';
import Router from '@koa/router';
import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { DatabasePool } from 'slonik';
import type { Settings } from '../infra/settings';
import type { ConversationGateway } from './conversation-gateway';
import type { ContextSyncNotifier } from '../use-cases/app-context';
import { appApiRouterFor } from './app-routes';
import { jsonErrors } from './errors';
import { createWebhookVerifier } from './webhooks/signature';
import { freshchatWebhookRouter } from './webhooks/freshchat';
import { ordersRouter } from './orders-routes';
import { analyticsRouter } from './analytics-routes';

export interface ApiDeps {
  settings: Settings;
  conversations: ConversationGateway;
  temporal: Client;
  pool: DatabasePool;
  redis: Redis;
  /** Nudges the per-user Freshchat context sync; absent: context changes stay in Redis only. */
  contextSync?: ContextSyncNotifier;
}

/** The Koa app: validation, authentication and hand-off only; rules live in domain/, I/O in activities/. */
export function createApp(deps: ApiDeps): Koa {
  const { settings } = deps;
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
      secret: settings.webhook.secret,
      publicKey: settings.webhook.publicKey,
    }),
    conversations: deps.conversations,
    bodyLimit: settings.http.bodyLimits.webhook,
  });
  const orders = ordersRouter({
    pool: deps.pool,
    secret: settings.orders.secret,
    assistedWindowMs: settings.orders.assistedWindowMs,
    bodyLimit: settings.http.bodyLimits.orders,
  });
  const analytics = analyticsRouter({ pool: deps.pool, auth: settings.auth });
  for (const router of [webhooks, appApiRouterFor(deps), orders, analytics])
    app.use(router.routes()).use(router.allowedMethods());
  return app;
}

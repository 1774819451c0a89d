import Koa from 'koa';
import type { Tracer } from '@opentelemetry/api';
import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import { sql, type DatabasePool } from 'slonik';
import type { Settings } from '../infra/settings';
import type { ConversationGateway } from '../gateways/conversation-gateway';
import type { ContextSyncNotifier } from '../gateways/context-sync-gateway';
import { appApiRouterFor } from './app-routes';
import { jsonErrors } from './errors';
import { createWebhookVerifier } from './webhooks/signature';
import { freshchatWebhookRouter } from './webhooks/freshchat';
import { ordersRouter } from './orders-routes';
import { analyticsRouter } from './analytics-routes';
import { overviewRouter } from './overview-routes';
import { docsRouter } from './docs-routes';
import { healthRouter, type DependencyCheck } from './health-routes';
import { requestMetrics } from './metrics';
import { requestTracing } from './request-tracing';
import { requestLog } from './request-log';
import { requestLogger, type Logger } from '../infra/logger';
import { codecCors, codecRouter } from './codec-routes';
import { freshchatIdentityRouter } from './freshchat-identity-routes';
import { randomBytes } from 'node:crypto';
import { logger } from '../infra/logger';
import { peopleRuntime, requirePerson, type PeopleRuntime } from './people/guard';
import { accessTokenPeople } from './people/access-tokens';
import { openIdClient } from './people/oidc';
import { peopleRouter } from './people/routes';
import { redisSessionStore } from './people/sessions';
import { deadLettersPageRouter } from './dead-letters-page';
import { createManagerPages } from './manager-pages';
import { createFreshchatClient } from '../clients/freshchat-client';
import { agentNamesFor } from '../clients/agent-names';
import { redisKeys } from '../infra/redis-keys';

export interface ApiDeps {
  settings: Settings;
  conversations: ConversationGateway;
  temporal: Client;
  pool: DatabasePool;
  redis: Redis;
  /** Nudges the per-user Freshchat context sync; absent: context changes stay in Redis only. */
  contextSync?: ContextSyncNotifier;
  /** True once the process is shutting down (see api/http-server.ts); /ready then answers 503. */
  draining?: () => boolean;
  /** OpenTelemetry tracing (infra/tracing.ts): a span per request; absent, none. */
  tracer?: Tracer;
  /** Where the request lines go; absent, the process logger. */
  logger?: Logger;
}

/** The Koa app: validation, authentication and hand-off only; rules live in domain/, I/O in stores/ and clients/. */
export function createApp(deps: ApiDeps): Koa {
  const { settings } = deps;
  const app = new Koa();
  app.proxy = true;
  app.use(requestLog(deps.logger ?? requestLogger));
  if (deps.tracer) app.use(requestTracing(deps.tracer));
  app.use(requestMetrics);
  app.use(jsonErrors);
  app.use(codecCors(settings.codec.corsOrigins));
  app.keys = cookieKeys(settings);
  const people: PeopleRuntime = {
    sessions: redisSessionStore(deps.redis, settings.redis.keyPrefix, settings.people.session),
    secureCookies: settings.people.secureCookies,
  };
  app.use(peopleRuntime(people));

  const health = healthRouter({
    checks: dependencyChecks(deps),
    timeoutMs: settings.http.readinessTimeoutMs,
    draining: deps.draining ?? (() => false),
  });

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
  const agentNames = agentNamesFor(
    settings,
    deps.redis,
    redisKeys(settings.redis.keyPrefix),
    createFreshchatClient(settings.activities.freshchat),
  );
  const analytics = analyticsRouter({
    pool: deps.pool,
    auth: settings.auth,
    databaseUrl: settings.database.url,
    agentNames,
  });
  const pages = createManagerPages(
    {
      pool: deps.pool,
      agentNames,
      databaseUrl: settings.database.url,
      temporalUiUrl: settings.pages.temporalUiUrl,
      namespace: settings.temporal.namespace,
      freshchatConversationUrl: settings.pages.freshchatConversationUrl,
    },
    { requirePerson },
  );
  const overview = overviewRouter({
    pool: deps.pool,
    auth: settings.auth,
    temporalUiUrl: settings.pages.temporalUiUrl,
    namespace: settings.temporal.namespace,
  });
  const provider = settings.people.oidc ? openIdClient(settings.people.oidc) : undefined;
  const codec = codecRouter({
    payloadKeys: settings.temporal.payloadKeys,
    token: settings.codec.token,
    corsOrigins: settings.codec.corsOrigins,
    temporalUiUrl: settings.pages.temporalUiUrl,
    personOfAccessToken: provider ? accessTokenPeople(provider, settings.people.roles) : undefined,
  });
  const signIn = peopleRouter({
    settings: settings.people,
    provider,
    runtime: people,
    redis: deps.redis,
    keyPrefix: settings.redis.keyPrefix,
  });
  const deadLetters = deadLettersPageRouter({ pool: deps.pool, deliver: (e) => deps.conversations.deliver(e) });
  const freshchatIdentity = freshchatIdentityRouter({
    auth: settings.auth,
    privateKey: settings.identityTokens.privateKey,
    ttlMs: settings.identityTokens.ttlMs,
    bodyLimit: settings.http.bodyLimits.api,
  });
  const routers = [
    health,
    docsRouter(),
    webhooks,
    appApiRouterFor(deps),
    orders,
    analytics,
    overview,
    codec,
    freshchatIdentity,
    signIn,
    deadLetters,
    pages,
  ];
  for (const router of routers) app.use(router.routes()).use(router.allowedMethods());
  return app;
}

/** The session cookie's signing keys; none configured (development only, see infra/secret-checks.ts): one per process. */
function cookieKeys(settings: Settings): string[] {
  if (settings.people.sessionSecrets.length > 0) return settings.people.sessionSecrets;
  logger.warn('SESSION_SECRET is not set: sessions are signed with a key of this process and end at its restart');
  return [randomBytes(32).toString('hex')];
}

/** What /ready asks, each cheaply: a trivial query, a PING, and the namespace's description. */
function dependencyChecks(deps: ApiDeps): Record<string, DependencyCheck> {
  const { temporal } = deps;
  return {
    postgresql: () => deps.pool.oneFirst(sql.unsafe`SELECT 1`),
    redis: () => deps.redis.ping(),
    temporal: () =>
      temporal.connection.withDeadline(Date.now() + deps.settings.http.readinessTimeoutMs, () =>
        temporal.workflowService.describeNamespace({ namespace: temporal.options.namespace }),
      ),
  };
}

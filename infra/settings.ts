import { eventList, type ChannelRules } from '../domain/app-context/channel-route';
import type { ContextSyncSettings } from '../domain/app-context/context-sync-settings';
import type { ConversationSettings } from '../domain/conversation/conversation-state';
import type { FrictionSettings } from '../domain/app-context/friction';
import { ConfigError, loadConfig, type Config } from './config';
import { temporalConnection } from './temporal-connection';
import type { NativeConnectionOptions } from '@temporalio/worker';
import type { KeyObject } from 'node:crypto';
import { webhookSchemesOf, type PayloadKey } from './security-settings';
import { secretsRelaxed } from './secret-checks';

export interface AuthSettings {
  appJwtSecret?: string;
  adminToken?: string;
  /** App tokens older than this (by `iat`) are refused, whatever their `exp`. */
  maxTokenAgeSeconds?: number;
  clockSkewSeconds?: number;
  audience?: string;
  issuer?: string;
  /** An identity service's key set (Firebase, Auth0, Cognito): tokens signed with `jwksAlgorithms` are checked there. */
  jwksUrl?: string;
  jwksAlgorithms?: string[];
}

export interface MailSettings {
  smtpUrl?: string;
  recipients: string[];
  from: string;
  /** Where people open the pages (PUBLIC_BASE_URL): the email links to the report page and the incidences there. */
  publicUrl?: string;
}

export interface UserContextStoreSettings {
  contextTtlMs: number;
  helpOfferWindowMs: number;
}

/** How people sign in: the provider (absent: one-time links only), roles, sessions and cookies. */
export interface PeopleSettings {
  /** Where people reach this API in a browser (links, the provider's redirect URI). */
  publicBaseUrl: string;
  oidc?: OidcSettings;
  roles: RoleRules;
  /** Cookie signing keys: the first signs, any verifies. */
  sessionSecrets: string[];
  session: SessionTimes;
  signInLinkTtlMs: number;
  secureCookies: boolean;
}

/** The OpenID Connect provider people sign in with (any: Google Workspace, Entra ID, Okta, Keycloak…). */
export interface OidcSettings {
  issuerUrl: string;
  clientId: string;
  /** Unset: a public client (PKCE alone, no client authentication). */
  clientSecret?: string;
  scopes: string;
  groupsClaim: string;
  /** PUBLIC_BASE_URL/signin/callback, registered at the provider. */
  redirectUri: string;
}

/** Who gets which role: e-mail addresses, whole domains, or groups from the provider's group claim. */
export interface RoleRules {
  admin: { emails: string[]; domains: string[]; groups: string[] };
  viewer: { emails: string[]; domains: string[]; groups: string[] };
}

export interface SessionTimes {
  /** Unused this long, the session ends (Redis expiry, renewed on each use). */
  idleMs: number;
  /** This long after sign-in, the session ends whatever its use. */
  maxAgeMs: number;
}

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  /** TEMPORAL_HANDOFF_TIMEOUT: how long the API waits for Temporal to accept a signal before answering 503. */
  handoffTimeoutMs: number;
  /** Address, TLS (server CA, client certificate), API key and gRPC metadata, for Connection and NativeConnection. */
  connection: NativeConnectionOptions & { address: string };
  /** TEMPORAL_PAYLOAD_KEYS: payloads are encrypted with the first, decrypted with any (docs/security.md). */
  payloadKeys: PayloadKey[];
}

/** What the worker's activities need besides connections (infra/settings.ts is their only source). */
export interface ActivitySettings {
  /** Conversation properties that hold the agent's tags at resolution. */
  tagProperties: string[];
  /** Orders placed this long after a resolution still count as assisted by it. */
  assistedOrderWindowMs: number;
  /** A conversation started this long after a help offer is SYSTEM_INITIATED. */
  helpOfferWindowMs: number;
  agentHourlyRate: number;
  mail: MailSettings;
  freshchat: { baseUrl?: string; token?: string };
}

/** Everything the API and the worker are configured with, grouped by the part that receives it. */
export interface Settings {
  nodeEnv: string;
  logLevel: Config['LOG_LEVEL'];
  http: {
    port: number;
    /** The API's own metrics port (API_METRICS_PORT). */
    metricsPort: number;
    /** Request body limits in bytes. */
    bodyLimits: { webhook: number; api: number; orders: number };
    readinessTimeoutMs: number;
  };
  /** SIGTERM: how long in-flight requests and running activities get before the process stops anyway. */
  shutdownTimeoutMs: number;
  database: { url: string; migrateOnStart: boolean };
  redis: { url: string; keyPrefix: string };
  temporal: TemporalSettings;
  worker: {
    workflowBundlePath?: string;
    analyticsSchedules: boolean;
    metricsPort?: number;
    healthPort?: number;
    /** Register search attributes through the operator service at start (not on Temporal Cloud). */
    createSearchAttributes: boolean;
    /** Worker tuning and the workflow sandbox's settings (infra/worker-tuning.ts). */
    maxCachedWorkflows?: number;
    maxWorkflowTasks?: number;
    workflowPollers?: number;
    deadlockGuard: 'per-call' | 'per-thread';
    stackTraces: boolean;
  };
  /** OpenTelemetry traces go to this OTLP/HTTP URL; unset, tracing is off (infra/tracing.ts). */
  tracing: { tracesUrl?: string };
  /** Keys of the webhook schemes in force only (FRESHCHAT_WEBHOOK_SCHEMES). */
  webhook: { secret?: string; publicKey?: string };
  /** The codec server for the Temporal UI: browser origins allowed to call it, and its own bearer credential. */
  codec: { corsOrigins: string[]; token?: string };
  /** People signing in to the pages: provider, roles, sessions (docs/security.md). */
  people: PeopleSettings;
  /** Freshchat identity tokens for the chat SDK; no key: the endpoint answers 503. */
  identityTokens: { privateKey?: KeyObject; ttlMs: number };
  /** Per-user requests a minute; 0: no limit. */
  rateLimits: { frictionSignalsPerMinute: number; contextWritesPerMinute: number };
  orders: { secret?: string; assistedWindowMs: number };
  auth: AuthSettings;
  /** The managers' pages: links to each conversation's workflow in the Temporal UI and to Freshchat's inbox. */
  pages: {
    temporalUiUrl: string;
    freshchatConversationUrl?: string;
    agentNamesTtlMs: number;
  };
  conversation: ConversationSettings;
  contextSync: ContextSyncSettings;
  userContext: UserContextStoreSettings;
  friction: FrictionSettings;
  channels: ChannelRules;
  activities: ActivitySettings;
  /** Response times and SLAs: the files the worker validates at start, and where signed events go. */
  sla: { policyFile: string; businessHoursFile: string; outbound: { url?: string; secret?: string } };
  reconciliation: ReconciliationSettings;
}

/** Reconciliation against Freshchat's REST API (docs/reconciliation.md). */
export interface ReconciliationSettings {
  scheduleEnabled: boolean;
  intervalMs: number;
  lookbackMs: number;
  catchupWindowMs: number;
  batchSize: number;
  /** The Redis token bucket every reconciliation request draws on. */
  rateLimitPerMinute: number;
  rateBurst: number;
  retryAfterCapMs: number;
}

/**
 * Maps validated configuration to settings; cross-field rules are checked here, so a bad mix fails at start.
 * `env` supplies the Temporal SDK's own connection variables (TEMPORAL_TLS_*, TEMPORAL_API_KEY, TEMPORAL_PROFILE…).
 */
export function settingsFrom(config: Config, env: NodeJS.ProcessEnv = {}): Settings {
  if (config.CHANNEL_LOW_THRESHOLD > config.CHANNEL_HIGH_THRESHOLD) {
    throw new ConfigError([
      `CHANNEL_LOW_THRESHOLD (${config.CHANNEL_LOW_THRESHOLD}) must not exceed CHANNEL_HIGH_THRESHOLD (${config.CHANNEL_HIGH_THRESHOLD})`,
    ]);
  }
  // Outbound events are signed: a URL without a secret is a mistake, not a reason to send unsigned.
  if (config.OUTBOUND_EVENTS_URL && !config.OUTBOUND_EVENTS_SECRET) {
    throw new ConfigError([
      'OUTBOUND_EVENTS_SECRET: required when OUTBOUND_EVENTS_URL is set (every event is signed with it)',
    ]);
  }
  const historyLimit = config.WORKFLOW_HISTORY_LIMIT;
  const highImportanceEvents = eventList(config.HIGH_IMPORTANCE_EVENTS);
  return {
    nodeEnv: config.NODE_ENV,
    logLevel: config.LOG_LEVEL,
    http: {
      port: config.PORT,
      metricsPort: config.API_METRICS_PORT,
      bodyLimits: { webhook: config.WEBHOOK_BODY_LIMIT, api: config.API_BODY_LIMIT, orders: config.ORDERS_BODY_LIMIT },
      readinessTimeoutMs: config.READINESS_TIMEOUT,
    },
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT,
    database: { url: config.DATABASE_URL, migrateOnStart: config.MIGRATE_ON_START },
    redis: { url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX },
    temporal: {
      ...temporalConnection(config, env),
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      handoffTimeoutMs: config.TEMPORAL_HANDOFF_TIMEOUT,
      payloadKeys: config.TEMPORAL_PAYLOAD_KEYS,
    },
    worker: {
      workflowBundlePath: config.WORKFLOW_BUNDLE_PATH,
      analyticsSchedules: config.ANALYTICS_SCHEDULES_ENABLED,
      metricsPort: config.WORKER_METRICS_PORT,
      healthPort: config.WORKER_HEALTH_PORT,
      createSearchAttributes: createsSearchAttributes(config.TEMPORAL_SEARCH_ATTRIBUTES, config.TEMPORAL_ADDRESS),
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
      maxWorkflowTasks: config.WORKER_MAX_WORKFLOW_TASKS,
      workflowPollers: config.WORKER_WORKFLOW_POLLERS,
      deadlockGuard: config.WORKFLOW_DEADLOCK_GUARD,
      stackTraces: config.WORKFLOW_STACK_TRACES,
    },
    tracing: { tracesUrl: tracesUrlOf(config) },
    webhook: {
      secret: webhookSchemesOf(config).includes('hmac') ? config.FRESHCHAT_WEBHOOK_SECRET : undefined,
      publicKey: webhookSchemesOf(config).includes('rsa') ? config.FRESHCHAT_WEBHOOK_PUBLIC_KEY : undefined,
    },
    codec: { corsOrigins: config.CODEC_CORS_ORIGINS, token: config.CODEC_TOKEN },
    people: peopleSettingsOf(config),
    identityTokens: { privateKey: config.FRESHCHAT_JWT_PRIVATE_KEY, ttlMs: config.FRESHCHAT_IDENTITY_TOKEN_TTL },
    rateLimits: {
      frictionSignalsPerMinute: config.RATE_LIMIT_FRICTION_SIGNALS,
      contextWritesPerMinute: config.RATE_LIMIT_CONTEXT_WRITES,
    },
    orders: { secret: config.ORDERS_WEBHOOK_SECRET, assistedWindowMs: config.ASSISTED_ORDER_WINDOW },
    auth: {
      appJwtSecret: config.APP_JWT_SECRET,
      adminToken: config.ADMIN_API_TOKEN,
      maxTokenAgeSeconds: Math.floor(config.APP_JWT_MAX_AGE / 1000),
      clockSkewSeconds: Math.floor(config.APP_JWT_CLOCK_SKEW / 1000),
      audience: config.APP_JWT_AUDIENCE,
      issuer: config.APP_JWT_ISSUER,
      jwksUrl: config.APP_JWT_JWKS_URL,
      jwksAlgorithms: config.APP_JWT_ALGORITHMS,
    },
    pages: {
      temporalUiUrl: config.TEMPORAL_UI_URL,
      freshchatConversationUrl: config.FRESHCHAT_CONVERSATION_URL,
      agentNamesTtlMs: config.AGENT_NAMES_TTL,
    },
    conversation: {
      slaTimers: config.SLA_TIMERS_ENABLED,
      reopenWindowMs: config.CONVERSATION_REOPEN_WINDOW,
      silenceTimeoutMs: config.CONVERSATION_SILENCE_TIMEOUT,
      historyLimit,
      weeklyReport: {
        quietPeriodMs: config.WEEKLY_REPORT_QUIET_PERIOD,
        idleTimeoutMs: config.WEEKLY_REPORT_IDLE_TIMEOUT,
        historyLimit,
      },
    },
    contextSync: {
      quietPeriodMs: config.CONTEXT_SYNC_QUIET_PERIOD,
      maxDelayMs: config.CONTEXT_SYNC_MAX_DELAY,
      idleTimeoutMs: config.CONTEXT_SYNC_IDLE_TIMEOUT,
      historyLimit,
    },
    userContext: { contextTtlMs: config.USER_CONTEXT_TTL, helpOfferWindowMs: config.HELP_OFFER_WINDOW },
    friction: { enabled: config.FRICTION_DETECTION_ENABLED, highImportanceEvents },
    channels: {
      enabled: config.CHANNEL_ROUTING_ENABLED,
      lowThreshold: config.CHANNEL_LOW_THRESHOLD,
      highThreshold: config.CHANNEL_HIGH_THRESHOLD,
      highImportanceEvents,
    },
    activities: {
      tagProperties: config.FRESHCHAT_TAG_PROPERTIES,
      assistedOrderWindowMs: config.ASSISTED_ORDER_WINDOW,
      helpOfferWindowMs: config.HELP_OFFER_WINDOW,
      agentHourlyRate: config.AGENT_HOURLY_RATE,
      mail: {
        smtpUrl: config.SMTP_URL,
        recipients: config.REPORT_RECIPIENTS,
        from: config.REPORT_FROM,
        // The email links to the pages only where people can reach them (not the development default).
        publicUrl: config.PUBLIC_BASE_URL,
      },
      freshchat: { baseUrl: config.FRESHCHAT_API_URL, token: config.FRESHCHAT_API_TOKEN },
    },
    sla: {
      policyFile: config.SLA_POLICY_FILE,
      businessHoursFile: config.BUSINESS_HOURS_FILE,
      outbound: { url: config.OUTBOUND_EVENTS_URL, secret: config.OUTBOUND_EVENTS_SECRET },
    },
    reconciliation: {
      scheduleEnabled: config.RECONCILIATION_SCHEDULE_ENABLED,
      intervalMs: config.RECONCILIATION_INTERVAL,
      lookbackMs: config.RECONCILIATION_LOOKBACK,
      catchupWindowMs: config.RECONCILIATION_CATCHUP_WINDOW,
      batchSize: config.RECONCILIATION_BATCH_SIZE,
      rateLimitPerMinute: config.FRESHCHAT_RATE_LIMIT,
      rateBurst: config.FRESHCHAT_RATE_BURST,
      retryAfterCapMs: config.FRESHCHAT_RETRY_AFTER_CAP,
    },
  };
}

function peopleSettingsOf(config: Config): PeopleSettings {
  const publicBaseUrl = (config.PUBLIC_BASE_URL ?? `http://127.0.0.1:${config.PORT}`).replace(/\/+$/, '');
  const rule = (emails: string[], domains: string[], groups: string[]) => ({ emails, domains, groups });
  return {
    publicBaseUrl,
    oidc:
      config.OIDC_ISSUER_URL && config.OIDC_CLIENT_ID
        ? {
            issuerUrl: config.OIDC_ISSUER_URL,
            clientId: config.OIDC_CLIENT_ID,
            clientSecret: config.OIDC_CLIENT_SECRET,
            scopes: config.OIDC_SCOPES,
            groupsClaim: config.OIDC_GROUPS_CLAIM,
            redirectUri: `${publicBaseUrl}/signin/callback`,
          }
        : undefined,
    roles: {
      admin: rule(config.PEOPLE_ADMIN_EMAILS, config.PEOPLE_ADMIN_DOMAINS, config.PEOPLE_ADMIN_GROUPS),
      viewer: rule(config.PEOPLE_VIEWER_EMAILS, config.PEOPLE_VIEWER_DOMAINS, config.PEOPLE_VIEWER_GROUPS),
    },
    sessionSecrets: (config.SESSION_SECRET ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    session: { idleMs: config.SESSION_IDLE_TIMEOUT, maxAgeMs: config.SESSION_MAX_AGE },
    signInLinkTtlMs: config.SIGN_IN_LINK_TTL,
    secureCookies: !secretsRelaxed(config.NODE_ENV),
  };
}

/** As OpenTelemetry's own exporters read the variables: the traces endpoint as is, else the base endpoint's /v1/traces. */
function tracesUrlOf(config: Config): string | undefined {
  if (config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  return base === undefined ? undefined : `${base.replace(/\/+$/, '')}/v1/traces`;
}

/** Configuration from the environment (see infra/env-file.ts for .env), validated and mapped. */
export const loadSettings = (env: NodeJS.ProcessEnv = process.env): Settings => settingsFrom(loadConfig(env), env);

/** The API cannot accept any webhook without at least one verification scheme. */
export function requireWebhookVerification(settings: Settings): void {
  if (!settings.webhook.secret && !settings.webhook.publicKey) {
    throw new ConfigError([
      'FRESHCHAT_WEBHOOK_SECRET or FRESHCHAT_WEBHOOK_PUBLIC_KEY: set at least one, or every webhook is refused',
    ]);
  }
}

/** Temporal Cloud's endpoints: namespaces there get their search attributes from tcld or Terraform. */
const TEMPORAL_CLOUD = /\.(tmprl\.cloud|api\.temporal\.io)(:\d+)?$/;

export function createsSearchAttributes(mode: 'auto' | 'create' | 'skip', address: string): boolean {
  return mode === 'create' || (mode === 'auto' && !TEMPORAL_CLOUD.test(address));
}

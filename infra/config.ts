import { z } from 'zod';
import { duration } from './setting-formats';
import { secretProblems } from './secret-checks';
import { peopleSchema } from './people-settings';
import { securitySchema } from './security-settings';
import { parseSize } from './size';

/**
 * The environment variables the worker and the API read, each validated with a message naming the format it
 * expects. infra/settings.ts turns the result into the settings each part receives; nothing else reads it.
 */

const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v)));

/** A size in bytes with its unit (b, kb, mb; 1 kb = 1024 b): a bare number or `1m` is refused, not read as bytes. */
const size = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const bytes = parseSize(v ?? fallback);
      if (bytes === undefined || bytes <= 0) {
        ctx.addIssue({ code: 'custom', message: `expected a size with its unit like 512b, 64kb or 1mb, got "${v}"` });
        return z.NEVER;
      }
      return bytes;
    });

/** A URL whose scheme is one of `schemes`. */
const url = (schemes: string[]) =>
  z.string().refine(
    (v) => {
      try {
        const parsed = new URL(v);
        return schemes.includes(parsed.protocol.replace(/:$/, '')) && parsed.host !== '';
      } catch {
        return false;
      }
    },
    { message: `expected a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}` },
  );

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { message: 'expected host:port, e.g. 127.0.0.1:7233' });

/** A number read from text: `message` names a value that is not one; the bounds' checks name themselves. */
const numeric = (message: string) =>
  z.coerce.number({ error: (issue) => (issue.code === 'invalid_type' ? message : undefined) });

const number = (fallback: number) => numeric('expected a number').finite().nonnegative().default(fallback);
const port = numeric('expected a port number').int().min(0).max(65535);

const list = z
  .string()
  .optional()
  .transform((v) =>
    v
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
  );

/** A variable that no longer exists under this name: setting it is an error rather than silently ignored. */
const renamed = (to: string) =>
  z
    .unknown()
    .optional()
    .refine((v) => v === undefined, { message: `renamed to ${to}` })
    .transform(() => undefined);

const schema = z.object({
  NODE_ENV: z.string().default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // --- HTTP API
  PORT: port.default(3000),
  WEBHOOK_BODY_LIMIT: size('1mb'),
  API_BODY_LIMIT: size('64kb'),
  ORDERS_BODY_LIMIT: size('64kb'),
  /** Each dependency check of GET /ready gives up after this long. */
  READINESS_TIMEOUT: duration('2s'),
  /** After SIGTERM: in-flight requests (API) and running activities (worker) get this long to finish. */
  SHUTDOWN_TIMEOUT: duration('20s'),
  // --- Storage
  DATABASE_URL: url(['postgres', 'postgresql']).default('postgres://root@127.0.0.1:5432/support_led_ordering'),
  REDIS_URL: url(['redis', 'rediss']).default('redis://127.0.0.1:6379/0'),
  REDIS_KEY_PREFIX: z.string().default('slo:'),
  // --- Temporal (TLS, client certificates and API keys: the SDK's own TEMPORAL_* variables, see infra/temporal.ts)
  TEMPORAL_ADDRESS: hostPort.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('support-led-ordering'),
  /** How long the API waits for Temporal to accept a webhook's event or a context change before giving up (503). */
  TEMPORAL_HANDOFF_TIMEOUT: duration('5s'),
  // Where engineers open the Temporal UI (links from the live overview).
  TEMPORAL_UI_URL: url(['http', 'https']).default('http://localhost:8233'),
  /** A prebuilt workflow bundle (bundleWorkflowCode output); unset, the worker bundles workflows/ at start. */
  WORKFLOW_BUNDLE_PATH: z.string().optional(),
  /** History length past which every long-lived workflow (conversation, context sync, weekly report) continues as new. */
  WORKFLOW_HISTORY_LIMIT: numeric('expected a whole number').int().min(50).default(2000),
  CONVERSATION_HISTORY_LIMIT: renamed('WORKFLOW_HISTORY_LIMIT'),
  // --- Observability
  /** The worker's Prometheus endpoint (the SDK's runtime metrics and ours); unset, none. */
  WORKER_METRICS_PORT: port.optional(),
  /** The API's Prometheus endpoint (GET /metrics), on a port of its own: never published beside PORT. */
  API_METRICS_PORT: port.default(9465),
  /** The worker's health endpoint (GET /health: 200 while it polls its task queue); unset, none. */
  WORKER_HEALTH_PORT: port.optional(),
  // --- Deployment
  /** The worker applies pending migrations at start; off where a deploy step runs `npm run migrate` first. */
  MIGRATE_ON_START: flag(true),
  /**
   * Whether the worker registers its search attributes through Temporal's operator service: auto skips it on
   * Temporal Cloud (an address ending in .tmprl.cloud or .api.temporal.io), where tcld or Terraform create them.
   */
  TEMPORAL_SEARCH_ATTRIBUTES: z.enum(['auto', 'create', 'skip']).default('auto'),
  // --- Worker tuning (docs/worker-performance.md). Unset: the SDK's defaults.
  WORKER_MAX_CACHED_WORKFLOWS: numeric('expected a whole number').int().min(1).optional(),
  WORKER_MAX_WORKFLOW_TASKS: numeric('expected a whole number').int().min(1).optional(),
  WORKER_WORKFLOW_POLLERS: numeric('expected a whole number').int().min(1).optional(),
  WORKFLOW_DEADLOCK_GUARD: z.enum(['per-call', 'per-thread']).default('per-call'),
  // Record a stack for every workflow promise, for the stack-trace query (Temporal UI); costs workflow-thread CPU and
  // memory for every cached workflow, so off unless asked for (docs/worker-performance.md).
  WORKFLOW_STACK_TRACES: flag(false),
  /** OTLP/HTTP base endpoint (the OpenTelemetry variable; traces go to its /v1/traces); unset, no tracing. */
  OTEL_EXPORTER_OTLP_ENDPOINT: url(['http', 'https']).optional(),
  /** OTLP/HTTP traces endpoint, taken as is; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url(['http', 'https']).optional(),
  // --- Freshchat
  FRESHCHAT_WEBHOOK_SECRET: z.string().optional(),
  FRESHCHAT_WEBHOOK_PUBLIC_KEY: z.string().optional(),
  FRESHCHAT_API_URL: url(['http', 'https']).optional(),
  FRESHCHAT_API_TOKEN: z.string().optional(),
  FRESHCHAT_TAG_PROPERTIES: list.default(['cf_tags']),
  /** A conversation in Freshchat's agent inbox: the drill-down links there, `{conversation_id}` filled in. */
  FRESHCHAT_CONVERSATION_URL: z
    .string()
    .refine((v) => v.includes('{conversation_id}') && /^https?:\/\//.test(v), {
      message: 'expected an http(s) URL containing {conversation_id}',
    })
    .optional(),
  /** How long agent names read from Freshchat's agents list are kept (Redis) before it is read again. */
  AGENT_NAMES_TTL: duration('1h'),
  // --- Conversations
  CONVERSATION_REOPEN_WINDOW: duration('7d'),
  CONVERSATION_SILENCE_TIMEOUT: duration('14d'),
  // --- App API and authentication (see api/auth.ts)
  APP_JWT_SECRET: z.string().optional(),
  ADMIN_API_TOKEN: z.string().optional(),
  FRICTION_DETECTION_ENABLED: flag(true),
  CHANNEL_ROUTING_ENABLED: flag(true),
  USER_CONTEXT_TTL: duration('24h'),
  HELP_OFFER_WINDOW: duration('15m'),
  CHANNEL_LOW_THRESHOLD: number(5000),
  CHANNEL_HIGH_THRESHOLD: number(25000),
  HIGH_IMPORTANCE_EVENTS: z.string().default('WEDDING,CORPORATE,RELIGIOUS'),
  CONTEXT_SYNC_QUIET_PERIOD: duration('2s'),
  CONTEXT_SYNC_MAX_DELAY: duration('10s'),
  CONTEXT_SYNC_IDLE_TIMEOUT: duration('30m'),
  // --- Analytics: orders feed, weekly report workflow, schedules, report email
  AGENT_HOURLY_RATE: number(150),
  ORDERS_WEBHOOK_SECRET: z.string().optional(),
  ASSISTED_ORDER_WINDOW: duration('24h'),
  WEEKLY_REPORT_QUIET_PERIOD: duration('30s'),
  WEEKLY_REPORT_IDLE_TIMEOUT: duration('15m'),
  ANALYTICS_SCHEDULES_ENABLED: flag(true),
  SMTP_URL: url(['smtp', 'smtps']).optional(),
  REPORT_RECIPIENTS: list,
  REPORT_FROM: z.string().default('Support-led ordering reports <reports@localhost>'),
  // --- Response times and SLAs (docs/slas.md): policy and business-hours files, signed outbound events.
  SLA_TIMERS_ENABLED: flag(true),
  SLA_POLICY_FILE: z.string().min(1).default('config/sla-policies.json'),
  BUSINESS_HOURS_FILE: z.string().min(1).default('config/business-hours.json'),
  OUTBOUND_EVENTS_URL: url(['http', 'https']).optional(),
  OUTBOUND_EVENTS_SECRET: z.string().optional(),
  // --- Reconciliation against Freshchat's REST API (docs/reconciliation.md).
  RECONCILIATION_SCHEDULE_ENABLED: flag(true),
  RECONCILIATION_INTERVAL: duration('15m'),
  RECONCILIATION_LOOKBACK: duration('24h'),
  RECONCILIATION_CATCHUP_WINDOW: duration('1d'),
  RECONCILIATION_BATCH_SIZE: numeric('expected a whole number').int().min(1).max(500).default(20),
  FRESHCHAT_RATE_LIMIT: numeric('expected a number').positive().default(60),
  FRESHCHAT_RATE_BURST: numeric('expected a whole number').int().min(1).default(10),
  FRESHCHAT_RETRY_AFTER_CAP: duration('60s'),
});

const withSecurity = schema.merge(securitySchema).merge(peopleSchema);

export type Config = z.infer<typeof withSecurity>;

/** Every variable the server reads (.env.example documents each). */
export const CONFIG_VARIABLES = Object.keys(withSecurity.shape).filter((name) => name !== 'CONVERSATION_HISTORY_LIMIT');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** `FOO=` in .env or the environment means "not set": the default applies. */
const withoutEmpty = (env: NodeJS.ProcessEnv): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1].trim() !== ''),
  );

/** Reads and validates configuration; throws ConfigError naming every missing or malformed variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = withSecurity.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const secrets = secretProblems(parsed.data);
  if (secrets.length > 0) throw new ConfigError(secrets);
  return parsed.data;
}

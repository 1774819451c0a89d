import { z } from 'zod';
import {
  duration,
  flag,
  hostPort,
  list,
  number,
  oneOf,
  port,
  size,
  text,
  url,
  wholeNumber,
  type Format,
} from './setting-formats';
import { jwtAlgorithms, payloadKeys, rsaPrivateKey, webhookSchemes } from './security-settings';
import { secretProblems } from './secret-checks';

/**
 * Every environment variable the worker and the API read, each with its meaning, its default (as text, the way it
 * is written in .env) and its format, once. The schema, `.env.example` and docs/configuration.md come from here
 * (`npm run config:docs` writes the last two). infra/settings.ts turns the result into the settings each part
 * receives; nothing else reads it.
 */

/** A group of settings: a heading in .env.example and in the docs. `readBy` names a reader other than the server. */
export interface Section {
  title: string;
  notes?: string[];
  readBy?: string;
}

export interface Setting<S extends z.ZodType = z.ZodType> {
  doc: string;
  /** The value when unset or empty, as written in .env; absent: unset. */
  default?: string;
  format: Format;
  /** What .env.example sets where it differs from the default (a machine running everything locally). */
  example?: string;
  /** false: read from the environment only, left out of .env.example (compose and the test harness set it). */
  envFile?: false;
  section: Section;
  schema: S;
}

type Spec<T extends z.ZodType<unknown, string>> = Omit<Setting, 'format' | 'section' | 'schema'> & {
  format: Format<T>;
};

function setting<T extends z.ZodType<unknown, string>>(
  spec: Spec<T> & { default: string },
): Setting<z.ZodPipe<z.ZodDefault<z.ZodString>, T>>;
function setting<T extends z.ZodType<unknown, string>>(spec: Spec<T>): Setting<z.ZodOptional<T>>;
function setting<T extends z.ZodType<unknown, string>>(spec: Spec<T>): Setting {
  const schema =
    spec.default === undefined
      ? spec.format.schema.optional()
      : z.string().default(spec.default).pipe(spec.format.schema);
  return { ...spec, section: { title: '' }, schema };
}

/** Files `settings` under `section` (object order is the order of .env.example and of the docs). */
function section<S extends Record<string, Setting>>(heading: Section, settings: S): S {
  for (const value of Object.values(settings)) value.section = heading;
  return settings;
}

const PAYLOAD_KEYS_DOC =
  'Workflow and activity payloads are encrypted (AES-256-GCM) with these keys, each 32 random bytes: the first ' +
  'encrypts, all decrypt (rotate by putting a new key first). Required in production.';

export const SETTINGS = {
  ...section(
    { title: 'HTTP API' },
    {
      NODE_ENV: setting({
        doc: 'development, test or production: production refuses missing, development-only and short secrets (compose sets it).',
        default: 'development',
        format: text(),
        envFile: false,
      }),
      PORT: setting({ doc: 'The port the API listens on.', default: '3000', format: port() }),
      LOG_LEVEL: setting({
        doc: 'The least severe log line written.',
        default: 'info',
        format: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
      }),
      READINESS_TIMEOUT: setting({
        doc: 'Each dependency check of GET /ready gives up after this long.',
        default: '2s',
        format: duration(),
      }),
      SHUTDOWN_TIMEOUT: setting({
        doc: 'After SIGTERM: in-flight requests (API) and running activities (worker) get this long to finish.',
        default: '20s',
        format: duration(),
      }),
      WEBHOOK_BODY_LIMIT: setting({ doc: "A Freshchat webhook's largest body.", default: '1mb', format: size() }),
      API_BODY_LIMIT: setting({ doc: "An app API request's largest body.", default: '64kb', format: size() }),
      ORDERS_BODY_LIMIT: setting({ doc: "An orders feed request's largest body.", default: '64kb', format: size() }),
    },
  ),
  ...section(
    { title: 'Freshchat' },
    {
      FRESHCHAT_WEBHOOK_SECRET: setting({
        doc:
          "Verifies the simplified webhook format's hex HMAC-SHA256. Set it, FRESHCHAT_WEBHOOK_PUBLIC_KEY or both: " +
          'without either the API refuses every webhook.',
        format: text(),
      }),
      FRESHCHAT_WEBHOOK_PUBLIC_KEY: setting({
        doc: "Verifies Freshchat's real RSA-SHA256 signatures: the public key from Freshchat's webhook settings, any PEM form.",
        format: text(),
      }),
      FRESHCHAT_WEBHOOK_SCHEMES: setting({
        doc:
          'The signature schemes accepted: rsa (real Freshchat), hmac (the simplified format) or rsa,hmac. Unset: rsa ' +
          'when the public key is set, else hmac; so a deployment on RSA keeps the HMAC door shut unless it lists it.',
        format: webhookSchemes(),
      }),
      FRESHCHAT_JWT_PRIVATE_KEY: setting({
        doc:
          "Freshchat JWT user authentication: the RSA private key whose public key is in Freshchat's settings (one " +
          'line with \\n escapes is fine). Unset: POST /api/v1/freshchat/identity-token answers 503.',
        format: rsaPrivateKey(),
      }),
      FRESHCHAT_IDENTITY_TOKEN_TTL: setting({
        doc: 'How long an identity token for the chat SDK lives.',
        default: '10m',
        format: duration({ zero: 'allowed' }),
      }),
      FRESHCHAT_API_URL: setting({
        doc: "Freshchat's REST API v2 (context lookups, resolution tags, context sync, reconciliation). Unset: lookups are skipped.",
        format: url(['http', 'https']),
      }),
      FRESHCHAT_API_TOKEN: setting({ doc: "The bearer token of Freshchat's REST API.", format: text() }),
      FRESHCHAT_TAG_PROPERTIES: setting({
        doc: "Conversation properties that hold the agent's tags at resolution.",
        default: 'cf_tags',
        format: list(),
      }),
      FRESHCHAT_CONVERSATION_URL: setting({
        doc:
          "A conversation in Freshchat's agent inbox, where the managers' drill-down links each conversation, e.g. " +
          'https://yourcompany.freshchat.com/a/884923745698398/open/conversation/{conversation_id}. Unset: no link.',
        format: {
          text: 'URL with {conversation_id}',
          schema: z.string().refine((v) => v.includes('{conversation_id}') && /^https?:\/\//.test(v), {
            message: 'expected an http(s) URL containing {conversation_id}',
          }),
        },
      }),
      AGENT_NAMES_TTL: setting({
        doc: "Agent names (pages, report, export) come from Freshchat's agents list, kept this long (Redis) before it is read again.",
        default: '1h',
        format: duration(),
      }),
    },
  ),
  ...section(
    { title: 'Storage' },
    {
      DATABASE_URL: setting({
        doc: 'The PostgreSQL database.',
        default: 'postgres://root@127.0.0.1:5432/support_led_ordering',
        format: url(['postgres', 'postgresql']),
      }),
      REDIS_URL: setting({
        doc: 'The Redis database.',
        default: 'redis://127.0.0.1:6379/0',
        format: url(['redis', 'rediss']),
      }),
      REDIS_KEY_PREFIX: setting({
        doc: 'Every Redis key of this system starts with it.',
        default: 'slo:',
        format: text(),
      }),
    },
  ),
  ...section(
    {
      title: 'Temporal',
      notes: [
        "TLS, client certificates (mTLS) and API keys (Temporal Cloud) use the Temporal SDK's own variables, e.g.",
        'TEMPORAL_API_KEY, TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH,',
        'or a profile file: TEMPORAL_CONFIG_FILE=/etc/temporal/temporal.toml and TEMPORAL_PROFILE=prod.',
      ],
    },
    {
      TEMPORAL_ADDRESS: setting({ doc: "Temporal's frontend.", default: '127.0.0.1:7233', format: hostPort() }),
      TEMPORAL_NAMESPACE: setting({ doc: 'The Temporal namespace.', default: 'default', format: text({ min: 1 }) }),
      TEMPORAL_TASK_QUEUE: setting({
        doc: 'The task queue the worker polls and the API starts workflows on.',
        default: 'support-led-ordering',
        format: text({ min: 1 }),
      }),
      TEMPORAL_HANDOFF_TIMEOUT: setting({
        doc: "How long the API waits for Temporal to accept a webhook's event or a context change; past it, 503 (Freshchat retries).",
        default: '5s',
        format: duration(),
      }),
      TEMPORAL_UI_URL: setting({
        doc: 'Where engineers open the Temporal UI: the overview and each incidence link to their workflow there (with TEMPORAL_NAMESPACE).',
        default: 'http://localhost:8233',
        format: url(['http', 'https']),
      }),
      TEMPORAL_PAYLOAD_KEYS: setting({ doc: PAYLOAD_KEYS_DOC, default: '', format: payloadKeys() }),
      CODEC_CORS_ORIGINS: setting({
        doc: 'Browser origins of the Temporal UI allowed to call the codec server (/codec/decode) with credentials.',
        default: 'http://127.0.0.1:8233,http://localhost:8233',
        format: list(),
      }),
      CODEC_TOKEN: setting({
        doc: "The codec server's own bearer credential for tools (Temporal CLI, scripts); admins signed in to the pages need none.",
        format: text({ trim: true }),
      }),
      WORKFLOW_BUNDLE_PATH: setting({
        doc: 'A prebuilt workflow bundle (the image builds one; the chaos run uses one so a restarted worker is up in a second). Unset: the worker bundles workflows/ at start.',
        format: text(),
      }),
      WORKFLOW_HISTORY_LIMIT: setting({
        doc: 'History events after which a conversation, context sync or weekly report run continues as new.',
        default: '2000',
        format: wholeNumber({ min: 50 }),
      }),
    },
  ),
  ...section(
    { title: 'Conversations' },
    {
      CONVERSATION_REOPEN_WINDOW: setting({
        doc: 'A resolved conversation waits this long for a reopen before its run completes (a later reopen starts a new run).',
        default: '7d',
        format: duration(),
      }),
      CONVERSATION_SILENCE_TIMEOUT: setting({
        doc: 'An open conversation silent this long is closed as DROPPED (resolution_type WENT_SILENT).',
        default: '14d',
        format: duration(),
      }),
    },
  ),
  ...section(
    { title: 'App API and authentication' },
    {
      APP_JWT_SECRET: setting({
        doc: "HS256 secret of the app's JWTs (sub = the app user id). Unset, and no JWKS: every /api/v1/context call is refused.",
        format: text(),
      }),
      APP_JWT_MAX_AGE: setting({
        doc: 'App tokens must carry iat and exp; older than this, or living longer, they are refused.',
        default: '24h',
        format: duration({ zero: 'allowed' }),
      }),
      APP_JWT_CLOCK_SKEW: setting({
        doc: "How far the app's clock and the API's may disagree.",
        default: '30s',
        format: duration({ zero: 'allowed' }),
      }),
      APP_JWT_AUDIENCE: setting({ doc: "App tokens' aud must be this, when set.", format: text() }),
      APP_JWT_ISSUER: setting({ doc: "App tokens' iss must be this, when set.", format: text() }),
      APP_JWT_JWKS_URL: setting({
        doc:
          'App tokens from an identity service (Firebase, Auth0, Cognito), beside or instead of APP_JWT_SECRET: its ' +
          'JWKS address, e.g. https://YOUR_DOMAIN.auth0.com/.well-known/jwks.json. Same age, audience and issuer rules.',
        format: url(['https', 'http']),
      }),
      APP_JWT_ALGORITHMS: setting({
        doc: 'The algorithms the identity service signs with.',
        default: 'RS256,ES256',
        format: jwtAlgorithms(),
      }),
      ADMIN_API_TOKEN: setting({
        doc: "Bearer token for agents and internal tools (any user's context, analytics). Unset: admin calls are refused.",
        format: text(),
      }),
      RATE_LIMIT_FRICTION_SIGNALS: setting({
        doc: 'Friction signals a user may send a minute (Redis). 0: no limit.',
        default: '60',
        format: wholeNumber(),
      }),
      RATE_LIMIT_CONTEXT_WRITES: setting({
        doc: 'Context writes (screen, cart, profile) a user may send a minute (Redis). 0: no limit.',
        default: '300',
        format: wholeNumber(),
      }),
      FRICTION_DETECTION_ENABLED: setting({
        doc: 'Friction signals are scored and may offer help.',
        default: 'true',
        format: flag(),
      }),
      CHANNEL_ROUTING_ENABLED: setting({
        doc: 'The app asks which support channels to show.',
        default: 'true',
        format: flag(),
      }),
      USER_CONTEXT_TTL: setting({
        doc: "A user's context in Redis expires after this long without any update.",
        default: '24h',
        format: duration(),
      }),
      HELP_OFFER_WINDOW: setting({
        doc: 'A Freshchat conversation the user starts within this long after the API offered help is SYSTEM_INITIATED.',
        default: '15m',
        format: duration(),
      }),
      CHANNEL_LOW_THRESHOLD: setting({
        doc: 'Channel routing (INR): below this cart value self-serve and FAQ only; from it up to the high threshold, chat.',
        default: '5000',
        format: number(),
      }),
      CHANNEL_HIGH_THRESHOLD: setting({
        doc: 'Above this cart value (INR): chat and call.',
        default: '25000',
        format: number(),
      }),
      HIGH_IMPORTANCE_EVENTS: setting({
        doc: "Event types (comma-separated) that always get chat and call, and the friction score's high-value-event weight.",
        default: 'WEDDING,CORPORATE,RELIGIOUS',
        format: text(),
      }),
      CONTEXT_SYNC_QUIET_PERIOD: setting({
        doc: 'Context sync to Freshchat waits for this much quiet after a change…',
        default: '2s',
        format: duration(),
      }),
      CONTEXT_SYNC_MAX_DELAY: setting({ doc: '…but never longer than this.', default: '10s', format: duration() }),
      CONTEXT_SYNC_IDLE_TIMEOUT: setting({
        doc: "A user's sync workflow ends after this long without changes (the next change starts a new one).",
        default: '30m',
        format: duration(),
      }),
    },
  ),
  ...section(
    { title: 'Analytics: orders feed, weekly report, schedules, email' },
    {
      AGENT_HOURLY_RATE: setting({
        doc: "An agent's hour (INR), for the report's cost figures.",
        default: '150',
        format: number(),
      }),
      ORDERS_WEBHOOK_SECRET: setting({
        doc: 'Shared secret of the ordering system: hex HMAC-SHA256 of the raw body in X-Orders-Signature. Unset: the feed refuses every call.',
        format: text(),
      }),
      ASSISTED_ORDER_WINDOW: setting({
        doc: 'An order is assisted when the same user had an incidence open when it was placed, or resolved this long before.',
        default: '24h',
        format: duration(),
      }),
      WEEKLY_REPORT_QUIET_PERIOD: setting({
        doc: 'The weekly report workflow waits until resolutions have been quiet this long, then computes once (coalescing).',
        default: '30s',
        format: duration(),
      }),
      WEEKLY_REPORT_IDLE_TIMEOUT: setting({
        doc: 'The weekly report workflow completes after this long without a new resolution (the next one starts a new run with the same id).',
        default: '15m',
        format: duration(),
      }),
      ANALYTICS_SCHEDULES_ENABLED: setting({
        doc: 'The worker creates or updates the Temporal Schedules at start (daily aggregation 00:15 IST, weekly report Monday 07:00 IST).',
        default: 'true',
        format: flag(),
      }),
      SMTP_URL: setting({
        doc: 'The weekly report is emailed when this and REPORT_RECIPIENTS are set, e.g. smtp://user:pass@smtp.example.com:587.',
        format: url(['smtp', 'smtps']),
      }),
      REPORT_RECIPIENTS: setting({ doc: "The weekly report's recipients.", default: '', format: list() }),
      REPORT_FROM: setting({
        doc: "The weekly report's sender.",
        default: 'Support-led ordering reports <reports@localhost>',
        format: text(),
      }),
    },
  ),
  ...section(
    { title: 'Response times and SLAs (docs/slas.md)' },
    {
      SLA_TIMERS_ENABLED: setting({
        doc:
          'SLA timers and response times in every conversation. A conversation keeps the setting it started with ' +
          "(turning it off later leaves running conversations' timers running).",
        default: 'true',
        format: flag(),
      }),
      SLA_POLICY_FILE: setting({
        doc: 'SLA policies: first/next response and resolution thresholds, chosen by cart value, event type and channel.',
        default: 'config/sla-policies.json',
        format: text({ min: 1 }),
      }),
      BUSINESS_HOURS_FILE: setting({
        doc: 'Opening hours for business-hours figures and thresholds: time zone, periods per weekday, holidays.',
        default: 'config/business-hours.json',
        format: text({ min: 1 }),
      }),
      OUTBOUND_EVENTS_URL: setting({
        doc: 'Where signed events go (incidence.created, incidence.resolved, sla.breached, sla.met). Unset: none are sent.',
        format: url(['http', 'https']),
      }),
      OUTBOUND_EVENTS_SECRET: setting({
        doc: 'HMAC-SHA256 secret the events are signed with; required when OUTBOUND_EVENTS_URL is set.',
        format: text(),
      }),
    },
  ),
  ...section(
    { title: 'Reconciliation against Freshchat (docs/reconciliation.md)' },
    {
      RECONCILIATION_SCHEDULE_ENABLED: setting({
        doc: 'The worker schedules a reconciliation pass every interval.',
        default: 'true',
        format: flag(),
      }),
      RECONCILIATION_INTERVAL: setting({
        doc: 'Time between reconciliation passes.',
        default: '15m',
        format: duration(),
      }),
      RECONCILIATION_LOOKBACK: setting({
        doc: 'A pass checks open conversations and those active within this long.',
        default: '24h',
        format: duration(),
      }),
      RECONCILIATION_CATCHUP_WINDOW: setting({
        doc: 'Passes missed while the worker was down are caught up within this long.',
        default: '1d',
        format: duration(),
      }),
      RECONCILIATION_BATCH_SIZE: setting({
        doc: 'Conversations checked per activity.',
        default: '20',
        format: wholeNumber({ min: 1, max: 500 }),
      }),
      FRESHCHAT_RATE_LIMIT: setting({
        doc: 'Freshchat requests a minute, shared by every worker (a Redis token bucket).',
        default: '60',
        format: number({ positive: true }),
      }),
      FRESHCHAT_RATE_BURST: setting({
        doc: "The token bucket's burst.",
        default: '10',
        format: wholeNumber({ min: 1 }),
      }),
      FRESHCHAT_RETRY_AFTER_CAP: setting({
        doc: "The longest wait a 429's Retry-After may impose before the request fails.",
        default: '60s',
        format: duration(),
      }),
    },
  ),
  ...section(
    { title: 'People signing in to the pages (docs/security.md)' },
    {
      PUBLIC_BASE_URL: setting({
        doc:
          'Where people reach this API in a browser: the provider redirects to PUBLIC_BASE_URL/signin/callback, printed ' +
          'links use it, and the weekly email links to the report page and its incidences. Unset: http://127.0.0.1:$PORT, ' +
          'and no links in the email.',
        format: url(['http', 'https']),
      }),
      OIDC_ISSUER_URL: setting({
        doc:
          'Any OpenID Connect provider (Google Workspace, Entra ID, Okta, Keycloak): its issuer, whose discovery document ' +
          'is at ISSUER/.well-known/openid-configuration. Unset: no provider; `npm run sign-in-link` prints a one-time ' +
          'link for a local admin (scripts/up.sh does at start).',
        format: url(['http', 'https']),
      }),
      OIDC_CLIENT_ID: setting({ doc: "This client's id at the provider.", format: text({ trim: true }) }),
      OIDC_CLIENT_SECRET: setting({
        doc: "This client's secret at the provider. Unset: a public client (PKCE alone).",
        format: text({ trim: true }),
      }),
      OIDC_SCOPES: setting({
        doc: "Scopes asked for (add the provider's groups scope if it has one).",
        default: 'openid email profile',
        format: text(),
      }),
      OIDC_GROUPS_CLAIM: setting({
        doc: "The ID token or userinfo claim listing a person's groups (PEOPLE_*_GROUPS match against it).",
        default: 'groups',
        format: text(),
      }),
      PEOPLE_ADMIN_EMAILS: setting({
        doc: 'Admins (dead letters, the codec server, and all a viewer sees) by e-mail address. Nobody matched by a role may sign in.',
        default: '',
        format: list({ lowerCase: true }),
      }),
      PEOPLE_ADMIN_DOMAINS: setting({
        doc: 'Admins by whole e-mail domain.',
        default: '',
        format: list({ lowerCase: true }),
      }),
      PEOPLE_ADMIN_GROUPS: setting({ doc: "Admins by the provider's group claim.", default: '', format: list() }),
      PEOPLE_VIEWER_EMAILS: setting({
        doc: 'Viewers (dashboard, reports, export, incidences) by e-mail address.',
        default: '',
        format: list({ lowerCase: true }),
      }),
      PEOPLE_VIEWER_DOMAINS: setting({
        doc: 'Viewers by whole e-mail domain.',
        default: '',
        format: list({ lowerCase: true }),
      }),
      PEOPLE_VIEWER_GROUPS: setting({ doc: "Viewers by the provider's group claim.", default: '', format: list() }),
      SESSION_SECRET: setting({
        doc:
          'Signs the session cookie; several, comma-separated: the first signs, any verifies (rotation). Required in ' +
          'production; unset in development, a key of the process (sessions end at its restart).',
        format: text({ trim: true }),
      }),
      SESSION_IDLE_TIMEOUT: setting({ doc: 'A session unused this long ends.', default: '1h', format: duration() }),
      SESSION_MAX_AGE: setting({
        doc: 'A session ends this long after sign-in, used or not.',
        default: '12h',
        format: duration(),
      }),
      SIGN_IN_LINK_TTL: setting({
        doc: 'A one-time sign-in link (npm run sign-in-link) works once, within this long.',
        default: '15m',
        format: duration(),
      }),
    },
  ),
  ...section(
    { title: 'Observability' },
    {
      WORKER_METRICS_PORT: setting({
        doc: "The worker's Prometheus endpoint (the Temporal SDK's runtime metrics and ours). Unset: none.",
        format: port(),
        example: '9464',
      }),
      API_METRICS_PORT: setting({
        doc: "The API's Prometheus endpoint (GET /metrics), on a port of its own: keep it off the published one.",
        default: '9465',
        format: port(),
      }),
      WORKER_HEALTH_PORT: setting({
        doc: "The worker's health endpoint (GET /health: 200 while it polls its task queue). Unset: none.",
        format: port(),
      }),
      OTEL_EXPORTER_OTLP_ENDPOINT: setting({
        doc:
          'OpenTelemetry tracing: the OTLP/HTTP base endpoint, e.g. http://otel-collector:4318 (traces go to its ' +
          '/v1/traces). This and the next unset: tracing is off. OTEL_EXPORTER_OTLP_HEADERS is read by the exporter.',
        format: url(['http', 'https']),
      }),
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: setting({
        doc: 'The OTLP/HTTP traces URL itself, taken as is; wins over OTEL_EXPORTER_OTLP_ENDPOINT.',
        format: url(['http', 'https']),
      }),
    },
  ),
  ...section(
    { title: 'Deployment' },
    {
      MIGRATE_ON_START: setting({
        doc:
          'The worker applies pending migrations at start; off where a deploy step runs them first (docker compose ' +
          'does). `npm run migrate -- status` lists applied, pending and edited migration files.',
        default: 'true',
        format: flag(),
      }),
      TEMPORAL_SEARCH_ATTRIBUTES: setting({
        doc:
          'auto: the worker registers its search attributes through the operator service at start, except on ' +
          'Temporal Cloud (*.tmprl.cloud, *.api.temporal.io), where tcld or Terraform create them. create or skip to decide yourself.',
        default: 'auto',
        format: oneOf(['auto', 'create', 'skip']),
      }),
    },
  ),
  ...section(
    { title: "Worker tuning (docs/worker-performance.md); unset keeps the SDK's defaults" },
    {
      WORKER_MAX_CACHED_WORKFLOWS: setting({
        doc: "Workflows kept in the worker's cache: at least the conversations open at once, so none is evicted and replayed.",
        format: wholeNumber({ min: 1 }),
      }),
      WORKER_MAX_WORKFLOW_TASKS: setting({
        doc: 'Workflow tasks the worker runs at once.',
        format: wholeNumber({ min: 1 }),
      }),
      WORKER_WORKFLOW_POLLERS: setting({
        doc: 'Concurrent polls of the workflow task queue.',
        format: wholeNumber({ min: 1 }),
      }),
      WORKFLOW_DEADLOCK_GUARD: setting({
        doc: "per-call (the SDK's own) or per-thread (no watchdog thread per call into the sandbox; a stuck workflow stops the worker).",
        default: 'per-call',
        format: oneOf(['per-call', 'per-thread']),
      }),
      WORKFLOW_STACK_TRACES: setting({
        doc:
          'Record a stack for every workflow promise, for the stack-trace query (Temporal UI); costs workflow-thread ' +
          'CPU and memory for every cached workflow.',
        default: 'false',
        format: flag(),
      }),
    },
  ),
};

/** Read by others from the same .env: listed so every setting of a deployment lives in one place. */
export const OTHER_READERS = {
  ...section(
    { title: 'Read by the mobile app, not by the server', readBy: 'the mobile app' },
    {
      FRESHCHAT_APP_ID: setting({ doc: "The app's Freshchat SDK app id.", format: text() }),
      FRESHCHAT_APP_KEY: setting({ doc: "The app's Freshchat SDK app key.", format: text() }),
      FRESHCHAT_DOMAIN: setting({ doc: "The Freshchat SDK's domain.", default: 'msdk.freshchat.com', format: text() }),
    },
  ),
  ...section(
    { title: 'Read by docker compose, not by the server (docs/operations.md)', readBy: 'docker compose' },
    {
      COMPOSE_PROFILES: setting({
        doc:
          "`server` runs the supported Temporal server on PostgreSQL; `trial` Temporal's dev server instead (one " +
          'container, in memory). Add `observability` for Prometheus, Grafana, the OpenTelemetry collector and Jaeger.',
        example: 'server',
        format: text(),
      }),
    },
  ),
};

type Shape<S extends Record<string, Setting>> = { [K in keyof S]: S[K]['schema'] };
const shapeOf = <S extends Record<string, Setting>>(settings: S): Shape<S> =>
  Object.fromEntries(Object.entries(settings).map(([name, s]) => [name, s.schema])) as Shape<S>;

/** A variable that no longer exists under this name: setting it is an error rather than silently ignored. */
const renamed = (to: string) =>
  z
    .unknown()
    .optional()
    .refine((v) => v === undefined, { message: `renamed to ${to}` })
    .transform(() => undefined);

const schema = z.object({ ...shapeOf(SETTINGS), CONVERSATION_HISTORY_LIMIT: renamed('WORKFLOW_HISTORY_LIMIT') });

export type Config = Omit<z.infer<typeof schema>, 'CONVERSATION_HISTORY_LIMIT'>;

/** Every variable the server reads. */
export const CONFIG_VARIABLES = Object.keys(SETTINGS);

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
  const parsed = schema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const config: Config = parsed.data;
  const secrets = secretProblems(config);
  if (secrets.length > 0) throw new ConfigError(secrets);
  return config;
}

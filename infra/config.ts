import { z } from 'zod';
import { parseDuration } from './duration';

const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v)));

const duration = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const ms = parseDuration(v ?? fallback);
      if (ms === undefined) ctx.addIssue({ code: 'custom', message: 'expected a duration like 30s, 15m, 24h or 7d' });
      return ms ?? 0;
    });

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v : undefined));

const number = (fallback: number) => z.coerce.number().finite().nonnegative().default(fallback);

const schema = z.object({
  NODE_ENV: z.string().default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.string().url().default('postgres://root@127.0.0.1:5432/support_led_ordering'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379/0'),
  REDIS_KEY_PREFIX: z.string().default('slo:'),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('support-led-ordering'),
  // A prebuilt workflow bundle (bundleWorkflowCode output); unset, the worker bundles workflows/ at start.
  WORKFLOW_BUNDLE_PATH: optionalText,
  FRESHCHAT_WEBHOOK_SECRET: optionalText,
  FRESHCHAT_WEBHOOK_PUBLIC_KEY: optionalText,
  FRESHCHAT_API_URL: optionalText.pipe(z.string().url().optional()),
  FRESHCHAT_API_TOKEN: optionalText,
  FRESHCHAT_TAG_PROPERTIES: z.string().default('cf_tags'),
  FRESHCHAT_APP_ID: optionalText,
  FRESHCHAT_APP_KEY: optionalText,
  FRESHCHAT_DOMAIN: optionalText,
  AGENT_HOURLY_RATE: number(150),
  FRICTION_DETECTION_ENABLED: flag(true),
  CHANNEL_ROUTING_ENABLED: flag(true),
  WEBHOOK_BODY_LIMIT: z.string().default('1mb'),
  CONVERSATION_REOPEN_WINDOW: duration('7d'),
  CONVERSATION_SILENCE_TIMEOUT: duration('14d'),
  CONVERSATION_HISTORY_LIMIT: z.coerce.number().int().min(50).default(2000),
  // App and internal authentication (see api/auth.ts).
  APP_JWT_SECRET: optionalText,
  ADMIN_API_TOKEN: optionalText,
  API_BODY_LIMIT: z.string().default('64kb'),
  // --- The app API: user context in Redis, channel routing, help offers, context sync to Freshchat.
  USER_CONTEXT_TTL: duration('24h'),
  HELP_OFFER_WINDOW: duration('15m'),
  CHANNEL_LOW_THRESHOLD: number(5000),
  CHANNEL_HIGH_THRESHOLD: number(25000),
  HIGH_IMPORTANCE_EVENTS: z.string().default('WEDDING,CORPORATE,RELIGIOUS'),
  CONTEXT_SYNC_QUIET_PERIOD: duration('2s'),
  CONTEXT_SYNC_MAX_DELAY: duration('10s'),
  CONTEXT_SYNC_IDLE_TIMEOUT: duration('30m'),
  // --- Analytics: orders feed, weekly report workflow, schedules, report email.
  ORDERS_WEBHOOK_SECRET: optionalText,
  ASSISTED_ORDER_WINDOW: duration('24h'),
  WEEKLY_REPORT_QUIET_PERIOD: duration('30s'),
  WEEKLY_REPORT_IDLE_TIMEOUT: duration('15m'),
  ANALYTICS_SCHEDULES_ENABLED: flag(true),
  SMTP_URL: optionalText.pipe(z.string().url().optional()),
  REPORT_RECIPIENTS: optionalText.transform((v) =>
    v
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
  ),
  REPORT_FROM: z.string().default('Support-led ordering reports <reports@localhost>'),
  ORDERS_BODY_LIMIT: z.string().default('64kb'),
  // --- Response times and SLAs (docs/slas.md): policy and business-hours files, signed outbound events.
  SLA_POLICY_FILE: z.string().min(1).default('config/sla-policies.json'),
  BUSINESS_HOURS_FILE: z.string().min(1).default('config/business-hours.json'),
  OUTBOUND_EVENTS_URL: optionalText.pipe(z.string().url().optional()),
  OUTBOUND_EVENTS_SECRET: optionalText,
});

export type Config = z.infer<typeof schema>;

/** Outbound events are signed: a URL without a secret is a mistake, not a reason to send unsigned. */
const outboundNeedsSecret = (config: Config): string[] =>
  config.OUTBOUND_EVENTS_URL && !config.OUTBOUND_EVENTS_SECRET
    ? ['OUTBOUND_EVENTS_SECRET: required when OUTBOUND_EVENTS_URL is set (every event is signed with it)']
    : [];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads and validates configuration; throws ConfigError naming every missing or malformed variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const problems = outboundNeedsSecret(parsed.data);
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

/** The API cannot accept any webhook without at least one verification scheme. */
export function requireWebhookVerification(config: Config): void {
  if (!config.FRESHCHAT_WEBHOOK_SECRET && !config.FRESHCHAT_WEBHOOK_PUBLIC_KEY) {
    throw new ConfigError([
      'FRESHCHAT_WEBHOOK_SECRET or FRESHCHAT_WEBHOOK_PUBLIC_KEY: set at least one, or every webhook is refused',
    ]);
  }
}

export const tagProperties = (config: Config): string[] =>
  config.FRESHCHAT_TAG_PROPERTIES.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

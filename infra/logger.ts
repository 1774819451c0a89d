import pino, { type DestinationStream } from 'pino';

/**
 * Fields that carry personal data or credentials, wherever a log call puts them (top level or one level down):
 * pino replaces their values before the line is written.
 */
export const REDACTED_FIELDS = [
  'authorization',
  'token',
  'secret',
  'password',
  'email',
  'phone',
  'text',
  'userProperties',
  'properties',
  'profile',
] as const;
const REDACT_PATHS = [
  ...REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-freshchat-signature"]',
];

/** Longest library message kept: drivers echo commands, SQL values or bodies into theirs. */
export const MAX_ERROR_TEXT = 300;
// Properties libraries attach to errors that carry what was sent: ioredis `command.args`, pg/slonik `values`, …
const PAYLOAD_PROPERTIES = ['args', 'values', 'parameters', 'payload', 'body', 'data', 'sql', 'query'];

const clip = (text: unknown) =>
  typeof text === 'string' && text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}… (clipped)` : text;

/** pino's error serializer, minus whatever a library copied of the request into the error. */
export function safeError(value: unknown): unknown {
  if (typeof value === 'string') return clip(value);
  if (!(value instanceof Error)) return value;
  const serialized = pino.stdSerializers.err(value) as unknown as Record<string, unknown>;
  const command = serialized.command as { name?: unknown } | undefined;
  if (command) serialized.command = { name: command.name };
  for (const key of PAYLOAD_PROPERTIES) delete serialized[key];
  serialized.message = clip(serialized.message);
  // The stack's first line repeats the message: keep only the frames.
  const stack = typeof serialized.stack === 'string' ? serialized.stack : '';
  serialized.stack = stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 8)
    .join('\n');
  return serialized;
}

export function createLogger(options: { level?: string; destination?: DestinationStream; redact?: boolean } = {}) {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { service: process.env.SERVICE_NAME ?? 'support-led-ordering' },
      ...(options.redact === false ? {} : { redact: { paths: REDACT_PATHS, censor: '[redacted]' } }),
      serializers: { err: safeError, error: safeError },
    },
    options.destination,
  );
}

export const logger = createLogger();
/**
 * The request lines (api/request-log.ts): fields the API fills itself (ids, route pattern, status, duration), never
 * a header or body value, so they skip redaction, which costs several times the line itself.
 */
export const requestLogger = createLogger({ redact: false });
export type Logger = typeof logger;

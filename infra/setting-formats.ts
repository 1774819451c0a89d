import { z } from 'zod';
import { parseDuration } from '../domain/duration';
import { parseSize } from './size';

/**
 * The formats a setting's text is read in. Each reads the variable's text (never undefined: infra/config.ts applies
 * the default or makes the setting optional) and names itself for the configuration docs.
 */
export interface Format<T extends z.ZodType<unknown, string> = z.ZodType<unknown, string>> {
  /** How the docs name the format, e.g. "duration" or "URL (postgres://)". */
  text: string;
  schema: T;
}

const format = <T extends z.ZodType<unknown, string>>(text: string, schema: T): Format<T> => ({ text, schema });

/** Free text, taken verbatim (secrets keep their spaces); `trim` for names and addresses. */
export const text = (options: { trim?: boolean; min?: number } = {}) =>
  format(
    'text',
    z
      .string()
      .min(options.min ?? 0)
      .transform((v) => (options.trim ? v.trim() : v)),
  );

/** A duration with its unit (500ms, 30s, 15m, 24h, 7d), in milliseconds. Positive unless 0 means "none". */
export const duration = (options: { zero?: 'allowed' } = {}) =>
  format(
    options.zero === 'allowed' ? 'duration (0 allowed)' : 'duration',
    z.string().transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined || (ms === 0 && options.zero !== 'allowed')) {
        ctx.addIssue({ code: 'custom', message: `expected a duration like 500ms, 30s, 15m, 24h or 7d, got "${v}"` });
        return z.NEVER;
      }
      return ms;
    }),
  );

/** A size in bytes with its unit (b, kb, mb; 1 kb = 1024 b): a bare number or `1m` is refused, not read as bytes. */
export const size = () =>
  format(
    'size',
    z.string().transform((v, ctx) => {
      const bytes = parseSize(v);
      if (bytes === undefined || bytes <= 0) {
        ctx.addIssue({ code: 'custom', message: `expected a size with its unit like 512b, 64kb or 1mb, got "${v}"` });
        return z.NEVER;
      }
      return bytes;
    }),
  );

export const flag = () =>
  format(
    'true or false',
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
      .transform((v) => ['true', '1', 'yes'].includes(v)),
  );

/** A URL whose scheme is one of `schemes`. */
export const url = (schemes: string[]) =>
  format(
    `URL (${schemes.map((s) => `${s}://`).join(', ')})`,
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
    ),
  );

export const hostPort = () =>
  format(
    'host:port',
    z
      .string()
      .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { message: 'expected host:port, e.g. 127.0.0.1:7233' }),
  );

/** A number read from text: `message` names a value that is not one; the bounds' checks name themselves. */
const numeric = (message: string) =>
  z.coerce.number<string>({ error: (issue) => (issue.code === 'invalid_type' ? message : undefined) });

export const port = () => format('port', numeric('expected a port number').int().min(0).max(65535));

export const number = (options: { positive?: boolean } = {}) =>
  format(
    options.positive ? 'number > 0' : 'number ≥ 0',
    z
      .string()
      .pipe(
        options.positive
          ? numeric('expected a number').positive()
          : numeric('expected a number').finite().nonnegative(),
      ),
  );

export const wholeNumber = (bounds: { min?: number; max?: number } = {}) => {
  let schema = numeric('expected a whole number').int();
  if (bounds.min !== undefined) schema = schema.min(bounds.min);
  if (bounds.max !== undefined) schema = schema.max(bounds.max);
  const range = bounds.max !== undefined ? ` ${bounds.min ?? 0}–${bounds.max}` : ` ≥ ${bounds.min ?? 0}`;
  return format(`whole number${range}`, schema);
};

/** Comma-separated values, trimmed, empty ones dropped; `lowerCase` for e-mail addresses and domains. */
export const list = (options: { lowerCase?: boolean } = {}) =>
  format(
    'comma-separated list',
    z.string().transform((v) =>
      v
        .split(',')
        .map((s) => (options.lowerCase ? s.trim().toLowerCase() : s.trim()))
        .filter(Boolean),
    ),
  );

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  format(`one of ${values.join(', ')}`, z.enum(values));

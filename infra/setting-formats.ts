import { z } from 'zod';
import { parseDuration } from '../domain/duration';

/**
 * A duration setting with its unit (500ms, 30s, 15m, 24h, 7d), in milliseconds; `fallback` when unset. Positive
 * unless `zero: 'allowed'` (a setting where 0 means "none").
 */
export const duration = (fallback: string, options: { zero?: 'allowed' } = {}) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const ms = parseDuration(v ?? fallback);
      if (ms === undefined || (ms === 0 && options.zero !== 'allowed')) {
        ctx.addIssue({ code: 'custom', message: `expected a duration like 500ms, 30s, 15m, 24h or 7d, got "${v}"` });
        return z.NEVER;
      }
      return ms;
    });

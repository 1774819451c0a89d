import { recordTag } from './record-values';
import type { Resolution } from './incidence';

const OUTCOME_TAGS = new Set(['order_placed', 'dropped', 'lost']);

/**
 * The tag rules (docs/decisions.md #8), matched case-insensitively:
 * order_placed → CONVERTED/PLACED; dropped or lost → DROPPED/LOST; anything else → RESOLVED/NONE.
 * The issue category is the first tag that is not an outcome tag, else the first tag, else null.
 */
export function resolutionFromTags(tags: readonly string[]): Resolution {
  const cleaned = tags.map(recordTag).filter(Boolean);
  const lower = cleaned.map((t) => t.toLowerCase());
  const issueCategory = cleaned.find((_, i) => !OUTCOME_TAGS.has(lower[i]!)) ?? cleaned[0] ?? null;
  if (lower.includes('order_placed')) return { outcome: 'CONVERTED', orderImpact: 'PLACED', issueCategory };
  if (lower.includes('dropped') || lower.includes('lost'))
    return { outcome: 'DROPPED', orderImpact: 'LOST', issueCategory };
  return { outcome: 'RESOLVED', orderImpact: 'NONE', issueCategory };
}

/**
 * Whole seconds from the incidence's first event to its resolution; never negative and never
 * dropping days (a `timedelta.seconds`-style difference loses them; docs/decisions.md #9).
 */
export function timeToResolveSeconds(firstEventAt: string, resolvedAt: string): number {
  const ms = Date.parse(resolvedAt) - Date.parse(firstEventAt);
  return Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 1000)) : 0;
}

/** Tags as the record keeps them: each clipped (recordTag), blanks left out, at most 50. */
export const recordTags = (tags: readonly string[]): string[] => tags.map(recordTag).filter(Boolean).slice(0, 50);

/** Splits a tag property value such as "pricing, dropped" into tags as the record keeps them. */
export const splitTags = (value: unknown): string[] => (typeof value === 'string' ? recordTags(value.split(',')) : []);

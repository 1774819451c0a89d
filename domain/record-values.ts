/**
 * Values PostgreSQL would refuse, made safe at the boundary. A refused value is not retried into success: it would
 * hold up every later event of its conversation, so it never reaches a statement.
 */

/** The failure type of a step whose data PostgreSQL refused: the workflow dead-letters the event at once. */
export const DATA_REJECTED = 'IncidenceDataRejected';

/** resolution_type of a real-format resolution applied before its tags were read from Freshchat. */
export const TAGS_PENDING = 'TAGS_PENDING';
/** resolution_type of a resolution whose tags Freshchat never gave (bounded retries ran out): it stands without them. */
export const TAGS_UNAVAILABLE = 'TAGS_UNAVAILABLE';

/** PostgreSQL TEXT and JSONB refuse U+0000 (22021, 22P05); it carries no meaning in a chat, so it is dropped. */
export const withoutNul = (text: string): string => (text.includes('\u0000') ? text.replaceAll('\u0000', '') : text);

/** Every string inside a JSON-like value without U+0000 (object keys included). */
export function withoutNulDeep<T>(value: T): T {
  if (typeof value === 'string') return withoutNul(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => withoutNulDeep(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNul(k), withoutNulDeep(v)])) as T;
  }
  return value;
}

/** Column sizes of the incidence's context fields (migrations/001_create_tables.sql). */
export const CONTEXT_COLUMNS = {
  idLength: 255,
  appScreenLength: 100,
  eventTypeLength: 50,
  issueCategoryLength: 100,
  /** DECIMAL(12,2) */
  cartValueBelow: 1e10,
  /** DECIMAL(5,2) */
  frictionScoreBelow: 1000,
  /** INTEGER */
  guestCountMax: 2 ** 31 - 1,
} as const;

/** The value a DECIMAL(p,2) column stores, or undefined when it would overflow. */
export function fitsDecimal(value: number, below: number): number | undefined {
  const cents = Math.round(value * 100) / 100;
  return Math.abs(cents) < below ? cents : undefined;
}

/** A tag as the record keeps it: without U+0000, trimmed, at most the issue category's column size. */
export const recordTag = (tag: string): string => withoutNul(tag).trim().slice(0, CONTEXT_COLUMNS.issueCategoryLength);

/** An id from outside (Freshchat's answers) as the record can keep it, or null when no column could hold it. */
export function recordId(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const id = withoutNul(String(value)).trim();
  return id && id.length <= CONTEXT_COLUMNS.idLength ? id : null;
}

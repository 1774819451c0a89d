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

// With the u flag a pair is one code point: only lone halves match.
const LONE_SURROGATE = /\p{Surrogate}/u;
const LONE_SURROGATES = /\p{Surrogate}/gu;

/**
 * Text as PostgreSQL can keep it: without U+0000 (TEXT and JSONB refuse it, 22021, 22P05) and without lone UTF-16
 * surrogates (JSON's `\ud83d` escape, or a clip through a pair; JSONB refuses them, 22P02). Neither carries meaning
 * in a chat, so both are dropped. Every boundary where text enters (webhooks, Freshchat's answers, the app API)
 * passes through it.
 */
export const storableText = (text: string): string => {
  const clean = text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
  return LONE_SURROGATE.test(clean) ? clean.replace(LONE_SURROGATES, '') : clean;
};

/**
 * Every string inside a JSON-like value as PostgreSQL can keep it (object keys included). Walked with a stack of its
 * own, not by recursion: a hostile body nested a hundred thousand levels deep is parsed fine by JSON.parse and must
 * reach validation (a clear 4xx), not overflow the call stack.
 */
export function storableDeep<T>(value: T): T {
  const copy = (v: unknown): unknown =>
    typeof v === 'string' ? storableText(v) : Array.isArray(v) ? new Array<unknown>(v.length) : isObject(v) ? {} : v;
  const root = copy(value);
  const pending: [unknown, unknown][] = [[value, root]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [from, to] = next;
    if (Array.isArray(from)) {
      from.forEach((item: unknown, i) => {
        const child = copy(item);
        (to as unknown[])[i] = child;
        if (child !== null && typeof child === 'object') pending.push([item, child]);
      });
    } else if (isObject(from)) {
      for (const [key, item] of Object.entries(from)) {
        const child = copy(item);
        (to as Record<string, unknown>)[storableText(key)] = child;
        if (child !== null && typeof child === 'object') pending.push([item, child]);
      }
    }
  }
  return root as T;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';

/** The first `length` code points of a text (never half of a surrogate pair): VARCHAR(n) counts code points too. */
export function clipText(text: string, length: number): string {
  if (text.length <= length) return text;
  let end = 0;
  for (let n = 0; n < length && end < text.length; n++) end += text.codePointAt(end)! > 0xffff ? 2 : 1;
  return text.slice(0, end);
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

/** A tag as the record keeps it: storable, trimmed, at most the issue category's column size (in code points). */
export const recordTag = (tag: string): string =>
  clipText(storableText(tag).trim(), CONTEXT_COLUMNS.issueCategoryLength).trim();

/** An id from outside (Freshchat's answers) as the record can keep it, or null when no column could hold it. */
export function recordId(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const id = storableText(String(value)).trim();
  return id && id.length <= CONTEXT_COLUMNS.idLength ? id : null;
}

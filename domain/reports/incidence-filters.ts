/**
 * What a manager can ask of the incidences list, the overview and the export: filters, sort and a keyset cursor,
 * read from a query string and written back into one (every figure's link is such a query string).
 */
import { daysBetween, parseIsoDate } from './iso-week';
import { CART_VALUE_TIERS, FIRST_RESPONSE_BUCKETS } from './support-metrics';

export const OUTCOMES = ['IN_PROGRESS', 'RESOLVED', 'CONVERTED', 'DROPPED'] as const;
export const ORDER_IMPACTS = ['PLACED', 'MODIFIED', 'LOST', 'NONE'] as const;
export const CHANNELS = ['IN_APP_CHAT', 'CALL', 'WHATSAPP'] as const;
export const SLA_STATUSES = ['ACTIVE', 'MET', 'MISSED', 'NONE'] as const;
export const SLA_TARGETS = ['FIRST_RESPONSE', 'NEXT_RESPONSE', 'RESOLUTION'] as const;
/** What became of an SLA target (settled). */
export const SLA_RESULTS = ['MET', 'MISSED'] as const;
export const RESPONSE_KINDS = ['FIRST', 'NEXT'] as const;
/** First response buckets by position in FIRST_RESPONSE_BUCKETS ('0'…), or 'none' for no human response. */
export const WAITS = [...FIRST_RESPONSE_BUCKETS.map((_, i) => String(i)), 'none'] as const;
export const STATES = ['open', 'unattended', 'due_soon', 'closed'] as const;
export const SORTS = ['newest', 'oldest', 'cart'] as const;
/**
 * Which instant a day range (and weekday, hour) applies to: when the incidence started or was resolved; when an
 * assisted order linked to it was placed; when one of its SLA targets began waiting or was settled; when an agent
 * answered it; when reconciliation repaired its conversation.
 */
export const DATE_FIELDS = ['created', 'resolved', 'ordered', 'waited', 'settled', 'answered', 'repaired'] as const;
/** Cart value tiers by position in CART_VALUE_TIERS ('0'…), or 'none' for no cart. */
export const TIERS = [...CART_VALUE_TIERS.map((_, i) => String(i)), 'none'] as const;
export const MAX_RANGE_DAYS = 3660;

export interface IncidenceFilters {
  state?: (typeof STATES)[number];
  from?: string;
  to?: string;
  dates: (typeof DATE_FIELDS)[number];
  outcome?: (typeof OUTCOMES)[number];
  impact?: (typeof ORDER_IMPACTS)[number];
  channel?: (typeof CHANNELS)[number];
  sla?: (typeof SLA_STATUSES)[number];
  /** An SLA target of this kind (with `result` and `policy`, and dates 'waited'/'settled': the same target). */
  target?: (typeof SLA_TARGETS)[number];
  result?: (typeof SLA_RESULTS)[number];
  policy?: string;
  /** A response of this kind (dates 'answered'). */
  response?: (typeof RESPONSE_KINDS)[number];
  /** How long the first response took (a WAITS bucket): the answered response's wait, else the incidence's. */
  wait?: (typeof WAITS)[number];
  /** ISO weekday (1 = Monday) and hour (0…23) of the dates' instant, India time. */
  weekday?: number;
  hour?: number;
  /** An agent id, or 'none' for unassigned. */
  agent?: string;
  /** An event type, or 'none' for none. */
  event?: string;
  /** An issue category (any case), or 'none' for uncategorised. */
  category?: string;
  screen?: string;
  tier?: string;
  reopened?: boolean;
  repeat?: boolean;
  /** A conversation id, user id or order id, exactly. */
  q?: string;
}

export interface ListRequest {
  filters: IncidenceFilters;
  sort: (typeof SORTS)[number];
  /** Keyset cursor: the sort key and id of the last row of the page before… */
  after?: Cursor;
  /** …or of the first row of the page after (a step back). */
  before?: Cursor;
}

export interface Cursor {
  key: string | number;
  id: string;
}

/** A query string value the filters refuse, with its name. */
export class FilterError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

type Query = Record<string, string | string[] | undefined>;

const one = (query: Query, name: string): string | undefined => {
  const v = query[name];
  const value = Array.isArray(v) ? v[v.length - 1] : v;
  return value === undefined || value.trim() === '' ? undefined : value.trim();
};

function choice<T extends readonly string[]>(query: Query, name: string, allowed: T): T[number] | undefined {
  const value = one(query, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new FilterError(name, `${name}: "${value}" is not one of ${allowed.join(', ')}`);
  return value as T[number];
}

function text(query: Query, name: string): string | undefined {
  const value = one(query, name);
  if (value !== undefined && value.length > 200) throw new FilterError(name, `${name}: at most 200 characters`);
  return value;
}

function whole(query: Query, name: string, min: number, max: number): number | undefined {
  const value = one(query, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new FilterError(name, `${name}: "${value}" is not a whole number from ${min} to ${max}`);
  return n;
}

function date(query: Query, name: string): string | undefined {
  const value = one(query, name);
  if (value === undefined) return undefined;
  const parsed = parseIsoDate(value);
  if (!parsed) throw new FilterError(name, `${name}: "${value}" is not a date YYYY-MM-DD`);
  return parsed;
}

export function parseFilters(query: Query): IncidenceFilters {
  const from = date(query, 'from');
  const to = date(query, 'to');
  if (from && to) {
    const days = daysBetween(from, to);
    if (days < 1) throw new FilterError('from', `from (${from}) is after to (${to})`);
    if (days > MAX_RANGE_DAYS) throw new FilterError('to', `at most ${MAX_RANGE_DAYS} days at once`);
  }
  const filters: IncidenceFilters = {
    state: choice(query, 'state', STATES),
    from,
    to,
    dates: choice(query, 'dates', DATE_FIELDS) ?? 'created',
    outcome: choice(query, 'outcome', OUTCOMES),
    impact: choice(query, 'impact', ORDER_IMPACTS),
    channel: choice(query, 'channel', CHANNELS),
    sla: choice(query, 'sla', SLA_STATUSES),
    target: choice(query, 'target', SLA_TARGETS),
    result: choice(query, 'result', SLA_RESULTS),
    policy: text(query, 'policy'),
    response: choice(query, 'response', RESPONSE_KINDS),
    wait: choice(query, 'wait', WAITS),
    weekday: whole(query, 'weekday', 1, 7),
    hour: whole(query, 'hour', 0, 23),
    agent: text(query, 'agent'),
    event: text(query, 'event'),
    category: text(query, 'category'),
    screen: text(query, 'screen'),
    tier: choice(query, 'tier', TIERS),
    reopened: one(query, 'reopened') === '1' || undefined,
    repeat: one(query, 'repeat') === '1' || undefined,
    q: text(query, 'q'),
  };
  if ((filters.weekday !== undefined || filters.hour !== undefined) && !HOURLY_DATES.has(filters.dates))
    throw new FilterError('dates', `weekday and hour apply to dates ${[...HOURLY_DATES].join(', ')} only`);
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) as IncidenceFilters;
}

/** The instants weekday and hour filters apply to. */
const HOURLY_DATES = new Set<IncidenceFilters['dates']>(['created', 'resolved', 'waited']);

export function parseListRequest(query: Query): ListRequest {
  const filters = parseFilters(query);
  const sort = choice(query, 'sort', SORTS) ?? 'newest';
  const after = one(query, 'after');
  const before = one(query, 'before');
  if (after !== undefined && before !== undefined)
    throw new FilterError('before', 'before and after: a page is either after a cursor or before one');
  return {
    filters,
    sort,
    after: after === undefined ? undefined : parseCursor(after, sort, 'after'),
    before: before === undefined ? undefined : parseCursor(before, sort, 'before'),
  };
}

export const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify([c.key, c.id])).toString('base64url');

function parseCursor(text: string, sort: ListRequest['sort'], name: string): Cursor {
  try {
    const [key, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [unknown, unknown];
    const keyOk = sort === 'cart' ? typeof key === 'number' : typeof key === 'string' && !isNaN(Date.parse(key));
    if (keyOk && typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id)) return { key: key as string | number, id };
  } catch {
    // falls through to the error below
  }
  throw new FilterError(name, `${name}: not a cursor this list gave (start again from the first page)`);
}

/** The query string of filters (and optionally sort and cursor), in a stable order; defaults left out. */
export function queryOf(filters: IncidenceFilters, extra: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) {
    if (value === undefined || (name === 'dates' && value === 'created')) continue;
    params.set(name, value === true ? '1' : String(value));
  }
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) params.set(name, value);
  const s = params.toString();
  return s ? `?${s}` : '';
}

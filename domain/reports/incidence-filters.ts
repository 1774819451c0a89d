/**
 * What a manager can ask of the incidences list, the overview and the export: filters, sort and a keyset cursor,
 * read from a query string and written back into one (every figure's link is such a query string).
 */
import { daysBetween, parseIsoDate } from './iso-week';
import { CART_VALUE_TIERS } from './support-metrics';

export const OUTCOMES = ['IN_PROGRESS', 'RESOLVED', 'CONVERTED', 'DROPPED'] as const;
export const ORDER_IMPACTS = ['PLACED', 'MODIFIED', 'LOST', 'NONE'] as const;
export const CHANNELS = ['IN_APP_CHAT', 'CALL', 'WHATSAPP'] as const;
export const SLA_STATUSES = ['ACTIVE', 'MET', 'MISSED', 'NONE'] as const;
export const SLA_TARGETS = ['FIRST_RESPONSE', 'NEXT_RESPONSE', 'RESOLUTION'] as const;
export const STATES = ['open', 'unattended', 'due_soon', 'closed'] as const;
export const SORTS = ['newest', 'oldest', 'cart'] as const;
/** Which instant a day range applies to: when the incidence started, or when it was resolved. */
export const DATE_FIELDS = ['created', 'resolved'] as const;
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
  /** Incidences with a target of this kind missed. */
  missed?: (typeof SLA_TARGETS)[number];
  /** An agent id, or 'none' for unassigned. */
  agent?: string;
  event?: string;
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
  /** Keyset cursor: the sort key and id of the last row of the page before. */
  after?: Cursor;
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
    missed: choice(query, 'missed', SLA_TARGETS),
    agent: text(query, 'agent'),
    event: text(query, 'event'),
    category: text(query, 'category'),
    screen: text(query, 'screen'),
    tier: choice(query, 'tier', TIERS),
    reopened: one(query, 'reopened') === '1' || undefined,
    repeat: one(query, 'repeat') === '1' || undefined,
    q: text(query, 'q'),
  };
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) as IncidenceFilters;
}

export function parseListRequest(query: Query): ListRequest {
  const filters = parseFilters(query);
  const sort = choice(query, 'sort', SORTS) ?? 'newest';
  const after = one(query, 'after');
  return { filters, sort, after: after === undefined ? undefined : parseCursor(after, sort) };
}

export const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify([c.key, c.id])).toString('base64url');

function parseCursor(text: string, sort: ListRequest['sort']): Cursor {
  try {
    const [key, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [unknown, unknown];
    const keyOk = sort === 'cart' ? typeof key === 'number' : typeof key === 'string' && !isNaN(Date.parse(key));
    if (keyOk && typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id)) return { key: key as string | number, id };
  } catch {
    // falls through to the error below
  }
  throw new FilterError('after', 'after: not a cursor this list gave (start again from the first page)');
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

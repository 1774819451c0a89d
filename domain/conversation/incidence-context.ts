import type { IncidenceContext } from './incidence';
import { CONTEXT_COLUMNS, fitsDecimal, storableText } from './record-values';

type ContextFields = Omit<IncidenceContext, 'trigger' | 'freshchatUserId'>;
export type PartialContext = Partial<ContextFields>;

/** Freshchat sends property values as strings ("185000.00", "350", ""); empty means absent. */
const present = (value: unknown): value is string | number | boolean =>
  value !== null && value !== undefined && !(typeof value === 'string' && value.trim() === '');

const textOf = (value: unknown): string | undefined =>
  present(value) ? storableText(String(value)).trim() || undefined : undefined;

const numberOf = (value: unknown): number | undefined => {
  if (!present(value)) return undefined;
  const n = typeof value === 'number' ? value : Number(String(value).replace(/,/g, ''));
  return Number.isFinite(n) ? n : undefined;
};

const integerOf = (value: unknown): number | undefined => {
  const n = numberOf(value);
  return n === undefined ? undefined : Math.round(n);
};

/**
 * Reads incidence context from user properties (webhook, Redis hash or Freshchat), in either spelling. Context is
 * enrichment: a value its column cannot hold (the app sets these properties itself) is left out and its field named
 * in `dropped`, never a reason to refuse the incidence.
 */
export function contextFromProperties(
  properties: Record<string, unknown> | null | undefined,
  dropped: string[] = [],
): PartialContext {
  if (!properties) return {};
  const pick = (name: string) => properties[name] ?? properties[`cf_${name}`];
  const context: PartialContext = {
    userId: textOf(pick('user_id')),
    orderId: textOf(pick('order_id')),
    appScreen: textOf(pick('current_screen') ?? pick('app_screen')),
    cartValue: numberOf(pick('cart_value')),
    guestCount: integerOf(pick('guest_count')),
    eventType: textOf(pick('event_type'))?.toUpperCase(),
    frictionScore: numberOf(pick('friction_score')),
  };
  const fitted = fitToColumns(context, dropped);
  return Object.fromEntries(Object.entries(fitted).filter(([, v]) => v !== undefined)) as PartialContext;
}

const within = (text: string | null | undefined, length: number) =>
  text === null || text === undefined || text.length <= length ? text : undefined;

function fitToColumns(context: PartialContext, dropped: string[]): PartialContext {
  const c = CONTEXT_COLUMNS;
  const fitted: PartialContext = {
    userId: within(context.userId, c.idLength),
    orderId: within(context.orderId, c.idLength),
    appScreen: within(context.appScreen, c.appScreenLength),
    eventType: within(context.eventType, c.eventTypeLength),
    cartValue: context.cartValue === undefined ? undefined : fitsDecimal(context.cartValue!, c.cartValueBelow),
    frictionScore:
      context.frictionScore === undefined ? undefined : fitsDecimal(context.frictionScore!, c.frictionScoreBelow),
    guestCount:
      context.guestCount === undefined || Math.abs(context.guestCount!) > c.guestCountMax
        ? undefined
        : context.guestCount,
  };
  for (const key of Object.keys(fitted) as Array<keyof PartialContext>) {
    if (context[key] !== undefined && fitted[key] === undefined) dropped.push(key);
  }
  return fitted;
}

/** First source wins per field; fields no source has stay null. */
export function mergeContexts(...sources: PartialContext[]): ContextFields {
  const merged: ContextFields = {
    userId: null,
    orderId: null,
    appScreen: null,
    cartValue: null,
    guestCount: null,
    eventType: null,
    frictionScore: null,
  };
  for (const key of Object.keys(merged) as Array<keyof ContextFields>) {
    const found = sources.find((s) => s[key] !== undefined && s[key] !== null);
    if (found) (merged as Record<string, unknown>)[key] = found[key];
  }
  return merged;
}

/** Whether an event's own user properties name the app user (its context then needs no Freshchat lookup). */
export const namesAppUser = (event: { userProperties: Record<string, unknown> | null }): boolean =>
  contextFromProperties(event.userProperties).userId !== undefined;

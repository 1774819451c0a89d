import type { CartRequest, FrictionSignalRequest, ProfileBody, ScreenRequest } from './app-requests';

/**
 * One atomic change to a stored context, applied by a single Redis script (never read-modify-write
 * in Node), so concurrent requests for one user never lose counts.
 */
export interface ContextUpdate {
  set: Record<string, string>;
  clear: string[];
  setIfAbsent: Record<string, string>;
  increment: Record<string, number>;
  /** field = max(field, value) */
  raiseTo: Record<string, number>;
  /** Adds `seconds` to `field` when the screen left (`previous`, else the stored current screen) is `screen`. */
  screenTime?: { field: string; screen: string; previous: string | null; seconds: number };
  /** Counts one into `counter` when `field` already holds a number different from `value`. */
  countChange?: { field: string; value: number; counter: string };
}

const emptyUpdate = (): ContextUpdate => ({ set: {}, clear: [], setIfAbsent: {}, increment: {}, raiseTo: {} });

const PROFILE_FIELDS = ['name', 'email', 'phone', 'language', 'tier', 'past_order_count', 'lifetime_value'] as const;

function addProfile(update: ContextUpdate, profile: ProfileBody | undefined): ContextUpdate {
  for (const field of PROFILE_FIELDS) {
    const value = profile?.[field];
    if (value !== undefined) update.set[field] = String(value);
  }
  return update;
}

export const profileUpdate = (profile: ProfileBody): ContextUpdate => addProfile(emptyUpdate(), profile);

/** Navigation: the new screen, one more back navigation if it was one, and the time left on CHECKOUT. */
export function screenUpdate(body: ScreenRequest): ContextUpdate {
  const update = addProfile(emptyUpdate(), body.profile);
  update.set.current_screen = body.screen_name;
  if (body.is_back_navigation) update.increment.back_navigation_count = 1;
  if (body.time_on_previous_seconds !== undefined && body.time_on_previous_seconds > 0) {
    update.screenTime = {
      field: 'time_on_checkout_seconds',
      screen: 'CHECKOUT',
      previous: body.previous_screen ?? null,
      seconds: body.time_on_previous_seconds,
    };
  }
  return update;
}

/** Cart state; a changed value of an existing cart is a recalculation: a price check (docs/decisions.md #12). */
export function cartUpdate(body: CartRequest): ContextUpdate {
  const update = addProfile(emptyUpdate(), body.profile);
  update.set.cart_value = String(body.cart_value);
  update.set.cart_items = JSON.stringify(body.items);
  update.countChange = { field: 'cart_value', value: body.cart_value, counter: 'price_check_count' };
  for (const field of ['guest_count', 'selected_platter', 'event_date', 'event_type'] as const) {
    const value = body[field];
    if (value === null) update.clear.push(field);
    else if (value !== undefined) update.set[field] = String(value);
  }
  return update;
}

/** A behaviour signal's effect on the context; unknown types change nothing (they are only logged). */
export function signalUpdate(signal: FrictionSignalRequest): ContextUpdate {
  const update = emptyUpdate();
  if (signal.screen) update.set.current_screen = signal.screen;
  switch (signal.type) {
    case 'BACK_NAV':
      update.increment.back_navigation_count = 1;
      break;
    case 'PRICE_CHECK':
      update.increment.price_check_count = 1;
      break;
    case 'PAYMENT_FAILURE':
      update.increment.payment_retry_count = 1;
      break;
    case 'INACTIVITY':
      // The app reports how long it has been idle on the screen; repeated reports of one visit must not add up.
      if (signal.screen?.toUpperCase() === 'CHECKOUT' && signal.value !== undefined)
        update.raiseTo.time_on_checkout_seconds = signal.value;
      break;
  }
  return update;
}

/** Every change stamps the time and opens a session (id and start) if none is running. */
export function withSession(update: ContextUpdate, userId: string, now: Date, newSessionId: string): ContextUpdate {
  return {
    ...update,
    set: { ...update.set, user_id: userId, updated_at: now.toISOString() },
    setIfAbsent: { ...update.setIfAbsent, session_id: newSessionId, session_start: now.toISOString() },
  };
}

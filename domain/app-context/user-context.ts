/** The user's real-time context (docs/decisions.md #12), as the API returns it; shared by API, activities, app. */
export interface CartItem {
  id: string;
  name: string;
  quantity: number;
  unit_price?: number;
}

export interface UserProfile {
  name: string | null;
  email: string | null;
  phone: string | null;
  /** en, hi, ta, … */
  language: string | null;
  /** GOLD, SILVER, BRONZE */
  tier: string | null;
  /** null while the app has not told us: the first-time-user weight then does not apply. */
  past_order_count: number | null;
  lifetime_value: number | null;
}

export interface UserContext extends UserProfile {
  user_id: string;

  current_screen: string | null;
  session_id: string | null;
  session_start: string | null;
  session_duration_seconds: number;

  cart_items: CartItem[];
  cart_value: number;
  selected_platter: string | null;
  guest_count: number | null;
  /** YYYY-MM-DD */
  event_date: string | null;
  event_type: string | null;

  friction_score: number;
  back_navigation_count: number;
  price_check_count: number;
  time_on_checkout_seconds: number;
  payment_retry_count: number;

  updated_at: string | null;
  /** Increases with every stored change; lets a late writer tell its snapshot is stale. */
  version: number;
}

/** The context as stored: one Redis hash of strings per user. */
export type StoredContext = Record<string, string>;

const text = (v: string | undefined): string | null => (v === undefined || v === '' ? null : v);
const num = (v: string | undefined): number | null => {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};
const count = (v: string | undefined): number => num(v) ?? 0;

function items(v: string | undefined): CartItem[] {
  if (!v) return [];
  try {
    const parsed = JSON.parse(v);
    return Array.isArray(parsed) ? (parsed as CartItem[]) : [];
  } catch {
    return [];
  }
}

/** Reads a stored hash into a typed context; `now` gives the session duration. */
export function userContextOf(userId: string, stored: StoredContext, now: Date): UserContext {
  const sessionStart = text(stored.session_start);
  const started = sessionStart ? Date.parse(sessionStart) : NaN;
  return {
    user_id: userId,
    name: text(stored.name),
    email: text(stored.email),
    phone: text(stored.phone),
    language: text(stored.language),
    tier: text(stored.tier),
    past_order_count: num(stored.past_order_count),
    lifetime_value: num(stored.lifetime_value),
    current_screen: text(stored.current_screen),
    session_id: text(stored.session_id),
    session_start: sessionStart,
    session_duration_seconds: Number.isFinite(started) ? Math.max(0, Math.floor((now.getTime() - started) / 1000)) : 0,
    cart_items: items(stored.cart_items),
    cart_value: count(stored.cart_value),
    selected_platter: text(stored.selected_platter),
    guest_count: num(stored.guest_count),
    event_date: text(stored.event_date),
    event_type: text(stored.event_type),
    friction_score: count(stored.friction_score),
    back_navigation_count: count(stored.back_navigation_count),
    price_check_count: count(stored.price_check_count),
    time_on_checkout_seconds: count(stored.time_on_checkout_seconds),
    payment_retry_count: count(stored.payment_retry_count),
    updated_at: text(stored.updated_at),
    version: count(stored.version),
  };
}

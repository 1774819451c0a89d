// Generated from the API's OpenAPI document by scripts/app-client-types.ts (npm run app-client:types).
// Do not edit: change the API's schemas and regenerate.

export type ContextUpdated = ContextAnswer & {
  status: 'updated';
};

export interface AppApiSchemas {
  ScreenBody?: ScreenBody;
  CartBody?: CartBody;
  ProfileBody?: ProfileBody;
  FrictionSignalBody?: FrictionSignalBody;
  ChannelRouteBody?: ChannelRouteBody;
  ErrorBody?: ErrorBody;
  ContextUpdated?: ContextUpdated;
  ContextAnswer?: ContextAnswer;
  UserContext?: UserContext;
  ChannelRoute?: ChannelRoute;
  FreshchatIdentityToken?: FreshchatIdentityToken;
}
export interface ScreenBody {
  screen_name: string;
  is_back_navigation?: boolean;
  previous_screen?: string;
  time_on_previous_seconds?: number;
  profile?: {
    name?: string;
    email?: string;
    phone?: string;
    language?: string;
    tier?: string;
    past_order_count?: number;
    lifetime_value?: number;
  };
}
export interface CartBody {
  cart_value: number;
  /**
   * @maxItems 200
   */
  items?: {
    id: string;
    name: string;
    quantity: number;
    unit_price?: number;
  }[];
  guest_count?: number | null;
  selected_platter?: string | null;
  event_date?: string | null;
  event_type?: string | null;
  profile?: {
    name?: string;
    email?: string;
    phone?: string;
    language?: string;
    tier?: string;
    past_order_count?: number;
    lifetime_value?: number;
  };
}
export interface ProfileBody {
  name?: string;
  email?: string;
  phone?: string;
  language?: string;
  tier?: string;
  past_order_count?: number;
  lifetime_value?: number;
}
export interface FrictionSignalBody {
  type: string;
  value?: number;
  screen?: string;
  session_id?: string;
}
export interface ChannelRouteBody {
  order_value: number;
  event_type?: string | null;
}
export interface ErrorBody {
  /**
   * machine-readable code, e.g. invalid_request, invalid_signature, temporal_unavailable
   */
  error: string;
  /**
   * a sentence naming the problem
   */
  message: string;
  /**
   * the offending field, when there is one
   */
  field?: string;
}
export interface ContextAnswer {
  /**
   * 0 to 100
   */
  friction_score: number;
  /**
   * offer help now (at most once per HELP_OFFER_WINDOW)
   */
  should_show_help: boolean;
  help_message: string | null;
  signals: (
    | 'inactivity_checkout'
    | 'back_navigation'
    | 'price_checks'
    | 'high_value_event'
    | 'first_time_user'
    | 'payment_failure'
  )[];
  /**
   * the context's version after this change
   */
  version: number;
}
export interface UserContext {
  user_id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  language: string | null;
  tier: string | null;
  past_order_count: number | null;
  lifetime_value: number | null;
  current_screen: string | null;
  session_id: string | null;
  session_start: string | null;
  session_duration_seconds: number;
  cart_items: {
    id: string;
    name: string;
    quantity: number;
    unit_price?: number;
  }[];
  cart_value: number;
  selected_platter: string | null;
  guest_count: number | null;
  event_date: string | null;
  event_type: string | null;
  friction_score: number;
  back_navigation_count: number;
  price_check_count: number;
  time_on_checkout_seconds: number;
  payment_retry_count: number;
  updated_at: string | null;
  version: number;
}
export interface ChannelRoute {
  allowed_channels: ('CHAT' | 'CALL')[];
  show_help_button: boolean;
  show_faq: boolean;
  priority: 'NONE' | 'NORMAL' | 'HIGH';
  help_trigger_text: string;
}
export interface FreshchatIdentityToken {
  token: string;
  expires_at: string;
}

import { z } from 'zod';

/** Request bodies of the app API (`/api/v1`), with explicit limits; shared by the API and the app client's types. */
const MAX_MONEY = 1_000_000_000; // INR; anything above is a client bug
const MAX_SECONDS = 7 * 86_400;

const money = z.number().finite().nonnegative().max(MAX_MONEY);
const label = (max: number) => z.string().trim().min(1).max(max);
export const screenName = label(100);
const eventType = z
  .string()
  .trim()
  .min(1)
  .max(50)
  .regex(/^[A-Za-z][A-Za-z0-9_ -]*$/, 'expected letters, digits, spaces, _ or -')
  .transform((v) => v.toUpperCase());
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine(
    (v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
    'not a calendar date',
  );

export const userIdParam = z.string().min(1).max(255);

const profileFields = z.object({
  name: label(200).optional(),
  email: z.string().trim().email().max(254).optional(),
  phone: z
    .string()
    .trim()
    .min(3)
    .max(32)
    .regex(/^[+0-9 ()-]+$/, 'expected a phone number')
    .optional(),
  language: z.string().trim().min(2).max(10).optional(),
  tier: z
    .string()
    .trim()
    .min(1)
    .max(20)
    .transform((v) => v.toUpperCase())
    .optional(),
  past_order_count: z.number().int().nonnegative().max(1_000_000).optional(),
  lifetime_value: money.optional(),
});
/** The app cannot name its Freshchat user: the server learns it from Freshchat (docs/security.md). */
export const profileBody = z.preprocess((value, ctx) => {
  if (value !== null && typeof value === 'object' && 'freshchat_user_id' in value) {
    ctx.addIssue({
      code: 'custom',
      path: ['freshchat_user_id'],
      message: 'not accepted: the server learns the Freshchat user from Freshchat itself',
    });
  }
  return value;
}, profileFields);
export type ProfileBody = z.infer<typeof profileBody>;
export type ProfileInput = z.input<typeof profileBody>;

export const screenBody = z.object({
  screen_name: screenName,
  is_back_navigation: z.boolean().default(false),
  previous_screen: screenName.optional(),
  /** Time spent on the previous screen. */
  time_on_previous_seconds: z.number().finite().nonnegative().max(MAX_SECONDS).optional(),
  /** Profile fields may ride along on the first call after login. */
  profile: profileBody.optional(),
});
export type ScreenBody = z.input<typeof screenBody>;
export type ScreenRequest = z.output<typeof screenBody>;

export const cartItem = z.object({
  id: label(100),
  name: label(200),
  quantity: z.number().int().positive().max(100_000),
  unit_price: money.optional(),
});

export const MAX_CART_ITEMS = 200;

/** Omitted fields stay as they are; null clears them. */
export const cartBody = z.object({
  cart_value: money,
  items: z.array(cartItem).max(MAX_CART_ITEMS).default([]),
  guest_count: z.number().int().positive().max(100_000).nullable().optional(),
  selected_platter: label(100).nullable().optional(),
  event_date: isoDate.nullable().optional(),
  event_type: eventType.nullable().optional(),
  profile: profileBody.optional(),
});
export type CartBody = z.input<typeof cartBody>;
export type CartRequest = z.output<typeof cartBody>;

export const KNOWN_SIGNALS = ['INACTIVITY', 'BACK_NAV', 'PRICE_CHECK', 'PAYMENT_FAILURE'] as const;
/** How reports count every other signal type, so no user can grow or label their breakdown. */
export const OTHER_SIGNAL = 'OTHER';

/** Known signal types change the context; any other upper-case type is only logged (the app may add new ones). */
export const frictionSignalBody = z.object({
  type: z.string().regex(/^[A-Z][A-Z0-9_]{0,49}$/, 'expected an upper-case signal type such as INACTIVITY or BACK_NAV'),
  /** Seconds for INACTIVITY; free for others. */
  value: z.number().finite().nonnegative().max(99_999_999).optional(), // friction_signals.value is DECIMAL(10,2)
  screen: screenName.optional(),
  session_id: label(255).optional(),
});
export type FrictionSignalBody = z.input<typeof frictionSignalBody>;
export type FrictionSignalRequest = z.output<typeof frictionSignalBody>;

export const channelRouteBody = z.object({
  order_value: money,
  event_type: eventType.nullable().optional(),
});
export type ChannelRouteBody = z.input<typeof channelRouteBody>;
export type ChannelRouteRequest = z.output<typeof channelRouteBody>;

import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { FRICTION_WEIGHTS, type ContextAnswer } from '../domain/app-context/friction';
import type { ChannelRoute } from '../domain/app-context/channel-route';
import type { UserContext } from '../domain/app-context/user-context';

// Names (`.openapi('Name')`, which keeps `extend` as allOf) need the method zod-to-openapi adds to zod's prototype;
// zod 4 gives it to the schemas built after this call only.
extendZodWithOpenApi(z);

/** The answers' schemas of the API contract; named ones become components (and the app client's types). */

export const errorBody = z
  .object({
    error: z.string().describe('machine-readable code, e.g. invalid_request, invalid_signature, temporal_unavailable'),
    message: z.string().describe('a sentence naming the problem'),
    field: z.string().optional().describe('the offending field, when there is one'),
  })
  .openapi('ErrorBody');

const signalNames = Object.keys(FRICTION_WEIGHTS) as [
  keyof typeof FRICTION_WEIGHTS,
  ...(keyof typeof FRICTION_WEIGHTS)[],
];

export const contextAnswer = z
  .object({
    friction_score: z.number().describe('0 to 100'),
    should_show_help: z.boolean().describe('offer help now (at most once per HELP_OFFER_WINDOW)'),
    help_message: z.string().nullable(),
    signals: z.array(z.enum(signalNames)),
    version: z.number().int().describe("the context's version after this change"),
  })
  .openapi('ContextAnswer');

export const contextUpdated = contextAnswer.extend({ status: z.literal('updated') }).openapi('ContextUpdated');

const nullableText = z.string().nullable();
const nullableNumber = z.number().nullable();
export const userContext = z
  .object({
    user_id: z.string(),
    name: nullableText,
    email: nullableText,
    phone: nullableText,
    language: nullableText,
    tier: nullableText,
    past_order_count: nullableNumber,
    lifetime_value: nullableNumber,
    current_screen: nullableText,
    session_id: nullableText,
    session_start: nullableText,
    session_duration_seconds: z.number(),
    cart_items: z.array(
      z.object({ id: z.string(), name: z.string(), quantity: z.number(), unit_price: z.number().optional() }),
    ),
    cart_value: z.number(),
    selected_platter: nullableText,
    guest_count: nullableNumber,
    event_date: nullableText,
    event_type: nullableText,
    friction_score: z.number(),
    back_navigation_count: z.number(),
    price_check_count: z.number(),
    time_on_checkout_seconds: z.number(),
    payment_retry_count: z.number(),
    updated_at: nullableText,
    version: z.number().int(),
  })
  .openapi('UserContext');

export const channelRoute = z
  .object({
    allowed_channels: z.array(z.enum(['CHAT', 'CALL'])),
    show_help_button: z.boolean(),
    show_faq: z.boolean(),
    priority: z.enum(['NONE', 'NORMAL', 'HIGH']),
    help_trigger_text: z.string(),
  })
  .openapi('ChannelRoute');

export const identityToken = z
  .object({ token: z.string(), expires_at: z.string().datetime() })
  .openapi('FreshchatIdentityToken');

export const orderRecorded = z.object({
  status: z.enum(['recorded', 'duplicate']),
  duplicate: z.boolean(),
  order_id: z.string(),
  event: z.string(),
  assisted: z.boolean(),
  assists: z.array(z.object({ incidence_id: z.string(), reason: z.string() })),
});

export const weeklyReportAnswer = z.object({
  iso_week: z.string(),
  computed_at: z.string(),
  computations: z.number().int(),
  emailed_at: z.string().nullable(),
  report: z.record(z.string(), z.unknown()),
});

export const dailyAnswer = z.object({
  from: z.string().date(),
  to: z.string().date(),
  timezone: z.literal('Asia/Kolkata'),
  days: z.array(z.record(z.string(), z.unknown())),
  missing: z.array(z.string().date()),
});

const conversationList = z.object({
  count: z.number().int(),
  conversations: z.array(z.record(z.string(), z.unknown())),
});
export const overviewAnswer = z.object({
  asOf: z.string(),
  open: conversationList,
  unattended: conversationList,
  breachingSoon: z.object({
    count: z.number().int(),
    withinSeconds: z.number(),
    targets: z.array(z.record(z.string(), z.unknown())),
  }),
  cartValueAtRisk: z.record(z.string(), z.unknown()),
});

export const codecPayloads = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()), data: z.string() })),
});

export const webhookAnswer = z.object({
  status: z.enum(['accepted', 'ignored']),
  conversation_id: z.string().optional(),
  workflow_id: z.string().optional(),
  event_key: z.string().optional(),
  action: z.string().optional(),
});

export const readyBody = z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.literal('ok')) });
export const notReadyBody = errorBody.extend({
  failing: z.array(z.enum(['postgresql', 'redis', 'temporal'])),
  checks: z.record(z.string(), z.enum(['ok', 'failing', 'no_answer'])),
});

export const openApiDocumentBody = z.object({
  openapi: z.string(),
  info: z.record(z.string(), z.unknown()),
  paths: z.record(z.string(), z.unknown()),
});

// The answers' schemas and the domain's types describe the same objects: a change to one that the other misses
// fails the typecheck.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree = <T extends true>(): T | undefined => undefined;
agree<Same<z.infer<typeof contextAnswer>, ContextAnswer>>();
agree<Same<z.infer<typeof channelRoute>, ChannelRoute>>();
agree<Same<z.infer<typeof userContext>, UserContext>>();

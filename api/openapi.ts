import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  cartBody,
  channelRouteBody,
  frictionSignalBody,
  profileBody,
  screenBody,
  userIdParam,
} from '../domain/app-requests';
import { orderReportSchema } from '../domain/order';

// Parameters need the `.openapi()` method zod-to-openapi adds to zod's prototype.
extendZodWithOpenApi(z);

/**
 * The API contract (OpenAPI 3.1), generated from the zod schemas the routes validate with. Served at
 * /openapi.json and rendered at /docs. test/openapi.test.ts checks that every route of the app is here and
 * that every example passes its schema.
 */

export interface DocumentedRequestBody {
  schema: z.ZodTypeAny;
  example: unknown;
}

export interface DocumentedOperation {
  method: 'get' | 'post' | 'put';
  /** OpenAPI form: /api/v1/context/{userId}. */
  path: string;
  summary: string;
  tag: string;
  security?: 'appOrAdmin' | 'admin' | 'freshchatSignature' | 'ordersSignature' | 'session' | 'codec';
  params?: z.AnyZodObject;
  query?: z.AnyZodObject;
  body?: DocumentedRequestBody;
  /** Status → description (and the JSON body's schema, when it has one worth naming). */
  responses: Record<number, string | { description: string; schema?: z.ZodTypeAny; mediaType?: string }>;
}

const errorBody = z.object({
  error: z.string().describe('machine-readable code, e.g. invalid_request, invalid_signature, temporal_unavailable'),
  message: z.string().describe('a sentence naming the problem'),
  field: z.string().optional().describe('the offending field, when there is one'),
});

const webhookBody = z
  .object({
    action: z.string().min(1).max(100).describe('message_create, conversation_assignment, conversation_resolution, …'),
    actor: z.record(z.unknown()).optional(),
    action_time: z.string().optional(),
    data: z.record(z.unknown()),
  })
  .passthrough();

const readyBody = z.object({
  status: z.literal('ready'),
  checks: z.record(z.literal('ok')),
});
const notReadyBody = errorBody.extend({
  failing: z.array(z.enum(['postgresql', 'redis', 'temporal'])),
  checks: z.record(z.string()),
});
const contextAnswer = z
  .object({ status: z.string(), friction_score: z.number(), channels: z.array(z.string()).optional() })
  .passthrough();

const userParams = z.object({ userId: userIdParam });
const APP_ERRORS = {
  400: { description: 'malformed body, naming the field', schema: errorBody },
  401: { description: 'missing or invalid bearer token', schema: errorBody },
  403: { description: 'the token may not act on this user', schema: errorBody },
  413: { description: 'body larger than API_BODY_LIMIT', schema: errorBody },
  415: { description: 'body is not application/json', schema: errorBody },
  503: { description: 'Redis or PostgreSQL unavailable; retry', schema: errorBody },
};

const page = (description: string) => ({ description, mediaType: 'text/html' });
const toSignIn = '303 to /signin?next=<path> for a browser';

/** The browser side: sign-in, sign-out, and the admins' pages (docs/security.md). */
const PEOPLE_PAGES: DocumentedOperation[] = [
  {
    method: 'get',
    path: '/signin',
    summary: 'The sign-in page (`next`: where to go afterwards; `problem`: why the person is here again)',
    tag: 'people',
    responses: { 200: page('the sign-in page'), 302: 'already signed in: to `next`' },
  },
  {
    method: 'get',
    path: '/signin/start',
    summary: 'Starts a sign-in at the OpenID Connect provider (authorization code with PKCE)',
    tag: 'people',
    responses: { 303: "to the provider's authorization endpoint" },
  },
  {
    method: 'get',
    path: '/signin/callback',
    summary: "The provider's redirect back: the code is exchanged, the person's role decided, a session started",
    tag: 'people',
    responses: { 303: 'signed in: to `next`', 400: page('unknown or foreign sign-in attempt'), 403: page('no role') },
  },
  {
    method: 'get',
    path: '/signin/link',
    summary: 'A one-time sign-in link (`token`, printed by `npm run sign-in-link`): works once, then expires',
    tag: 'people',
    responses: { 303: 'signed in: to the dashboard', 410: page('used or expired') },
  },
  {
    method: 'post',
    path: '/signout',
    summary: 'Ends the session (form with the `_csrf` field)',
    tag: 'people',
    security: 'session',
    responses: { 303: 'to /signin', 403: page('CSRF token missing or wrong') },
  },
  {
    method: 'get',
    path: '/dead-letters',
    summary: 'Events PostgreSQL refused, waiting for a replay (admins)',
    tag: 'people',
    security: 'session',
    responses: { 200: page('the dead letters page'), 303: toSignIn, 403: page('not an admin') },
  },
  {
    method: 'post',
    path: '/dead-letters/replay',
    summary: 'Replays every pending dead letter (admins; form with the `_csrf` field)',
    tag: 'people',
    security: 'session',
    responses: { 303: 'to /dead-letters with the counts', 403: page('not an admin, or CSRF token missing or wrong') },
  },
  {
    method: 'get',
    path: '/codec/decode',
    summary: "The codec server's page for a browser: an admin's session is what the Temporal UI decodes with",
    tag: 'temporal',
    security: 'session',
    responses: { 200: page('signed in as an admin'), 303: toSignIn, 403: page('not an admin') },
  },
];

export const OPERATIONS: DocumentedOperation[] = [
  {
    method: 'get',
    path: '/health',
    summary: 'Liveness: the process answers',
    tag: 'operations',
    responses: { 200: { description: 'alive', schema: z.object({ status: z.literal('ok') }) } },
  },
  {
    method: 'get',
    path: '/ready',
    summary: 'Readiness: PostgreSQL, Redis and Temporal each answer within READINESS_TIMEOUT',
    tag: 'operations',
    responses: {
      200: { description: 'ready', schema: readyBody },
      503: {
        description: 'a dependency failed (named in `failing`) or the API is shutting down',
        schema: notReadyBody,
      },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics of this API process',
    tag: 'operations',
    responses: { 200: { description: 'Prometheus text format', mediaType: 'text/plain' } },
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    tag: 'operations',
    responses: { 200: 'OpenAPI 3.1 document' },
  },
  {
    method: 'get',
    path: '/docs',
    summary: 'This document as a readable page',
    tag: 'operations',
    responses: { 200: { description: 'HTML page', mediaType: 'text/html' } },
  },
  {
    method: 'get',
    path: '/docs/assets/{file}',
    summary: 'Scripts and styles of the /docs page (Swagger UI, served from this API)',
    tag: 'operations',
    params: z.object({ file: z.string() }),
    responses: { 200: 'the file', 404: { description: 'no such file', schema: errorBody } },
  },
  {
    method: 'post',
    path: '/webhooks/freshchat',
    summary: 'Freshchat webhook: verified, normalised and handed to the conversation workflow before the 200',
    tag: 'webhooks',
    security: 'freshchatSignature',
    body: {
      schema: webhookBody,
      example: {
        action: 'message_create',
        data: {
          conversation: { id: '9f4e2a7c-1b8d-4c3f-a5e9-6d0b3c8f2a71' },
          user: { properties: { user_id: 'usr_8F3K2Q', cart_value: 185000, event_type: 'WEDDING' } },
          message: { actor_type: 'user', text: 'Can the platter be made less spicy?' },
        },
      },
    },
    responses: {
      200: {
        description: 'accepted by Temporal (or an unknown action, ignored)',
        schema: z.object({
          status: z.enum(['accepted', 'ignored']),
          conversation_id: z.string().optional(),
          workflow_id: z.string().optional(),
          event_key: z.string().optional(),
          action: z.string().optional(),
        }),
      },
      400: { description: 'not JSON, or a required field of the action is missing', schema: errorBody },
      401: { description: 'X-Freshchat-Signature missing or wrong', schema: errorBody },
      413: { description: 'body larger than WEBHOOK_BODY_LIMIT', schema: errorBody },
      503: { description: 'Temporal did not accept the event; Freshchat retries', schema: errorBody },
    },
  },
  {
    method: 'post',
    path: '/api/v1/orders',
    summary: 'Orders feed: an order placed, modified or cancelled (idempotent by order id and event)',
    tag: 'analytics',
    security: 'ordersSignature',
    body: {
      schema: orderReportSchema,
      example: {
        order_id: 'ord_1001',
        user_id: 'usr_8F3K2Q',
        event: 'PLACED',
        value: 185000,
        event_type: 'WEDDING',
        event_date: '2027-02-14',
        placed_at: '2026-11-24T10:15:00+05:30',
      },
    },
    responses: {
      200: 'a duplicate of an order event already recorded',
      201: 'recorded; `assisted` says whether an incidence assisted it',
      400: { description: 'malformed order, naming the field', schema: errorBody },
      401: { description: 'X-Orders-Signature missing or wrong, or the feed is not configured', schema: errorBody },
    },
  },
  ...(
    [
      ['screen', 'The screen the user is on', screenBody, { screen_name: 'platter_customise' }],
      ['cart', 'The cart', cartBody, { cart_value: 185000, guest_count: 350, event_type: 'WEDDING' }],
      ['profile', 'Profile fields', profileBody, { name: 'Asha', tier: 'gold', past_order_count: 3 }],
    ] as const
  ).map(([part, what, schema, example]): DocumentedOperation => ({
    method: 'put',
    path: `/api/v1/context/{userId}/${part}`,
    summary: `${what}: stored in the user's context (Redis), friction scored`,
    tag: 'app',
    security: 'appOrAdmin',
    params: userParams,
    body: { schema, example },
    responses: { 200: { description: 'updated', schema: contextAnswer }, ...APP_ERRORS },
  })),
  {
    method: 'post',
    path: '/api/v1/context/{userId}/friction-signal',
    summary: 'A friction signal from the app (inactivity, back navigation, price check, payment failure)',
    tag: 'app',
    security: 'appOrAdmin',
    params: userParams,
    body: { schema: frictionSignalBody, example: { type: 'INACTIVITY', value: 45, screen: 'checkout' } },
    responses: { 200: { description: 'applied', schema: contextAnswer }, ...APP_ERRORS },
  },
  {
    method: 'get',
    path: '/api/v1/context/{userId}',
    summary: "The user's current context",
    tag: 'app',
    security: 'appOrAdmin',
    params: userParams,
    responses: { 200: 'the context', 404: { description: 'no context (none yet, or expired)', schema: errorBody } },
  },
  {
    method: 'post',
    path: '/api/v1/channel/route',
    summary: 'Support channels offered for an order value and event type',
    tag: 'app',
    security: 'appOrAdmin',
    body: { schema: channelRouteBody, example: { order_value: 30000, event_type: 'CORPORATE' } },
    responses: { 200: 'the channels', 400: APP_ERRORS[400], 401: APP_ERRORS[401] },
  },
  {
    method: 'get',
    path: '/api/v1/analytics/weekly/{file}',
    summary: 'A stored weekly report: 2026-W48, or 2026-W48.json, .html or .csv',
    tag: 'analytics',
    security: 'admin',
    params: z.object({ file: z.string().regex(/^\d{4}-W\d{2}(\.(json|html|csv))?$/) }),
    responses: {
      200: 'the report',
      400: { description: 'not an ISO week', schema: errorBody },
      401: { description: 'admin token missing or wrong', schema: errorBody },
      404: { description: 'no report stored for that week yet', schema: errorBody },
    },
  },
  {
    method: 'get',
    path: '/api/v1/analytics/daily',
    summary: 'Daily aggregates between two dates (India time), at most 366 days',
    tag: 'analytics',
    security: 'admin',
    query: z.object({ from: z.string().date(), to: z.string().date() }),
    responses: {
      200: 'the days, and the dates not aggregated yet',
      400: { description: 'bad dates or range', schema: errorBody },
      401: { description: 'admin token missing or wrong', schema: errorBody },
    },
  },
  {
    method: 'get',
    path: '/api/v1/analytics/incidences.{format}',
    summary: 'One row per incidence started between two dates (India time), every field and metric; streamed',
    tag: 'analytics',
    security: 'admin',
    params: z.object({ format: z.enum(['csv', 'ndjson']) }),
    query: z.object({ from: z.string().date(), to: z.string().date() }),
    responses: {
      200: { description: 'the incidences, streamed', mediaType: 'text/csv' },
      400: { description: 'bad format, dates or range', schema: errorBody },
      401: { description: 'admin token missing or wrong', schema: errorBody },
    },
  },
  {
    method: 'get',
    path: '/api/v1/overview',
    summary: 'Live overview: open and unattended conversations, SLAs due soon, cart value at risk',
    tag: 'analytics',
    security: 'admin',
    responses: {
      200: 'the overview, each conversation with a link to its workflow in the Temporal UI',
      401: { description: 'admin token missing or wrong', schema: errorBody },
    },
  },
  {
    method: 'get',
    path: '/api/v1/overview.html',
    summary: 'The live overview as a page',
    tag: 'analytics',
    security: 'admin',
    responses: {
      200: { description: 'the overview page', mediaType: 'text/html' },
      401: { description: 'admin token missing or wrong', schema: errorBody },
    },
  },
  {
    method: 'post',
    path: '/api/v1/freshchat/identity-token',
    summary: "A short-lived RS256 identity token for the chat SDK's Freshchat user authentication",
    tag: 'app',
    security: 'appOrAdmin',
    body: { schema: z.object({ freshchat_uuid: z.string().min(1).max(255) }), example: { freshchat_uuid: 'c7f1e0d4' } },
    responses: {
      200: 'the token and when it expires',
      400: APP_ERRORS[400],
      401: APP_ERRORS[401],
      403: { description: 'the admin token gets no identity token', schema: errorBody },
      503: { description: 'FRESHCHAT_JWT_PRIVATE_KEY is not configured', schema: errorBody },
    },
  },
  ...(['decode', 'encode'] as const).map((step): DocumentedOperation => ({
    method: 'post',
    path: `/codec/${step}`,
    summary: `Temporal codec server: ${step} payloads (the Temporal UI with an admin's session; tools with CODEC_TOKEN)`,
    tag: 'temporal',
    security: 'codec',
    body: {
      schema: z.object({ payloads: z.array(z.object({ metadata: z.record(z.string()), data: z.string() })) }),
      example: { payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'eyJhIjoxfQ==' }] },
    },
    responses: {
      200: 'the payloads',
      400: { description: 'malformed or undecodable payloads', schema: errorBody },
      401: { description: 'no admin session and no codec token', schema: errorBody },
      403: { description: 'signed in, but not an admin', schema: errorBody },
      503: { description: 'TEMPORAL_PAYLOAD_KEYS is not set', schema: errorBody },
    },
  })),
  ...PEOPLE_PAGES,
];

const SECURITY_SCHEMES = {
  appOrAdmin: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: "the app user's HS256 JWT (sub = user id), or the admin token",
  },
  admin: { type: 'http', scheme: 'bearer', description: 'ADMIN_API_TOKEN' },
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: 'slo_session',
    description: 'the signed session cookie of a person signed in at /signin',
  },
  codec: {
    type: 'http',
    scheme: 'bearer',
    description: "CODEC_TOKEN (also as the Basic password), or an admin's session cookie (the Temporal UI)",
  },
  freshchatSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Freshchat-Signature',
    description: "Freshchat's RSA-SHA256 signature of the raw body, or a hex HMAC-SHA256 with FRESHCHAT_WEBHOOK_SECRET",
  },
  ordersSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Orders-Signature',
    description: 'hex HMAC-SHA256 of the raw body with ORDERS_WEBHOOK_SECRET',
  },
} as const;

let cached: ReturnType<OpenApiGeneratorV31['generateDocument']> | undefined;

export function openApiDocument() {
  if (cached) return cached;
  const registry = new OpenAPIRegistry();
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES))
    registry.registerComponent('securitySchemes', name, scheme);
  for (const op of OPERATIONS) {
    registry.registerPath({
      method: op.method,
      path: op.path,
      summary: op.summary,
      tags: [op.tag],
      ...(op.security ? { security: [{ [op.security]: [] }] } : {}),
      request: {
        ...(op.params ? { params: op.params } : {}),
        ...(op.query ? { query: op.query } : {}),
        ...(op.body
          ? {
              body: {
                required: true,
                content: { 'application/json': { schema: op.body.schema, example: op.body.example } },
              },
            }
          : {}),
      },
      responses: Object.fromEntries(
        Object.entries(op.responses).map(([status, response]) => {
          const r = typeof response === 'string' ? { description: response } : response;
          const content = r.schema
            ? { [r.mediaType ?? 'application/json']: { schema: r.schema } }
            : r.mediaType
              ? { [r.mediaType]: { schema: z.string() } }
              : undefined;
          return [status, { description: r.description, ...(content ? { content } : {}) }];
        }),
      ),
    });
  }
  cached = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Support-led ordering API',
      version: '1',
      description:
        'Freshchat webhooks, the orders feed, the mobile app API and analytics. Errors are `{error, message, field?}`.',
    },
  });
  return cached;
}

import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  cartBody,
  channelRouteBody,
  frictionSignalBody,
  profileBody,
  screenBody,
  userIdParam,
} from '../domain/app-context/app-requests';
import { orderReportSchema } from '../domain/reports/order';
import {
  channelRoute,
  codecPayloads,
  contextAnswer,
  contextUpdated,
  dailyAnswer,
  errorBody,
  identityToken,
  notReadyBody,
  openApiDocumentBody,
  orderRecorded,
  overviewAnswer,
  readyBody,
  userContext,
  webhookAnswer,
  weeklyReportAnswer,
} from './openapi-schemas';

/**
 * The API contract (OpenAPI 3.1), generated from the zod schemas the routes validate with. Served at
 * /openapi.json and rendered at /docs. test/system/openapi.test.ts checks that every route of the app is here and
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
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: DocumentedRequestBody;
  /** Counted by a per-user rate limit: RateLimit-* headers on its answers, 429 with Retry-After over the limit. */
  rateLimited?: boolean;
  /** Status → description (and the JSON body's schema, when it has one worth naming). */
  responses: Record<number, string | DocumentedResponse>;
}

const webhookBody = z
  .object({
    action: z.string().min(1).max(100).describe('message_create, conversation_assignment, conversation_resolution, …'),
    actor: z.record(z.string(), z.unknown()).optional(),
    action_time: z.string().optional(),
    data: z.record(z.string(), z.unknown()),
  })
  .passthrough();

const userParams = z.object({ userId: userIdParam });
const APP_ERRORS = {
  429: { description: 'over the per-user rate limit; retry after Retry-After seconds', schema: errorBody },
  400: { description: 'malformed body, naming the field', schema: errorBody },
  401: { description: 'missing or invalid bearer token', schema: errorBody },
  403: { description: 'the token may not act on this user', schema: errorBody },
  413: { description: 'body larger than API_BODY_LIMIT', schema: errorBody },
  415: { description: 'body is not application/json', schema: errorBody },
  503: { description: 'Redis or PostgreSQL unavailable; retry', schema: errorBody },
};

export interface DocumentedResponse {
  description: string;
  schema?: z.ZodTypeAny;
  /** The schema's media type (default application/json), else a text answer's. */
  mediaType?: string;
  /** Other media types the same answer may come in (text, by file extension). */
  others?: string[];
}

const page = (description: string) => ({ description, mediaType: 'text/html' });
const toSignIn = '303 to /signin?next=<path> for a browser';
/** A page for a browser, the JSON error for a script (by Accept). */
const pageOrError = (description: string) => ({ description, schema: errorBody, others: ['text/html'] });
const notSignedIn = { description: 'nobody signed in (a script; a browser gets the 303)', schema: errorBody };

/** The browser side: sign-in, sign-out, and the admins' pages (docs/security.md). */
/** A viewer's page: the page, or sign-in for a browser, or the JSON error for a script. */
const viewerPage = (description: string, more: DocumentedOperation['responses'] = {}) => ({
  200: page(description),
  303: toSignIn,
  400: page('a filter it cannot read, named'),
  401: notSignedIn,
  403: pageOrError('no role'),
  ...more,
});
const pageOf = (path: string, summary: string, description: string, more?: DocumentedOperation['responses']) => ({
  method: 'get' as const,
  path,
  summary,
  tag: 'pages',
  security: 'session' as const,
  responses: viewerPage(description, more),
});

/** The support managers' pages (docs/pages.md). */
const MANAGER_PAGES: DocumentedOperation[] = [
  pageOf('/overview', 'Open conversations, unattended ones, SLAs due soon and cart value at risk', 'the overview'),
  pageOf('/incidences', 'Incidences with filters, sort and keyset paging', 'the incidences list'),
  {
    method: 'get',
    path: '/incidences/export.csv',
    summary: "The filtered incidences as CSV (the list page's filters)",
    tag: 'pages',
    security: 'session',
    responses: {
      200: { description: 'the incidences as CSV', mediaType: 'text/csv' },
      303: toSignIn,
      400: { description: 'a filter it cannot read, named', schema: errorBody },
      401: notSignedIn,
      403: pageOrError('no role'),
    },
  },
  {
    ...pageOf(
      '/incidences/{id}',
      'One incidence: timeline, response times, SLA targets, orders, links',
      'the drill-down',
      {
        404: page('no such incidence'),
      },
    ),
    params: z.object({ id: z.string() }),
  },
  pageOf(
    '/reports/weekly',
    'The weekly report with a week picker and the previous week beside it',
    'the weekly report',
  ),
  pageOf('/reports/days', 'Any date range, day by day', 'the days report'),
  pageOf(
    '/reports/heatmap',
    'Conversations started and first responses missed by weekday and hour (India time)',
    'the heatmap',
  ),
  {
    method: 'get',
    path: '/pages/assets/pages.css',
    summary: "The pages' stylesheet",
    tag: 'pages',
    responses: { 200: { description: 'the stylesheet', mediaType: 'text/css' } },
  },
  {
    method: 'get',
    path: '/pages/assets/pages.js',
    summary: "The pages' one script (time zone, refresh)",
    tag: 'pages',
    responses: { 200: { description: 'the script', mediaType: 'text/javascript' } },
  },
];

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
    responses: { 303: "to the provider's authorization endpoint", 302: 'no provider configured: to /signin' },
  },
  {
    method: 'get',
    path: '/signin/callback',
    summary: "The provider's redirect back: the code is exchanged, the person's role decided, a session started",
    tag: 'people',
    responses: {
      303: 'signed in: to `next`',
      400: page('unknown or foreign sign-in attempt'),
      403: page('no role, or an unverified e-mail address'),
      502: page('the provider could not complete the sign-in'),
    },
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
    responses: { 303: 'to /signin', 403: pageOrError('CSRF token missing or wrong') },
  },
  {
    method: 'get',
    path: '/dead-letters',
    summary: 'Events PostgreSQL refused, waiting for a replay (admins)',
    tag: 'people',
    security: 'session',
    responses: {
      200: page('the dead letters page'),
      303: toSignIn,
      401: notSignedIn,
      403: pageOrError('not an admin'),
    },
  },
  {
    method: 'post',
    path: '/dead-letters/replay',
    summary: 'Replays every pending dead letter (admins; form with the `_csrf` field)',
    tag: 'people',
    security: 'session',
    responses: {
      303: 'to /dead-letters with the counts',
      401: notSignedIn,
      403: pageOrError('not an admin, or CSRF token missing or wrong'),
    },
  },
  {
    method: 'get',
    path: '/codec/decode',
    summary: "The codec server's page for a browser: an admin's session is what the Temporal UI decodes with",
    tag: 'temporal',
    security: 'session',
    responses: {
      200: page('signed in as an admin'),
      303: toSignIn,
      401: notSignedIn,
      403: pageOrError('not an admin'),
    },
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
    path: '/openapi.json',
    summary: 'This document',
    tag: 'operations',
    responses: { 200: { description: 'OpenAPI 3.1 document', schema: openApiDocumentBody } },
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
    responses: {
      200: { description: 'the file', mediaType: 'application/javascript', others: ['text/css'] },
      404: { description: 'no such file', schema: errorBody },
    },
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
        schema: webhookAnswer,
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
      200: { description: 'a duplicate of an order event already recorded', schema: orderRecorded },
      201: { description: 'recorded; `assisted` says whether an incidence assisted it', schema: orderRecorded },
      413: { description: 'body larger than ORDERS_BODY_LIMIT', schema: errorBody },
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
    rateLimited: true,
    responses: { 200: { description: 'updated', schema: contextUpdated }, ...APP_ERRORS },
  })),
  {
    method: 'post',
    path: '/api/v1/context/{userId}/friction-signal',
    summary: 'A friction signal from the app (inactivity, back navigation, price check, payment failure)',
    tag: 'app',
    security: 'appOrAdmin',
    params: userParams,
    body: { schema: frictionSignalBody, example: { type: 'INACTIVITY', value: 45, screen: 'checkout' } },
    rateLimited: true,
    responses: { 200: { description: 'applied', schema: contextAnswer }, ...APP_ERRORS },
  },
  {
    method: 'get',
    path: '/api/v1/context/{userId}',
    summary: "The user's current context",
    tag: 'app',
    security: 'appOrAdmin',
    params: userParams,
    responses: {
      200: { description: 'the context', schema: userContext },
      401: APP_ERRORS[401],
      403: APP_ERRORS[403],
      404: { description: 'no context (none yet, or expired)', schema: errorBody },
      503: APP_ERRORS[503],
    },
  },
  {
    method: 'post',
    path: '/api/v1/channel/route',
    summary: 'Support channels offered for an order value and event type',
    tag: 'app',
    security: 'appOrAdmin',
    body: { schema: channelRouteBody, example: { order_value: 30000, event_type: 'CORPORATE' } },
    responses: {
      200: { description: 'the channels', schema: channelRoute },
      400: APP_ERRORS[400],
      401: APP_ERRORS[401],
      413: APP_ERRORS[413],
      415: APP_ERRORS[415],
      503: { description: "the identity service's keys could not be fetched; retry", schema: errorBody },
    },
  },
  {
    method: 'get',
    path: '/api/v1/analytics/weekly/{file}',
    summary: 'A stored weekly report: 2026-W48, or 2026-W48.json, .html or .csv',
    tag: 'analytics',
    security: 'admin',
    params: z.object({ file: z.string().regex(/^\d{4}-W\d{2}(\.(json|html|csv))?$/) }),
    responses: {
      200: {
        description: 'the report: JSON, or the page (.html) or table (.csv)',
        schema: weeklyReportAnswer,
        others: ['text/html', 'text/csv'],
      },
      400: { description: 'not an ISO week', schema: errorBody },
      401: { description: 'admin token missing or wrong', schema: errorBody },
      403: { description: 'an app token, not the admin token', schema: errorBody },
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
      200: { description: 'the days, and the dates not aggregated yet', schema: dailyAnswer },
      400: { description: 'bad dates or range', schema: errorBody },
      401: { description: 'admin token missing or wrong', schema: errorBody },
      403: { description: 'an app token, not the admin token', schema: errorBody },
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
      200: { description: 'the incidences, streamed', mediaType: 'text/csv', others: ['application/x-ndjson'] },
      400: { description: 'bad format, dates or range', schema: errorBody },
      401: { description: 'admin token missing or wrong', schema: errorBody },
      403: { description: 'an app token, not the admin token', schema: errorBody },
    },
  },
  {
    method: 'get',
    path: '/api/v1/overview',
    summary: 'Live overview: open and unattended conversations, SLAs due soon, cart value at risk',
    tag: 'analytics',
    security: 'admin',
    responses: {
      200: {
        description: 'the overview, each conversation with a link to its workflow in the Temporal UI',
        schema: overviewAnswer,
      },
      401: { description: 'admin token missing or wrong', schema: errorBody },
      403: { description: 'an app token, not the admin token', schema: errorBody },
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
      403: { description: 'an app token, not the admin token', schema: errorBody },
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
      200: { description: 'the token and when it expires', schema: identityToken },
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
      schema: z.object({
        payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()), data: z.string() })),
      }),
      example: { payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'eyJhIjoxfQ==' }] },
    },
    responses: {
      200: { description: 'the payloads', schema: codecPayloads },
      400: { description: 'malformed or undecodable payloads', schema: errorBody },
      401: { description: 'no admin session and no codec token', schema: errorBody },
      403: { description: 'signed in, but not an admin', schema: errorBody },
      503: { description: 'TEMPORAL_PAYLOAD_KEYS is not set', schema: errorBody },
    },
  })),
  ...PEOPLE_PAGES,
  ...MANAGER_PAGES,
];

const SECURITY_SCHEMES = {
  appOrAdmin: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "the app user's JWT (sub = user id): HS256 with APP_JWT_SECRET, or RS256/ES256 from the identity service at " +
      'APP_JWT_JWKS_URL (Firebase, Auth0, Cognito); or the admin token',
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

/** Request bodies named in the document (and in the app client's types). */
const NAMED_BODIES: Array<[string, z.ZodTypeAny]> = [
  ['ScreenBody', screenBody],
  ['CartBody', cartBody],
  ['ProfileBody', profileBody],
  ['FrictionSignalBody', frictionSignalBody],
  ['ChannelRouteBody', channelRouteBody],
];

const HEADERS = {
  'X-Request-Id': {
    description: "this request's id (the caller's X-Request-Id when it sent a usable one); logged with the request",
    required: true,
    schema: { type: 'string', minLength: 1, maxLength: 128 },
  },
  'RateLimit-Limit': { description: 'requests allowed per window', schema: { type: 'integer', minimum: 0 } },
  'RateLimit-Remaining': { description: 'requests left in this window', schema: { type: 'integer', minimum: 0 } },
  'RateLimit-Reset': { description: 'seconds until the window resets', schema: { type: 'integer', minimum: 0 } },
  'RateLimit-Policy': { description: 'the limit and its window, e.g. `300;w=60`', schema: { type: 'string' } },
  'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } },
} as const;
const RATE_LIMIT_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy'] as const;

const NOT_SIGNED_IN: DocumentedResponse = {
  description: 'not signed in: a script gets this, a browser the sign-in page',
  schema: errorBody,
};
const INTERNAL_ERROR = { description: 'unexpected failure (logged with the request id)', schema: errorBody };

/**
 * The headers an answer carries: the request id always; a limited route's the limit's state whenever the caller was
 * counted (app users while the limit is on; always on a 429).
 */
function headersOf(op: DocumentedOperation, status: number) {
  return {
    'X-Request-Id': HEADERS['X-Request-Id'],
    ...(op.rateLimited
      ? Object.fromEntries(RATE_LIMIT_HEADERS.map((h) => [h, { ...HEADERS[h], required: status === 429 }]))
      : {}),
    ...(status === 429 ? { 'Retry-After': { ...HEADERS['Retry-After'], required: true } } : {}),
  };
}

function contentOf(response: DocumentedResponse) {
  if (!response.schema && !response.mediaType) return undefined;
  const main = response.mediaType ?? 'application/json';
  return {
    [main]: { schema: response.schema ?? z.string() },
    ...Object.fromEntries((response.others ?? []).map((type) => [type, { schema: z.string() }])),
  };
}

let cached: ReturnType<OpenApiGeneratorV31['generateDocument']> | undefined;

export function openApiDocument() {
  if (cached) return cached;
  const registry = new OpenAPIRegistry();
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES))
    registry.registerComponent('securitySchemes', name, scheme);
  for (const op of OPERATIONS) {
    const responses: Record<number, string | DocumentedResponse> = { ...op.responses, 500: INTERNAL_ERROR };
    if (op.security === 'session') responses[401] ??= NOT_SIGNED_IN;
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
        Object.entries(responses).map(([status, response]) => {
          const r = typeof response === 'string' ? { description: response } : response;
          const content = contentOf(r);
          return [
            status,
            { description: r.description, headers: headersOf(op, Number(status)), ...(content ? { content } : {}) },
          ];
        }),
      ),
    });
  }
  // Named with zod's own metadata: registry.register would need zod's prototype extended before the domain's
  // schemas are built.
  const bodies = NAMED_BODIES.map(([id, schema]) => ({ type: 'schema' as const, schema: schema.meta({ id }) }));
  cached = new OpenApiGeneratorV31([...registry.definitions, ...bodies]).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Support-led ordering API',
      version: '1',
      description:
        'Freshchat webhooks, the orders feed, the mobile app API and analytics. Errors are `{error, message, field?}`. ' +
        'Every answer carries X-Request-Id; rate-limited routes carry RateLimit-Limit, -Remaining, -Reset and -Policy.',
    },
  });
  return cached;
}

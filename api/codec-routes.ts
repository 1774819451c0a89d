import cors from '@koa/cors';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { EncryptionCodec } from '../infra/payload-codec';
import type { PayloadKey } from '../infra/security-settings';
import { givenSecret, secretMatches } from './auth';
import { ApiError } from './errors';
import { jsonBody } from './json-body';
import { currentSession, requirePerson, sendPage } from './people/guard';
import { html } from './people/pages';
import { hasRole } from './people/person';

export interface CodecRoutesDeps {
  payloadKeys: PayloadKey[];
  /** CODEC_TOKEN: the codec server's own credential for tools (Temporal CLI); unset, people's sessions only. */
  token?: string;
  /** Origins of the Temporal UI allowed to call the codec from a browser. */
  corsOrigins: string[];
  /** Where the Temporal UI is, for the page a browser sees at GET /codec/decode. */
  temporalUiUrl: string;
}

const CODEC_BODY_LIMIT = '4mb';
const ProtoPayload = temporal.api.common.v1.Payload;

// Temporal's codec-server protocol: payloads in protobuf JSON (metadata values and data in base64).
const payloadsBody = z.object({
  payloads: z.array(
    z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() }).passthrough(),
  ),
});

const toWire = (payloads: Payload[]) =>
  payloads.map((p) => ProtoPayload.toObject(ProtoPayload.create(p), { bytes: String }));

/** CORS for the codec server only (preflights included, which carry no credential). */
export function codecCors(corsOrigins: string[]): Middleware {
  const allowCors = cors({
    origin: (ctx) => (corsOrigins.includes(ctx.get('origin')) ? ctx.get('origin') : ''),
    credentials: true,
    allowMethods: ['POST', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'X-Namespace', 'Authorization'],
    maxAge: 600,
  });
  return (ctx, next) => (ctx.path.startsWith('/codec/') ? allowCors(ctx, next) : next());
}

/**
 * Who may decode: a tool with the codec token (Bearer, or Basic with it as password), or an admin signed in to
 * the pages, whose session cookie the Temporal UI sends along ("include cross-origin credentials").
 */
const codecCredential =
  (token: string | undefined): Middleware =>
  async (ctx, next) => {
    if (!secretMatches(givenSecret(ctx), token)) {
      const session = await currentSession(ctx);
      if (!session)
        throw new ApiError(401, 'unauthenticated', 'sign in as an admin (session cookie) or send the codec token');
      if (!hasRole(session.person, 'admin'))
        throw new ApiError(
          403,
          'forbidden',
          `decoding payloads needs the admin role; ${session.person.email} is a viewer`,
        );
    }
    await next();
  };

/**
 * Temporal's codec server (POST /codec/decode, /codec/encode) for the Temporal UI and CLI. CORS (@koa/cors) lets
 * the configured UI origins call it with credentials. GET /codec/decode is the page a browser sees.
 */
export function codecRouter(deps: CodecRoutesDeps): Router {
  const router = new Router({ prefix: '/codec' });
  const codec = deps.payloadKeys.length > 0 ? new EncryptionCodec(deps.payloadKeys) : undefined;
  const auth = codecCredential(deps.token);

  const handle = (step: 'decode' | 'encode') => async (ctx: Context) => {
    if (!codec)
      throw new ApiError(503, 'codec_unavailable', 'TEMPORAL_PAYLOAD_KEYS is not set: payloads are not encrypted');
    const body = await jsonBody(ctx, payloadsBody, CODEC_BODY_LIMIT);
    const payloads = body.payloads.map((p) => ProtoPayload.fromObject(p));
    try {
      ctx.body = { payloads: toWire(await codec[step](payloads)) };
    } catch (error) {
      throw new ApiError(400, 'undecodable_payload', (error as Error).message.slice(0, 200));
    }
  };

  for (const step of ['decode', 'encode'] as const) {
    router.post(`/${step}`, auth, handle(step));
  }
  router.get('/decode', requirePerson('admin'), (ctx) =>
    sendPage(
      ctx,
      200,
      'Payload codec',
      html`<p role="status">You are signed in as an admin: the Temporal UI decrypts payloads with your session.</p>
        <p>
          In the Temporal UI’s codec settings, the endpoint is this server’s <code>/codec</code> and
          <em>Include cross-origin credentials</em> is on.
        </p>
        <p><a class="button" href="${deps.temporalUiUrl}">Open the Temporal UI</a></p>`,
    ),
  );
  return router;
}

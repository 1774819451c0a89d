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
import { hasRole, type Person } from './people/person';

export interface CodecRoutesDeps {
  payloadKeys: PayloadKey[];
  /** CODEC_TOKEN: the codec server's own credential for tools (Temporal CLI); unset, people's sessions only. */
  token?: string;
  /** Origins of the Temporal UI allowed to call the codec from a browser. */
  corsOrigins: string[];
  /** Where the Temporal UI is, for the page a browser sees at GET /codec/decode. */
  temporalUiUrl: string;
  /** The person behind an access token of the sign-in provider (the Temporal UI's own); unset, no provider. */
  personOfAccessToken?: (accessToken: string) => Promise<Person | undefined>;
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
    // The UI sends its ID token in Authorization-Extras beside the access token it passes.
    allowHeaders: ['Content-Type', 'X-Namespace', 'Authorization', 'Authorization-Extras'],
    maxAge: 600,
  });
  return (ctx, next) => (ctx.path.startsWith('/codec/') ? allowCors(ctx, next) : next());
}

const bearerOf = (ctx: Context) => /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];

/**
 * Who may decode: a tool with the codec token (Bearer, or Basic with it as password); an admin whose access token
 * from the sign-in provider the Temporal UI passes ("pass access token"), checked with the provider; or an admin
 * signed in to the pages, whose session cookie the Temporal UI sends along ("include cross-origin credentials").
 */
const codecCredential =
  (deps: CodecRoutesDeps): Middleware =>
  async (ctx, next) => {
    if (secretMatches(givenSecret(ctx), deps.token)) return next();
    const bearer = bearerOf(ctx);
    const byToken = bearer && deps.personOfAccessToken ? await deps.personOfAccessToken(bearer) : undefined;
    const person = byToken && hasRole(byToken, 'admin') ? byToken : ((await currentSession(ctx))?.person ?? byToken);
    if (!person)
      throw new ApiError(
        401,
        'unauthenticated',
        'sign in as an admin (session cookie), pass your access token from the sign-in provider, or send the codec token',
      );
    if (!hasRole(person, 'admin'))
      throw new ApiError(403, 'forbidden', `decoding payloads needs the admin role; ${person.email} is a viewer`);
    await next();
  };

/**
 * Temporal's codec server (POST /codec/decode, /codec/encode) for the Temporal UI and CLI. CORS (@koa/cors) lets
 * the configured UI origins call it with credentials. GET /codec/decode is the page a browser sees.
 */
export function codecRouter(deps: CodecRoutesDeps): Router {
  const router = new Router({ prefix: '/codec' });
  const codec = deps.payloadKeys.length > 0 ? new EncryptionCodec(deps.payloadKeys) : undefined;
  const auth = codecCredential(deps);

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
      <>
        <p role="status">You are signed in as an admin: the Temporal UI decrypts payloads with your session.</p>
        <p>
          In the Temporal UI’s codec settings, the endpoint is this server’s <code>/codec</code> and{' '}
          <em>Include cross-origin credentials</em> is on.
        </p>
        <p>
          <a class="button" href={deps.temporalUiUrl}>
            Open the Temporal UI
          </a>
        </p>
      </>,
    ),
  );
  return router;
}

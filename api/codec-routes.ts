import cors from '@koa/cors';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { EncryptionCodec } from '../infra/payload-codec';
import type { PayloadKey } from '../infra/security-settings';
import { adminCredential, type AuthSettings } from './auth';
import { ApiError } from './errors';
import { jsonBody } from './json-body';

export interface CodecRoutesDeps {
  payloadKeys: PayloadKey[];
  auth: AuthSettings;
  /** Origins of the Temporal UI allowed to call the codec from a browser. */
  corsOrigins: string[];
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
 * Temporal's codec server (POST /codec/decode, /codec/encode) for the Temporal UI and CLI, behind the admin
 * credential. CORS (@koa/cors) lets the configured UI origins call it with credentials.
 */
export function codecRouter(deps: CodecRoutesDeps): Router {
  const router = new Router({ prefix: '/codec' });
  const codec = deps.payloadKeys.length > 0 ? new EncryptionCodec(deps.payloadKeys) : undefined;
  const auth = adminCredential(deps.auth, 'Temporal payload codec');

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
  return router;
}

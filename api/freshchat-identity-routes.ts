import Router from '@koa/router';
import type { Context } from 'koa';
import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { authenticated, type Caller } from './auth';
import type { AuthSettings } from '../infra/settings';
import { ApiError } from './errors';
import { jsonBody } from './json-body';

export interface FreshchatIdentityDeps {
  auth: AuthSettings;
  /** FRESHCHAT_JWT_PRIVATE_KEY: its public half is in Freshchat's user authentication settings. */
  privateKey?: KeyObject;
  ttlMs: number;
  bodyLimit: number;
}

const identityTokenBody = z.object({
  /** The chat SDK's own id of this install's Freshchat user (getFreshchatUserId), bound to the verified user. */
  freshchat_uuid: z.string().trim().min(1).max(255),
});

/**
 * Freshchat JWT user authentication: a short-lived RS256 identity token, signed by this backend, that the chat SDK
 * hands to Freshchat (restoreUserWithIdToken / setUserWithIdToken). Its `reference_id` is the user of the app token,
 * so Freshchat's reference_id is an identity the server vouched for, not a claim the app made.
 */
export function freshchatIdentityRouter(deps: FreshchatIdentityDeps): Router {
  const router = new Router({ prefix: '/api/v1/freshchat' });
  router.post('/identity-token', authenticated(deps.auth), async (ctx: Context) => {
    const caller = ctx.state.caller as Caller;
    if (caller.kind !== 'user') throw new ApiError(403, 'forbidden', 'identity tokens are issued to app users only');
    if (!deps.privateKey) {
      throw new ApiError(503, 'identity_tokens_unavailable', 'FRESHCHAT_JWT_PRIVATE_KEY is not configured');
    }
    const body = await jsonBody(ctx, identityTokenBody, deps.bodyLimit);
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresAt = issuedAt + Math.floor(deps.ttlMs / 1000);
    const token = await new SignJWT({ reference_id: caller.userId, freshchat_uuid: body.freshchat_uuid })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(deps.privateKey);
    ctx.body = { token, expires_at: new Date(expiresAt * 1000).toISOString() };
  });
  return router;
}

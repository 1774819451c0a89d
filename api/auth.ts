import { timingSafeEqual, createHash } from 'node:crypto';
import type { Context, Next } from 'koa';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { ApiError } from './errors';
import type { AuthSettings } from '../infra/settings';

/** Who is calling: an app user (from a verified JWT) or an admin (agents, internal tools). */
export type Caller = { kind: 'user'; userId: string } | { kind: 'admin' };

const bearerOf = (ctx: Context): string => {
  const header = ctx.get('authorization');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new ApiError(401, 'unauthenticated', 'Authorization: Bearer <token> is required');
  return match[1]!;
};

const DEFAULT_MAX_TOKEN_AGE_SECONDS = 86_400;

const digest = (s: string) => createHash('sha256').update(s).digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** One key set per address, kept for the process: jose caches its keys and refetches on an unknown key id. */
const keySets = new Map<string, JWTVerifyGetKey>();
const keySetAt = (url: string) => {
  let keys = keySets.get(url);
  if (!keys) keySets.set(url, (keys = createRemoteJWKSet(new URL(url))));
  return keys;
};
const DEFAULT_JWKS_ALGORITHMS = ['RS256', 'ES256'];

/**
 * Resolves the caller from the bearer token: the admin token, else an app JWT with a `sub`, either HS256 with
 * APP_JWT_SECRET or signed by the identity service at APP_JWT_JWKS_URL. Both kinds meet the same age, audience and
 * issuer rules. 401 otherwise; 503 when the identity service's keys cannot be fetched.
 */
export async function identify(ctx: Context, settings: AuthSettings): Promise<Caller> {
  const token = bearerOf(ctx);
  if (settings.adminToken && sameSecret(token, settings.adminToken)) return { kind: 'admin' };
  if (!settings.appJwtSecret && !settings.jwksUrl)
    throw new ApiError(401, 'unauthenticated', 'app tokens are not accepted: APP_JWT_SECRET is not set');
  const maxTokenAge = settings.maxTokenAgeSeconds ?? DEFAULT_MAX_TOKEN_AGE_SECONDS;
  try {
    const common = {
      requiredClaims: ['sub', 'exp', 'iat'],
      maxTokenAge,
      clockTolerance: settings.clockSkewSeconds ?? 0,
      ...(settings.audience ? { audience: settings.audience } : {}),
      ...(settings.issuer ? { issuer: settings.issuer } : {}),
    };
    const { payload } =
      settings.jwksUrl && decodeProtectedHeader(token).alg !== 'HS256'
        ? await jwtVerify(token, keySetAt(settings.jwksUrl), {
            ...common,
            algorithms: settings.jwksAlgorithms ?? DEFAULT_JWKS_ALGORITHMS,
          })
        : await jwtVerify(token, new TextEncoder().encode(settings.appJwtSecret ?? ''), {
            ...common,
            algorithms: settings.appJwtSecret ? ['HS256'] : [],
          });
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('token has no sub');
    if (payload.exp! - payload.iat! > maxTokenAge + (settings.clockSkewSeconds ?? 0))
      throw new Error('token lifetime is longer than the maximum token age');
    return { kind: 'user', userId: payload.sub };
  } catch (error) {
    if (
      error instanceof errors.JWKSTimeout ||
      ((error as Error).name === 'TypeError' && /fetch/i.test((error as Error).message))
    )
      throw new ApiError(503, 'token_keys_unavailable', "the identity service's keys could not be fetched; retry");
    throw new ApiError(401, 'invalid_token', `bearer token is not valid: ${(error as Error).message}`);
  }
}

/** Koa middleware: any valid app token or the admin token; the caller lands in ctx.state.caller. */
export const authenticated = (settings: AuthSettings) => async (ctx: Context, next: Next) => {
  ctx.state.caller = await identify(ctx, settings);
  await next();
};

/** Koa middleware: the admin token only. */
export const adminOnly = (settings: AuthSettings) => async (ctx: Context, next: Next) => {
  const caller = await identify(ctx, settings);
  if (caller.kind !== 'admin') throw new ApiError(403, 'forbidden', 'this endpoint needs the admin token');
  ctx.state.caller = caller;
  await next();
};

/** The caller may act on `userId`: its own JWT `sub`, or the admin. 403 otherwise. */
export function requireUser(caller: Caller, userId: string): void {
  if (caller.kind === 'admin') return;
  if (caller.userId !== userId) throw new ApiError(403, 'forbidden', `token subject does not match user ${userId}`);
}

/** The secret a tool sends: a bearer token, or the password of Basic authentication (user name ignored). */
export function givenSecret(ctx: Context): string | undefined {
  const header = ctx.get('authorization');
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (basic) return Buffer.from(basic[1]!, 'base64').toString('utf8').split(':').slice(1).join(':');
  return /^Bearer\s+(\S+)$/i.exec(header)?.[1];
}

/** The given secret equals `expected` (compared in constant time); false when either is missing. */
export const secretMatches = (given: string | undefined, expected: string | undefined): boolean =>
  Boolean(given && expected && sameSecret(given, expected));

import { createHash } from 'node:crypto';
import type { OidcClient } from './oidc';
import type { RoleRules } from '../../infra/settings';
import { roleFor, type Person } from './person';

/** How long the provider's answer about a token is trusted (the Temporal UI decodes in bursts). */
export const ACCESS_TOKEN_CACHE_MS = 60_000;
const MAX_CACHED = 1_000;

/**
 * The person behind an access token the provider issued (the Temporal UI's own sign-in), with the role the rules
 * grant them; undefined for a token the provider refuses, an unverified e-mail, or no role. Answers are kept for a
 * minute under the token's hash (never the token itself).
 */
export function accessTokenPeople(
  provider: OidcClient,
  roles: RoleRules,
  now: () => number = Date.now,
): (accessToken: string) => Promise<Person | undefined> {
  const cache = new Map<string, { person: Person | undefined; until: number }>();
  return async (accessToken) => {
    const key = createHash('sha256').update(accessToken).digest('base64url');
    const kept = cache.get(key);
    if (kept && kept.until > now()) return kept.person;
    const identity = await provider.identify(accessToken);
    const role =
      identity?.email && identity.emailVerified !== false ? roleFor(roles, identity.email, identity.groups) : undefined;
    const person = identity?.email && role ? { email: identity.email, name: identity.name, role } : undefined;
    cache.delete(key);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, { person, until: now() + ACCESS_TOKEN_CACHE_MS });
    return person;
  };
}

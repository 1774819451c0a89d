import type { Redis } from 'ioredis';
import { redisKeys } from '../../infra/redis-keys';
import type { SignInAttempt } from './oidc';
import type { Person } from './person';
import { digestOf, randomToken } from './sessions';

/** How long a person may spend at the provider's sign-in page before the attempt is forgotten. */
export const SIGN_IN_ATTEMPT_TTL_MS = 10 * 60_000;

/** The local admin a one-time link signs in (machines without a provider). */
export const LOCAL_ADMIN: Person = { email: 'admin@localhost', name: 'Local admin', role: 'admin' };

/** Sign-ins under way at the provider, and one-time sign-in links; each record is taken once (GETDEL). */
export function signInRecords(redis: Redis, keyPrefix: string) {
  const keys = redisKeys(keyPrefix);
  const take = async <T>(key: string): Promise<T | undefined> => {
    const text = await redis.getdel(key);
    return text ? (JSON.parse(text) as T) : undefined;
  };
  return {
    async saveAttempt(attempt: SignInAttempt): Promise<void> {
      await redis.set(keys.signInAttempt(attempt.state), JSON.stringify(attempt), 'PX', SIGN_IN_ATTEMPT_TTL_MS);
    },
    takeAttempt: (state: string) => take<SignInAttempt>(keys.signInAttempt(state)),
    /** A token that signs `person` in once, within `ttlMs`; only its digest is stored. */
    async createLink(person: Person, ttlMs: number): Promise<string> {
      const token = randomToken();
      await redis.set(keys.signInLink(digestOf(token)), JSON.stringify(person), 'PX', ttlMs);
      return token;
    },
    takeLink: (token: string) => take<Person>(keys.signInLink(digestOf(token))),
  };
}

export type SignInRecords = ReturnType<typeof signInRecords>;

/** A one-time link that signs the local admin in (machines without a provider, or break-glass). */
export async function createSignInLink(
  redis: Redis,
  keyPrefix: string,
  people: { publicBaseUrl: string; signInLinkTtlMs: number },
): Promise<string> {
  const token = await signInRecords(redis, keyPrefix).createLink(LOCAL_ADMIN, people.signInLinkTtlMs);
  return `${people.publicBaseUrl}/signin/link?token=${token}`;
}

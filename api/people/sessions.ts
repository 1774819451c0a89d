import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisKeys } from '../../infra/redis-keys';
import type { Person } from './person';
import type { SessionTimes } from '../../infra/settings';

/** A signed-in person's server-side session; the browser holds only its id, in a signed cookie. */
export interface Session {
  id: string;
  person: Person;
  /** The synchronizer token every state-changing form of this session carries. */
  csrf: string;
  /** Epoch ms of sign-in: the absolute expiry counts from here. */
  createdAt: number;
}

export interface SessionStore {
  create(person: Person): Promise<Session>;
  /** The live session with this id, its idle expiry renewed; undefined when unknown, idle too long or too old. */
  read(id: string): Promise<Session | undefined>;
  destroy(id: string): Promise<void>;
}

export const randomToken = (): string => randomBytes(32).toString('base64url');
export const digestOf = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** Sessions in Redis, keyed by the digest of their id: a copy of Redis holds no usable cookie. */
export function redisSessionStore(redis: Redis, keyPrefix: string, times: SessionTimes): SessionStore {
  const keys = redisKeys(keyPrefix);
  const ttlOf = (createdAt: number, now: number) => Math.min(times.idleMs, createdAt + times.maxAgeMs - now);

  return {
    async create(person) {
      const session: Session = { id: randomToken(), person, csrf: randomToken(), createdAt: Date.now() };
      const { id, ...stored } = session;
      await redis.set(keys.session(digestOf(id)), JSON.stringify(stored), 'PX', ttlOf(session.createdAt, Date.now()));
      return session;
    },
    async read(id) {
      const key = keys.session(digestOf(id));
      const text = await redis.get(key);
      if (!text) return undefined;
      const stored = JSON.parse(text) as Omit<Session, 'id'>;
      const ttl = ttlOf(stored.createdAt, Date.now());
      if (ttl <= 0) {
        await redis.del(key);
        return undefined;
      }
      await redis.pexpire(key, ttl);
      return { id, ...stored };
    },
    async destroy(id) {
      await redis.del(keys.session(digestOf(id)));
    },
  };
}

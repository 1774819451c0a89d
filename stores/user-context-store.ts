import type { Redis } from 'ioredis';
import type { ContextUpdate } from '../domain/app-context/context-updates';
import type { StoredContext } from '../domain/app-context/user-context';
import type { RedisKeys } from '../infra/redis-keys';
import type { UserContextStoreSettings } from '../infra/settings';

// Applies a ContextUpdate to the user's hash in one step: no other request can interleave, so no count is lost.
// Returns the hash before and after. Every change bumps `version` and renews the idle expiry.
const APPLY_UPDATE = `
local key = KEYS[1]
local op = cjson.decode(ARGV[1])
local before = redis.call('HGETALL', key)
local st = op.screenTime
if type(st) == 'table' then
  local prev = st.previous
  if type(prev) ~= 'string' then prev = redis.call('HGET', key, 'current_screen') end
  if type(prev) == 'string' and string.upper(prev) == st.screen then
    redis.call('HINCRBYFLOAT', key, st.field, st.seconds)
  end
end
local cc = op.countChange
if type(cc) == 'table' then
  local old = tonumber(redis.call('HGET', key, cc.field) or '')
  if old ~= nil and old ~= tonumber(cc.value) then redis.call('HINCRBY', key, cc.counter, 1) end
end
for f, v in pairs(op.set) do redis.call('HSET', key, f, v) end
for _, f in ipairs(op.clear) do redis.call('HDEL', key, f) end
for f, v in pairs(op.setIfAbsent) do redis.call('HSETNX', key, f, v) end
for f, n in pairs(op.increment) do redis.call('HINCRBYFLOAT', key, f, n) end
for f, n in pairs(op.raiseTo) do
  local current = tonumber(redis.call('HGET', key, f) or '') or 0
  if n > current then redis.call('HSET', key, f, tostring(n)) end
end
redis.call('HINCRBY', key, 'version', 1)
redis.call('PEXPIRE', key, tonumber(ARGV[2]))
return {before, redis.call('HGETALL', key)}
`;

// Stores the friction score computed from version V only if no later change landed meanwhile (that change's own
// writer stores its score), and records a help offer's time (kept HELP_OFFER_RETENTION_MS: the worker may decide
// about a conversation long after it started, when it is behind).
const SETTLE = `
if ARGV[3] == '1' then
  local at = tonumber(ARGV[5])
  redis.call('ZADD', KEYS[2], at, ARGV[5])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', at - tonumber(ARGV[4]))
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[4]))
end
if redis.call('HGET', KEYS[1], 'version') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'friction_score', ARGV[2])
  return 1
end
return 0
`;

// What an incidence starts with: the user's context, and the first help offer in [ARGV[1], ARGV[2]] (ms), if any.
const INCIDENCE_CONTEXT = `
return {redis.call('HGETALL', KEYS[1]), redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[1], ARGV[2], 'LIMIT', 0, 1)}
`;

/** How long past its window an offer is kept, so a worker running behind still sees it. */
export const HELP_OFFER_RETENTION_MS = 24 * 3_600_000;

type ScriptRedis = Redis & {
  sloApplyContextUpdate(key: string, update: string, ttlMs: number): Promise<[string[], string[]]>;
  sloSettleContext(
    contextKey: string,
    offersKey: string,
    version: string,
    score: string,
    showHelp: string,
    retentionMs: number,
    offeredAtMs: string,
  ): Promise<number>;
  sloIncidenceContext(
    contextKey: string,
    offersKey: string,
    fromMs: number,
    toMs: number,
  ): Promise<[string[], string[]]>;
};

/** The client with the user context's scripts defined on it (once per client). */
function withScripts(redis: Redis): ScriptRedis {
  const scripts = redis as ScriptRedis;
  if (typeof scripts.sloApplyContextUpdate !== 'function') {
    redis.defineCommand('sloApplyContextUpdate', { numberOfKeys: 1, lua: APPLY_UPDATE });
    redis.defineCommand('sloSettleContext', { numberOfKeys: 2, lua: SETTLE });
    redis.defineCommand('sloIncidenceContext', { numberOfKeys: 2, lua: INCIDENCE_CONTEXT });
  }
  return scripts;
}

const toHash = (flat: string[]): StoredContext => {
  const hash: StoredContext = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
  return hash;
};

/**
 * The user's context as an incidence starts, and whether help was offered to them in the `windowMs` before `at`:
 * one command (the worker reads this for every new conversation).
 */
export async function incidenceContextOf(
  redis: Redis,
  keys: RedisKeys,
  userId: string,
  at: number,
  windowMs: number,
): Promise<{ properties: StoredContext; helpOffered: boolean }> {
  const [context, offers] = await withScripts(redis).sloIncidenceContext(
    keys.userContext(userId),
    keys.helpOffers(userId),
    at - windowMs,
    at,
  );
  return { properties: toHash(context), helpOffered: offers.length > 0 };
}

/** The user's real-time context: one Redis hash per user (docs/decisions.md #12), expiring when idle. */
export function createUserContextStore(redis: Redis, keys: RedisKeys, settings: UserContextStoreSettings) {
  const scripts = withScripts(redis);
  return {
    async apply(userId: string, update: ContextUpdate): Promise<{ before: StoredContext; after: StoredContext }> {
      const [before, after] = await scripts.sloApplyContextUpdate(
        keys.userContext(userId),
        JSON.stringify(update),
        settings.contextTtlMs,
      );
      return { before: toHash(before), after: toHash(after) };
    },

    /** Returns whether the score was stored (false: a newer change got there first). */
    async settle(
      userId: string,
      version: string,
      frictionScore: number,
      helpOffered: boolean,
      now: Date,
    ): Promise<boolean> {
      const stored = await scripts.sloSettleContext(
        keys.userContext(userId),
        keys.helpOffers(userId),
        version,
        String(frictionScore),
        helpOffered ? '1' : '0',
        settings.helpOfferWindowMs + HELP_OFFER_RETENTION_MS,
        String(now.getTime()),
      );
      return stored === 1;
    },

    async sessionOf(userId: string): Promise<string | null> {
      return redis.hget(keys.userContext(userId), 'session_id');
    },

    async read(userId: string): Promise<StoredContext | null> {
      const hash = await redis.hgetall(keys.userContext(userId));
      return Object.keys(hash).length === 0 ? null : hash;
    },
  };
}

export type UserContextStore = ReturnType<typeof createUserContextStore>;

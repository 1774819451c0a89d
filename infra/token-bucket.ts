import type { Redis } from 'ioredis';

/**
 * A token bucket kept in Redis, so every worker process draws from the same budget. One Lua script refills by
 * elapsed time (Redis's clock, so process clocks never disagree) and either takes a token or says how long to wait.
 * A pause (a 429's Retry-After) holds every taker until it ends.
 */
const TAKE = `
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'paused_until')
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused_until = tonumber(state[3]) or 0
if paused_until > now then return paused_until - now end
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * per_ms)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / per_ms) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / per_ms) + 60000)
return wait
`;

const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ms = now + tonumber(ARGV[1])
local current = tonumber(redis.call('HGET', KEYS[1], 'paused_until')) or 0
if until_ms > current then redis.call('HSET', KEYS[1], 'paused_until', tostring(until_ms)) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + 60000)
return until_ms - now
`;

export interface TokenBucketOptions {
  /** Most requests that may go at once after a quiet spell. */
  capacity: number;
  /** Sustained requests per minute. */
  perMinute: number;
}

export interface TokenBucket {
  /** Takes a token if one is there; otherwise how many ms until one will be (nothing taken). */
  tryTake(): Promise<number>;
  /** Waits for a token and takes it. */
  take(): Promise<void>;
  /** Holds every taker for `ms` (a Retry-After), unless a longer pause already holds them. */
  pause(ms: number): Promise<void>;
}

export function createTokenBucket(redis: Redis, key: string, options: TokenBucketOptions): TokenBucket {
  const perMs = options.perMinute / 60_000;
  const bucket: TokenBucket = {
    async tryTake() {
      return Number(await redis.eval(TAKE, 1, key, String(options.capacity), String(perMs)));
    },
    async take() {
      for (;;) {
        const wait = await bucket.tryTake();
        if (wait <= 0) return;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    },
    async pause(ms) {
      await redis.eval(PAUSE, 1, key, String(Math.max(0, Math.ceil(ms))));
    },
  };
  return bucket;
}

import { freshchatStatusOf } from './freshchat-client';
import type { TokenBucket } from '../infra/token-bucket';

export interface FreshchatRetryOptions {
  /** Shared by every reconciliation activity: a 429 pauses them all. */
  bucket: TokenBucket;
  /** A Retry-After longer than this is cut to it (a misbehaving header must not stall a pass for hours). */
  retryAfterCapMs: number;
  /** 5xx answers and network faults: attempts per request before Freshchat counts as down. */
  attempts?: number;
  /** 429 answers in a row for one request before the pass gives up and resumes next time. */
  rateLimitedInRow?: number;
  backoffMs?: number;
}

/** Freshchat could not be read (down, or rate limiting without end); the pass stops and records why. */
export class FreshchatUnreachable extends Error {}

/**
 * Runs Freshchat reads for one reconciliation batch: 429s are waited out (Retry-After, capped, else exponential
 * backoff) through the shared bucket, 5xx and network faults are retried a few times, then FreshchatUnreachable.
 * Other answers (404 is null already; 401/403) fail at once. Counts the 429s it waited out.
 */
export function freshchatRetries(options: FreshchatRetryOptions) {
  const attempts = options.attempts ?? 3;
  const rateLimitedInRow = options.rateLimitedInRow ?? 20;
  const backoffMs = options.backoffMs ?? 500;
  const counts = { rateLimited: 0 };

  async function run<T>(request: () => Promise<T>): Promise<T> {
    let failures = 0;
    let throttled = 0;
    for (;;) {
      try {
        return await request();
      } catch (error) {
        const status = freshchatStatusOf(error);
        const message = error instanceof Error ? error.message : String(error);
        if (status === 429) {
          counts.rateLimited++;
          if (++throttled >= rateLimitedInRow) throw new FreshchatUnreachable(`still rate limited: ${message}`);
          const asked = (error as { details?: Array<{ retryAfterMs?: number }> }).details?.[0]?.retryAfterMs;
          await options.bucket.pause(Math.min(asked ?? backoffMs * 2 ** throttled, options.retryAfterCapMs));
          continue;
        }
        if (status !== undefined && status < 500) throw new FreshchatUnreachable(message);
        if (++failures >= attempts) throw new FreshchatUnreachable(message);
        await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (failures - 1)));
      }
    }
  }

  return { run, counts };
}

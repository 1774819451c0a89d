/** Polls `probe` until it returns without throwing, or rethrows its last error after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

/**
 * Polls `left` (what remains of a bounded amount of work, e.g. accepted events not yet stored) until it is empty. It
 * fails only when the work stalls: nothing done for `stallMs`. A busy machine makes the work slower, not stalled, so
 * the wait follows the work instead of a deadline guessed for the slowest machine.
 */
export async function drained<T>(left: () => Promise<readonly T[]>, stallMs = 60_000, intervalMs = 200): Promise<void> {
  let fewest = Infinity;
  let progressAt = Date.now();
  for (;;) {
    const now = await left();
    if (now.length === 0) return;
    if (now.length < fewest) [fewest, progressAt] = [now.length, Date.now()];
    else if (Date.now() - progressAt > stallMs)
      throw new Error(`${now.length} left, none done in ${stallMs} ms: ${JSON.stringify(now.slice(0, 5))}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

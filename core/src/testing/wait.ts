/**
 * The one way tests wait (docs/development.md, "Test helpers"): on a condition, with a bounded timeout, never on
 * a fixed delay that hopes something has happened by then.
 */

/** Resolves after `ms`. Only for pacing (sending at a rate) or to let a moment pass in which nothing may happen. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `probe` until it returns a truthy value and resolves with it; rejects naming `what` after `timeoutMs`.
 * A probe that throws counts as "not yet" (a server still starting), and its last error is in the rejection.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, o: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 20, what = 'condition' } = o;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    await sleep(intervalMs);
  }
}

/**
 * Reconnect delay: exponential from minMs to maxMs with "full jitter" (AWS architecture blog), so a fleet
 * that lost its broker at the same instant does not come back at the same instant.
 */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 20));
  return Math.round(minMs / 2 + random() * (ceiling - minMs / 2));
}

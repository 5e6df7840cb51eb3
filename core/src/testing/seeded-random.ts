/**
 * The seeded random numbers of generated test input (ingest's random telemetry series, streams' fuzz cases): the
 * same seed gives the same sequence, so a failure a test prints its seed for can be replayed.
 */
export type Rng = () => number;

/** mulberry32: small, fast, seedable; numbers in [0, 1). */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

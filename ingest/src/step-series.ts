/**
 * Step series: how stored-by-exception telemetry reads back. Between two stored values of a field its value is the
 * earlier one (fill previous): that is what store by exception guarantees (docs/ingest.md, "Fidelity"). A value
 * is carried forward for at most `staleAfterMs` (twice the field's heartbeat): a device that reports stores every
 * field at least once per heartbeat, so a longer silence means no data, not a steady value. Pure functions,
 * shared by history.ts (InfluxQL) and the tests that read other servers (VictoriaMetrics).
 */
export type StepValue = number | string | boolean | null;

export interface StepPoint {
  time: number;
  value: StepValue;
}

/**
 * The value of a field at `t` from its stored points (sorted by time): the last at or before `t`, or null when
 * there is none or it is more than `staleAfterMs` older than `t`.
 */
export function valueAt(points: readonly StepPoint[], t: number, staleAfterMs: number): StepValue {
  let lo = 0;
  let hi = points.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.time <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return null;
  const p = points[found]!;
  return t - p.time <= staleAfterMs ? p.value : null;
}

export interface Bucket {
  /** bucket start (ms) */
  time: number;
  /** the bucket's aggregate of the stored points in it */
  value: StepValue;
  /** the last stored value in the bucket: what holds after it */
  last: StepValue;
}

/**
 * Regular buckets `from + k × intervalMs` (k = 0 … count − 1) of one field: a bucket with stored points keeps its
 * aggregate; an empty one holds the last value stored before it (from `seed`, the last point before `from`, then
 * from earlier buckets), until `staleAfterMs` after the end of the bucket that value comes from (the exact time
 * of a point inside a bucket is not known: within one bucket), and never into a bucket that starts after `until`
 * (now: what a device will send is not known yet).
 */
export function fillBuckets(from: number, intervalMs: number, count: number, buckets: readonly Bucket[], seed: StepPoint | undefined, staleAfterMs: number, until = Number.POSITIVE_INFINITY): StepValue[] {
  const out: StepValue[] = new Array<StepValue>(count).fill(null);
  let carry: StepValue = seed?.value ?? null;
  let carriedAt = seed?.time ?? Number.NEGATIVE_INFINITY;
  let next = 0;
  for (let k = 0; k < count; k++) {
    const start = from + k * intervalMs;
    while (next < buckets.length && buckets[next]!.time < start) next++;
    const b = buckets[next];
    if (b && b.time === start && b.value !== null) {
      out[k] = b.value;
      carry = b.last ?? b.value;
      carriedAt = start + intervalMs;
      continue;
    }
    if (carry !== null && start - carriedAt <= staleAfterMs && start <= until) out[k] = carry;
  }
  return out;
}

import { describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { CAPPED_BACKOFF, STAGE_RETRY, cappedBackoffStrategy, retrying } from '../src/retry-backoff.js';

const jobWith = (opts: ReturnType<typeof retrying>) => ({ opts }) as unknown as Job;

describe('capped backoff', () => {
  it('doubles from the first delay and never waits longer than the cap', () => {
    const full = cappedBackoffStrategy(30_000, () => 1);
    const job = jobWith(retrying(8, 2000));
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => full(n, CAPPED_BACKOFF, undefined, job))).toEqual([2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('draws the last 20 % of each delay at random', () => {
    const job = jobWith(retrying(8, 2000));
    expect(cappedBackoffStrategy(30_000, () => 0)(3, CAPPED_BACKOFF, undefined, job)).toBe(6400);
    expect(cappedBackoffStrategy(30_000, () => 0)(9, CAPPED_BACKOFF, undefined, job)).toBe(24_000);
    expect(cappedBackoffStrategy(30_000, () => 0.5)(2, CAPPED_BACKOFF, undefined, job)).toBe(3600);
  });

  it('an unknown type waits the cap instead of throwing the job away', () => {
    expect(cappedBackoffStrategy(5000, () => 1)(1, 'something-else', undefined, jobWith(retrying(3, 10)))).toBe(5000);
  });

  it('escalation jobs ride out minutes of a database outage, not 15 s', () => {
    const full = cappedBackoffStrategy(30_000, () => 0);
    const job = jobWith(STAGE_RETRY);
    const waited = Array.from({ length: STAGE_RETRY.attempts - 1 }, (_, i) => full(i + 1, CAPPED_BACKOFF, undefined, job) as number).reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThan(120_000);
  });
});

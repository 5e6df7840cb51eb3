import { describe, expect, it } from 'vitest';
import { WARM_MS, sampleRss, type RssSample } from '../src/rss-sampler.js';

// The RSS check's arithmetic on recorded series (the soak itself samples real processes): a short run judges growth
// past the first half's peak, a long one growth from the middle.
function verdictOf(mbs: number[], everyMs: number) {
  const rss = sampleRss(() => [], 60_000);
  rss.stop();
  const series: RssSample[] = mbs.map((mb, i) => ({ t: i * everyMs, mb, incarnation: 0 }));
  rss.series.set('p', series);
  return rss.verdicts(0, (mbs.length - 1) * everyMs)[0]!;
}

describe('RSS verdicts', () => {
  it('a short run: a warming process that swings back below its earlier peak has not grown (CI s7a: alerts-1 failed at +12 %)', () => {
    // 1.5 min sampled every 3 s, as alerts-1 in CI: 110 MB, a peak of 140, down to 105 by the middle, 118 at the end
    const mbs = [110, 125, 140, 132, 120, 110, 105, 105, 105, 105, 105, 105, 105, 105, 105, 105, 106, 107, 108, 110, 112, 114, 116, 117, 118, 118, 118, 118, 118, 118, 118];
    const v = verdictOf(mbs, 3000);
    expect(v.midMb).toBe(105);
    expect(v.growth!).toBeLessThan(0);
  });

  it('a short run: growth past everything the first half reached is still a leak', () => {
    const mbs = Array.from({ length: 31 }, (_, i) => 100 + i * 2);
    expect(verdictOf(mbs, 3000).growth!).toBeGreaterThan(0.1);
  });

  it('a run whose middle comes after WARM_MS judges growth from the middle, whatever the start', () => {
    const everyMs = (4 * WARM_MS) / 30;
    const mbs = [200, ...Array.from({ length: 15 }, () => 100), ...Array.from({ length: 15 }, () => 115)];
    expect(verdictOf(mbs, everyMs).growth!).toBeCloseTo(0.15, 2);
  });
});

import { describe, expect, it } from 'vitest';
import { renderReport } from '../src/report.js';
import { runSoak } from '../src/run-soak.js';

// The CI-sized soak: the same distributed platform, fault schedule and checks as `npm run soak`, compressed into
// 90 seconds with 200 terminals, one camera and two players (≈ 2.5 minutes with start-up and drain). Every fault
// is waited on with a bounded condition, never a fixed sleep, so a loaded machine makes it slower, not red.
describe('soak (CI size)', () => {
  // ≈ 2.5–3 minutes when it passes; the bound leaves room for every bounded wait to time out and report
  it('survives every scheduled fault without losing an acknowledged message or an SMS', { timeout: 420_000 }, async () => {
    const lines: string[] = [];
    const started = Date.now();
    const { report, ok } = await runSoak(
      { minutes: 1.5, devices: 200, cameras: 1, players: 2, intervalS: 5, playersBackS: 30, keep: false, fromSource: false, noVideo: false },
      (line) => {
        lines.push(line);
        // progress on stderr: when the run is slow, the output shows which fault it waits for
        process.stderr.write(`soak ${((Date.now() - started) / 1000).toFixed(0)} s: ${line}\n`);
      },
    );
    const table = renderReport(report);
    for (const c of report.checks) expect(c.ok, `${c.name}: ${c.figure} (limit ${c.limit})\n${table}\n${lines.join('\n')}`).toBe(true);
    expect(report.faults).toHaveLength(8);
    expect(ok).toBe(true);
  });
});

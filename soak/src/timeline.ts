import { appendFile } from 'node:fs/promises';
import type { Probes } from './probes.js';
import type { Simulator } from './simulator.js';

/**
 * Every few seconds one JSON line in <work folder>/timeline.jsonl: seconds into the run, terminals connected,
 * acknowledged so far, reconnects, the ingest and alerts backlogs. It is what tells, after the run, why a fault
 * took long to recover (terminals still reconnecting, or InfluxDB still catching up).
 */
export function recordTimeline(file: string, t0: number, sim: Simulator, probes: Probes, everyMs: number): { stop(): void } {
  let stopped = false;
  const tick = async () => {
    const line: Record<string, unknown> = { t: Math.round((Date.now() - t0) / 1000) };
    await sim.stats().then(
      (s) => Object.assign(line, { connected: s.connected, acked: s.acknowledged.telemetry + s.acknowledged.event, reconnects: s.reconnects, errors: s.errors }),
      () => Object.assign(line, { sim: 'no answer' }),
    );
    await probes.backlog().then(
      (b) => Object.assign(line, { ingestLagMs: b.ingest.lagMs, ingestPending: b.ingest.pending, alertsLagMs: b.alerts.lagMs, alertsPending: b.alerts.pending }),
      () => Object.assign(line, { redis: 'no answer' }),
    );
    await appendFile(file, `${JSON.stringify(line)}\n`).catch(() => {});
  };
  const loop = async () => {
    while (!stopped) {
      await tick();
      await new Promise((r) => setTimeout(r, everyMs));
    }
  };
  void loop();
  return {
    stop: () => {
      stopped = true;
    },
  };
}

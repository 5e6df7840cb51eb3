/**
 * Random telemetry series for the store-by-exception tests: seeded, so a failure can be replayed. Values move in
 * steps around the domain deadbands (some within, some beyond), discrete fields change now and then, optional
 * fields come and go. Values keep three decimals at most (VictoriaMetrics stores decimals, not doubles).
 */
import type { DeviceKind } from '@tianwang/core/schemas';
import { rng } from '@tianwang/core/testing';

const round = (v: number, step: number) => Math.round(v / step) * step;
const fix = (v: number) => Number(v.toFixed(3));
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** `n` payloads of one device, one per `stepMs` from `t0`; `calm`: the share of readings that repeat the previous one. */
export function randomSeries(kind: DeviceKind, n: number, seed: number, t0: number, stepMs = 1000, calm = 0): Record<string, unknown>[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const walk = (v: number, spread: number, step: number, lo: number, hi: number) => fix(clamp(round(v + (r() * 2 - 1) * spread, step), lo, hi));
  const out: Record<string, unknown>[] = [];
  if (kind === 'elevator') {
    const s = { floor: 1, direction: 'stop', speed: 0, door: 'closed', doorZone: true, passenger: false, mode: 1, power: 'mains', runCount: 5000, runHours: 100, load: 0 };
    for (let i = 0; i < n; i++) {
      if (i > 0 && r() < calm) {
        out.push({ ...out[i - 1]!, ts: t0 + i * stepMs, seq: i });
        continue;
      }
      if (r() < 0.2) s.floor = clamp(s.floor + pick([-2, -1, 1, 2]), -1, 20);
      if (r() < 0.2) s.direction = pick(['up', 'down', 'stop']);
      if (r() < 0.5) s.speed = walk(s.speed, 0.2, 0.01, 0, 3);
      if (r() < 0.15) s.door = pick(['open', 'closed', 'opening', 'closing']);
      if (r() < 0.1) s.doorZone = !s.doorZone;
      if (r() < 0.1) s.passenger = !s.passenger;
      if (r() < 0.03) s.mode = Math.floor(r() * 7);
      if (r() < 0.03) s.power = pick(['mains', 'battery', 'off']);
      if (r() < 0.2) s.runCount++;
      s.runHours = fix(s.runHours + round(r() * 0.04, 0.001));
      if (r() < 0.3) s.load = walk(s.load, 12, 1, 0, 200);
      out.push({ ts: t0 + i * stepMs, ...(r() < 0.9 ? { seq: i } : {}), ...s });
    }
  } else {
    const s = { pressure: 0.8, waterLevel: 0, steamTemp: 170, flueTemp: 160, feedWaterTemp: 60, burner: 'running', flame: true, fan: true, feedPump: false, fuelPressure: 10 };
    for (let i = 0; i < n; i++) {
      if (i > 0 && r() < calm) {
        out.push({ ...out[i - 1]!, ts: t0 + i * stepMs, seq: i });
        continue;
      }
      s.pressure = walk(s.pressure, 0.015, 0.001, 0, 2);
      if (r() < 0.6) s.waterLevel = walk(s.waterLevel, 6, 0.5, -100, 100);
      s.steamTemp = walk(s.steamTemp, 1.2, 0.1, 100, 250);
      s.flueTemp = walk(s.flueTemp, 2.5, 0.1, 100, 300);
      if (r() < 0.5) s.feedWaterTemp = walk(s.feedWaterTemp, 1.5, 0.1, 20, 100);
      if (r() < 0.05) s.burner = pick(['off', 'ignition', 'running']);
      if (r() < 0.05) s.flame = !s.flame;
      if (r() < 0.05) s.fan = !s.fan;
      if (r() < 0.1) s.feedPump = !s.feedPump;
      s.fuelPressure = walk(s.fuelPressure, 0.3, 0.01, 0.5, 30);
      // an optional field a terminal sends only some of the time
      const duty = r() < 0.7 ? { operatorOnDuty: r() < 0.8 } : {};
      out.push({ ts: t0 + i * stepMs, seq: i, ...s, ...duty });
    }
  }
  return out;
}

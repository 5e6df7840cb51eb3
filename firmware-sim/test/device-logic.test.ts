import { describe, expect, it } from 'vitest';
import { elevatorEventSchema, elevatorTelemetrySchema, boilerEventSchema, MAX_PAYLOAD_BYTES } from '@tianwang/core/schemas';
import { DEFAULT_LOGIC, DeviceLogic, type Outgoing } from '../src/terminal/device-logic.js';
import { FaultConfirmer } from '../src/terminal/fault-confirmer.js';

const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);

/** drives a terminal on simulated time, collecting everything it sends */
function drive(logic: DeviceLogic, fromMs: number, toMs: number, sink: (o: Outgoing, t: number) => void): void {
  let t = fromMs;
  while (t <= toMs) {
    for (const o of logic.run(t)) sink(o, t);
    t = Math.max(t + 1, logic.nextDueMs());
  }
}

describe('FaultConfirmer', () => {
  it('raises only after the condition held for confirmMs and clears after clearMs', () => {
    const c = new FaultConfirmer({ confirmMs: 3000, clearMs: 5000 });
    const on = new Set(['trapped']);
    expect(c.update(on, 0)).toEqual([]);
    expect(c.update(on, 2000)).toEqual([]);
    expect(c.update(new Set(), 2500)).toEqual([]); // a blip is forgotten
    expect(c.update(on, 3000)).toEqual([]);
    expect(c.update(on, 6000)).toEqual([{ fault: 'trapped', state: 'raised', sinceMs: 3000 }]);
    expect(c.update(new Set(), 7000)).toEqual([]);
    expect(c.update(new Set(), 12_000)).toEqual([{ fault: 'trapped', state: 'cleared', sinceMs: 7000 }]);
  });
});

describe('DeviceLogic', () => {
  it('trapped produces event 11 (raised) only after the confirmation delay, then cleared after rescue', () => {
    const logic = new DeviceLogic({ id: 'EL-T-001', kind: 'elevator', secret: 's' }, { ...DEFAULT_LOGIC, confirmMs: 3000 });
    const events: { t: number; body: ReturnType<typeof elevatorEventSchema.parse> }[] = [];
    let telemetry = 0;
    const sink = (o: Outgoing, t: number) => {
      if (o.channel === 'event') events.push({ t, body: elevatorEventSchema.parse(JSON.parse(o.payload)) });
      else {
        telemetry++;
        expect(elevatorTelemetrySchema.safeParse(JSON.parse(o.payload)).success).toBe(true);
      }
    };
    drive(logic, T0, T0 + 30_000, sink);
    expect(events).toEqual([]);
    logic.setFault('trapped', true);
    const injectedAt = T0 + 30_001;
    drive(logic, injectedAt, T0 + 90_000, sink);
    const trapped = events.find((e) => e.body.code === '11');
    expect(trapped?.body).toMatchObject({ code: '11', state: 'raised', detail: { passenger: true, doorZone: false } });
    // the car needs a moment to stop, then the terminal confirms for 3 s: never before injection + 3 s
    expect(trapped!.t - injectedAt).toBeGreaterThanOrEqual(3000);
    expect(trapped!.t - injectedAt).toBeLessThan(15_000);
    expect(events.filter((e) => e.body.code === '11')).toHaveLength(1); // no repeats while it lasts
    logic.setFault('trapped', false);
    drive(logic, T0 + 90_001, T0 + 150_000, sink);
    expect(events.filter((e) => e.body.code === '11').map((e) => e.body.state)).toEqual(['raised', 'cleared']);
    expect(telemetry).toBeGreaterThan(12);
  });

  it('telemetry comes at the interval with jitter', () => {
    const logic = new DeviceLogic({ id: 'EL-T-002', kind: 'elevator', secret: 's' }, { ...DEFAULT_LOGIC, telemetryIntervalMs: 5000, jitter: 0.2 });
    const times: number[] = [];
    drive(logic, T0, T0 + 600_000, (o, t) => o.channel === 'telemetry' && times.push(t));
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(4000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(6000);
    expect(new Set(gaps).size).toBeGreaterThan(5);
  });

  it('boiler low water raises B01 once the level has crossed -50 mm', () => {
    const logic = new DeviceLogic({ id: 'BL-T-001', kind: 'boiler', secret: 's', ratedPressure: 1.25 }, DEFAULT_LOGIC);
    logic.setFault('low_water', true);
    const events: unknown[] = [];
    let lowestLevel = 0;
    drive(logic, T0, T0 + 15 * 60_000, (o) => {
      const body = JSON.parse(o.payload);
      if (o.channel === 'event') events.push(boilerEventSchema.parse(body));
      else lowestLevel = Math.min(lowestLevel, body.waterLevel);
    });
    expect(lowestLevel).toBeLessThan(-50);
    expect(events).toContainEqual(expect.objectContaining({ code: 'B01', state: 'raised' }));
  });

  it('silent: nothing is sent while it lasts', () => {
    const logic = new DeviceLogic({ id: 'BL-T-002', kind: 'boiler', secret: 's' }, DEFAULT_LOGIC);
    logic.setFault('silent', true);
    let n = 0;
    drive(logic, T0, T0 + 120_000, () => n++);
    expect(n).toBe(0);
  });

  it('misbehaviours spoil the payload the way the platform must survive', () => {
    const spec = { id: 'EL-T-003', kind: 'elevator' as const, secret: 's' };
    const payload = (fault: Parameters<DeviceLogic['setFault']>[0]) => {
      const l = new DeviceLogic(spec, DEFAULT_LOGIC);
      l.setFault(fault, true);
      return l.telemetry(T0);
    };
    expect(() => JSON.parse(payload('bad_json'))).toThrow();
    expect(elevatorTelemetrySchema.safeParse(JSON.parse(payload('out_of_range'))).success).toBe(false);
    expect(Buffer.byteLength(payload('oversized'))).toBeGreaterThan(MAX_PAYLOAD_BYTES);
    expect(JSON.parse(payload('clock_skew')).ts - T0).toBe(DEFAULT_LOGIC.clockSkewMs);
    const flood = new DeviceLogic(spec, DEFAULT_LOGIC);
    flood.setFault('flood', true);
    let n = 0;
    drive(flood, T0, T0 + 10_000, (o) => o.channel === 'telemetry' && n++);
    expect(n).toBeGreaterThan(400);
  });
});

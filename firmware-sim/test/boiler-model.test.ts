import { describe, expect, it } from 'vitest';
import { boilerTelemetrySchema } from '@tianwang/core/schemas';
import { BoilerModel, WATER_LOW_MM, overpressureLimit, overtemperatureLimit, saturationTemp } from '../src/models/boiler-model.js';

const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);

function run(m: BoilerModel, ms: number, each: (m: BoilerModel) => void = () => {}): void {
  for (let t = 0; t < ms; t += 1000) {
    m.step(1000);
    each(m);
  }
}

describe('BoilerModel', () => {
  it('runs normally: pressure below rated, level within ±50 mm, burner cycles, valid telemetry', () => {
    const m = new BoilerModel({ ratedPressure: 1.25 }, 'BL-A');
    const burner = new Set<string>();
    let pump = false;
    run(m, 2 * 3600_000, (mm) => {
      const r = mm.reading();
      expect(boilerTelemetrySchema.safeParse({ ts: T0, ...r }).success).toBe(true);
      expect(r.pressure).toBeLessThan(1.25);
      expect(Math.abs(r.waterLevel)).toBeLessThan(50);
      expect(mm.conditions().size).toBe(0);
      burner.add(r.burner);
      pump ||= r.feedPump;
    });
    expect(burner).toContain('running');
    expect(pump).toBe(true);
  });

  it('saturation temperature follows the steam tables closely', () => {
    expect(saturationTemp(0)).toBeCloseTo(100, -1);
    expect(Math.abs(saturationTemp(1.0) - 184)).toBeLessThan(3);
  });

  it('losing feed water: the level falls past the low-water limit and the burner is cut off', () => {
    const m = new BoilerModel({}, 2);
    run(m, 60_000);
    m.setFault('low_water', true);
    let crossedAt = -1;
    let t = 0;
    run(m, 10 * 60_000, (mm) => {
      t += 1000;
      if (crossedAt < 0 && mm.reading().waterLevel < WATER_LOW_MM) crossedAt = t;
    });
    expect(crossedAt).toBeGreaterThan(10_000); // it takes a while: the water boils away
    const r = m.reading();
    expect(r.waterLevel).toBeLessThan(WATER_LOW_MM);
    expect(r.feedPump).toBe(false);
    expect(r.burner).toBe('off');
    expect(m.conditions()).toContain('low_water');
    m.setFault('low_water', false);
    run(m, 10 * 60_000);
    expect(m.reading().waterLevel).toBeGreaterThan(WATER_LOW_MM);
    expect(m.conditions().size).toBe(0);
  });

  it('high water: the pump does not stop and the level rises past +50 mm', () => {
    const m = new BoilerModel({}, 3);
    m.setFault('high_water', true);
    run(m, 5 * 60_000);
    expect(m.reading().waterLevel).toBeGreaterThan(50);
    expect(m.conditions()).toContain('high_water');
  });

  it('overpressure: a stuck controller pushes pressure above rated, the safety valve caps it', () => {
    const m = new BoilerModel({ ratedPressure: 1.0 }, 4);
    m.setFault('overpressure', true);
    run(m, 10 * 60_000);
    const p = m.reading().pressure;
    expect(p).toBeGreaterThan(overpressureLimit(1.0));
    expect(p).toBeLessThan(1.06);
    expect(m.conditions()).toContain('overpressure');
  });

  it('overtemperature: the steam temperature climbs past the limit', () => {
    const m = new BoilerModel({}, 5);
    m.setFault('overtemperature', true);
    run(m, 3 * 60_000);
    expect(m.reading().steamTemp).toBeGreaterThan(overtemperatureLimit(1.25));
    expect(m.conditions()).toContain('overtemperature');
  });

  it('flame failure: flame lost, fuel shut off within 5 s, locked out until reset', () => {
    const m = new BoilerModel({}, 6);
    run(m, 5000);
    while (m.reading().burner !== 'running') m.step(1000);
    m.setFault('flame_failure', true);
    m.step(5000);
    expect(m.reading()).toMatchObject({ flame: false, burner: 'off', fan: true });
    run(m, 5 * 60_000);
    expect(m.reading().burner).toBe('off');
    expect(m.conditions()).toContain('flame_failure');
    m.setFault('flame_failure', false);
    run(m, 10 * 60_000);
    expect(m.conditions().size).toBe(0);
  });
});

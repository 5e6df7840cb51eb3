import { describe, expect, it } from 'vitest';
import { elevatorTelemetrySchema } from '@tianwang/core/schemas';
import { ElevatorModel } from '../src/models/elevator-model.js';

const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);

function run(model: ElevatorModel, ms: number, each: (m: ElevatorModel, t: number) => void = () => {}, stepMs = 100): void {
  for (let t = 0; t < ms; t += stepMs) {
    model.step(stepMs);
    each(model, t);
  }
}

describe('ElevatorModel', () => {
  it('takes trips: accelerates to rated speed, stops in the door zone, cycles the doors, counts runs', () => {
    const m = new ElevatorModel({ floors: 18, ratedSpeed: 1.75 }, 'EL-A');
    const startCount = m.reading().runCount;
    let maxSpeed = 0;
    const doors = new Set<string>();
    const floors = new Set<number>();
    let movingWithDoorsOpen = 0;
    run(m, 30 * 60_000, (mm) => {
      const r = mm.reading();
      expect(elevatorTelemetrySchema.safeParse({ ts: T0, ...r }).success).toBe(true);
      maxSpeed = Math.max(maxSpeed, r.speed);
      doors.add(r.door);
      floors.add(r.floor);
      if (r.speed > 0 && r.door !== 'closed') movingWithDoorsOpen++;
      if (r.door !== 'closed') expect(r.doorZone).toBe(true);
    });
    const end = m.reading();
    expect(maxSpeed).toBeGreaterThan(1.6);
    expect(maxSpeed).toBeLessThanOrEqual(1.75);
    expect([...doors].sort()).toEqual(['closed', 'closing', 'open', 'opening']);
    expect(floors.size).toBeGreaterThan(5);
    expect(floors.has(0)).toBe(false); // no floor 0 in a building with a basement
    expect(movingWithDoorsOpen).toBe(0);
    expect(end.runCount - startCount).toBeGreaterThan(20);
    expect(end.runHours).toBeGreaterThan(0);
    expect(m.conditions().size).toBe(0);
  });

  it('is deterministic for a seed', () => {
    const a = new ElevatorModel({}, 42);
    const b = new ElevatorModel({}, 42);
    run(a, 120_000);
    run(b, 120_000);
    expect(a.reading()).toEqual(b.reading());
  });

  it('trapped: stops between landings with a passenger and the doors closed, then is rescued to a landing', () => {
    const m = new ElevatorModel({}, 7);
    run(m, 20_000);
    m.setFault('trapped', true);
    run(m, 15_000);
    const r = m.reading();
    expect(r).toMatchObject({ speed: 0, door: 'closed', doorZone: false, passenger: true, direction: 'stop' });
    expect(m.conditions()).toEqual(new Set(['trapped', 'stop_outside_door_zone']));
    m.setFault('trapped', false);
    let opened = false;
    run(m, 30_000, (mm) => {
      if (mm.reading().door === 'open') opened = true;
    });
    expect(opened).toBe(true);
    expect(m.reading().doorZone).toBe(true);
    expect(m.conditions().size).toBe(0);
  });

  it('trapped: every injection is reported, whatever the car was doing (one arriving at its landing halts on the next trip)', () => {
    // 1.75 % of these were lost: a car injected just before its landing halted inside the door zone, where nobody
    // is trapped, and the terminal reported nothing (a soak run's trapped passenger that raised no alarm)
    const lost: string[] = [];
    for (let seed = 1; seed <= 120; seed++) {
      for (const warmMs of [1000, 7000, 13000, 29000, 61000, 97000, 143000, 251000]) {
        const m = new ElevatorModel({ floors: 6, ratedSpeed: 1 }, seed);
        m.step(warmMs);
        m.setFault('trapped', true);
        let seen = false;
        for (let t = 0; t < 60_000 && !seen; t += 100) {
          m.step(100);
          seen = m.conditions().has('trapped');
        }
        if (!seen) lost.push(`seed ${seed} after ${warmMs} ms`);
      }
    }
    expect(lost).toEqual([]);
  });

  it('overspeed: the car runs above 1.2 × rated speed', () => {
    const m = new ElevatorModel({ ratedSpeed: 1.0, floors: 20 }, 3);
    m.setFault('overspeed', true);
    let seen = false;
    run(m, 60_000, (mm) => {
      if (mm.conditions().has('overspeed')) seen = true;
    });
    expect(seen).toBe(true);
  });

  it('moving with doors open: the car creeps away from the landing with the doors open', () => {
    const m = new ElevatorModel({}, 11);
    m.setFault('moving_doors_open', true);
    let seen = 0;
    run(m, 40_000, (mm) => {
      if (mm.conditions().has('moving_doors_open')) seen++;
    });
    expect(seen).toBeGreaterThan(50); // 5 s of 100 ms steps
    expect(m.reading().door).toBe('open');
    expect(m.reading().doorZone).toBe(false);
  });

  it('door held open: the door stays open past 120 s', () => {
    const m = new ElevatorModel({}, 5);
    m.setFault('door_held_open', true);
    run(m, 60_000);
    expect(m.reading().door).toBe('open');
    expect(m.conditions().has('door_held_open')).toBe(false);
    run(m, 70_000);
    expect(m.conditions().has('door_held_open')).toBe(true);
  });

  it('power cut: battery power, car stopped, mode 0; mains back, service resumes', () => {
    const m = new ElevatorModel({}, 9);
    run(m, 10_000);
    m.setFault('power_cut', true);
    run(m, 5000);
    expect(m.reading()).toMatchObject({ power: 'battery', speed: 0, mode: 0 });
    expect(m.conditions().has('power_cut')).toBe(true);
    m.setFault('power_cut', false);
    run(m, 60_000);
    expect(m.reading()).toMatchObject({ power: 'mains', mode: 1 });
    expect(m.conditions().size).toBe(0);
  });

  it('stop outside door zone: empty car halts between landings', () => {
    const m = new ElevatorModel({}, 13);
    run(m, 3000);
    m.setFault('stop_outside_door_zone', true);
    run(m, 15_000);
    expect(m.reading()).toMatchObject({ speed: 0, doorZone: false, passenger: false });
    expect(m.conditions()).toEqual(new Set(['stop_outside_door_zone']));
  });
});

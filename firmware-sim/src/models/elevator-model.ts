import type { ElevatorTelemetry } from '@tianwang/core/schemas';
import type { ElevatorFault } from './fault-names.js';
import { brake, midpointTowards, round } from './motion.js';
import { CREEP_SPEED, DEFAULT_ELEVATOR, floorLabel, inDoorZone, nearestLanding, type ElevatorParams } from './elevator-shaft.js';
import { Rng } from './rng.js';

/** What the model reports: the telemetry fields except the terminal's ts/seq. */
export type ElevatorReading = Omit<ElevatorTelemetry, 'ts' | 'seq'>;

export { DEFAULT_ELEVATOR, type ElevatorParams } from './elevator-shaft.js';

const SUBSTEP_MS = 100;

type Phase = 'idle' | 'opening' | 'open' | 'closing' | 'moving' | 'halted';
interface Stop {
  index: number;
  /** a passenger gets in here (hall call) or out (car call) */
  action: 'board' | 'alight' | 'none';
}

/**
 * An elevator as the terminal sees it: a car moving between landings with a trapezoidal speed profile,
 * doors that open and close, passengers that board and alight, and faults that change the physics (the
 * telemetry must show them, because the platform has threshold rules on telemetry too). Pure and
 * deterministic: time only moves in step(dtMs), every random choice comes from the seeded Rng.
 */
export class ElevatorModel {
  readonly params: ElevatorParams;
  private readonly rng: Rng;
  /** metres above the lowest landing */
  private pos = 0;
  /** signed m/s */
  private velocity = 0;
  private phase: Phase = 'idle';
  private phaseMs = 0;
  private stops: Stop[] = [];
  private passenger = false;
  private load = 0;
  private mode = 1;
  private power: ElevatorReading['power'] = 'mains';
  private runCount: number;
  private runHoursMs: number;
  private doorOpenMs = 0;
  private nextCallMs: number;
  private readonly faults = new Set<ElevatorFault>();
  /** where a trapped / stop-outside halt should happen (metres), decided when the fault starts */
  private haltAt: number | undefined;
  /** re-levelling or rescue: the car moves at creep speed */
  private creeping = false;
  /**
   * A trapped / stop-outside fault that began too close to the landing the car was arriving at to stop outside its door
   * zone: the car arrives, keeps its doors shut and halts between landings on the next trip.
   */
  private haltNextTrip = false;

  constructor(params: Partial<ElevatorParams> = {}, seed: number | string = 1) {
    this.params = { ...DEFAULT_ELEVATOR, ...params };
    this.rng = new Rng(seed);
    this.pos = this.rng.int(0, this.params.floors - 1) * this.params.floorHeight;
    this.runCount = this.rng.int(1_000, 400_000);
    this.runHoursMs = this.runCount * 40_000;
    this.nextCallMs = this.rng.range(0, this.params.meanIdleMs);
  }

  get activeFaults(): ReadonlySet<ElevatorFault> {
    return this.faults;
  }

  setFault(fault: ElevatorFault, on: boolean): void {
    if (fault === 'silent') return; // the terminal goes quiet; the car itself is fine
    if (on === this.faults.has(fault)) return;
    if (on) {
      this.faults.add(fault);
      this.onFaultStart(fault);
    } else {
      this.faults.delete(fault);
      this.onFaultEnd(fault);
    }
  }

  /** 0 stopped, 1 normal, 2 inspection, 3 fire return, 4 firefighter, 5 emergency power, 6 earthquake */
  setServiceMode(mode: number): void {
    this.mode = mode;
    if (mode === 3) this.stops = [{ index: 0, action: 'alight' }]; // fire return: straight to the main landing
    if (mode === 0 || mode === 6) this.stops = [];
  }

  step(dtMs: number): void {
    let left = dtMs;
    while (left > 0) {
      const dt = Math.min(SUBSTEP_MS, left);
      this.substep(dt);
      left -= dt;
    }
  }

  reading(): ElevatorReading {
    const speed = Math.abs(this.velocity);
    return {
      floor: floorLabel(this.params, this.landing()),
      direction: speed < 0.01 ? 'stop' : this.velocity > 0 ? 'up' : 'down',
      speed: round(speed, 2),
      door: this.doorState(),
      doorZone: inDoorZone(this.params, this.pos),
      passenger: this.passenger,
      mode: this.mode,
      power: this.power,
      runCount: this.runCount,
      runHours: round(this.runHoursMs / 3_600_000, 2),
      load: round(this.load, 0),
    };
  }

  /** The fault conditions a terminal's sensors would see right now (before its confirmation delay). */
  conditions(): Set<ElevatorFault> {
    const r = this.reading();
    const c = new Set<ElevatorFault>();
    const stopped = r.speed < 0.01;
    if (stopped && !r.doorZone && this.phase === 'halted') c.add('stop_outside_door_zone');
    if (stopped && !r.doorZone && r.passenger && r.door === 'closed' && this.phase === 'halted') c.add('trapped');
    if (!stopped && r.door !== 'closed') c.add('moving_doors_open');
    if (r.speed > 1.2 * this.params.ratedSpeed) c.add('overspeed');
    if (r.power !== 'mains') c.add('power_cut');
    if (r.door === 'open' && this.doorOpenMs > 120_000) c.add('door_held_open');
    return c;
  }

  private substep(dt: number): void {
    this.phaseMs += dt;
    this.doorOpenMs = this.phase === 'open' ? this.doorOpenMs + dt : 0;
    switch (this.phase) {
      case 'idle':
        return this.idle(dt);
      case 'opening':
        if (this.phaseMs >= this.params.doorMovingMs) this.enter('open');
        return;
      case 'open':
        return this.doorsOpen(dt);
      case 'closing':
        if (this.phaseMs >= this.params.doorMovingMs) this.enter('idle');
        return;
      case 'moving':
        return this.move(dt);
      case 'halted':
        this.velocity = brake(this.velocity, 1.5, dt);
        return;
    }
  }

  private idle(dt: number): void {
    if (this.power !== 'mains' || this.mode === 0 || this.mode === 6) return;
    if (!inDoorZone(this.params, this.pos)) return this.startTrip({ index: this.landing(), action: 'alight' }, true);
    const next = this.stops[0];
    if (next) {
      if (next.index === this.landing()) return this.arrive();
      return this.startTrip(next, false);
    }
    if (this.mode !== 1 && this.mode !== 5) return; // only normal service answers calls
    this.nextCallMs -= dt;
    if (this.nextCallMs > 0 && !this.faults.has('overspeed')) return;
    this.nextCallMs = this.rng.range(0.2, 1.8) * this.params.meanIdleMs;
    this.newCall();
  }

  /** A hall call somewhere, then a car call to the passenger's destination. */
  private newCall(): void {
    const n = this.params.floors;
    const here = this.landing();
    // an overspeed car shows it best on the longest run; otherwise calls are mostly to and from the ground floor
    const from = this.faults.has('overspeed') ? here : this.rng.chance(0.5) ? here : this.rng.int(0, n - 1);
    let to = this.faults.has('overspeed') ? (from < n / 2 ? n - 1 : 0) : this.rng.chance(0.5) ? 0 : this.rng.int(0, n - 1);
    if (to === from) to = from === 0 ? this.rng.int(1, n - 1) : 0;
    this.stops = [
      { index: from, action: 'board' },
      { index: to, action: 'alight' },
    ];
  }

  private doorsOpen(dt: number): void {
    if (this.faults.has('door_held_open')) return;
    if (this.faults.has('moving_doors_open')) {
      // the brake does not hold: the car creeps away from the landing with the doors still open
      const up = this.pos < (this.params.floors - 1) * this.params.floorHeight - 1;
      this.velocity = up ? 0.12 : -0.12;
      this.pos += (this.velocity * dt) / 1000;
      return;
    }
    if (this.phaseMs >= this.params.dwellMs) this.enter('closing');
  }

  private startTrip(stop: Stop, relevel: boolean): void {
    if (this.stops[0]?.index !== stop.index) this.stops.unshift(stop);
    if (!relevel) this.runCount++;
    this.creeping = relevel;
    this.enter('moving');
  }

  private move(dt: number): void {
    if (this.power !== 'mains') return this.halt();
    const target = this.stops[0];
    if (!target) return this.halt();
    const targetPos = target.index * this.params.floorHeight;
    const remaining = targetPos - this.pos;
    const dir = Math.sign(remaining) || 1;
    if (this.haltAt !== undefined && (this.haltAt - this.pos) * dir <= 0) return this.halt();
    let vmax = this.faults.has('overspeed') ? 1.32 * this.params.ratedSpeed : this.params.ratedSpeed;
    if (this.creeping || this.mode === 2) vmax = Math.min(vmax, CREEP_SPEED);
    const a = this.params.acceleration;
    const speed = Math.abs(this.velocity);
    const stopping = Math.sqrt(2 * a * Math.abs(remaining));
    const v = Math.min(vmax, speed + (a * dt) / 1000, Math.max(stopping, 0.05));
    this.velocity = dir * v;
    this.pos += (this.velocity * dt) / 1000;
    this.runHoursMs += dt;
    if (Math.sign(targetPos - this.pos) !== dir || Math.abs(targetPos - this.pos) < 0.005) {
      this.pos = targetPos;
      this.velocity = 0;
      this.arrive();
    }
  }

  private arrive(): void {
    const stop = this.stops.shift();
    this.velocity = 0;
    this.creeping = false;
    if (this.haltNextTrip) {
      this.haltNextTrip = false;
      if (this.faults.has('trapped') || this.faults.has('stop_outside_door_zone')) {
        this.startHaltingTrip();
        return this.enter('moving');
      }
    }
    if (stop?.action === 'alight' && !this.faults.has('trapped')) {
      this.passenger = false;
      this.load = 0;
    }
    if (stop?.action === 'board') {
      this.passenger = true;
      this.load = this.rng.range(8, 85);
    }
    this.enter('opening');
  }

  private halt(): void {
    this.haltAt = undefined;
    this.enter('halted');
  }

  private onFaultStart(fault: ElevatorFault): void {
    const h = this.params.floorHeight;
    if (fault === 'power_cut') {
      this.power = 'battery'; // the terminal runs on its backup battery and still reports
      this.mode = 0;
      if (this.phase === 'moving') this.halt();
    }
    if ((fault === 'door_held_open' || fault === 'moving_doors_open') && this.phase === 'idle' && this.stops.length === 0) {
      this.stops.unshift({ index: this.landing(), action: 'board' }); // someone calls the car here: doors open now
    }
    if (fault === 'trapped' || fault === 'stop_outside_door_zone') {
      if (fault === 'trapped') {
        this.passenger = true;
        this.load = Math.max(this.load, this.rng.range(8, 60));
      } else if (this.phase !== 'moving') {
        this.passenger = false;
        this.load = 0;
      }
      // the car stops between landings: mid-trip if it is moving, otherwise on the next trip just started
      if (this.phase === 'moving' && this.stops[0]) {
        const to = this.stops[0].index;
        const at = midpointTowards(this.pos, to * h, h);
        this.stops = [{ index: to, action: 'none' }];
        // a halt inside the landing's door zone would let everyone out (no trapped passenger to report): the car
        // arrives instead and halts on the next trip (1.75 % of injections into moving cars were lost that way). The
        // car halts at the first substep past `at`, up to one substep's travel further on.
        const overshoot = (Math.abs(this.velocity) * SUBSTEP_MS) / 1000;
        if (inDoorZone(this.params, at, overshoot)) this.haltNextTrip = true;
        else this.haltAt = at;
        return;
      }
      this.startHaltingTrip();
      this.enter(this.phase === 'idle' ? 'moving' : 'closing');
    }
  }

  /** A trip to a neighbouring landing that halts half-way (the trapped / stop-outside faults). */
  private startHaltingTrip(): void {
    const here = this.landing();
    const to = here < this.params.floors - 1 ? here + 1 : here - 1;
    this.haltAt = midpointTowards(this.pos, to * this.params.floorHeight, this.params.floorHeight);
    this.stops = [{ index: to, action: 'none' }];
    this.runCount++;
  }

  private onFaultEnd(fault: ElevatorFault): void {
    if (fault === 'power_cut') {
      this.power = 'mains';
      this.mode = 1;
    }
    if (fault === 'trapped' || fault === 'stop_outside_door_zone' || fault === 'power_cut' || fault === 'moving_doors_open') {
      // rescue: the car creeps to the nearest landing (idle re-levels it) and lets everyone out
      this.haltAt = undefined;
      this.haltNextTrip = false;
      this.velocity = 0;
      this.stops = [{ index: this.landing(), action: 'alight' }];
      if (this.phase === 'halted' || this.phase === 'open') this.enter(this.phase === 'open' ? 'closing' : 'idle');
    }
  }

  private enter(phase: Phase): void {
    // the trapped / stop-outside fault keeps a closing door from starting a new trip at the landing
    if (phase === 'idle' && this.haltAt !== undefined && this.stops[0]) phase = 'moving';
    this.phase = phase;
    this.phaseMs = 0;
    if (phase !== 'moving' && phase !== 'halted' && phase !== 'open') this.velocity = 0;
  }

  private doorState(): ElevatorReading['door'] {
    if (this.phase === 'opening') return 'opening';
    if (this.phase === 'open') return 'open';
    if (this.phase === 'closing') return 'closing';
    return 'closed';
  }

  private landing(): number {
    return nearestLanding(this.params, this.pos);
  }
}

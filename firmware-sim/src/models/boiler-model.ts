import type { BoilerTelemetry } from '@tianwang/core/schemas';
import type { BoilerFault } from './fault-names.js';
import { Rng } from './rng.js';

export type BoilerReading = Omit<BoilerTelemetry, 'ts' | 'seq'>;

export interface BoilerParams {
  /** rated (design) pressure, MPa gauge */
  ratedPressure: number;
  /** water level drop at full steam demand with no feed water, mm/s */
  evaporationRate: number;
  /** water level rise with the feed pump running and no demand, mm/s */
  feedRate: number;
  /** pressure rise at full fire and no demand, MPa/s */
  pressureRate: number;
}

export const DEFAULT_BOILER: BoilerParams = { ratedPressure: 1.25, evaporationRate: 1.2, feedRate: 2.5, pressureRate: 0.004 };

/** alarm limits a boiler terminal applies (domain brief: ±50 mm, overpressure just below the safety valve) */
export const WATER_LOW_MM = -50;
export const WATER_HIGH_MM = 50;
export const overpressureLimit = (rated: number) => rated * 1.016;
export const overtemperatureLimit = (rated: number) => saturationTemp(rated) + 15;

const SUBSTEP_MS = 250;
/** gas-valve safety shut-off after flame loss while running (domain brief: within 10 s; we use 4 s) */
const FLAME_SHUTOFF_MS = 4000;
const IGNITION_MS = 5000;
const POST_PURGE_MS = 30_000;

/**
 * Saturated steam temperature for a gauge pressure in MPa, °C. The fit 100·p_abs[bar]^¼ is within 2 °C of the
 * steam tables from 0 to 2.5 MPa, plenty for a simulator.
 */
export function saturationTemp(pressureMpa: number): number {
  return 100 * Math.pow(Math.max(0.2, (pressureMpa + 0.101) * 10), 0.25);
}

/**
 * A packaged fire-tube steam boiler with an on/off-modulating gas burner, a level-controlled feed pump and
 * a slowly wandering steam demand. Faults break one part and the physics does the rest: a failed feed pump
 * lets the level fall past the low-water limit at the evaporation rate; a stuck controller over-fires until
 * the safety valve holds the pressure. Pure and deterministic: step(dtMs) with a seeded Rng.
 */
export class BoilerModel {
  readonly params: BoilerParams;
  private readonly rng: Rng;
  private pressure: number;
  private level: number;
  private demand: number;
  private firing = 0;
  private burner: BoilerReading['burner'] = 'running';
  private burnerMs = 0;
  private flame = true;
  private lockout = false;
  private fanMs = 0;
  private pump = false;
  private superheat = 0;
  private flue = 180;
  private feedTemp: number;
  private readonly faults = new Set<BoilerFault>();

  constructor(params: Partial<BoilerParams> = {}, seed: number | string = 1) {
    this.params = { ...DEFAULT_BOILER, ...params };
    this.rng = new Rng(seed);
    this.pressure = this.params.ratedPressure * this.rng.range(0.72, 0.8);
    this.level = this.rng.range(-10, 10);
    this.demand = this.rng.range(0.3, 0.6);
    this.feedTemp = this.rng.range(85, 102);
  }

  get activeFaults(): ReadonlySet<BoilerFault> {
    return this.faults;
  }

  setFault(fault: BoilerFault, on: boolean): void {
    if (fault === 'silent') return;
    if (on) this.faults.add(fault);
    else this.faults.delete(fault);
    if (!on && fault === 'flame_failure') this.lockout = false; // the operator resets the burner
  }

  step(dtMs: number): void {
    let left = dtMs;
    while (left > 0) {
      const dt = Math.min(SUBSTEP_MS, left);
      this.substep(dt / 1000);
      left -= dt;
    }
  }

  reading(): BoilerReading {
    const steamTemp = saturationTemp(this.pressure) + this.superheat;
    return {
      pressure: round(Math.max(0, this.pressure), 3),
      waterLevel: round(Math.max(-500, Math.min(500, this.level)), 1),
      steamTemp: round(steamTemp, 1),
      flueTemp: round(this.flue, 1),
      feedWaterTemp: round(this.feedTemp, 1),
      burner: this.burner,
      flame: this.flame,
      fan: this.burner !== 'off' || this.fanMs > 0,
      feedPump: this.pump,
      fuelPressure: round(this.faults.has('flame_failure') ? 2.5 : this.burner === 'off' ? 20 : 17.5 + this.rng.noise(0.3), 2),
      operatorOnDuty: true,
    };
  }

  /** What the terminal's limit switches and sensors see, before its confirmation delay. */
  conditions(): Set<BoilerFault> {
    const c = new Set<BoilerFault>();
    const rated = this.params.ratedPressure;
    if (this.level < WATER_LOW_MM) c.add('low_water');
    if (this.level > WATER_HIGH_MM) c.add('high_water');
    if (this.pressure > overpressureLimit(rated)) c.add('overpressure');
    if (saturationTemp(this.pressure) + this.superheat > overtemperatureLimit(rated)) c.add('overtemperature');
    if (this.lockout) c.add('flame_failure');
    return c;
  }

  private substep(dt: number): void {
    const rated = this.params.ratedPressure;
    // steam demand wanders slowly; a stuck controller usually shows when the plant draws little steam
    this.demand = clamp(this.demand + this.rng.noise(0.01) * dt, 0.15, 0.9);
    const demand = this.faults.has('overpressure') ? 0.1 : this.demand;

    this.controlBurner(dt, rated);
    const fire = this.flame ? (this.faults.has('overpressure') ? 1 : this.firing) : 0;

    // pressure: heat in minus steam out; the safety valve (1.04 × rated) blows off anything above it
    this.pressure += this.params.pressureRate * (fire - demand) * dt * (rated / 1.25);
    this.pressure = clamp(this.pressure, 0, rated * 1.04 + this.rng.noise(0.002));

    // water: evaporation follows steam flow; the pump keeps the level in a ±20 mm band
    if (this.level < -20) this.pump = true;
    if (this.level > 20) this.pump = false;
    if (this.faults.has('low_water')) this.pump = false; // the pump has tripped
    if (this.faults.has('high_water')) this.pump = true; // the level switch is stuck: the pump never stops
    this.level += (-this.params.evaporationRate * demand + (this.pump ? this.params.feedRate : 0)) * dt + this.rng.noise(0.4) * dt;
    this.level = clamp(this.level, -300, 300);

    // overtemperature: the superheat climbs while the fault lasts (dry firing, fouled tubes) and falls after
    const heat = this.faults.has('overtemperature') ? 0.8 : -0.5;
    this.superheat = clamp(this.superheat + heat * dt, 0, 60);

    const flueTarget = this.burner === 'running' ? 150 + 90 * fire + this.superheat : 70;
    this.flue += ((flueTarget - this.flue) * dt) / 60;
    this.feedTemp = clamp(this.feedTemp + this.rng.noise(0.05) * dt, 80, 105);
    if (this.fanMs > 0) this.fanMs -= dt * 1000;
  }

  /** Burner sequence: off → ignition (purge, spark) → running, with a flame-failure lockout and low-water cut-off. */
  private controlBurner(dt: number, rated: number): void {
    this.burnerMs += dt * 1000;
    const cutOff = this.level < WATER_LOW_MM || this.lockout;
    const flameOk = !this.faults.has('flame_failure');
    if (this.burner === 'running') {
      this.flame = flameOk;
      // modulate between 30 % and 100 % around 78 % of rated pressure
      this.firing = clamp(0.3 + (0.78 * rated - this.pressure) / (0.08 * rated), 0.3, 1);
      if (!flameOk && this.burnerMs > FLAME_SHUTOFF_MS) return this.trip(true);
      if (flameOk) this.burnerMs = 0;
      if (cutOff || (this.pressure > 0.86 * rated && !this.faults.has('overpressure'))) return this.trip(false);
    } else if (this.burner === 'ignition') {
      this.flame = false;
      if (this.burnerMs > IGNITION_MS) {
        if (flameOk) this.setBurner('running');
        else this.trip(true);
      }
    } else {
      this.flame = false;
      this.firing = 0;
      if (!cutOff && (this.pressure < 0.7 * rated || this.faults.has('overpressure'))) this.setBurner('ignition');
    }
  }

  private trip(flameLoss: boolean): void {
    if (flameLoss) this.lockout = true;
    this.setBurner('off');
    this.flame = false;
    this.fanMs = POST_PURGE_MS;
  }

  private setBurner(state: BoilerReading['burner']): void {
    this.burner = state;
    this.burnerMs = 0;
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

import type { DeviceKind } from '@tianwang/core/schemas';
import { BoilerModel } from '../models/boiler-model.js';
import { ElevatorModel } from '../models/elevator-model.js';
import { faultCode, isMisbehaviour, type BoilerFault, type ElevatorFault, type FaultName } from '../models/fault-names.js';
import { Rng, hashString } from '../models/rng.js';
import type { DeviceSpec } from './device-spec.js';
import { FaultConfirmer } from './fault-confirmer.js';
import { FLOOD_INTERVAL_MS, badJson, outOfRange, oversized } from './misbehaviour.js';

export interface LogicOptions {
  telemetryIntervalMs: number;
  /** ± fraction of the interval, so a fleet does not report in lockstep */
  jitter: number;
  /** the terminal samples its sensors at least this often, ms */
  sampleMs: number;
  confirmMs: number;
  clearMs: number;
  /** clock_skew: how far off the terminal's clock is, ms */
  clockSkewMs: number;
  seed: number;
}

export const DEFAULT_LOGIC: LogicOptions = {
  telemetryIntervalMs: 10_000,
  jitter: 0.1,
  sampleMs: 1000,
  confirmMs: 3000,
  clearMs: 5000,
  clockSkewMs: 48 * 3600_000,
  seed: 1,
};

export interface Outgoing {
  channel: 'telemetry' | 'event';
  payload: string;
  qos: 0 | 1;
}

type Model = ElevatorModel | BoilerModel;

/**
 * The firmware of one terminal, without the network: it samples the model, confirms faults, and says what to
 * send and when. Pure on simulated time (run(nowMs) advances to nowMs), so tests drive hours in milliseconds.
 */
export class DeviceLogic {
  readonly kind: DeviceKind;
  readonly model: Model;
  private readonly confirmer: FaultConfirmer;
  private readonly rng: Rng;
  private readonly injected = new Set<FaultName>();
  private lastMs: number | undefined;
  private nextTelemetryMs = 0;
  private nextSampleMs = 0;
  private seq = 0;
  intervalMs: number;

  constructor(readonly spec: DeviceSpec, private readonly options: LogicOptions = DEFAULT_LOGIC) {
    this.kind = spec.kind;
    const seed = (options.seed ^ hashString(spec.id)) >>> 0;
    this.rng = new Rng(seed);
    this.intervalMs = options.telemetryIntervalMs;
    this.model =
      spec.kind === 'elevator'
        ? new ElevatorModel(pick({ floors: spec.floors, lowestFloor: spec.lowestFloor, ratedSpeed: spec.ratedSpeed }), seed)
        : new BoilerModel(pick({ ratedPressure: spec.ratedPressure }), seed);
    this.confirmer = new FaultConfirmer({ confirmMs: options.confirmMs, clearMs: options.clearMs, clearMsFor: { overspeed: 30_000 } });
  }

  get faults(): FaultName[] {
    return [...this.injected];
  }

  /** faults the terminal has confirmed and reported as raised */
  get reported(): string[] {
    return this.confirmer.raised();
  }

  has(fault: FaultName): boolean {
    return this.injected.has(fault);
  }

  setFault(fault: FaultName, on: boolean): void {
    if (on) this.injected.add(fault);
    else this.injected.delete(fault);
    if (isMisbehaviour(fault)) {
      if (fault === 'flood') this.nextTelemetryMs = Math.min(this.nextTelemetryMs, (this.lastMs ?? 0) + FLOOD_INTERVAL_MS);
      return;
    }
    if (this.model instanceof ElevatorModel) this.model.setFault(fault as ElevatorFault, on);
    else this.model.setFault(fault as BoilerFault, on);
  }

  /** When this terminal next has something to do (simulated ms). */
  nextDueMs(): number {
    return Math.min(this.nextTelemetryMs, this.nextSampleMs);
  }

  /** Advances the model to nowMs and returns what the terminal sends now. */
  run(nowMs: number): Outgoing[] {
    const out: Outgoing[] = [];
    if (this.lastMs === undefined) {
      this.lastMs = nowMs;
      // the first reading comes at a random point of the first interval: a fleet started at once spreads out
      this.nextTelemetryMs = nowMs + this.rng.range(0, this.intervalMs);
      this.nextSampleMs = nowMs;
    }
    if (nowMs > this.lastMs) this.model.step(nowMs - this.lastMs);
    this.lastMs = nowMs;
    const silent = this.injected.has('silent');

    if (nowMs >= this.nextSampleMs) {
      this.nextSampleMs = nowMs + Math.min(this.options.sampleMs, this.intervalMs);
      for (const t of this.confirmer.update(this.model.conditions(), nowMs)) {
        const code = faultCode(this.kind, t.fault);
        if (!code || silent) continue;
        out.push({ channel: 'event', qos: 1, payload: JSON.stringify({ ts: this.ts(nowMs), seq: this.seq++, code, state: t.state, detail: this.detail(t.fault) }) });
      }
    }
    if (nowMs >= this.nextTelemetryMs) {
      const flood = this.injected.has('flood');
      const jitter = flood ? 0 : this.rng.range(-this.options.jitter, this.options.jitter);
      this.nextTelemetryMs = nowMs + (flood ? FLOOD_INTERVAL_MS : Math.round(this.intervalMs * (1 + jitter)));
      if (!silent) out.push({ channel: 'telemetry', qos: 1, payload: this.telemetry(nowMs) });
    }
    return out;
  }

  /** the reading as the terminal would send it now (misbehaviours applied) */
  telemetry(nowMs: number): string {
    let body: Record<string, unknown> = { ts: this.ts(nowMs), seq: this.seq++, ...this.model.reading() };
    if (this.injected.has('out_of_range')) body = outOfRange(this.kind, body);
    if (this.injected.has('oversized')) body = oversized(body);
    const json = JSON.stringify(body);
    return this.injected.has('bad_json') ? badJson(json) : json;
  }

  private ts(nowMs: number): number {
    return Math.round(nowMs + (this.injected.has('clock_skew') ? this.options.clockSkewMs : 0));
  }

  /** what a maintenance engineer wants to read in the alarm: where the car is, what the boiler measures */
  private detail(fault: string): Record<string, string | number | boolean> {
    const r = this.model.reading() as unknown as Record<string, string | number | boolean>;
    const keys = this.kind === 'elevator' ? ['floor', 'speed', 'door', 'doorZone', 'passenger', 'power'] : ['pressure', 'waterLevel', 'steamTemp', 'burner', 'flame'];
    const d: Record<string, string | number | boolean> = { fault, simulated: true };
    for (const k of keys) if (r[k] !== undefined) d[k] = r[k];
    return d;
  }
}

/** drops undefined values so model defaults apply */
function pick<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

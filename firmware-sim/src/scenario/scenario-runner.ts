import { faultsFor } from '../models/fault-names.js';
import type { DeviceInfo, Simulator } from '../simulator.js';
import { ScenarioError, type Scenario, type ScenarioStep } from './scenario-parse.js';

export interface ResolvedStep extends ScenarioStep {
  deviceId: string;
}

/** Binds a scenario to a fleet: "elevator#2" becomes an id; a fault a boiler cannot have is an error now, not at T. */
export function resolveScenario(scenario: Scenario, devices: Pick<DeviceInfo, 'id' | 'kind'>[]): ResolvedStep[] {
  return scenario.steps.map((step) => {
    const m = /^(elevator|boiler)#(\d+)$/.exec(step.device);
    let device: Pick<DeviceInfo, 'id' | 'kind'> | undefined;
    if (m) {
      const ofKind = devices.filter((d) => d.kind === m[1]);
      device = ofKind[Number(m[2]) - 1];
      if (!device) throw new ScenarioError(`${step.where}: ${step.device}: the fleet has ${ofKind.length} ${m[1]}(s)`);
    } else {
      device = devices.find((d) => d.id === step.device);
      if (!device) throw new ScenarioError(`${step.where}: no device "${step.device}" in this fleet (use an id, or elevator#N / boiler#N)`);
    }
    if (!faultsFor(device.kind).includes(step.fault)) {
      throw new ScenarioError(`${step.where}: a ${device.kind} cannot have "${step.fault}"; one of: ${faultsFor(device.kind).join(', ')}`);
    }
    return { ...step, deviceId: device.id };
  });
}

export interface ScenarioRun {
  /** resolves at the scenario's `duration` (never without one: the fleet runs on until stopped) */
  done: Promise<void>;
  cancel(): void;
}

/** Plays a scenario on a running simulator, on the wall clock from now. */
export function runScenario(scenario: Scenario, sim: Simulator, onStep: (step: ResolvedStep) => void = () => {}): ScenarioRun {
  const steps = resolveScenario(scenario, sim.devices());
  const timers: NodeJS.Timeout[] = [];
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  for (const step of steps) {
    timers.push(
      setTimeout(() => {
        if (step.action === 'inject') sim.injectFault(step.deviceId, step.fault, step.durationMs ? step.durationMs / 1000 : undefined);
        else sim.clearFault(step.deviceId, step.fault);
        onStep(step);
      }, step.atMs),
    );
  }
  if (scenario.durationMs !== undefined) timers.push(setTimeout(finish, scenario.durationMs));
  return {
    done,
    cancel() {
      for (const t of timers) clearTimeout(t);
      finish();
    },
  };
}

import type { BoilerFaultCode, DeviceKind, ElevatorFaultCode } from '@tianwang/core/schemas';

/**
 * The names operators use for faults in scenarios, the control API and the CLI, and the code each one is
 * reported with (core fault-codes.ts). "silent" has no code: the terminal just stops talking.
 */
export const ELEVATOR_FAULTS = {
  trapped: '11',
  moving_doors_open: '05',
  overspeed: '12',
  stop_outside_door_zone: '04',
  power_cut: '13',
  door_held_open: '14',
  silent: null,
} as const satisfies Record<string, ElevatorFaultCode | null>;

export const BOILER_FAULTS = {
  low_water: 'B01',
  high_water: 'B02',
  overpressure: 'B03',
  overtemperature: 'B04',
  flame_failure: 'B05',
  silent: null,
} as const satisfies Record<string, BoilerFaultCode | null>;

/** Misbehaviours of the terminal itself, for the platform's robustness tests. Any device kind. */
export const MISBEHAVIOURS = ['wrong_secret', 'bad_json', 'out_of_range', 'clock_skew', 'oversized', 'flood'] as const;

export type ElevatorFault = keyof typeof ELEVATOR_FAULTS;
export type BoilerFault = keyof typeof BOILER_FAULTS;
export type Misbehaviour = (typeof MISBEHAVIOURS)[number];
export type FaultName = ElevatorFault | BoilerFault | Misbehaviour;

export function faultsFor(kind: DeviceKind): readonly string[] {
  return [...Object.keys(kind === 'elevator' ? ELEVATOR_FAULTS : BOILER_FAULTS), ...MISBEHAVIOURS];
}

export function isMisbehaviour(name: string): name is Misbehaviour {
  return (MISBEHAVIOURS as readonly string[]).includes(name);
}

/** The code a physical fault is reported with, or undefined for silent and misbehaviours. */
export function faultCode(kind: DeviceKind, name: string): string | undefined {
  const table: Record<string, string | null> = kind === 'elevator' ? ELEVATOR_FAULTS : BOILER_FAULTS;
  return table[name] ?? undefined;
}

/** "trappd" → "trapped": a hint for error messages. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  return bestDist <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

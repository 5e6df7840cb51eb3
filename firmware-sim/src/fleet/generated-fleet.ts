import type { DeviceSpec } from '../terminal/device-spec.js';

export interface GeneratedFleetOptions {
  elevators: number;
  boilers: number;
  /** ids are `${prefix}-EL-000001`, `${prefix}-BL-000001` (no dash when the prefix is empty) */
  idPrefix: string;
  /** one shared password for the whole generated fleet (a test broker's password file lists it) */
  secret: string;
}

/** A fleet from counts, for load tests and brokers provisioned by a script. */
export function generatedFleet(o: GeneratedFleetOptions): DeviceSpec[] {
  const pad = (i: number) => String(i).padStart(6, '0');
  const p = o.idPrefix ? `${o.idPrefix}-` : '';
  const out: DeviceSpec[] = [];
  for (let i = 1; i <= o.elevators; i++) out.push({ id: `${p}EL-${pad(i)}`, kind: 'elevator', secret: o.secret });
  for (let i = 1; i <= o.boilers; i++) out.push({ id: `${p}BL-${pad(i)}`, kind: 'boiler', secret: o.secret });
  return out;
}

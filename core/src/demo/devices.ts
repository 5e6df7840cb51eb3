import { demoSecret } from '../crypto/secrets.js';
import type { MaintenanceCompany } from '../registry/types.js';
import { addDays, pad, REGION, type DemoContext } from './context.js';
import { BOILER_MODELS, ELEVATOR_MODELS } from './names.js';
import type { DemoDevice, DemoUnit } from './types.js';

/** Rated speed follows the building's height, as it does in practice. */
export function ratedSpeedFor(floors: number): number {
  return floors > 18 ? 2.5 : floors > 11 ? 1.75 : 1.0;
}

/** Elevators round-robin over the units; ~12% are overdue for maintenance, ~8% have an expired or expiring inspection. */
export function demoElevators(ctx: DemoContext, units: DemoUnit[], companies: MaintenanceCompany[], count: number): DemoDevice[] {
  const { rnd, today } = ctx;
  const devices: DemoDevice[] = [];
  for (let n = 0; n < count; n++) {
    const unit = units[n % units.length]!;
    const id = `EL-${pad(n + 1, 5)}`;
    const year = rnd.int(2008, 2024);
    const floors = rnd.pick([6, 11, 18, 26, 33]);
    const maintAge = rnd.chance(0.12) ? rnd.int(16, 40) : rnd.int(0, 14); // ~12% overdue (> 15 days)
    const inspDays = rnd.chance(0.08) ? rnd.int(-30, 29) : rnd.int(31, 360); // ~8% expired or expiring
    devices.push({
      id,
      kind: 'elevator',
      registrationCode: `3110${REGION}${year}${pad(n + 1, 6)}`,
      name: `${Math.floor(n / units.length) + 1}号电梯`,
      location: `${rnd.int(1, 12)}号楼${rnd.pick(['东', '西', '南', '北', ''])}单元`,
      unitId: unit.id,
      maintenanceCompanyId: companies[n % companies.length]!.id,
      model: rnd.pick(ELEVATOR_MODELS),
      rated: { ratedSpeed: ratedSpeedFor(floors), ratedLoad: rnd.pick([800, 1000, 1350]), floors },
      telemetryIntervalS: 10,
      lastMaintenanceOn: addDays(today, -maintAge),
      inspectionValidUntil: addDays(today, inspDays),
      secret: demoSecret(ctx.seed, 'device', id),
    });
  }
  return devices;
}

/** Rated pressure is read from the model name (WNS2-1.25 → 1.25 MPa); the safety valve is set 4% above it. */
export function boilerRating(model: string): { ratedPressure: number; safetyValveSet: number } {
  const ratedPressure = model.includes('0.7') ? 0.7 : model.includes('1.0') ? 1.0 : 1.25;
  return { ratedPressure, safetyValveSet: Math.round(ratedPressure * 1.04 * 100) / 100 };
}

/** Boilers go to the units whose profile usually has one (any unit when none does). */
export function demoBoilers(ctx: DemoContext, units: DemoUnit[], count: number): DemoDevice[] {
  const { rnd, today } = ctx;
  const boilerUnits = units.filter((u) => u.profile.boiler >= 0.4);
  const devices: DemoDevice[] = [];
  for (let n = 0; n < count; n++) {
    const unit = boilerUnits[n % boilerUnits.length] ?? units[n % units.length]!;
    const id = `BL-${pad(n + 1, 4)}`;
    const model = rnd.pick(BOILER_MODELS);
    const { ratedPressure, safetyValveSet } = boilerRating(model);
    devices.push({
      id,
      kind: 'boiler',
      registrationCode: `1000${REGION}${rnd.int(2010, 2024)}${pad(n + 1, 6)}`,
      name: `${(n % 2) + 1}号锅炉`,
      location: '锅炉房',
      unitId: unit.id,
      maintenanceCompanyId: null,
      model,
      rated: { ratedPressure, ratedCapacity: rnd.pick([1, 2, 4]), safetyValveSet },
      telemetryIntervalS: 10,
      lastMaintenanceOn: addDays(today, -rnd.int(0, 20)),
      inspectionValidUntil: addDays(today, rnd.chance(0.1) ? rnd.int(-10, 29) : rnd.int(31, 360)),
      secret: demoSecret(ctx.seed, 'device', id),
    });
  }
  return devices;
}

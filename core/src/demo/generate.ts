import { demoContext } from './context.js';
import { demoBoilers, demoElevators } from './devices.js';
import { demoKitchens } from './kitchens.js';
import { demoDistricts, demoMaintenanceCompanies, demoUnits } from './organisations.js';
import { DEFAULT_DEMO_SIZES, type DemoDistrict, type DemoSizes } from './types.js';
import { demoUsers } from './users.js';

export * from './types.js';

/**
 * A believable district, the same for the same seed and day: 40 using units with safety officers and
 * principals, 200 elevators and 20 boilers among them, 5 maintenance companies, 30 kitchens with 1–3
 * cameras (every sixth a canteen run by a using unit, the first by unit1's). Users: 1 admin, 5 inspectors, unit1
 * (a unit's safety officer) and maint1 (the first maintenance company's dispatcher). Some maintenance is overdue
 * and some certificates expire soon, so the calendar rules have something to find. Phone numbers are in a
 * fictitious range.
 * The parts draw from one random sequence in this order: changing the order changes every seed's district.
 */
export function generateDemoDistrict(seed = 1, options: { sizes?: Partial<DemoSizes>; today?: string } = {}): DemoDistrict {
  const sizes = { ...DEFAULT_DEMO_SIZES, ...options.sizes };
  const ctx = demoContext(seed, options.today ?? new Date().toISOString().slice(0, 10));
  const districts = demoDistricts();
  const maintenanceCompanies = demoMaintenanceCompanies(ctx, sizes.maintenanceCompanies);
  const units = demoUnits(ctx, sizes.units);
  const devices = [...demoElevators(ctx, units, maintenanceCompanies, sizes.elevators), ...demoBoilers(ctx, units, sizes.boilers)];
  const { kitchens, cameras } = demoKitchens(ctx, sizes.kitchens, units);
  const users = demoUsers(ctx, units, maintenanceCompanies, sizes.inspectors);
  return { seed, districts, units: units.map(({ profile: _, ...u }) => u), maintenanceCompanies, devices, kitchens, cameras, users };
}

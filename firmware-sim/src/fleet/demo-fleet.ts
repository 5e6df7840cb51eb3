import { demoSecret } from '@tianwang/core/crypto';
import { OperationalError } from '@tianwang/core/errors';
import type { DeviceSpec } from '../terminal/device-spec.js';

export { demoSecret };

/**
 * The shape we read from the registry's demo generator (`generateDemoDistrict(seed)` in @tianwang/core/demo).
 * Kept loose on purpose: we only need ids, kinds, names and nameplate data, wherever they sit.
 */
interface DemoRecord {
  id: string;
  kind?: string;
  name?: string;
  rated?: { ratedSpeed?: number; floors?: number; ratedPressure?: number };
  ratedSpeed?: number;
  floors?: number;
  ratedPressure?: number;
  kitchenId?: string;
  area?: string;
  mode?: string;
}
interface DemoDistrict {
  devices: DemoRecord[];
  kitchens?: DemoRecord[];
  cameras?: DemoRecord[];
}

export interface DemoCamera {
  id: string;
  secret: string;
  kitchenName: string;
  area: string;
  mode: 'push' | 'pull';
}

async function loadDistrict(seed: number): Promise<DemoDistrict> {
  // a variable specifier: the module is the lead's, and this package must build while it is being written
  const specifier = '@tianwang/core/demo';
  let mod: { generateDemoDistrict?: (seed: number) => DemoDistrict | Promise<DemoDistrict> };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (err) {
    throw new OperationalError('TW_DEPENDENCY_UNAVAILABLE', `the demo district generator (@tianwang/core/demo) is not available: ${(err as Error).message}`);
  }
  if (typeof mod.generateDemoDistrict !== 'function') {
    throw new OperationalError('TW_DEPENDENCY_UNAVAILABLE', '@tianwang/core/demo does not export generateDemoDistrict(seed)');
  }
  return await mod.generateDemoDistrict(seed);
}

/** The registry's demo district: every elevator and boiler, with the secret the registry derives for it. */
export async function demoFleet(seed: number): Promise<DeviceSpec[]> {
  const district = await loadDistrict(seed);
  return district.devices
    .filter((d) => d.kind === 'elevator' || d.kind === 'boiler')
    .map((d) => {
      const spec: DeviceSpec = { id: d.id, kind: d.kind as DeviceSpec['kind'], secret: demoSecret(seed, 'device', d.id) };
      const floors = d.rated?.floors ?? d.floors;
      const ratedSpeed = d.rated?.ratedSpeed ?? d.ratedSpeed;
      const ratedPressure = d.rated?.ratedPressure ?? d.ratedPressure;
      if (floors) spec.floors = floors;
      if (ratedSpeed) spec.ratedSpeed = ratedSpeed;
      if (ratedPressure) spec.ratedPressure = ratedPressure;
      if (d.name) spec.label = d.name;
      return spec;
    });
}

/** The demo district's kitchen cameras with their publish credentials. */
export async function demoCameras(seed: number): Promise<DemoCamera[]> {
  const district = await loadDistrict(seed);
  const kitchens = new Map((district.kitchens ?? []).map((k) => [k.id, k.name ?? k.id]));
  return (district.cameras ?? []).map((c) => ({
    id: c.id,
    secret: demoSecret(seed, 'camera', c.id),
    kitchenName: kitchens.get(c.kitchenId ?? '') ?? c.kitchenId ?? 'kitchen',
    area: c.name ?? c.area ?? 'kitchen',
    mode: c.mode === 'pull' ? 'pull' : 'push',
  }));
}

import { demoSecret } from '@tianwang/core/crypto';
import type { DemoDistrict } from '@tianwang/core/demo';
import type { CameraSpec } from '../cameras/camera-args.js';
import type { DeviceSpec } from '../terminal/device-spec.js';

export { demoSecret };

/**
 * The one adapter from the registry's demo district (`generateDemoDistrict(seed)`, @tianwang/core/demo) to what the
 * simulator drives: used by the CLI (`--from-demo`) and by the all-in-one platform (platform/src/demo-fleet.ts).
 */

/** The district's elevators and boilers as terminals, with their seed-derived secrets and nameplate data. */
export function demoDeviceSpecs(demo: DemoDistrict): DeviceSpec[] {
  return demo.devices.map((d) => {
    const spec: DeviceSpec = { id: d.id, kind: d.kind, secret: d.secret, label: d.name };
    if (d.rated.floors) spec.floors = d.rated.floors;
    if (d.rated.ratedSpeed) spec.ratedSpeed = d.rated.ratedSpeed;
    if (d.rated.ratedPressure) spec.ratedPressure = d.rated.ratedPressure;
    return spec;
  });
}

/** The district's kitchen cameras as simulated cameras (kitchen name and area drawn on the picture). */
export function demoCameraSpecs(demo: DemoDistrict): CameraSpec[] {
  const kitchens = new Map(demo.kitchens.map((k) => [k.id, k.name]));
  return demo.cameras.map((c) => ({ id: c.id, secret: c.secret, kitchenName: kitchens.get(c.kitchenId) ?? c.kitchenId, area: c.name, mode: c.mode }));
}

// loaded when asked for: the generator (and the registry types behind it) only for `--from-demo`
const generate = async (seed: number): Promise<DemoDistrict> => (await import('@tianwang/core/demo')).generateDemoDistrict(seed);

/** The demo district of `seed`: every elevator and boiler as a terminal. */
export async function demoFleet(seed: number): Promise<DeviceSpec[]> {
  return demoDeviceSpecs(await generate(seed));
}

/** The demo district of `seed`: its kitchen cameras with their publish credentials. */
export async function demoCameras(seed: number): Promise<CameraSpec[]> {
  return demoCameraSpecs(await generate(seed));
}

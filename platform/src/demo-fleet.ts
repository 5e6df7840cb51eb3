import type { DemoDistrict } from '@tianwang/core/demo';
import type { CameraSpec, DeviceSpec } from '@tianwang/firmware-sim';

/** The demo district's devices as simulator terminals, with their seed-derived secrets and nameplate data. */
export function demoDeviceSpecs(demo: DemoDistrict): DeviceSpec[] {
  return demo.devices.map((d) => {
    const spec: DeviceSpec = { id: d.id, kind: d.kind, secret: d.secret, label: d.name };
    if (d.rated.floors) spec.floors = d.rated.floors;
    if (d.rated.ratedSpeed) spec.ratedSpeed = d.rated.ratedSpeed;
    if (d.rated.ratedPressure) spec.ratedPressure = d.rated.ratedPressure;
    return spec;
  });
}

/** The demo district's cameras as simulated cameras (kitchen name and area drawn on the picture). */
export function demoCameraSpecs(demo: DemoDistrict): CameraSpec[] {
  const kitchens = new Map(demo.kitchens.map((k) => [k.id, k.name]));
  return demo.cameras.map((c) => ({ id: c.id, secret: c.secret, kitchenName: kitchens.get(c.kitchenId) ?? c.kitchenId, area: c.name, mode: c.mode }));
}

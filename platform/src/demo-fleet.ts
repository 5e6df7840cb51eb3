import type { Registry } from '@tianwang/core/registry';
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

/** The port of the simulator's RTSP server: the demo generator's pull cameras point at it. */
export const DEMO_RTSP_PORT = 8554;

/** `count` cameras to simulate: push cameras, and one pull camera among them once there are two or more. */
export function pickDemoCameras(demo: DemoDistrict, count: number): CameraSpec[] {
  if (count <= 0) return [];
  const specs = demoCameraSpecs(demo);
  const pull = count >= 2 ? specs.filter((c) => c.mode === 'pull').slice(0, 1) : [];
  const push = specs.filter((c) => c.mode === 'push').slice(0, count - pull.length);
  return [...push, ...pull];
}

/** Disables every camera but the simulated ones; returns how many were disabled. */
export async function disableOtherCameras(registry: Registry, keep: string[]): Promise<number> {
  const rows = await registry.db.query<{ id: string }>('UPDATE cameras SET enabled = (id = ANY($1::text[])) WHERE enabled <> (id = ANY($1::text[])) RETURNING id, enabled', [keep]);
  return rows.filter((r) => !keep.includes(r.id)).length;
}

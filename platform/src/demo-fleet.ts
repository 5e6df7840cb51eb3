import type { Registry } from '@tianwang/core/registry';
import type { DemoDistrict } from '@tianwang/core/demo';
import { demoCameraSpecs, demoDeviceSpecs, type CameraSpec } from '@tianwang/firmware-sim';

// the adapter from the demo district to the simulator's specs is firmware-sim's (one for the CLI and the platform)
export { demoDeviceSpecs, demoCameraSpecs };

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

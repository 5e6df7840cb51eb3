import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateDemoDistrict, loadDemoDistrict, type DemoCamera } from '@tianwang/core/demo';
import { openRegistry } from '@tianwang/core/registry';

/**
 * The soak's district: the demo generator at the requested size (units with officers, principals, inspectors,
 * maintenance companies, 9 elevators to 1 boiler), written into PostgreSQL, and the same devices as a file for
 * the simulator. Calendar dates are made current (nothing overdue) so the SMS seen are the ones the fault
 * schedule causes; cameras are push cameras in kitchens open to the public all day, so players need no login
 * and get a live grant at any hour.
 */
export interface SoakFleet {
  devicesFile: string;
  elevators: string[];
  boilers: string[];
  cameraIds: string[];
  cameraSecret: string;
  kitchenIds: string[];
  /** the public page codes of those kitchens (/k/<code>): players ask for their live grant there */
  kitchenCodes: string[];
}

export const CAMERA_PREFIX = 'SOAKCAM';

export async function seedFleet(o: { databaseUrl: string; secretKey: string; devices: number; cameras: number; dir: string }): Promise<SoakFleet> {
  const elevators = Math.max(1, Math.round(o.devices * 0.9));
  const boilers = Math.max(1, o.devices - elevators);
  const today = new Date().toISOString().slice(0, 10);
  const kitchens = Math.max(1, Math.ceil(o.cameras / 2));
  const demo = generateDemoDistrict(7, { today, sizes: { units: Math.max(4, Math.ceil(o.devices / 50)), elevators, boilers, kitchens, inspectors: 2 } });
  const later = new Date(Date.now() + 300 * 86_400_000).toISOString().slice(0, 10);
  for (const d of demo.devices) Object.assign(d, { lastMaintenanceOn: today, inspectionValidUntil: later });
  // open around the clock (start = end): a run at any hour gets live grants
  for (const k of demo.kitchens) Object.assign(k, { publicViewing: true, businessHours: '00:00-00:00' });
  const cameraSecret = 'soak-camera-publish';
  demo.cameras = Array.from({ length: o.cameras }, (_, i): DemoCamera => {
    const id = `${CAMERA_PREFIX}-${String(i + 1).padStart(4, '0')}`;
    return { id, kitchenId: demo.kitchens[i % kitchens]!.id, area: 'cooking', name: `烹饪区${i + 1}`, mode: 'push', sourceUrl: null, recordingEnabled: false, recordingHours: null, enabled: true, secret: cameraSecret };
  });
  const kitchenIds = [...new Set(demo.cameras.map((c) => c.kitchenId))];
  const registry = await openRegistry({ databaseUrl: o.databaseUrl });
  let kitchenCodes: string[];
  try {
    await loadDemoDistrict(registry, demo, { masterSecret: o.secretKey });
    const rows = await registry.db.query<{ id: string; public_code: string }>('SELECT id, public_code FROM kitchens WHERE id = ANY($1)', [kitchenIds]);
    kitchenCodes = kitchenIds.map((id) => rows.find((r) => r.id === id)!.public_code);
  } finally {
    await registry.close();
  }
  const devicesFile = join(o.dir, 'devices.json');
  // the simulated terminals must have the rated values the registry has: the rules judge overspeed against the
  // registry's rated speed (a 1.0 m/s lift simulated at the default 1.75 m/s is an overspeed alarm every trip)
  const rated = (d: (typeof demo.devices)[number]) => d.rated as { floors?: number; ratedSpeed?: number; ratedPressure?: number };
  await writeFile(
    devicesFile,
    JSON.stringify(demo.devices.map((d) => ({ id: d.id, kind: d.kind, secret: d.secret, ...(d.kind === 'elevator' ? { floors: rated(d).floors, ratedSpeed: rated(d).ratedSpeed } : { ratedPressure: rated(d).ratedPressure }) }))),
  );
  return {
    devicesFile,
    elevators: demo.devices.filter((d) => d.kind === 'elevator').map((d) => d.id),
    boilers: demo.devices.filter((d) => d.kind === 'boiler').map((d) => d.id),
    cameraIds: demo.cameras.map((c) => c.id),
    cameraSecret,
    kitchenIds,
    kitchenCodes,
  };
}

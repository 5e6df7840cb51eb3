import { demoSecret } from '../crypto/secrets.js';
import type { Kitchen } from '../registry/types.js';
import { pad, REGION, type DemoContext } from './context.js';
import { CAMERA_AREAS, CANTEENS, ESTATES, RESTAURANTS, ROADS } from './names.js';
import type { DemoCamera, DemoUnit } from './types.js';

/** Every sixth kitchen is a canteen: daytime hours, never shown to the public. */
export const isCanteen = (index: number) => index % 6 === 5;

/** Kitchens with 1–3 cameras each (~20% pulled over RTSP, the rest pushing RTMP). */
export function demoKitchens(ctx: DemoContext, count: number, units: DemoUnit[]): { kitchens: Kitchen[]; cameras: DemoCamera[] } {
  const { rnd } = ctx;
  const kitchens: Kitchen[] = [];
  const cameras: DemoCamera[] = [];
  for (let k = 0; k < count; k++) {
    const canteen = isCanteen(k);
    const id = `K-${pad(k + 1, 3)}`;
    // a canteen is run by a using unit (the first by unit1's): it is in that unit's scope and its grid
    const owner = canteen ? units[Math.floor(k / 6) % units.length] : undefined;
    const name = canteen ? `${rnd.pick(ESTATES)}${CANTEENS[k % CANTEENS.length]}` : `${rnd.pick(ESTATES)}${RESTAURANTS[k % RESTAURANTS.length]}`;
    kitchens.push({
      id,
      name,
      licenceNo: `JY1${REGION}${rnd.digits(7)}`,
      address: `示范区${rnd.pick(ROADS)}${rnd.int(1, 999)}号`,
      districtId: owner?.districtId ?? `G-${(k % 4) + 1}`,
      riskClass: rnd.pick(['A', 'B', 'B', 'C', 'C', 'D'] as const),
      contactName: ctx.person(),
      contactPhone: ctx.phone(),
      businessHours: canteen ? '06:00-19:00' : rnd.pick(['09:00-21:00', '10:00-22:00', '06:30-14:00']),
      publicViewing: !canteen && rnd.chance(0.7),
      unitId: owner?.id ?? null,
    });
    const cameraCount = rnd.int(1, 3);
    for (let c = 0; c < cameraCount; c++) cameras.push(demoCamera(ctx, id, `CAM-${pad(k + 1, 3)}-${c + 1}`, c));
  }
  return { kitchens, cameras };
}

function demoCamera(ctx: DemoContext, kitchenId: string, camId: string, index: number): DemoCamera {
  const area = CAMERA_AREAS[index % CAMERA_AREAS.length]!;
  const pull = ctx.rnd.chance(0.2);
  const secret = demoSecret(ctx.seed, 'camera', camId);
  return {
    id: camId,
    kitchenId,
    area: area.area,
    name: area.zh,
    mode: pull ? 'pull' : 'push',
    // a pull camera's RTSP URL carries its password, as real ones do: it is stored sealed, never shown
    sourceUrl: pull ? `rtsp://${camId}:${secret}@127.0.0.1:8554/${camId}` : null,
    recordingEnabled: true,
    recordingHours: null,
    enabled: true,
    secret,
  };
}

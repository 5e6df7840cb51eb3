import { describe, expect, it } from 'vitest';
import { generateDemoDistrict } from '@tianwang/core/demo';
import { demoCameras, demoFleet, demoSecret } from '../src/index.js';

// The one adapter from the demo district to the simulator (the CLI's --from-demo and the all-in-one platform).
describe('demo fleet', () => {
  it('drives every device of the district with the secret the registry derives and its nameplate data', async () => {
    const demo = generateDemoDistrict(7);
    const fleet = await demoFleet(7);
    expect(fleet.map((d) => d.id)).toEqual(demo.devices.map((d) => d.id));
    for (const spec of fleet) expect(spec.secret).toBe(demoSecret(7, 'device', spec.id));
    const elevator = fleet.find((d) => d.kind === 'elevator')!;
    const source = demo.devices.find((d) => d.id === elevator.id)!;
    expect(elevator).toMatchObject({ label: source.name, floors: source.rated.floors, ratedSpeed: source.rated.ratedSpeed });
    expect(fleet.find((d) => d.kind === 'boiler')?.ratedPressure).toBeGreaterThan(0);
  });

  it('publishes every camera with its credential, kitchen name and area', async () => {
    const demo = generateDemoDistrict(7);
    const cameras = await demoCameras(7);
    expect(cameras).toHaveLength(demo.cameras.length);
    const first = cameras[0]!;
    expect(first.secret).toBe(demoSecret(7, 'camera', first.id));
    expect(first.kitchenName).toBe(demo.kitchens.find((k) => k.id === demo.cameras[0]!.kitchenId)!.name);
  });
});

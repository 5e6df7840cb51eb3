import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSessionToken } from '@tianwang/core/crypto';
import { withinDistrict } from '../src/http/district-scope.js';
import { SECRET_KEY, cameraRow, startFixture, type Fixture } from './helpers/relay-fixture.js';

// Inspectors belong to a district; kitchens sit in its grids. Scope walks the district tree
// (district → grids), it does not compare the kitchen's node with the inspector's.
let f: Fixture;

beforeAll(async () => {
  f = await startFixture({
    districts: [
      { id: 'd1-g1', parentId: 'd1' },
      { id: 'd1-g2', parentId: 'd1' },
    ],
    kitchens: [{ id: 'k-grid', districtId: 'd1-g1' }],
    cameras: [cameraRow('cam-grid', 'k-grid'), cameraRow('cam-priv', 'k-priv')],
  });
});

afterAll(async () => {
  await f?.stop();
});

const inspector = (district: string | null) => issueSessionToken(SECRET_KEY, { sub: `u-${district}`, role: 'inspector', district });
async function status(token: string, camera: string): Promise<number[]> {
  const auth = { authorization: `Bearer ${token}` };
  const urls = await fetch(`${f.base}/api/play-urls`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ camera }) });
  const health = await fetch(`${f.base}/api/cameras/${camera}/health`, { headers: auth });
  const recordings = await fetch(`${f.base}/api/cameras/${camera}/recordings?from=1000&to=2000`, { headers: auth });
  return [urls.status, health.status, recordings.status];
}

describe('inspector camera scope', () => {
  it('lets the district inspector and the grid inspector see a camera of a kitchen in the grid', async () => {
    // recordings: 404 because nothing was recorded in that range, not because of scope
    expect(await status(inspector('d1'), 'cam-grid')).toEqual([200, 200, 404]);
    expect(await status(inspector('d1-g1'), 'cam-grid')).toEqual([200, 200, 404]);
  });

  it('answers 404 to inspectors of another grid or district, and to an inspector without a district', async () => {
    for (const token of [inspector('d1-g2'), inspector('d2'), inspector(null)]) expect(await status(token, 'cam-grid')).toEqual([404, 404, 404]);
    expect(await status(inspector('d1'), 'cam-priv')).toEqual([404, 404, 404]);
  });

  it('walks up a bounded number of levels and survives a cycle', () => {
    const parents = new Map<string, string | null>([['a', null], ['b', 'a'], ['c', 'b'], ['x', 'y'], ['y', 'x']]);
    expect(withinDistrict(parents, 'c', 'a')).toBe(true);
    expect(withinDistrict(parents, 'a', 'c')).toBe(false);
    expect(withinDistrict(parents, 'x', 'a')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_ELEVATOR, DOOR_ZONE_M, floorLabel, inDoorZone, nearestLanding } from '../src/models/elevator-shaft.js';

describe('elevator shaft geometry', () => {
  const p = { ...DEFAULT_ELEVATOR, floors: 5, lowestFloor: -1, floorHeight: 3 };

  it('labels landings without a floor 0 below ground (-1, 1, 2 …), and from 1 without a basement', () => {
    expect([0, 1, 2, 4].map((i) => floorLabel(p, i))).toEqual([-1, 1, 2, 4]);
    expect([0, 1].map((i) => floorLabel({ ...p, lowestFloor: 1 }, i))).toEqual([1, 2]);
  });

  it('finds the nearest landing within the shaft and the door zone around it', () => {
    expect(nearestLanding(p, 4.4)).toBe(1);
    expect(nearestLanding(p, 100)).toBe(4);
    expect(nearestLanding(p, -5)).toBe(0);
    expect(inDoorZone(p, 3 + DOOR_ZONE_M)).toBe(true);
    expect(inDoorZone(p, 3 - DOOR_ZONE_M - 0.01)).toBe(false);
  });
});

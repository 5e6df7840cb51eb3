/**
 * The shaft an elevator model moves in: its parameters (floors, speeds, door times) and the pure geometry of
 * landings, door zone and floor labels (elevator-model.ts is the car's behaviour in it).
 */
export interface ElevatorParams {
  /** number of served floors */
  floors: number;
  /** label of the lowest floor (-1 for one basement; floor 0 is skipped, as in Chinese buildings) */
  lowestFloor: number;
  /** m/s */
  ratedSpeed: number;
  /** m/s², comfortable acceleration and deceleration */
  acceleration: number;
  /** m */
  floorHeight: number;
  /** opening or closing the doors, ms */
  doorMovingMs: number;
  /** doors stay open for boarding, ms */
  dwellMs: number;
  /** mean idle time between calls, ms */
  meanIdleMs: number;
}

export const DEFAULT_ELEVATOR: ElevatorParams = {
  floors: 18,
  lowestFloor: -1,
  ratedSpeed: 1.75,
  acceleration: 0.9,
  floorHeight: 3.2,
  doorMovingMs: 2500,
  dwellMs: 4000,
  meanIdleMs: 15_000,
};

/** the door zone: ± this far from a landing the doors may open (about the GB 7588 unlocking zone) */
export const DOOR_ZONE_M = 0.15;
/** speed the car creeps at when re-levelling or in inspection / rescue operation */
export const CREEP_SPEED = 0.3;

/** The landing nearest to the car at `pos` metres above the lowest one (index from 0). */
export function nearestLanding(p: ElevatorParams, pos: number): number {
  const i = Math.round(pos / p.floorHeight);
  return Math.max(0, Math.min(p.floors - 1, i));
}

/** Whether the car at `pos` is within the door zone of its nearest landing (widened by `marginM`). */
export function inDoorZone(p: ElevatorParams, pos: number, marginM = 0): boolean {
  return Math.abs(pos - nearestLanding(p, pos) * p.floorHeight) <= DOOR_ZONE_M + marginM;
}

/** The floor a landing index is called by: floor 0 is skipped below ground, as in Chinese buildings (-1, 1, 2 …). */
export function floorLabel(p: ElevatorParams, index: number): number {
  const label = p.lowestFloor + index;
  return p.lowestFloor < 0 && label >= 0 ? label + 1 : label;
}

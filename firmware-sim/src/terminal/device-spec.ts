import type { DeviceKind } from '@tianwang/core/schemas';

/** One simulated terminal: who it is, how it logs in, and the nameplate data its model needs. */
export interface DeviceSpec {
  id: string;
  kind: DeviceKind;
  /** MQTT password (username and clientId are the device id) */
  secret: string;
  /** elevator: served floors, lowest floor label, rated speed (m/s) */
  floors?: number;
  lowestFloor?: number;
  ratedSpeed?: number;
  /** boiler: rated pressure (MPa) */
  ratedPressure?: number;
  /** shown by GET /devices; e.g. the using unit's name */
  label?: string;
}

/** Shapes of the API answers the app reads (docs/dashboard.md is the contract). */
export type Role = 'admin' | 'inspector' | 'unit' | 'maintenance';
export type DeviceKind = 'elevator' | 'boiler';

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  districtId: string | null;
  unitId: string | null;
  maintenanceCompanyId: string | null;
}

export interface Me {
  user: User;
  csrfToken: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total?: number;
}

export interface District {
  id: string;
  name: string;
  kind: 'district' | 'grid';
  parentId: string | null;
}

/** Latest telemetry as core's schemas name it; either kind's fields, all optional on the board. */
export interface Telemetry {
  ts?: number;
  floor?: number;
  direction?: 'up' | 'down' | 'stop';
  speed?: number;
  door?: 'open' | 'closed' | 'opening' | 'closing';
  doorZone?: boolean;
  passenger?: boolean;
  mode?: number;
  power?: 'mains' | 'battery' | 'off';
  load?: number;
  runCount?: number;
  runHours?: number;
  pressure?: number;
  waterLevel?: number;
  steamTemp?: number;
  flueTemp?: number;
  feedWaterTemp?: number;
  burner?: 'off' | 'ignition' | 'running';
  flame?: boolean;
  fan?: boolean;
  feedPump?: boolean;
  fuelPressure?: number;
  operatorOnDuty?: boolean;
}

/** A board row: `GET /api/v1/devices` item and the payload of a live `device` event. */
export interface BoardRow {
  id: string;
  kind: DeviceKind;
  registrationCode: string;
  name: string;
  location: string;
  unitId: string;
  unitName: string;
  districtId: string;
  districtName: string;
  maintenanceCompanyId: string | null;
  enabled: boolean;
  online: boolean | null;
  onlineSince: number | null;
  lastSeen: number | null;
  telemetry: Telemetry | null;
  activeEvents: string[];
  telemetryTs: number | null;
  activeAlarms: number;
  maintenanceOverdue: boolean;
  inspectionExpiring: boolean;
  inspectionExpired: boolean;
}

export interface UnitRow {
  id: string;
  name: string;
  districtId: string;
  [k: string]: unknown;
}

export interface Rated {
  ratedSpeed?: number;
  ratedLoad?: number;
  floors?: number;
  ratedPressure?: number;
  ratedCapacity?: number;
  safetyValveSet?: number;
}

/** `GET /api/v1/devices/:id`: the device file (一梯一档 / 一炉一档). */
export interface DeviceFile {
  device: {
    id: string;
    kind: DeviceKind;
    registrationCode: string;
    name: string;
    location: string;
    model: string;
    rated: Rated;
    telemetryIntervalS: number;
    lastMaintenanceOn: string | null;
    inspectionValidUntil: string | null;
    enabled: boolean;
  };
  unit: {
    id: string;
    name: string;
    creditCode: string;
    address: string;
    districtId: string;
    districtName: string;
    safetyOfficerName: string;
    safetyOfficerPhone: string;
    principalName: string;
    principalPhone: string;
  };
  maintenanceCompany: { id: string; name: string; contactName: string; contactPhone: string; emergencyPhone: string } | null;
  /** the live state, as a board row (null before the live board has read the device) */
  live: BoardRow | null;
  counts: { activeAlarms: number; alarms: number; notifications: number; maintenanceRecords: number; inspectionRecords: number };
}

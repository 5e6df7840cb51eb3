/**
 * Shapes of the API answers the app reads. The server's own types are the source where they exist (type-only
 * imports, erased from the bundle): a changed row or user shape is then a compile error here, not a blank cell.
 */
import type { BoilerRated, Device, District as ServerDistrict, ElevatorRated, Role as ServerRole } from '@tianwang/core/registry';
import type { BoilerTelemetry, DeviceKind as ServerKind, ElevatorTelemetry } from '@tianwang/core/schemas';
import type { Page as ServerPage } from '../../../src/api/list';
import type { SessionUser } from '../../../src/auth/sessions';
import type { BoardRow as ServerBoardRow } from '../../../src/live/board-row';

export type Role = ServerRole;
export type DeviceKind = ServerKind;
export type User = SessionUser;

export interface Me {
  user: User;
  csrfToken: string;
}

export type Page<T> = ServerPage<T>;
export type District = ServerDistrict;

/** Latest telemetry as core's payload schemas name it; either kind's fields, all optional on the board. */
export type Telemetry = Partial<Omit<ElevatorTelemetry, 'seq'> & Omit<BoilerTelemetry, 'seq'>>;

/** A board row: `GET /api/v1/devices` item and what a live `patch` patches (telemetry typed by kind). */
export type BoardRow = Omit<ServerBoardRow, 'telemetry'> & { telemetry: Telemetry | null };

export interface UnitRow {
  id: string;
  name: string;
  districtId: string;
  [k: string]: unknown;
}

export type Rated = Partial<ElevatorRated & BoilerRated>;

/** `GET /api/v1/devices/:id`: the device file (一梯一档 / 一炉一档). */
export interface DeviceFile {
  device: Omit<Device, 'unitId' | 'maintenanceCompanyId'>;
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

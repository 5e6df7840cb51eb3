import { NotFoundError } from '../../errors/index.js';
import type { DeviceKind } from '../../schemas/device-kind.js';
import { one, type Queryable } from '../db.js';
import { assertRegistryId } from '../ids.js';
import { camelRow, camelRows } from '../rows.js';
import type { Device, DeviceAuth } from '../types.js';

const COLUMNS =
  'id, kind, registration_code, name, location, unit_id, maintenance_company_id, model, rated, telemetry_interval_s, last_maintenance_on, inspection_valid_until, enabled';
const DATES = ['last_maintenance_on', 'inspection_valid_until'] as const;

export interface NewDevice extends Omit<Device, 'enabled'> {
  enabled?: boolean;
  credentialHash?: string | null;
}

/** A device with its unit's contacts and district, as the alerts engine and dashboard show it. */
export interface DeviceContext extends Device {
  unitName: string;
  districtId: string;
  safetyOfficerName: string;
  safetyOfficerPhone: string;
  principalName: string;
  principalPhone: string;
  maintenanceCompanyName: string | null;
  maintenanceEmergencyPhone: string | null;
  /** the company's contact (a mobile): the maintenance SMS goes here when the emergency line takes no SMS */
  maintenanceContactPhone: string | null;
}

export function deviceQueries(db: Queryable) {
  return {
    async upsert(d: NewDevice): Promise<void> {
      assertRegistryId('device id', d.id);
      await db.query(
        `INSERT INTO devices (${COLUMNS}, credential_hash, credential_rotated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, CASE WHEN $14::text IS NULL THEN NULL ELSE now() END)
         ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, registration_code = EXCLUDED.registration_code, name = EXCLUDED.name,
           location = EXCLUDED.location, unit_id = EXCLUDED.unit_id, maintenance_company_id = EXCLUDED.maintenance_company_id,
           model = EXCLUDED.model, rated = EXCLUDED.rated, telemetry_interval_s = EXCLUDED.telemetry_interval_s,
           last_maintenance_on = EXCLUDED.last_maintenance_on, inspection_valid_until = EXCLUDED.inspection_valid_until,
           enabled = EXCLUDED.enabled,
           credential_hash = COALESCE(EXCLUDED.credential_hash, devices.credential_hash),
           credential_rotated_at = COALESCE(EXCLUDED.credential_rotated_at, devices.credential_rotated_at),
           updated_at = now()`,
        [
          d.id, d.kind, d.registrationCode, d.name, d.location, d.unitId, d.maintenanceCompanyId, d.model, JSON.stringify(d.rated),
          d.telemetryIntervalS, d.lastMaintenanceOn, d.inspectionValidUntil, d.enabled ?? true, d.credentialHash ?? null,
        ],
      );
    },
    async get(id: string): Promise<Device> {
      const row = await one<Record<string, unknown>>(db, `SELECT ${COLUMNS} FROM devices WHERE id = $1`, [id]);
      if (!row) throw new NotFoundError(`device ${id}`);
      return camelRow<Device>(row, DATES);
    },
    async list(filter: { unitId?: string; kind?: DeviceKind; districtId?: string } = {}): Promise<Device[]> {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT ${COLUMNS.split(', ').map((c) => `d.${c}`).join(', ')} FROM devices d JOIN units u ON u.id = d.unit_id
         WHERE ($1::text IS NULL OR d.unit_id = $1) AND ($2::text IS NULL OR d.kind = $2) AND ($3::text IS NULL OR u.district_id = $3)
         ORDER BY d.id`,
        [filter.unitId ?? null, filter.kind ?? null, filter.districtId ?? null],
      );
      return camelRows<Device>(rows, DATES);
    },
    /** The broker's and ingest's lookup: one indexed row, no secrets beyond the hash. */
    async getAuth(id: string): Promise<DeviceAuth | undefined> {
      const row = await one<Record<string, unknown>>(
        db,
        `SELECT d.id, d.kind, d.enabled, d.credential_hash, d.unit_id, u.district_id FROM devices d JOIN units u ON u.id = d.unit_id WHERE d.id = $1`,
        [id],
      );
      return row ? camelRow<DeviceAuth>(row) : undefined;
    },
    /** Bulk variant for caches that warm up at start. */
    async listAuth(): Promise<DeviceAuth[]> {
      const rows = await db.query<Record<string, unknown>>(
        'SELECT d.id, d.kind, d.enabled, d.credential_hash, d.unit_id, u.district_id FROM devices d JOIN units u ON u.id = d.unit_id',
      );
      return camelRows<DeviceAuth>(rows);
    },
    async context(id: string): Promise<DeviceContext> {
      const row = await one<Record<string, unknown>>(
        db,
        `SELECT ${COLUMNS.split(', ').map((c) => `d.${c}`).join(', ')}, u.name AS unit_name, u.district_id,
           u.safety_officer_name, u.safety_officer_phone, u.principal_name, u.principal_phone,
           m.name AS maintenance_company_name, m.emergency_phone AS maintenance_emergency_phone, m.contact_phone AS maintenance_contact_phone
         FROM devices d JOIN units u ON u.id = d.unit_id LEFT JOIN maintenance_companies m ON m.id = d.maintenance_company_id
         WHERE d.id = $1`,
        [id],
      );
      if (!row) throw new NotFoundError(`device ${id}`);
      return camelRow<DeviceContext>(row, DATES);
    },
    async setCredential(id: string, credentialHash: string | null): Promise<void> {
      const rows = await db.query('UPDATE devices SET credential_hash = $2, credential_rotated_at = now(), updated_at = now() WHERE id = $1 RETURNING id', [id, credentialHash]);
      if (!rows.length) throw new NotFoundError(`device ${id}`);
    },
    async setEnabled(id: string, enabled: boolean): Promise<void> {
      const rows = await db.query('UPDATE devices SET enabled = $2, updated_at = now() WHERE id = $1 RETURNING id', [id, enabled]);
      if (!rows.length) throw new NotFoundError(`device ${id}`);
    },
    async recordMaintenance(id: string, on: string): Promise<void> {
      const rows = await db.query('UPDATE devices SET last_maintenance_on = $2, updated_at = now() WHERE id = $1 RETURNING id', [id, on]);
      if (!rows.length) throw new NotFoundError(`device ${id}`);
    },
    /** Devices whose maintenance is older than `maxAgeDays` or whose inspection expires before `expiresBefore` (calendar rules). */
    async listCalendarDue(today: string, maxAgeDays: number, expiringWithinDays: number): Promise<Device[]> {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT ${COLUMNS} FROM devices WHERE enabled AND (
           last_maintenance_on IS NULL OR last_maintenance_on < $1::date - $2::int
           OR inspection_valid_until IS NULL OR inspection_valid_until < $1::date + $3::int)
         ORDER BY id`,
        [today, maxAgeDays, expiringWithinDays],
      );
      return camelRows<Device>(rows, DATES);
    },
    async count(): Promise<number> {
      const row = await one<{ n: number }>(db, 'SELECT count(*)::int AS n FROM devices');
      return row?.n ?? 0;
    },
  };
}

import type { Queryable } from '@tianwang/core/registry';
import { toDateString } from '@tianwang/core/registry';
import type { RegistryRow } from './board-row.js';

/**
 * Every device with what the board shows of its registry record: unit, district, maintenance company, the
 * calendar dates and the number of active (not closed) alarms. One query; 5,000 devices read in tens of ms.
 * The active alarm count uses the partial index alarms_one_active (subject_id, type) WHERE status <> 'closed'.
 */
export async function loadRegistryRows(db: Queryable): Promise<RegistryRow[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT d.id, d.kind, d.registration_code, d.name, d.location, d.unit_id, u.name AS unit_name, u.district_id, dt.name AS district_name,
            d.maintenance_company_id, d.enabled, d.last_maintenance_on, d.inspection_valid_until, COALESCE(a.n, 0)::int AS active_alarms
       FROM devices d
       JOIN units u ON u.id = d.unit_id
       JOIN districts dt ON dt.id = u.district_id
       LEFT JOIN (SELECT subject_id, count(*)::int AS n FROM alarms WHERE status <> 'closed' AND subject_type = 'device' GROUP BY subject_id) a ON a.subject_id = d.id`,
  );
  return rows.map((r) => ({
    id: r.id as string,
    kind: r.kind as RegistryRow['kind'],
    registrationCode: r.registration_code as string,
    name: r.name as string,
    location: r.location as string,
    unitId: r.unit_id as string,
    unitName: r.unit_name as string,
    districtId: r.district_id as string,
    districtName: r.district_name as string,
    maintenanceCompanyId: (r.maintenance_company_id as string | null) ?? null,
    enabled: r.enabled as boolean,
    lastMaintenanceOn: toDateString(r.last_maintenance_on),
    inspectionValidUntil: toDateString(r.inspection_valid_until),
    activeAlarms: Number(r.active_alarms),
  }));
}

/** Active (not closed) alarms per device: the part of the board's registry data that changes often. */
export async function loadActiveAlarmCounts(db: Queryable): Promise<Map<string, number>> {
  const rows = await db.query<{ id: string; n: number }>(
    `SELECT subject_id AS id, count(*)::int AS n FROM alarms WHERE status <> 'closed' AND subject_type = 'device' GROUP BY subject_id`,
  );
  return new Map(rows.map((r) => [r.id, Number(r.n)]));
}

/**
 * A cheap fingerprint of what the board shows from the registry besides alarm counts: the number of devices and
 * units and their latest change. Reading every row of 5,000 devices costs PGlite ~200 ms of the event loop, so the
 * board reads them only when this moves (or every few minutes, for district names and the calendar's day).
 */
export async function registryFingerprint(db: Queryable): Promise<string> {
  const [r] = await db.query<{ v: string }>(
    `SELECT (SELECT count(*) || ':' || COALESCE(max(updated_at)::text, '') FROM devices) || '|' || (SELECT count(*) || ':' || COALESCE(max(updated_at)::text, '') FROM units) AS v`,
  );
  return r?.v ?? '';
}

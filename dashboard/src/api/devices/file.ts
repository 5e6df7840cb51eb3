import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '@tianwang/core/errors';
import { toDateString } from '@tianwang/core/registry';
import { SqlParams, scopeSql } from '../../auth/sql-scope.js';
import { BoardRowSchema } from '../../live/board-row.js';
import { scopeOf, type ApiContext } from '../context.js';
import { route } from '../route.js';
import { IdParams } from '../schema.js';

const DeviceFile = z.object({
  device: z.object({
    id: z.string(), kind: z.enum(['elevator', 'boiler']), registrationCode: z.string(), name: z.string(), location: z.string(), model: z.string(),
    rated: z.record(z.string(), z.number()).meta({ description: 'elevator {ratedSpeed m/s, ratedLoad kg, floors}; boiler {ratedPressure MPa, ratedCapacity t/h, safetyValveSet MPa}' }),
    telemetryIntervalS: z.number().int(), lastMaintenanceOn: z.string().nullable(), inspectionValidUntil: z.string().nullable(), enabled: z.boolean(),
    credentialRotatedAt: z.string().nullable(), createdAt: z.string(), updatedAt: z.string(),
  }),
  unit: z.object({
    id: z.string(), name: z.string(), creditCode: z.string(), address: z.string(), districtId: z.string(), districtName: z.string(),
    safetyOfficerName: z.string(), safetyOfficerPhone: z.string(), principalName: z.string(), principalPhone: z.string(),
  }),
  maintenanceCompany: z.object({ id: z.string(), name: z.string(), contactName: z.string(), contactPhone: z.string(), emergencyPhone: z.string() }).nullable(),
  live: BoardRowSchema.nullable(),
  counts: z.object({ activeAlarms: z.number().int(), alarms: z.number().int(), notifications: z.number().int(), maintenanceRecords: z.number().int(), inspectionRecords: z.number().int() }),
});

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string | Date).toISOString());

/** 一梯一档 / 一炉一档: the device file's identity, unit, maintenance company, live row and record counts. */
export function deviceFileRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, { method: 'GET', url: '/devices/:id', summary: 'The device file', tags: ['devices'], params: IdParams, response: DeviceFile }, async (req) => {
    const scope = await scopeOf(ctx, req);
    const p = new SqlParams();
    const id = p.add(req.params.id);
    const [r] = await ctx.registry.db.query<Record<string, unknown>>(
      `SELECT d.id, d.kind, d.registration_code, d.name, d.location, d.model, d.rated, d.telemetry_interval_s, d.last_maintenance_on, d.inspection_valid_until,
              d.enabled, d.credential_rotated_at, d.created_at, d.updated_at,
              u.id AS unit_id, u.name AS unit_name, u.credit_code, u.address, u.district_id, dt.name AS district_name,
              u.safety_officer_name, u.safety_officer_phone, u.principal_name, u.principal_phone,
              m.id AS company_id, m.name AS company_name, m.contact_name AS company_contact_name, m.contact_phone AS company_contact_phone, m.emergency_phone AS company_emergency_phone,
              (SELECT count(*)::int FROM alarms a WHERE a.subject_type = 'device' AND a.subject_id = d.id AND a.status <> 'closed') AS active_alarms,
              (SELECT count(*)::int FROM alarms a WHERE a.subject_type = 'device' AND a.subject_id = d.id) AS alarms,
              (SELECT count(*)::int FROM notifications n JOIN alarms a ON a.id = n.alarm_id WHERE a.subject_type = 'device' AND a.subject_id = d.id) AS notifications,
              (SELECT count(*)::int FROM maintenance_records mr WHERE mr.device_id = d.id) AS maintenance_records,
              (SELECT count(*)::int FROM inspection_records ir WHERE ir.device_id = d.id) AS inspection_records
         FROM devices d JOIN units u ON u.id = d.unit_id JOIN districts dt ON dt.id = u.district_id
         LEFT JOIN maintenance_companies m ON m.id = d.maintenance_company_id
        WHERE d.id = ${id} AND ${scopeSql.devices(scope, p)}`,
      p.values,
    );
    if (!r) throw new NotFoundError(`device ${req.params.id}`);
    const s = (k: string) => r[k] as string;
    return {
      device: {
        id: s('id'), kind: r.kind as 'elevator' | 'boiler', registrationCode: s('registration_code'), name: s('name'), location: s('location'), model: s('model'),
        rated: r.rated as Record<string, number>, telemetryIntervalS: Number(r.telemetry_interval_s), lastMaintenanceOn: toDateString(r.last_maintenance_on),
        inspectionValidUntil: toDateString(r.inspection_valid_until), enabled: r.enabled as boolean, credentialRotatedAt: iso(r.credential_rotated_at),
        createdAt: iso(r.created_at)!, updatedAt: iso(r.updated_at)!,
      },
      unit: {
        id: s('unit_id'), name: s('unit_name'), creditCode: s('credit_code'), address: s('address'), districtId: s('district_id'), districtName: s('district_name'),
        safetyOfficerName: s('safety_officer_name'), safetyOfficerPhone: s('safety_officer_phone'), principalName: s('principal_name'), principalPhone: s('principal_phone'),
      },
      maintenanceCompany: r.company_id
        ? { id: s('company_id'), name: s('company_name'), contactName: s('company_contact_name'), contactPhone: s('company_contact_phone'), emergencyPhone: s('company_emergency_phone') }
        : null,
      live: ctx.live.board.get(s('id')) ?? null,
      counts: {
        activeAlarms: Number(r.active_alarms), alarms: Number(r.alarms), notifications: Number(r.notifications),
        maintenanceRecords: Number(r.maintenance_records), inspectionRecords: Number(r.inspection_records),
      },
    };
  });
}

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UserError } from '@tianwang/core/errors';
import { generateSecret, hashSecret } from '@tianwang/core/crypto';
import { auditByUser, type ApiContext } from '../context.js';
import { route } from '../route.js';
import { Id, IdParams, IsoDate } from '../schema.js';
import { changes, insertRow, pick, updateRow } from './crud.js';

const Rated = z
  .object({
    ratedSpeed: z.number().positive().max(20), ratedLoad: z.number().positive().max(100_000), floors: z.number().int().min(2).max(200),
    ratedPressure: z.number().positive().max(30), ratedCapacity: z.number().positive().max(1000), safetyValveSet: z.number().positive().max(30),
  })
  .partial()
  .meta({ description: 'elevator {ratedSpeed m/s, ratedLoad kg, floors}; boiler {ratedPressure MPa, ratedCapacity t/h, safetyValveSet MPa}' });
export const DeviceFields = {
  registrationCode: z.string().trim().min(1).max(40).meta({ description: 'elevator: the 20-digit registration code (注册代码)' }),
  name: z.string().trim().min(1).max(60),
  location: z.string().max(100),
  unitId: Id,
  maintenanceCompanyId: Id.nullable(),
  model: z.string().max(60),
  rated: Rated,
  telemetryIntervalS: z.number().int().min(1).max(86_400),
  lastMaintenanceOn: IsoDate.nullable(),
  inspectionValidUntil: IsoDate.nullable(),
};
const DEVICE_KEYS = Object.keys(DeviceFields);
export const NewDevice = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{3,40}$/), kind: z.enum(['elevator', 'boiler']), ...DeviceFields,
  location: DeviceFields.location.optional(), maintenanceCompanyId: DeviceFields.maintenanceCompanyId.optional(), model: DeviceFields.model.optional(),
  rated: Rated.optional(), telemetryIntervalS: DeviceFields.telemetryIntervalS.optional(),
  lastMaintenanceOn: DeviceFields.lastMaintenanceOn.optional(), inspectionValidUntil: DeviceFields.inspectionValidUntil.optional(),
});
const PatchDevice = z.object({ ...DeviceFields, enabled: z.boolean().meta({ description: 'false: the device may no longer connect (the broker drops it within TW_MQTT_AUTH_CACHE_MS)' }) }).partial();
const Credential = z.object({ id: z.string(), secret: z.string().meta({ description: 'the new device secret: shown this once, only its hash is kept' }) });
const DeviceOut = z.object({
  id: z.string(), kind: z.string(), registrationCode: z.string(), name: z.string(), location: z.string(), unitId: z.string(), maintenanceCompanyId: z.string().nullable(),
  model: z.string(), rated: z.record(z.string(), z.number()), telemetryIntervalS: z.number().int(), lastMaintenanceOn: z.string().nullable(),
  inspectionValidUntil: z.string().nullable(), enabled: z.boolean(), credentialRotatedAt: z.string().nullable(),
});
const Created = z.object({ device: DeviceOut, secret: Credential.shape.secret });

/** The kind-specific rule the registry also enforces: an elevator's registration code has 20 digits (GB/T 24476 identity). */
export function checkRegistrationCode(kind: string, code: string | undefined): void {
  if (kind === 'elevator' && code !== undefined && !/^\d{20}$/.test(code)) throw new UserError('TW_PAYLOAD_INVALID', 'registrationCode: an elevator registration code has 20 digits');
}

const deviceOut = (r: Record<string, unknown>): z.input<typeof DeviceOut> => ({
  id: r.id as string, kind: r.kind as string, registrationCode: r.registrationCode as string, name: r.name as string, location: r.location as string, unitId: r.unitId as string,
  maintenanceCompanyId: (r.maintenanceCompanyId as string | null) ?? null, model: r.model as string, rated: r.rated as Record<string, number>,
  telemetryIntervalS: Number(r.telemetryIntervalS), lastMaintenanceOn: (r.lastMaintenanceOn as string | null) ?? null, inspectionValidUntil: (r.inspectionValidUntil as string | null) ?? null,
  enabled: r.enabled as boolean, credentialRotatedAt: (r.credentialRotatedAt as string | null) ?? null,
});

/**
 * Device registration (admin): create (the answer carries the device secret, once), edit, disable, rotate the
 * credential (the new secret, once). The registry keeps only the secret's hash (core's hashSecret).
 */
export function deviceAdminRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, { method: 'POST', url: '/devices', summary: 'Register a device (answers its secret once)', tags: ['devices'], roles: ['admin'], body: NewDevice, response: Created, status: 201 }, async (req, reply) => {
    const b = req.body;
    checkRegistrationCode(b.kind, b.registrationCode);
    const secret = generateSecret();
    const device = await ctx.registry.db.transaction(async (tx) => {
      const after = await insertRow(tx, 'devices', {
        id: b.id, kind: b.kind, ...pick(b, DEVICE_KEYS), location: b.location ?? '', model: b.model ?? '', rated: b.rated ?? {}, telemetryIntervalS: b.telemetryIntervalS ?? 10,
        credentialHash: hashSecret(secret), credentialRotatedAt: new Date(),
      });
      await auditByUser(tx, req, 'device.created', 'device', b.id, { after });
      return after;
    });
    ctx.live.refreshSoon();
    return reply.code(201).send({ device: deviceOut(device), secret });
  });

  route(app, { method: 'PATCH', url: '/devices/:id', summary: 'Edit, disable or enable a device', tags: ['devices'], roles: ['admin'], params: IdParams, body: PatchDevice, response: DeviceOut }, async (req) => {
    const after = await ctx.registry.db.transaction(async (tx) => {
      const [cur] = await tx.query<{ kind: string }>('SELECT kind FROM devices WHERE id = $1', [req.params.id]);
      if (cur) checkRegistrationCode(cur.kind, req.body.registrationCode);
      const r = await updateRow(tx, 'devices', req.params.id, pick(req.body, [...DEVICE_KEYS, 'enabled']), 'device');
      const action = req.body.enabled === false && r.before.enabled ? 'device.disabled' : req.body.enabled === true && !r.before.enabled ? 'device.enabled' : 'device.updated';
      await auditByUser(tx, req, action, 'device', req.params.id, changes(r.before, r.after));
      return r.after;
    });
    ctx.live.refreshSoon();
    return deviceOut(after);
  });

  route(app, { method: 'POST', url: '/devices/:id/credential', summary: 'Rotate the device credential (answers the new secret once)', tags: ['devices'], roles: ['admin'], params: IdParams, response: Credential }, async (req) => {
    const secret = generateSecret();
    await ctx.registry.db.transaction(async (tx) => {
      await updateRow(tx, 'devices', req.params.id, { credentialHash: hashSecret(secret), credentialRotatedAt: new Date() }, 'device');
      await auditByUser(tx, req, 'device.credential_rotated', 'device', req.params.id);
    });
    return { id: req.params.id, secret };
  });
}

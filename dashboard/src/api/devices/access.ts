import type { FastifyRequest } from 'fastify';
import { NotFoundError } from '@tianwang/core/errors';
import type { DeviceKind } from '@tianwang/core/schemas';
import { SqlParams, scopeSql } from '../../auth/sql-scope.js';
import { scopeOf, type ApiContext } from '../context.js';

export interface ScopedDeviceRef {
  id: string;
  kind: DeviceKind;
  unitId: string;
  maintenanceCompanyId: string | null;
}

/** The device, if it exists and is in the caller's scope; else 404, the same answer for both (no existence leak). */
export async function requireDevice(ctx: ApiContext, req: FastifyRequest, id: string): Promise<ScopedDeviceRef> {
  const scope = await scopeOf(ctx, req);
  const p = new SqlParams();
  const idParam = p.add(id);
  const [row] = await ctx.registry.db.query<{ id: string; kind: DeviceKind; unit_id: string; maintenance_company_id: string | null }>(
    `SELECT d.id, d.kind, d.unit_id, d.maintenance_company_id FROM devices d JOIN units u ON u.id = d.unit_id WHERE d.id = ${idParam} AND ${scopeSql.devices(scope, p)}`,
    p.values,
  );
  if (!row) throw new NotFoundError(`device ${id}`);
  return { id: row.id, kind: row.kind, unitId: row.unit_id, maintenanceCompanyId: row.maintenance_company_id };
}

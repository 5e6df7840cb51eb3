import type { FastifyRequest } from 'fastify';
import { NotFoundError } from '@tianwang/core/errors';
import { SqlParams, scopeSql } from '../../auth/sql-scope.js';
import { scopeOf, type ApiContext } from '../context.js';

/**
 * A camera the caller may see (its kitchen in scope), else 404 like an unknown one. `enabledOnly` for live viewing;
 * recordings and health of a disabled camera stay readable.
 */
export async function cameraInScope(ctx: ApiContext, req: FastifyRequest, cameraId: string, enabledOnly = false): Promise<{ id: string; kitchen_id: string }> {
  const p = new SqlParams();
  const [row] = await ctx.registry.db.query<{ id: string; kitchen_id: string }>(
    `SELECT c.id, c.kitchen_id FROM cameras c JOIN kitchens k ON k.id = c.kitchen_id WHERE c.id = ${p.add(cameraId)}${enabledOnly ? ' AND c.enabled' : ''} AND ${scopeSql.kitchens(await scopeOf(ctx, req), p)}`, p.values);
  if (!row) throw new NotFoundError(`camera ${cameraId}`);
  return row;
}

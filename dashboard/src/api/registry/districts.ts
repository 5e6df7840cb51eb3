import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SqlParams, scopeSql } from '../../auth/sql-scope.js';
import { scopeOf, type ApiContext } from '../context.js';
import { route } from '../route.js';

const District = z.object({ id: z.string(), name: z.string(), kind: z.enum(['district', 'grid']), parentId: z.string().nullable() });

/** The district tree in scope, for the board's district/grid filter. */
export function districtRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, { method: 'GET', url: '/districts', summary: 'The district tree in scope', tags: ['districts'], response: z.array(District) }, async (req) => {
    const p = new SqlParams();
    const rows = await ctx.registry.db.query<{ id: string; name: string; kind: 'district' | 'grid'; parent_id: string | null }>(
      `SELECT dt.id, dt.name, dt.kind, dt.parent_id FROM districts dt WHERE ${scopeSql.districts(await scopeOf(ctx, req), p)} ORDER BY dt.id`,
      p.values,
    );
    return rows.map((r) => ({ id: r.id, name: r.name, kind: r.kind, parentId: r.parent_id }));
  });
}

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '@tianwang/core/errors';
import { SqlParams, scopeSql } from '../auth/sql-scope.js';
import { reportDir } from '../reports/weekly-report.js';
import { scopeOf, type ApiContext } from './context.js';
import { route } from './route.js';
import { Id } from './schema.js';
import { XLSX_TYPE } from './xlsx.js';

const FILE = /^weekly-(\d{4}-\d{2}-\d{2})\.xlsx$/;
const Report = z.object({
  districtId: z.string(), districtName: z.string(), week: z.string().meta({ description: 'the Monday (YYYY-MM-DD) the week starts, in TW_TIMEZONE' }),
  file: z.string(), bytes: z.number().int(), createdAt: z.string(), url: z.string(),
});
const ROLES = ['admin', 'inspector'] as const;

/** The top-level districts the caller's scope covers whole (an inspector of a grid sees no district's report). */
async function reportDistricts(ctx: ApiContext, req: Parameters<typeof scopeOf>[1]): Promise<{ id: string; name: string }[]> {
  const p = new SqlParams();
  return ctx.registry.db.query<{ id: string; name: string }>(`SELECT dt.id, dt.name FROM districts dt WHERE dt.parent_id IS NULL AND ${scopeSql.districts(await scopeOf(ctx, req), p)} ORDER BY dt.id`, p.values);
}

/** GET /reports (the weekly reports of the districts in scope, newest first) and the download of one. */
export function reportRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, { method: 'GET', url: '/reports', summary: 'Weekly alarm reports of the districts in scope', tags: ['statistics'], roles: ROLES, response: z.object({ items: z.array(Report) }) }, async (req) => {
    const items: z.input<typeof Report>[] = [];
    for (const d of await reportDistricts(ctx, req)) {
      const dir = reportDir(ctx.dataDir, d.id);
      const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => FILE.test(f));
      for (const f of files) {
        const s = await stat(join(dir, f));
        items.push({ districtId: d.id, districtName: d.name, week: FILE.exec(f)![1]!, file: f, bytes: s.size, createdAt: s.mtime.toISOString(), url: `/api/v1/reports/${d.id}/${f}` });
      }
    }
    items.sort((a, b) => b.week.localeCompare(a.week) || a.districtId.localeCompare(b.districtId));
    return { items };
  });

  route(app, {
    method: 'GET', url: '/reports/:districtId/:file', summary: 'Download a weekly report (.xlsx)', tags: ['statistics'], roles: ROLES,
    params: z.object({ districtId: Id, file: z.string().regex(FILE) }), produces: [XLSX_TYPE], response: z.string().meta({ description: 'the .xlsx' }),
  }, async (req, reply) => {
    const { districtId, file } = req.params;
    // out of scope and absent answer the same
    if (!(await reportDistricts(ctx, req)).some((d) => d.id === districtId)) throw new NotFoundError(`report ${districtId}/${file}`);
    const bytes = await readFile(join(reportDir(ctx.dataDir, districtId), file)).catch(() => undefined);
    if (!bytes) throw new NotFoundError(`report ${districtId}/${file}`);
    return reply.type(XLSX_TYPE).header('content-disposition', `attachment; filename="${districtId}-${file}"`).send(bytes);
  });
}

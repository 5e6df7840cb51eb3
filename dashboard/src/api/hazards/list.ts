import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SqlParams } from '../../auth/sql-scope.js';
import { scopeOf, type ApiContext } from '../context.js';
import { parseTime } from '../devices/history.js';
import { listOf, listQuery, sqlList } from '../list.js';
import { route } from '../route.js';
import { Id, TimeParam } from '../schema.js';
import { sendXlsx, XLSX_TYPE, type Column } from '../xlsx.js';
import { HAZARD_KINDS, HAZARD_SELECT, HAZARD_STATES, HazardRow, hazardFrom, hazardWhere, toHazardRow, type HazardRowT } from './query.js';

const CATEGORY: Record<string, string> = { elevator: '电梯', boiler: '锅炉', kitchen: '明厨亮灶' };
const STATE: Record<string, string> = { open: '待处理', rectifying: '整改中', rectified: '已整改待核查', closed: '已销号' };
const SEVERITY: Record<string, string> = { critical: '紧急', major: '重要', minor: '一般', warning: '提示' };
const when = (t: string | null) => (t ? new Date(t) : null);

const COLUMNS: Column<HazardRowT>[] = [
  { header: '编号', value: (h) => h.ref, width: 16 }, { header: '来源', value: (h) => (h.kind === 'alarm' ? '报警' : '线上抽检') },
  { header: '类别', value: (h) => CATEGORY[h.category] }, { header: '隐患', value: (h) => h.title, width: 30 }, { header: '级别', value: (h) => SEVERITY[h.severity] ?? h.severity },
  { header: '对象', value: (h) => h.subjectName ?? h.subjectId, width: 16 }, { header: '使用单位', value: (h) => h.unitName, width: 20 }, { header: '辖区', value: (h) => h.districtName },
  { header: '发现时间', value: (h) => when(h.detectedAt), width: 20 }, { header: '整改期限', value: (h) => when(h.deadline), width: 20 },
  { header: '状态', value: (h) => STATE[h.state] }, { header: '逾期', value: (h) => (h.overdue ? '是' : '否') }, { header: '销号时间', value: (h) => when(h.closedAt), width: 20 },
];

const Query = listQuery(['detectedAt', 'deadline'], 'detectedAt', {
  kind: z.enum(HAZARD_KINDS).optional(), category: z.enum(['elevator', 'boiler', 'kitchen']).optional(), state: z.enum(HAZARD_STATES).optional(),
  overdue: z.boolean().optional().meta({ description: 'true: not closed and past the deadline' }),
  districtId: Id.optional().meta({ description: 'a district node: includes its grids' }),
  from: TimeParam.optional().meta({ description: 'detected at or after' }), to: TimeParam.optional().meta({ description: 'detected before' }),
}, 'desc');
const SORTS = { detectedAt: 'h.detected_at', deadline: 'h.deadline' };

/** GET /hazards: the hazard ledger in scope (filters, keyset pages, .xlsx). */
export function hazardListRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, { method: 'GET', url: '/hazards', summary: 'Hazard ledger (隐患台账): alarms and spot-check findings in scope', tags: ['hazards'], querystring: Query, response: listOf(HazardRow), produces: [XLSX_TYPE] }, async (req, reply) => {
    const q = req.query;
    const p = new SqlParams();
    const from = hazardFrom(await scopeOf(ctx, req), p);
    const where = hazardWhere({
      kind: q.kind, category: q.category, state: q.state, overdue: q.overdue,
      districtIds: q.districtId ? await ctx.scopes.subtree(q.districtId) : undefined,
      from: q.from ? new Date(parseTime(q.from, 'from', 0)) : undefined, to: q.to ? new Date(parseTime(q.to, 'to', 0)) : undefined,
    }, p);
    const xlsx = q.format === 'xlsx';
    const now = Date.now();
    const page = await sqlList(ctx.registry.db, { select: HAZARD_SELECT, from, where, params: p, id: 'h.ref', sorts: SORTS, map: (r) => toHazardRow(r, now) }, q, xlsx);
    return xlsx ? sendXlsx(reply, { file: 'hazards', sheet: '隐患台账' }, COLUMNS, page.items) : page;
  });
}

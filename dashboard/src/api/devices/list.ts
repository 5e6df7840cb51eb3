import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BoardRowSchema, type BoardRow } from '../../live/board-row.js';
import { scopeOf, type ApiContext } from '../context.js';
import { listOf, listQuery } from '../list.js';
import { route } from '../route.js';
import { Id } from '../schema.js';
import { sendXlsx, xlsxTime, type Column } from '../xlsx.js';
import { BOARD_SORTS, filterOrdered, pageJson, pageOfBoard, type BoardFilter } from './board-list.js';

const Filters = {
  q: z.string().max(100).optional().meta({ description: 'matches id, name, registration code, location, unit name' }),
  kind: z.enum(['elevator', 'boiler']).optional(),
  districtId: Id.optional().meta({ description: 'a district node: includes the grids under it' }),
  unitId: Id.optional(),
  online: z.boolean().optional(),
  alarm: z.boolean().optional().meta({ description: 'true: has active alarms' }),
  overdue: z.boolean().optional().meta({ description: 'true: maintenance overdue, or inspection expired or expiring within 30 days' }),
};
/** The board reads every device in scope: from memory, so in pages larger than the SQL lists' 1,000. */
export const BOARD_PAGE_MAX = 5000;
const Query = listQuery(BOARD_SORTS, 'id', Filters).extend({
  limit: z.coerce.number().int().min(1).max(BOARD_PAGE_MAX).default(100).meta({ description: `page size, at most ${BOARD_PAGE_MAX} (the rows are served from memory; other lists take 1,000)` }),
});
const SummaryQuery = z.object({ kind: Filters.kind, districtId: Filters.districtId, unitId: Filters.unitId });
const Summary = z.object({
  devices: z.number().int(),
  online: z.number().int(),
  onlineRate: z.number().meta({ description: 'online / devices, 0..1 (0 when there are no devices)' }),
  inAlarm: z.number().int(),
  maintenanceOverdue: z.number().int(),
  inspectionExpiring: z.number().int(),
  inspectionExpired: z.number().int(),
});

const yes = (b: boolean) => (b ? '是' : '');
const state = (r: BoardRow): string => {
  const t = r.telemetry;
  if (!t) return '';
  if (r.kind === 'elevator') return [t.floor !== undefined ? `${String(t.floor)}层` : '', t.direction ?? '', t.door ? `门${String(t.door)}` : ''].filter(Boolean).join(' ');
  return [t.pressure !== undefined ? `${String(t.pressure)} MPa` : '', t.waterLevel !== undefined ? `水位 ${String(t.waterLevel)} mm` : '', t.burner ?? ''].filter(Boolean).join(' ');
};
const COLUMNS: Column<BoardRow>[] = [
  { header: '设备编号', value: (r) => r.id, width: 14 },
  { header: '类型', value: (r) => (r.kind === 'elevator' ? '电梯' : '锅炉') },
  { header: '注册代码', value: (r) => r.registrationCode, width: 24 },
  { header: '名称', value: (r) => r.name, width: 16 },
  { header: '位置', value: (r) => r.location, width: 16 },
  { header: '使用单位', value: (r) => r.unitName, width: 24 },
  { header: '辖区', value: (r) => r.districtName, width: 16 },
  { header: '在线', value: (r) => (r.online === null ? '未知' : r.online ? '在线' : '离线') },
  { header: '状态变化时间', value: (r) => xlsxTime(r.onlineSince), width: 20 },
  { header: '最后上报', value: (r) => xlsxTime(r.lastSeen), width: 20 },
  { header: '当前状态', value: state, width: 24 },
  { header: '故障代码', value: (r) => r.activeEvents.join(',') },
  { header: '报警数', value: (r) => r.activeAlarms },
  { header: '维保超期', value: (r) => yes(r.maintenanceOverdue) },
  { header: '检验即将到期', value: (r) => yes(r.inspectionExpiring) },
  { header: '检验已过期', value: (r) => yes(r.inspectionExpired) },
];

/** The board: rows from the in-memory state (no database read per request), counters, and the export. */
export function deviceListRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const filterOf = async (q: { q?: string | undefined; kind?: 'elevator' | 'boiler' | undefined; districtId?: string | undefined; unitId?: string | undefined; online?: boolean | undefined; alarm?: boolean | undefined; overdue?: boolean | undefined }): Promise<BoardFilter> => ({
    q: q.q, kind: q.kind, unitId: q.unitId, online: q.online, alarm: q.alarm, overdue: q.overdue,
    districts: q.districtId ? new Set(await ctx.scopes.subtree(q.districtId)) : undefined,
  });

  route(app, { method: 'GET', url: '/devices', summary: 'Board rows in scope', tags: ['devices'], querystring: Query, response: listOf(BoardRowSchema), produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] }, async (req, reply) => {
    const scope = await scopeOf(ctx, req);
    const filter = await filterOf(req.query);
    // the scope's rows already in the sort's order (board-index.ts); nothing awaits from here to the answer
    const rows = filterOrdered(ctx.live.index.ordered(scope, req.query.sort), filter, (q) => ctx.live.index.matching(q));
    const xlsx = req.query.format === 'xlsx';
    const page = pageOfBoard(rows, req.query, xlsx);
    if (xlsx) return sendXlsx(reply, { file: 'devices', sheet: '设备' }, COLUMNS, page.items);
    // each row's JSON is kept until the row changes; a Buffer is sent as it is, under the type set here
    return reply.type('application/json; charset=utf-8').send(pageJson(page, (r) => ctx.live.board.rowJson(r)));
  });

  route(app, { method: 'GET', url: '/board/summary', summary: 'Board counters in scope', tags: ['devices'], querystring: SummaryQuery, response: Summary }, async (req) => {
    const scope = await scopeOf(ctx, req);
    const filter = await filterOf(req.query);
    const { rows } = filterOrdered(ctx.live.index.ordered(scope, 'id'), filter);
    let online = 0;
    let inAlarm = 0;
    let maintenanceOverdue = 0;
    let inspectionExpiring = 0;
    let inspectionExpired = 0;
    // one pass, no closures: the counters are asked for as often as a page
    for (const r of rows) {
      if (r.online === true) online++;
      if (r.activeAlarms > 0) inAlarm++;
      if (r.maintenanceOverdue) maintenanceOverdue++;
      if (r.inspectionExpiring) inspectionExpiring++;
      if (r.inspectionExpired) inspectionExpired++;
    }
    return { devices: rows.length, online, onlineRate: rows.length ? online / rows.length : 0, inAlarm, maintenanceOverdue, inspectionExpiring, inspectionExpired };
  });
}

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { listOf, listQuery, sqlList } from '../list.js';
import { route } from '../route.js';
import { sendXlsx, type Column } from '../xlsx.js';
import { ALARM_COUNT_FROM, ALARM_FROM, ALARM_SELECT, AlarmFilters, AlarmRow, alarmWhere, toAlarmRow, type AlarmRowT } from './query.js';
import { STATE_LABEL, VIA_LABEL } from './state.js';

const XLSX = ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'];
const SEVERITY: Record<string, string> = { critical: '紧急', major: '重要', minor: '一般', warning: '提示' };
const KIND: Record<string, string> = { elevator: '电梯', boiler: '锅炉', camera: '明厨亮灶' };
const when = (t: string | null) => (t ? new Date(t) : null);
const step = (by: string | null, via: string | null) => (by ? `${by}${via ? `（${VIA_LABEL[via] ?? via}）` : ''}` : null);

const COLUMNS: Column<AlarmRowT>[] = [
  { header: '编号', value: (a) => a.id }, { header: '状态', value: (a) => STATE_LABEL[a.state] }, { header: '级别', value: (a) => SEVERITY[a.severity] ?? a.severity },
  { header: '类型', value: (a) => a.type }, { header: '报警', value: (a) => a.title, width: 24 }, { header: '设备类别', value: (a) => KIND[a.kind] ?? a.kind },
  { header: '设备', value: (a) => a.subjectName ?? a.subjectId, width: 16 }, { header: '使用单位', value: (a) => a.unitName, width: 20 }, { header: '辖区', value: (a) => a.districtName },
  { header: '首次发生', value: (a) => when(a.firstSeenAt), width: 20 }, { header: '次数', value: (a) => a.count },
  { header: '确认时间', value: (a) => when(a.acknowledgedAt), width: 20 }, { header: '确认人', value: (a) => step(a.acknowledgedBy, a.acknowledgedVia), width: 24 },
  { header: '到场时间', value: (a) => when(a.arrivedAt), width: 20 }, { header: '整改时间', value: (a) => when(a.rectifiedAt), width: 20 },
  { header: '整改情况', value: (a) => a.rectificationNote, width: 30 }, { header: '核查人', value: (a) => a.verifiedBy },
  { header: '关闭时间', value: (a) => when(a.closedAt), width: 20 }, { header: '关闭人', value: (a) => step(a.closedBy, a.closedVia), width: 24 },
];

/**
 * The list counts up to this many matches ("1,000+" beyond; the statistics count exactly): counting is the one part
 * of a page whose cost grows with the history (docs/dashboard.md "Alarm centre", docs/benchmarks.md).
 */
export const ALARM_COUNT_CAP = 1000;
const ListQuery = listQuery(['id', 'firstSeenAt', 'lastSeenAt', 'severity'], 'id', AlarmFilters, 'desc');
const SORTS = { id: 'a.id', firstSeenAt: 'a.first_seen_at', lastSeenAt: 'a.last_seen_at', severity: `array_position(ARRAY['critical','major','minor','warning'], a.severity)` };

/** GET /alarms (the alarm centre's list, filters, .xlsx) and GET /alarms/counter (the menu badge). */
export function alarmListRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, { method: 'GET', url: '/alarms', summary: 'Alarms in scope (the alarm centre)', tags: ['alarms'], querystring: ListQuery, response: listOf(AlarmRow), produces: XLSX }, async (req, reply) => {
    const { where, countWhere, params } = await alarmWhere(ctx, req, req.query);
    const xlsx = req.query.format === 'xlsx';
    const page = await sqlList(ctx.registry.db, { select: ALARM_SELECT, from: ALARM_FROM, where, params, id: 'a.id', sorts: SORTS, map: toAlarmRow, countFrom: ALARM_COUNT_FROM, countCap: ALARM_COUNT_CAP, countWhere }, req.query, xlsx);
    return xlsx ? sendXlsx(reply, { file: 'alarms', sheet: '报警中心' }, COLUMNS, page.items) : page;
  });

  route(app, {
    method: 'GET', url: '/alarms/counter', summary: 'Active alarms in scope by state (menu badge)', tags: ['alarms'],
    response: z.object({ open: z.number().int(), acknowledged: z.number().int(), rectified: z.number().int(), active: z.number().int(), critical: z.number().int() }),
  }, async (req) => {
    const { where, params } = await alarmWhere(ctx, req, { active: true });
    const [r] = await ctx.registry.db.query<Record<string, number>>(
      `SELECT count(*) FILTER (WHERE a.status = 'open')::int AS open, count(*) FILTER (WHERE a.status = 'acknowledged')::int AS acknowledged,
         count(*) FILTER (WHERE a.status = 'rectified')::int AS rectified, count(*)::int AS active, count(*) FILTER (WHERE a.severity = 'critical')::int AS critical
       ${ALARM_COUNT_FROM} WHERE ${where.join(' AND ')}`,
      params.values,
    );
    return { open: r?.open ?? 0, acknowledged: r?.acknowledged ?? 0, rectified: r?.rectified ?? 0, active: r?.active ?? 0, critical: r?.critical ?? 0 };
  });
}

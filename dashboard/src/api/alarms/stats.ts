import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UserError } from '@tianwang/core/errors';
import { SqlParams, scopeSql } from '../../auth/sql-scope.js';
import { scopeOf, type ApiContext } from '../context.js';
import { parseTime } from '../devices/history.js';
import { route } from '../route.js';
import { Id, TimeParam } from '../schema.js';
import { sendXlsx, XLSX_TYPE } from '../xlsx.js';
import { ALARM_FROM, alarmWhere } from './query.js';
import { statsColumns } from './stats-xlsx.js';

/** The trapped-passenger fault (GB/T 24478 code 11): the 96333 KPIs count these. */
export const TRAPPED_TYPE = 'fault:11';
const MAX_SPAN_MS = 400 * 86_400_000;

const Group = z.object({
  key: z.string().nullable(), name: z.string().nullable(), alarms: z.number().int(),
  medianAckS: z.number().nullable().meta({ description: 'median seconds from first seen to acknowledged (acknowledged alarms)' }),
  trapped: z.number().int(), trappedResponded3m: z.number().int(), trappedArrived30m: z.number().int(),
  responseRate3m: z.number().nullable(), arrivalRate30m: z.number().nullable(),
  rectified: z.number().int().meta({ description: 'alarms with a reported rectification' }), rectifiedClosed: z.number().int().meta({ description: '… of which closed (resolved)' }),
  closureRate: z.number().nullable(), medianRectifyS: z.number().nullable().meta({ description: 'median seconds from first seen to the reported rectification' }),
});
const Stats = z.object({
  from: z.string(), to: z.string(), groupBy: z.string(),
  series: z.array(z.object({ day: z.string(), type: z.string(), severity: z.string(), n: z.number().int() })).meta({ description: 'alarms per day (TW_TIMEZONE), type and severity' }),
  groups: z.array(Group),
  total: Group,
  worstRepeat: z.array(z.object({ subjectId: z.string(), name: z.string().nullable(), type: z.string(), n: z.number().int() })).meta({ description: 'the 10 devices with the most alarms of one type' }),
  sms: z.array(z.object({ provider: z.string(), sent: z.number().int(), delivered: z.number().int(), failed: z.number().int() })),
  devices: z.object({ total: z.number().int(), online: z.number().int(), onlineRate: z.number().nullable(), maintenanceOverdue: z.number().int(), inspectionExpiring: z.number().int(), inspectionExpired: z.number().int() }),
});

/** `GET /stats/alarms` as it is answered (the web app's statistics view reads this type). */
export type AlarmStatsT = z.input<typeof Stats>;

const GROUP_KEY = { district: ['dt.id', 'dt.name'], unit: ['u.id', 'u.name'], company: ['d.maintenance_company_id', 'mc.name'] } as const;
const ratio = (n: number, d: number) => (d ? n / d : null);

/**
 * GET /stats/alarms: the alarm centre's statistics over a period (first seen in [from, to)), in scope, grouped by
 * district/grid, unit or maintenance company. The figures, and the SQL each comes from, are in docs/dashboard.md
 * ("Statistics"); test/alarm-stats.test.ts recomputes them from the raw rows.
 */
export function alarmStatsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, {
    method: 'GET', url: '/stats/alarms', summary: 'Alarm statistics over a period, in scope', tags: ['statistics'],
    querystring: z.object({
      from: TimeParam, to: TimeParam, groupBy: z.enum(['district', 'unit', 'company']).default('district'),
      districtId: Id.optional(), unitId: Id.optional(), companyId: Id.optional(),
      format: z.enum(['json', 'xlsx']).default('json').meta({ description: 'xlsx: the table of groups and the total as an Excel file' }),
    }),
    response: Stats,
    produces: [XLSX_TYPE],
  }, async (req, reply) => {
    const q = req.query;
    const from = parseTime(q.from, 'from', 0);
    const to = parseTime(q.to, 'to', 0);
    if (!(to > from) || to - from > MAX_SPAN_MS) throw new UserError('TW_PAYLOAD_INVALID', 'to: must be after from, at most 400 days later');
    const { where, params: p } = await alarmWhere(ctx, req, { districtId: q.districtId, unitId: q.unitId, companyId: q.companyId, from: String(from), to: String(to) });
    const db = ctx.registry.db;
    const W = where.join(' AND ');
    const FROM = `${ALARM_FROM} LEFT JOIN maintenance_companies mc ON mc.id = d.maintenance_company_id`;
    const [key, name] = GROUP_KEY[q.groupBy];
    const figures = `count(*)::int AS alarms,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM a.acknowledged_at - a.first_seen_at)) FILTER (WHERE a.acknowledged_at IS NOT NULL) AS median_ack_s,
      count(*) FILTER (WHERE a.type = '${TRAPPED_TYPE}')::int AS trapped,
      count(*) FILTER (WHERE a.type = '${TRAPPED_TYPE}' AND a.acknowledged_at <= a.first_seen_at + interval '3 minutes')::int AS responded,
      count(*) FILTER (WHERE a.type = '${TRAPPED_TYPE}' AND a.arrived_at <= a.first_seen_at + interval '30 minutes')::int AS arrived,
      count(*) FILTER (WHERE a.rectified_at IS NOT NULL)::int AS rectified,
      count(*) FILTER (WHERE a.rectified_at IS NOT NULL AND a.status = 'closed' AND a.outcome = 'resolved')::int AS rectified_closed,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM a.rectified_at - a.first_seen_at)) FILTER (WHERE a.rectified_at IS NOT NULL) AS median_rectify_s`;
    const toGroup = (r: Record<string, unknown>): z.input<typeof Group> => {
      const n = (k: string) => Number(r[k] ?? 0);
      const med = (k: string) => (r[k] === null || r[k] === undefined ? null : Number(r[k]));
      return {
        key: (r.key as string | null) ?? null, name: (r.name as string | null) ?? null, alarms: n('alarms'), medianAckS: med('median_ack_s'),
        trapped: n('trapped'), trappedResponded3m: n('responded'), trappedArrived30m: n('arrived'), responseRate3m: ratio(n('responded'), n('trapped')), arrivalRate30m: ratio(n('arrived'), n('trapped')),
        rectified: n('rectified'), rectifiedClosed: n('rectified_closed'), closureRate: ratio(n('rectified_closed'), n('rectified')), medianRectifyS: med('median_rectify_s'),
      };
    };
    const groups = await db.query<Record<string, unknown>>(`SELECT ${key} AS key, ${name} AS name, ${figures} ${FROM} WHERE ${W} GROUP BY 1, 2 ORDER BY 3 DESC, 1`, p.values);
    const [total] = await db.query<Record<string, unknown>>(`SELECT NULL AS key, NULL AS name, ${figures} ${FROM} WHERE ${W}`, p.values);
    // the export is the table: the groups and the total (the charts' series stay in the app)
    if (q.format === 'xlsx') {
      const rows = [...groups.map(toGroup), { ...toGroup(total ?? {}), name: '合计' }];
      return sendXlsx(reply, { file: 'alarm-stats', sheet: '统计分析' }, statsColumns(q.groupBy), rows);
    }
    const tz = p.values.length + 1;
    const series = await db.query<{ day: string; type: string; severity: string; n: number }>(
      `SELECT to_char(a.first_seen_at AT TIME ZONE $${tz}, 'YYYY-MM-DD') AS day, a.type, a.severity, count(*)::int AS n ${FROM} WHERE ${W} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      [...p.values, ctx.timezone],
    );
    const worst = await db.query<{ subject_id: string; name: string | null; type: string; n: number }>(
      `SELECT a.subject_id, COALESCE(d.name, c.name) AS name, a.type, count(*)::int AS n ${FROM} WHERE ${W} AND a.subject_type = 'device' GROUP BY 1, 2, 3 HAVING count(*) > 1 ORDER BY 4 DESC, 1, 3 LIMIT 10`,
      p.values,
    );
    const sms = await db.query<{ provider: string; sent: number; delivered: number; failed: number }>(
      `SELECT COALESCE(n.provider, 'none') AS provider, count(*) FILTER (WHERE n.status IN ('sent', 'delivered'))::int AS sent,
         count(*) FILTER (WHERE n.status = 'delivered')::int AS delivered, count(*) FILTER (WHERE n.status = 'failed')::int AS failed
       FROM notifications n JOIN (SELECT a.id ${FROM} WHERE ${W}) sa ON sa.id = n.alarm_id GROUP BY 1 ORDER BY 1`,
      p.values,
    );
    return {
      from: new Date(from).toISOString(), to: new Date(to).toISOString(), groupBy: q.groupBy,
      series, groups: groups.map(toGroup), total: toGroup(total ?? {}),
      worstRepeat: worst.map((r) => ({ subjectId: r.subject_id, name: r.name, type: r.type, n: r.n })), sms,
      devices: await deviceFigures(ctx, req, q),
    };
  });
}

/** Devices in scope now: online rate (the live board), maintenance overdue and inspection expiring/expired (the registry). */
async function deviceFigures(ctx: ApiContext, req: Parameters<typeof scopeOf>[1], q: { districtId?: string | undefined; unitId?: string | undefined; companyId?: string | undefined }) {
  const scope = await scopeOf(ctx, req);
  const p = new SqlParams();
  const where = [scopeSql.devices(scope, p), 'd.enabled'];
  if (q.districtId) where.push(`u.district_id = ANY(${p.add(await ctx.scopes.subtree(q.districtId))}::text[])`);
  if (q.unitId) where.push(`d.unit_id = ${p.add(q.unitId)}`);
  if (q.companyId) where.push(`d.maintenance_company_id = ${p.add(q.companyId)}`);
  const today = p.add(new Intl.DateTimeFormat('en-CA', { timeZone: ctx.timezone }).format(new Date()));
  const rows = await ctx.registry.db.query<{ id: string; overdue: boolean; expiring: boolean; expired: boolean }>(
    `SELECT d.id, (d.kind = 'elevator' AND (d.last_maintenance_on IS NULL OR d.last_maintenance_on < ${today}::date - 15)) AS overdue,
       (d.inspection_valid_until >= ${today}::date AND d.inspection_valid_until < ${today}::date + 30) AS expiring, (d.inspection_valid_until < ${today}::date) AS expired
     FROM devices d JOIN units u ON u.id = d.unit_id WHERE ${where.join(' AND ')}`,
    p.values,
  );
  const online = rows.filter((r) => ctx.live.board.get(r.id)?.online === true).length;
  return {
    total: rows.length, online, onlineRate: ratio(online, rows.length),
    maintenanceOverdue: rows.filter((r) => r.overdue).length, inspectionExpiring: rows.filter((r) => r.expiring).length, inspectionExpired: rows.filter((r) => r.expired).length,
  };
}

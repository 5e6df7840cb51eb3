import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UserError } from '@tianwang/core/errors';
import type { Scope } from '../../auth/scope.js';
import { SqlParams, scopeSql } from '../../auth/sql-scope.js';
import { scopeOf, type ApiContext } from '../context.js';
import { parseTime } from '../devices/history.js';
import { route } from '../route.js';
import { Id, TimeParam } from '../schema.js';
import { sendXlsx, XLSX_TYPE } from '../xlsx.js';
import { ALARM_FROM, alarmWhereIn } from './query.js';
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
    const stats = await alarmStatistics(ctx, await scopeOf(ctx, req), { from: parseTime(q.from, 'from', 0), to: parseTime(q.to, 'to', 0), groupBy: q.groupBy, districtId: q.districtId, unitId: q.unitId, companyId: q.companyId });
    // the export is the table: the groups and the total (the charts' series stay in the app)
    if (q.format === 'xlsx') return sendXlsx(reply, { file: 'alarm-stats', sheet: '统计分析' }, statsColumns(q.groupBy), [...stats.groups, { ...stats.total, name: '合计' }]);
    return stats;
  });
}

export interface StatsQuery {
  from: number;
  to: number;
  groupBy: keyof typeof GROUP_KEY;
  districtId?: string | undefined;
  unitId?: string | undefined;
  companyId?: string | undefined;
}
export type AlarmStats = z.input<typeof Stats>;

/** The statistics of GET /stats/alarms for a scope (the route's caller, or a district for the weekly report). */
export async function alarmStatistics(ctx: ApiContext, scope: Scope, q: StatsQuery): Promise<AlarmStats> {
  const { from, to } = q;
  if (!(to > from) || to - from > MAX_SPAN_MS) throw new UserError('TW_PAYLOAD_INVALID', 'to: must be after from, at most 400 days later');
  const { where, params: p } = await alarmWhereIn(ctx, scope, { districtId: q.districtId, unitId: q.unitId, companyId: q.companyId, from: String(from), to: String(to) });
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
  // One statement: the period's alarms in scope are read once (the CTE `a`, with their group key and device name),
  // and every figure is computed from that set; five statements read the same rows five times (docs/benchmarks.md).
  // The SMS figures look each alarm's notifications up by index (LATERAL; OFFSET 0 keeps the planner from turning
  // it back into a join): a plain join hashed the whole notifications table (2,000,000 rows: 1.6 s of 2.3 s).
  const tz = p.add(ctx.timezone);
  const list = (sel: string, order: string) => `(SELECT COALESCE(json_agg(x ORDER BY ${order}), '[]'::json) FROM (${sel}) x)`;
  const [r] = await db.query<{ groups: Record<string, unknown>[]; total: Record<string, unknown>; series: z.input<typeof Stats>['series']; worst: { subject_id: string; name: string | null; type: string; n: number }[]; sms: z.input<typeof Stats>['sms'] }>(
    `WITH a AS MATERIALIZED (
       SELECT a.id, a.type, a.severity, a.status, a.outcome, a.subject_type, a.subject_id, COALESCE(d.name, c.name) AS subject_name,
         a.first_seen_at, a.acknowledged_at, a.arrived_at, a.rectified_at, ${key} AS key, ${name} AS name
       ${FROM} WHERE ${W})
     SELECT ${list(`SELECT a.key, a.name, ${figures} FROM a GROUP BY 1, 2`, 'x.alarms DESC, x.key')} AS groups,
       (SELECT row_to_json(x) FROM (SELECT NULL AS key, NULL AS name, ${figures} FROM a) x) AS total,
       ${list(`SELECT to_char(a.first_seen_at AT TIME ZONE ${tz}, 'YYYY-MM-DD') AS day, a.type, a.severity, count(*)::int AS n FROM a GROUP BY 1, 2, 3`, 'x.day, x.type, x.severity')} AS series,
       ${list(`SELECT a.subject_id, a.subject_name AS name, a.type, count(*)::int AS n FROM a WHERE a.subject_type = 'device' GROUP BY 1, 2, 3 HAVING count(*) > 1 ORDER BY 4 DESC, 1, 3 LIMIT 10`, 'x.n DESC, x.subject_id, x.type')} AS worst,
       ${list(`SELECT COALESCE(n.provider, 'none') AS provider, count(*) FILTER (WHERE n.status IN ('sent', 'delivered'))::int AS sent,
           count(*) FILTER (WHERE n.status = 'delivered')::int AS delivered, count(*) FILTER (WHERE n.status = 'failed')::int AS failed
         FROM a CROSS JOIN LATERAL (SELECT nn.provider, nn.status FROM notifications nn WHERE nn.alarm_id = a.id OFFSET 0) n GROUP BY 1`, 'x.provider')} AS sms`,
    p.values,
  );
  const groups = r?.groups ?? [];
  const worst = r?.worst ?? [];
  const series = r?.series ?? [];
  const sms = r?.sms ?? [];
  const total = r?.total;
  return {
    from: new Date(from).toISOString(), to: new Date(to).toISOString(), groupBy: q.groupBy,
    series, groups: groups.map(toGroup), total: toGroup(total ?? {}),
    worstRepeat: worst.map((r) => ({ subjectId: r.subject_id, name: r.name, type: r.type, n: r.n })), sms,
    devices: await deviceFigures(ctx, scope, q),
  };
}

/** Devices in scope now: online rate (the live board), maintenance overdue and inspection expiring/expired (the registry). */
async function deviceFigures(ctx: ApiContext, scope: Scope, q: { districtId?: string | undefined; unitId?: string | undefined; companyId?: string | undefined }) {
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

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SqlParams, scopeSql } from '../auth/sql-scope.js';
import { deviceInScope } from '../auth/scope.js';
import { ALARM_FROM, ALARM_SELECT, AlarmRow, toAlarmRow } from './alarms/query.js';
import { TRAPPED_TYPE } from './alarms/stats.js';
import { scopeOf, type ApiContext } from './context.js';
import { route } from './route.js';

/**
 * 数据大屏: everything the duty room's big screen shows, in one scoped answer (docs/dashboard.md "Big screen"); the
 * page adds the live SSE for the moments between two reads. Figures: devices and online now (the live board),
 * alarms today and active, the 96333 trapped-passenger KPIs over the last 30 days, the newest alarms, per grid
 * (districts of kind grid in scope) devices, online, active alarms and alarms in 30 days, and the kitchen cameras.
 */
const DAY = 86_400_000;
const Grid = z.object({
  id: z.string(), name: z.string(), parentId: z.string().nullable(),
  devices: z.number().int(), online: z.number().int(), activeAlarms: z.number().int(), alarms30d: z.number().int(),
});
const Screen = z.object({
  asOf: z.string().meta({ description: 'when these figures were read' }),
  title: z.string().meta({ description: 'the caller’s district (or 全部辖区)' }),
  kpi: z.object({
    devices: z.number().int(), online: z.number().int(), onlineRate: z.number().nullable(), inAlarm: z.number().int(),
    alarmsToday: z.number().int(), activeAlarms: z.number().int(), openAlarms: z.number().int(), criticalActive: z.number().int(),
  }),
  trapped: z.object({
    days: z.number().int(), count: z.number().int(), responseRate3m: z.number().nullable(), arrivalRate30m: z.number().nullable(),
    avgToSiteS: z.number().nullable().meta({ description: 'mean seconds first seen → on site' }),
    avgToReleaseS: z.number().nullable().meta({ description: 'mean seconds first seen → condition cleared (passengers out)' }),
  }),
  ticker: z.array(AlarmRow),
  grids: z.array(Grid),
  cameras: z.array(z.object({ id: z.string(), name: z.string(), kitchenId: z.string(), kitchenName: z.string() })),
});

export function screenRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, { method: 'GET', url: '/screen', summary: 'The big screen’s figures (数据大屏), in scope', tags: ['statistics'], response: Screen }, async (req) => {
    const scope = await scopeOf(ctx, req);
    const db = ctx.registry.db;
    const now = Date.now();
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: ctx.timezone }).format(now);
    const p = new SqlParams();
    const inScope = scopeSql.alarms(scope, p, 'a');
    const since30 = p.add(new Date(now - 30 * DAY));
    const tz = p.add(ctx.timezone);
    const [a] = await db.query<Record<string, number | null>>(
      `SELECT count(*) FILTER (WHERE (a.first_seen_at AT TIME ZONE ${tz})::date = ${p.add(today)}::date)::int AS today,
         count(*) FILTER (WHERE a.status <> 'closed')::int AS active, count(*) FILTER (WHERE a.status = 'open')::int AS open,
         count(*) FILTER (WHERE a.status <> 'closed' AND a.severity = 'critical')::int AS critical,
         count(*) FILTER (WHERE a.type = '${TRAPPED_TYPE}' AND a.first_seen_at >= ${since30})::int AS trapped,
         count(*) FILTER (WHERE a.type = '${TRAPPED_TYPE}' AND a.first_seen_at >= ${since30} AND a.acknowledged_at <= a.first_seen_at + interval '3 minutes')::int AS responded,
         count(*) FILTER (WHERE a.type = '${TRAPPED_TYPE}' AND a.first_seen_at >= ${since30} AND a.arrived_at <= a.first_seen_at + interval '30 minutes')::int AS arrived,
         avg(EXTRACT(EPOCH FROM a.arrived_at - a.first_seen_at)) FILTER (WHERE a.type = '${TRAPPED_TYPE}' AND a.first_seen_at >= ${since30}) AS to_site,
         avg(EXTRACT(EPOCH FROM a.condition_cleared_at - a.first_seen_at)) FILTER (WHERE a.type = '${TRAPPED_TYPE}' AND a.first_seen_at >= ${since30}) AS to_release
       FROM alarms a WHERE ${inScope} AND (a.status <> 'closed' OR a.first_seen_at >= ${since30})`,
      p.values,
    );
    const tp = new SqlParams();
    const ticker = await db.query<Record<string, unknown>>(`SELECT ${ALARM_SELECT} ${ALARM_FROM} WHERE ${scopeSql.alarms(scope, tp, 'a')} ORDER BY a.id DESC LIMIT 20`, tp.values);
    const gp = new SqlParams();
    const grids = await db.query<{ id: string; name: string; parent_id: string | null; active: number; recent: number }>(
      `SELECT dt.id, dt.name, dt.parent_id,
         (SELECT count(*)::int FROM alarms a JOIN devices ad ON a.subject_type = 'device' AND ad.id = a.subject_id JOIN units au ON au.id = ad.unit_id WHERE au.district_id = dt.id AND a.status <> 'closed') AS active,
         (SELECT count(*)::int FROM alarms a JOIN devices ad ON a.subject_type = 'device' AND ad.id = a.subject_id JOIN units au ON au.id = ad.unit_id WHERE au.district_id = dt.id AND a.first_seen_at >= ${gp.add(new Date(now - 30 * DAY))}) AS recent
       FROM districts dt WHERE dt.kind = 'grid' AND ${scopeSql.districts(scope, gp)} ORDER BY dt.id`,
      gp.values,
    );
    const board = ctx.live.board.rows().filter((d) => deviceInScope(scope, d));
    const perGrid = new Map<string, { devices: number; online: number }>();
    for (const d of board) {
      const g = perGrid.get(d.districtId) ?? { devices: 0, online: 0 };
      g.devices++;
      if (d.online === true) g.online++;
      perGrid.set(d.districtId, g);
    }
    const cp = new SqlParams();
    const cameras = await db.query<{ id: string; name: string; kitchen_id: string; kitchen_name: string }>(
      `SELECT c.id, c.name, k.id AS kitchen_id, k.name AS kitchen_name FROM cameras c JOIN kitchens k ON k.id = c.kitchen_id WHERE c.enabled AND ${scopeSql.kitchens(scope, cp, 'k')} ORDER BY k.id, c.id LIMIT 24`,
      cp.values,
    );
    const [title] = scope.kind === 'districts' ? await db.query<{ name: string }>('SELECT name FROM districts WHERE id = $1', [scope.districtIds[0]]) : [];
    const online = board.filter((d) => d.online === true).length;
    const n = (k: string) => Number(a?.[k] ?? 0);
    const num = (k: string) => (a?.[k] === null || a?.[k] === undefined ? null : Number(a[k]));
    return {
      asOf: new Date(now).toISOString(), title: title?.name ?? '全部辖区',
      kpi: {
        devices: board.length, online, onlineRate: board.length ? online / board.length : null, inAlarm: board.filter((d) => d.activeAlarms > 0).length,
        alarmsToday: n('today'), activeAlarms: n('active'), openAlarms: n('open'), criticalActive: n('critical'),
      },
      trapped: {
        days: 30, count: n('trapped'), responseRate3m: n('trapped') ? n('responded') / n('trapped') : null, arrivalRate30m: n('trapped') ? n('arrived') / n('trapped') : null,
        avgToSiteS: num('to_site'), avgToReleaseS: num('to_release'),
      },
      ticker: ticker.map(toAlarmRow),
      grids: grids.map((g) => ({ id: g.id, name: g.name, parentId: g.parent_id, devices: perGrid.get(g.id)?.devices ?? 0, online: perGrid.get(g.id)?.online ?? 0, activeAlarms: g.active, alarms30d: g.recent })),
      cameras: cameras.map((c) => ({ id: c.id, name: c.name, kitchenId: c.kitchen_id, kitchenName: c.kitchen_name })),
    };
  });
}

import { z } from 'zod';
import type { Scope } from '../../auth/scope.js';
import { SqlParams, scopeSql } from '../../auth/sql-scope.js';
import { scopeOf, type ApiContext } from '../context.js';
import type { FastifyRequest } from 'fastify';
import { parseTime } from '../devices/history.js';
import { Id, TimeParam } from '../schema.js';
import { ALARM_STATES, alarmState, stateSql, type AlarmState } from './state.js';

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** An alarm as the centre lists it: its state as users know it, what raised it where, and who did each step how. */
export const AlarmRow = z.object({
  id: z.number().int(), state: z.enum(ALARM_STATES), status: z.string(), outcome: z.string().nullable(),
  type: z.string(), severity: z.string(), title: z.string(), count: z.number().int(),
  subjectType: z.string(), subjectId: z.string(), subjectName: z.string().nullable(), kind: z.string().meta({ description: 'elevator, boiler or camera' }),
  unitId: z.string().nullable(), unitName: z.string().nullable(), districtId: z.string().nullable(), districtName: z.string().nullable(), maintenanceCompanyId: z.string().nullable(),
  firstSeenAt: z.string(), lastSeenAt: z.string(), conditionClearedAt: z.string().nullable(),
  acknowledgedAt: z.string().nullable(), acknowledgedBy: z.string().nullable(), acknowledgedVia: z.string().nullable(),
  arrivedAt: z.string().nullable(), arrivedBy: z.string().nullable(),
  rectifiedAt: z.string().nullable(), rectifiedBy: z.string().nullable(), rectificationNote: z.string().nullable(),
  verifiedAt: z.string().nullable(), verifiedBy: z.string().nullable(), reworkCount: z.number().int(),
  closedAt: z.string().nullable(), closedBy: z.string().nullable(), closedVia: z.string().nullable(), assigneeId: z.string().nullable(),
});
export type AlarmRowT = z.input<typeof AlarmRow>;

export const ALARM_SELECT = `a.id, a.status, a.outcome, a.type, a.severity, a.title, a.count, a.subject_type, a.subject_id,
  COALESCE(d.name, c.name) AS subject_name, COALESCE(d.kind, CASE WHEN a.subject_type = 'camera' THEN 'camera' END) AS kind,
  u.id AS unit_id, u.name AS unit_name, dt.id AS district_id, dt.name AS district_name, d.maintenance_company_id,
  a.first_seen_at, a.last_seen_at, a.condition_cleared_at, a.acknowledged_at, a.acknowledged_by, a.acknowledged_via, a.arrived_at, a.arrived_by,
  a.rectified_at, a.rectified_by, a.rectification_note, a.verified_at, a.verified_by, a.rework_count, a.closed_at, a.closed_by, a.closed_via, a.assignee_id`;

/** alarms `a` with their device `d` or camera `c` and kitchen `k`, unit `u` (the device's, or the unit running the camera's kitchen) and district `dt` */
export const ALARM_FROM = `FROM alarms a
  LEFT JOIN devices d ON a.subject_type = 'device' AND d.id = a.subject_id
  LEFT JOIN cameras c ON a.subject_type = 'camera' AND c.id = a.subject_id
  LEFT JOIN kitchens k ON k.id = COALESCE(a.kitchen_id, c.kitchen_id)
  LEFT JOIN units u ON u.id = COALESCE(d.unit_id, a.unit_id, k.unit_id)
  LEFT JOIN districts dt ON dt.id = COALESCE(u.district_id, k.district_id)`;

export function toAlarmRow(r: Record<string, unknown>): AlarmRowT {
  return {
    id: Number(r.id), state: alarmState(r.status as string, str(r.outcome)), status: r.status as string, outcome: str(r.outcome),
    type: r.type as string, severity: r.severity as string, title: r.title as string, count: Number(r.count),
    subjectType: r.subject_type as string, subjectId: r.subject_id as string, subjectName: str(r.subject_name), kind: str(r.kind) ?? 'camera',
    unitId: str(r.unit_id), unitName: str(r.unit_name), districtId: str(r.district_id), districtName: str(r.district_name), maintenanceCompanyId: str(r.maintenance_company_id),
    firstSeenAt: iso(r.first_seen_at)!, lastSeenAt: iso(r.last_seen_at)!, conditionClearedAt: iso(r.condition_cleared_at),
    acknowledgedAt: iso(r.acknowledged_at), acknowledgedBy: str(r.acknowledged_by), acknowledgedVia: str(r.acknowledged_via),
    arrivedAt: iso(r.arrived_at), arrivedBy: str(r.arrived_by),
    rectifiedAt: iso(r.rectified_at), rectifiedBy: str(r.rectified_by), rectificationNote: str(r.rectification_note),
    verifiedAt: iso(r.verified_at), verifiedBy: str(r.verified_by), reworkCount: Number(r.rework_count ?? 0),
    closedAt: iso(r.closed_at), closedBy: str(r.closed_by), closedVia: str(r.closed_via), assigneeId: str(r.assignee_id),
  };
}

/** The alarm centre's filters (list, export, counter and statistics share them). */
export const AlarmFilters = {
  state: z.enum(ALARM_STATES).optional(),
  active: z.boolean().optional().meta({ description: 'true: not closed; false: closed' }),
  severity: z.enum(['critical', 'major', 'minor', 'warning']).optional(),
  type: z.string().max(60).optional().meta({ description: 'rule key, e.g. fault:11' }),
  kind: z.enum(['elevator', 'boiler', 'camera']).optional(),
  subjectId: Id.optional(),
  unitId: Id.optional(),
  districtId: Id.optional().meta({ description: 'a district node: includes its grids' }),
  companyId: Id.optional().meta({ description: 'maintenance company' }),
  from: TimeParam.optional().meta({ description: 'first seen at or after' }),
  to: TimeParam.optional().meta({ description: 'first seen before' }),
};
export interface AlarmFilterValues {
  state?: AlarmState | undefined; active?: boolean | undefined; severity?: string | undefined; type?: string | undefined; kind?: string | undefined;
  subjectId?: string | undefined; unitId?: string | undefined; districtId?: string | undefined; companyId?: string | undefined; from?: string | undefined; to?: string | undefined;
}

/**
 * The scope and the filters as conditions on ALARM_FROM (a district filter never widens the scope: both apply).
 * Every condition names only the alarm `a` (its kind, unit and district columns, the scope and the company through id
 * subqueries),
 * so that the planner can walk an index of alarms and stop at a page (newest first, type and time, one device) and
 * so that counts and statistics need none of ALARM_FROM's joins (ALARM_COUNT_FROM). Measured over 1,000,000 alarms:
 * docs/benchmarks.md "Alarm centre".
 */
export async function alarmWhere(ctx: ApiContext, req: FastifyRequest, f: AlarmFilterValues, p = new SqlParams()): Promise<AlarmWhere> {
  return alarmWhereIn(ctx, await scopeOf(ctx, req), f, p);
}

export interface AlarmWhere {
  where: string[];
  /** the same conditions for the list's capped count (scopeSql.alarmsTwice: a unit's or a device's count tests the tree per row) */
  countWhere: string[];
  params: SqlParams;
}

/** alarmWhere for a scope given (a scheduled job acts for a district, not for a request). */
export async function alarmWhereIn(ctx: ApiContext, scope: Scope, f: AlarmFilterValues, p = new SqlParams()): Promise<AlarmWhere> {
  const inScope = scopeSql.alarmsTwice(scope, p, 'a');
  const where = [inScope.indexed];
  const devices = (cond: string) => `(a.subject_type = 'device' AND a.subject_id IN (SELECT fd.id FROM devices fd WHERE ${cond}))`;
  if (f.state) where.push(stateSql(f.state));
  if (f.active !== undefined) where.push(f.active ? `a.status <> 'closed'` : `a.status = 'closed'`);
  if (f.severity) where.push(`a.severity = ${p.add(f.severity)}`);
  if (f.type) where.push(`a.type = ${p.add(f.type)}`);
  // Kind, unit and district are the alarm's own columns (migration 0010-alarm-placement: the scope's rule, kept current
  // by the registry when a device, unit, kitchen or camera moves), so that each is an index walked newest first that
  // stops at a page or at the count's cap (docs/benchmarks.md "Alarm centre").
  if (f.kind) where.push(`a.kind = ${p.add(f.kind)}`);
  if (f.subjectId) where.push(`a.subject_id = ${p.add(f.subjectId)}`);
  if (f.unitId) where.push(`a.unit_id = ${p.add(f.unitId)}`);
  if (f.companyId) where.push(devices(`fd.maintenance_company_id = ${p.add(f.companyId)}`));
  if (f.districtId) {
    // a grid is one id: `=` keeps alarms_district_page in id order (an `= ANY` of several ids is read as a bitmap and sorted)
    const ids = await ctx.scopes.subtree(f.districtId);
    where.push(ids.length === 1 ? `a.district_id = ${p.add(ids[0])}` : `a.district_id = ANY(${p.add(ids)}::text[])`);
  }
  if (f.from) where.push(`a.first_seen_at >= ${p.add(new Date(parseTime(f.from, 'from', 0)))}`);
  if (f.to) where.push(`a.first_seen_at < ${p.add(new Date(parseTime(f.to, 'to', 0)))}`);
  const narrow = Boolean(f.unitId || f.subjectId);
  return { where, countWhere: narrow ? [inScope.rowCheck, ...where.slice(1)] : where, params: p };
}

/** What alarmWhere's conditions need: the alarms alone (counts, the menu badge). */
export const ALARM_COUNT_FROM = 'FROM alarms a';
